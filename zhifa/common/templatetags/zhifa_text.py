"""Template filters for plain Chinese: `{{ key|article_key }}` shows a citation key as 《法》第X条."""

from __future__ import annotations

from django import template

from zhifa.common.text import answer_display, article_key_display

register = template.Library()


@register.filter(name="article_key")
def article_key(value: str) -> str:
    return article_key_display(value)


@register.filter(name="answer_text")
def answer_text(value: object) -> str:
    return answer_display(value)
