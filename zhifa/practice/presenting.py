"""How a practice item is shown to the phone (shared by the page and the API)."""

from __future__ import annotations

from urllib.parse import quote

from zhifa.questions.models import Question


def article_link(key: str) -> dict:
    """{"key", "url"} for an article key such as 行政处罚法#第三十二条 (its permalink in the law library)."""
    law, _, label = key.partition("#")
    return {"key": key, "url": f"/laws/{quote(law)}/{quote(label)}/" if label else f"/laws/{quote(law)}/"}


def item_payload(question: Question, article_keys: list[str]) -> dict:
    return {
        "id": question.pk,
        "kind": question.kind,
        "kind_label": question.get_kind_display(),
        "stem": question.stem,
        "options": [{"label": o.label, "text": o.text} for o in question.options.all()],
        "answer": question.answer,
        "explanation": question.explanation,
        "articles": [article_link(key) for key in article_keys],
    }
