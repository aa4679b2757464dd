"""Questions citing law articles, only through the law library's `citation_set` (zhifa.laws.services).

A question keeps every key it declares in `article_keys`; the keys the law library knows become `Citation` rows,
the others stay pending until the law is imported (`question_citations_refresh`, run again by seed_questions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType

from zhifa.laws.models import Citation, Provision
from zhifa.questions.models import Question


def _laws_services():
    """The law library's services module, or None while it is not installed (then every key stays pending)."""
    try:
        from zhifa.laws import services
    except ImportError:
        return None
    return services if hasattr(services, "citation_set") else None


def known_keys(keys: Iterable[str]) -> set[str]:
    """The keys that name an article of a law in the library (any version; the law library picks which to cite)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    found = Provision.objects.filter(kind=Provision.Kind.ARTICLE, key__in=keys, version__is_current=True).values_list(
        "key", flat=True
    )
    return set(found)


def unknown_keys(keys: Sequence[str]) -> list[str]:
    known = known_keys(keys)
    return [key for key in keys if key not in known]


def unknown_message(keys: Sequence[str]) -> str:
    return (
        f"“{'、'.join(keys)}”在法规库中找不到：请核对法规简称和条号（形如“行政处罚法#第四十四条”），"
        "或先在法规库导入该法规。"
    )


def cite(question: Question, keys: Sequence[str], *, by=None) -> bool:
    """Replace the question's citations with the known ones among `keys`; True when any citation was written."""
    services = _laws_services()
    if services is None:
        return False
    known = [key for key in dict.fromkeys(keys) if key in known_keys(keys)]
    existing = set(cited_keys(question))
    if set(known) == existing:
        return False
    try:
        services.citation_set(obj=question, article_keys=known, by=by)
    except getattr(services, "UnknownArticle", LookupError):
        return False  # a key vanished between the check and the write: it stays pending
    return True


def cited_keys(question: Question) -> list[str]:
    content_type = ContentType.objects.get_for_model(Question)
    return list(
        Citation.objects.filter(content_type=content_type, object_id=question.pk).values_list("article_key", flat=True)
    )


def pending_keys(question: Question) -> list[str]:
    """Declared keys not (yet) cited through the law library."""
    cited = set(cited_keys(question))
    return [key for key in question.article_keys if key not in cited]
