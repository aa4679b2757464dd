"""Comment themes: keyword counts over comments with the project's jieba tokeniser (rjieba). Pure, no ORM."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import rjieba

# Words that say nothing about a theme in a citizen's comment.
_STOP = (
    "我们 你们 他们 这个 那个 就是 但是 因为 所以 然后 还是 已经 非常 比较 有点 一个 没有 什么 怎么 觉得 希望 "
    "可以 不是 这样 那样 时候 现在 今天 而且 以及 或者 如果 虽然 还有"
)
STOPWORDS = frozenset(_STOP.split())
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")


def keyword_counts(comments: Iterable[str], *, top: int = 20) -> list[tuple[str, int]]:
    """The most frequent words across comments (each word counted once per comment), most frequent first."""
    counts: Counter[str] = Counter()
    for comment in comments:
        words = {w for w in rjieba.cut(comment) if _WORD.match(w) and w not in STOPWORDS}
        counts.update(words)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
