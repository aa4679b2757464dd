"""Training pairs the platform holds: the text of every object that cites articles, with the cited keys."""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from zhifa.laws.models import Citation
from zhifa.laws.search.learned import Pair

# Fields that hold the text a citation is about, in order of preference (question stems, case facts, …).
TEXT_FIELDS = ("stem", "question", "facts", "summary", "body", "text", "description", "content", "title", "name")
_TAGS = re.compile(r"<[^>]+>")
MAX_TEXT = 500


def object_text(obj) -> str:
    """The plain text of a citing object: the first non-empty text field, tags removed."""
    for name in TEXT_FIELDS:
        value = getattr(obj, name, None)
        if isinstance(value, str) and value.strip():
            return _TAGS.sub(" ", value).strip()[:MAX_TEXT]
    return ""


def citation_pairs() -> list[Pair]:
    """One pair per citing object (questions, cases, lessons …): its text → the article keys it cites."""
    keys: dict[tuple[int, int], list[str]] = defaultdict(list)
    for content_type_id, object_id, key in Citation.objects.values_list("content_type_id", "object_id", "article_key"):
        keys[(content_type_id, object_id)].append(key)
    pairs = []
    by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, object_id in keys:
        by_type[content_type_id].append(object_id)
    for content_type_id, object_ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=object_ids).iterator():
            text = object_text(obj)
            if text:
                pairs.append(Pair(text, tuple(sorted(set(keys[(content_type_id, obj.pk)])))))
    return pairs
