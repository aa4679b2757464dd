"""Recall items generated from the law itself: pure, no ORM.

From an article's text we find the terms officers must remember exactly — deadlines (十五日, 五个工作日), amounts
(二千元以上一万元以下), ratios (一倍以上五倍以下), counts (二人) — and make:
- a cloze (fill-in-the-blank) item hiding one such term;
- a true/false item stating the article with the term either kept (true) or replaced by a plausible wrong value
  (false).
Items are drafts: an instructor reviews each before it reaches officers (status "review", source "generated").
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

NUMERAL = "零〇一二两三四五六七八九十百千万"
UNITS = "个工作日|个月|工作日|日|天|小时|年|万元|元|倍|人|次|周"
TERM = re.compile(rf"(?<![{NUMERAL}\d])([{NUMERAL}]+|\d+)({UNITS})")
# Alternatives for a wrong value: the neighbours an officer plausibly confuses.
CONFUSABLE = {
    "三": "五",
    "五": "七",
    "七": "十",
    "十": "十五",
    "十五": "三十",
    "三十": "六十",
    "六十": "九十",
    "九十": "三十",
    "二": "三",
    "一": "二",
    "两": "三",
    "二十": "三十",
    "四十": "六十",
    "一百": "二百",
    "二百": "五百",
    "五百": "一千",
    "一千": "二千",
    "二千": "五千",
    "五千": "一万",
    "一万": "五万",
    "五万": "十万",
    "十万": "二十万",
}
MIN_SENTENCE = 12
MAX_SENTENCE = 160


@dataclass(frozen=True)
class GeneratedItem:
    kind: str  # "blank" or "judge"
    stem: str
    answer: list
    article_key: str
    term: str
    explanation: str
    fingerprint: str = field(default="")


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；])", text.replace("\n", ""))
    return [p.strip() for p in parts if MIN_SENTENCE <= len(p.strip()) <= MAX_SENTENCE]


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def wrong_value(number: str) -> str | None:
    """A plausible but wrong numeral for `number`, or None when we know none."""
    return CONFUSABLE.get(number)


def items_from_article(article_key: str, text: str, *, limit: int = 4) -> list[GeneratedItem]:
    """Cloze and true/false items for one article, at most `limit`, deterministic for the same text."""
    items: list[GeneratedItem] = []
    explanation = f"依据 {article_key}：{text.strip()[:300]}"
    for sentence in _sentences(text):
        for match in TERM.finditer(sentence):
            term = match.group(0)
            blanked = sentence[: match.start()] + "____" + sentence[match.end() :]
            items.append(
                GeneratedItem(
                    "blank",
                    f"根据{article_key.replace('#', '')}，填空：{blanked}",
                    [[term]],
                    article_key,
                    term,
                    explanation,
                    _fingerprint(article_key, "blank", sentence, term),
                )
            )
            wrong = wrong_value(match.group(1))
            if wrong is not None:
                fingerprint = _fingerprint(article_key, "judge", sentence, term)
                # Half the statements are true, half altered, chosen by the fingerprint so re-runs agree.
                if int(fingerprint, 16) % 2 == 0:
                    statement, answer = sentence, [True]
                else:
                    statement, answer = (
                        sentence[: match.start()] + wrong + match.group(2) + sentence[match.end() :],
                        [False],
                    )
                items.append(
                    GeneratedItem("judge", f"判断：{statement}", answer, article_key, term, explanation, fingerprint)
                )
            if len(items) >= limit:
                return items[:limit]
    return items
