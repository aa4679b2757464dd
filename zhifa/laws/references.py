"""Find references inside an article's text ("本法第十条", "第三十二条第二款", "前款", "《行政处罚法》第八条") and
turn them into link targets; no ORM here.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from zhifa.common.text import NUMERAL_CHARS, article_label, chinese_to_int
from zhifa.laws.parser import short_title

_N = f"[{NUMERAL_CHARS}]+"
_REFERENCE = re.compile(
    rf"(?:《(?P<title>[^》]{{2,60}})》)?(?P<self>本法|本条例|本规定|本办法|本细则|本解释|本规则)?"
    rf"第(?P<article>{_N})条(?:之(?P<sub>{_N}))?(?:第(?P<paragraph>{_N})款)?"
    r"|(?P<previous>前款)"
)


@dataclass(frozen=True)
class Segment:
    text: str
    law: str = ""  # short title of the target law; "" for plain text
    label: str = ""  # 第十条; "" for a paragraph of the same article
    paragraph: int | None = None  # 1-based paragraph of the target article

    @property
    def is_link(self) -> bool:
        return bool(self.law)


def link_segments(
    text: str, *, law: str, label: str, paragraph: int, known_laws: Collection[str] = ()
) -> list[Segment]:
    """Split `text` (a paragraph of article `label` of `law`) into plain and linked segments.

    A reference to another law links only when that law is in `known_laws` (short titles).
    """
    segments: list[Segment] = []
    position = 0
    for match in _REFERENCE.finditer(text):
        target = _target(match, law=law, label=label, paragraph=paragraph, known_laws=known_laws)
        if target is None:
            continue
        if match.start() > position:
            segments.append(Segment(text[position : match.start()]))
        segments.append(Segment(match.group(0), *target))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def _target(
    match: re.Match, *, law: str, label: str, paragraph: int, known_laws: Collection[str]
) -> tuple[str, str, int | None] | None:
    if match.group("previous"):
        return (law, label, paragraph - 1) if paragraph > 1 else None
    target_law = law
    if match.group("title"):
        target_law = short_title(match.group("title"))
        if target_law != law and target_law not in known_laws:
            return None
    try:
        number = chinese_to_int(match.group("article"))
        sub = chinese_to_int(match.group("sub")) if match.group("sub") else None
        para = chinese_to_int(match.group("paragraph")) if match.group("paragraph") else None
        return target_law, article_label(number, sub), para
    except ValueError:
        return None
