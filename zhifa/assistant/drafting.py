"""Draft practice questions from an article's own text: single-choice items, and the check of model drafts. Pure.

Without a model: a sentence of the article holding a number an officer must know exactly (十五日, 二千元以上, 三人)
becomes a single-choice stem with that number blanked; the options are the number and three plausible wrong ones
(its neighbours in the scale officers confuse), in a fixed shuffled order. (Cloze and true/false drafts come from
practice.generation, the same review queue.) With a model: its drafts are kept only when the correct option's text
occurs in the article, so no draft asks about something the article does not say. Every draft goes to review.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

NUMERAL = "零〇一二两三四五六七八九十百千万"
UNITS = "个工作日|个月|工作日|日|天|小时|年|万元|元|倍|人|次"
TERM = re.compile(rf"(?<![{NUMERAL}\d])([{NUMERAL}]+)({UNITS})")
SCALE = ["一", "二", "三", "五", "七", "十", "十五", "二十", "三十", "六十", "九十", "一百", "二百", "五百", "一千"]
MIN_SENTENCE, MAX_SENTENCE = 12, 160


@dataclass(frozen=True)
class Draft:
    stem: str
    options: list[str]
    answer: str  # "A".."D"
    article_key: str
    explanation: str
    fingerprint: str


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；])", text.replace("\n", ""))
    return [p.strip() for p in parts if MIN_SENTENCE <= len(p.strip()) <= MAX_SENTENCE]


def _distractors(number: str) -> list[str]:
    """Three wrong numbers near `number` on the scale officers confuse; [] when it is not on the scale."""
    if number not in SCALE:
        return []
    i = SCALE.index(number)
    near = [SCALE[j] for j in (i - 1, i + 1, i - 2, i + 2, i + 3) if 0 <= j < len(SCALE) and j != i]
    return near[:3]


def single_choice_from_article(article_key: str, text: str, *, limit: int = 2) -> list[Draft]:
    """Single-choice drafts of one article, at most `limit`, deterministic for the same text."""
    drafts: list[Draft] = []
    for sentence in _sentences(text):
        for match in TERM.finditer(sentence):
            number, unit = match.group(1), match.group(2)
            wrong = _distractors(number)
            if len(wrong) < 3:
                continue
            fingerprint = hashlib.sha256(f"{article_key}|{sentence}|{match.start()}".encode()).hexdigest()[:32]
            choices = sorted([number, *wrong], key=lambda n: hashlib.sha256((fingerprint + n).encode()).hexdigest())
            stem = f"根据{article_key.replace('#', '')}，{sentence[: match.start()]}（　）{sentence[match.end() :]}"
            drafts.append(
                Draft(
                    stem=stem,
                    options=[f"{n}{unit}" for n in choices],
                    answer="ABCD"[choices.index(number)],
                    article_key=article_key,
                    explanation=f"依据 {article_key}：{sentence}",
                    fingerprint=fingerprint,
                )
            )
            if len(drafts) >= limit:
                return drafts
            break  # one item per sentence
    return drafts


MODEL_PROMPT = (
    "你是执法培训的出题人。只依据给出的条文，出{n}道单项选择题，考查条文中执法人员必须准确掌握的内容。"
    '只输出 JSON 数组，每项形如 {{"stem": "题干", "options": ["A项", "B项", "C项", "D项"], "answer": "A"}}，'
    "正确选项的文字必须原样出现在条文中。"
)


def model_messages(article_key: str, text: str, *, n: int = 2) -> list[dict]:
    return [
        {"role": "system", "content": MODEL_PROMPT.format(n=n)},
        {"role": "user", "content": f"条文〔{article_key}〕：\n{text.strip()}"},
    ]


def drafts_from_model_reply(reply: str, article_key: str, text: str) -> list[Draft]:
    """The model's drafts that are well formed and whose correct option occurs in the article; never raises."""
    start, end = reply.find("["), reply.rfind("]")
    try:
        items = json.loads(reply[start : end + 1]) if start != -1 and end > start else []
    except ValueError:
        return []
    plain = re.sub(r"\s", "", text)
    drafts = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        stem, options, answer = item.get("stem"), item.get("options"), str(item.get("answer", "")).strip().upper()
        if not (isinstance(stem, str) and stem.strip() and isinstance(options, list) and len(options) == 4):
            continue
        if not all(isinstance(o, str) and o.strip() for o in options) or answer not in "ABCD" or len(answer) != 1:
            continue
        correct = re.sub(r"\s", "", options["ABCD".index(answer)])
        if correct not in plain:
            continue
        fingerprint = hashlib.sha256(f"{article_key}|model|{stem}".encode()).hexdigest()[:32]
        drafts.append(
            Draft(stem.strip(), [o.strip() for o in options], answer, article_key, f"依据 {article_key}", fingerprint)
        )
    return drafts
