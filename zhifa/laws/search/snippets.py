"""Highlighted snippets: the densest window of an article's text, HTML-escaped, matches in <mark>; pure module."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from zhifa.laws.search.query import ParsedQuery
from zhifa.laws.search.tokenize import normalise

WINDOW = 120


@lru_cache(maxsize=8192)
def _normalised_char(ch: str) -> str:
    return normalise(ch)  # cached: a result page normalises thousands of characters, mostly the same few hundred


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """normalise(text) char by char, with the index in `text` of each output character."""
    parts = list(map(_normalised_char, text))
    if all(len(part) == 1 for part in parts):  # the usual case: one character for one
        return "".join(parts), list(range(len(text)))
    origin: list[int] = []
    for i, part in enumerate(parts):
        origin.extend([i] * len(part))
    return "".join(parts), origin


def highlight_terms(parsed: ParsedQuery) -> list[str]:
    """Strings to mark: words and phrases; the query's bigrams when there is nothing else. Longest first."""
    terms = [*parsed.words, *("".join(p[:1]) + "".join(b[-1] for b in p[1:]) for p in parsed.phrases)]
    terms = [t for t in terms if len(t) >= 2 or not t.isascii()] or list(parsed.bigrams)
    return sorted(set(terms), key=lambda t: (-len(t), t))


def _spans(normalised: str, terms: list[str]) -> list[tuple[int, int]]:
    taken = [False] * len(normalised)
    spans = []
    for term in terms:
        start = normalised.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                taken[start:end] = [True] * (end - start)
            start = normalised.find(term, end)
    return sorted(spans)


def snippet(text: str, parsed: ParsedQuery, *, window: int = WINDOW) -> str:
    """HTML: up to `window` characters around the most matches, matches wrapped in <mark>, the rest escaped."""
    text = " ".join(text.split())
    normalised, origin = _normalised_with_map(text)
    spans = [(origin[s], origin[e - 1] + 1) for s, e in _spans(normalised, highlight_terms(parsed))]
    start = 0
    if spans and len(text) > window:
        best = max(range(len(spans)), key=lambda i: sum(1 for s, _ in spans[i:] if s < spans[i][0] + window))
        start = max(0, min(spans[best][0] - window // 6, len(text) - window))
    end = min(len(text), start + window)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        parts += [escape(text[cursor:s]), "<mark>", escape(text[s:e]), "</mark>"]
        cursor = e
    parts += [escape(text[cursor:end]), "…" if end < len(text) else ""]
    return "".join(parts)
