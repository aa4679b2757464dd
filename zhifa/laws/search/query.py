"""Read what the user typed: words to match, phrases to match exactly, and nothing that could break FTS syntax.

Pure module, no ORM. Whatever the input (empty, thousands of characters, `"`, `*`, `:`, `NEAR`, brackets, `-`),
`parse_query` returns a `ParsedQuery` whose terms contain only letters and digits; the backends quote every term,
so user text never reaches FTS5 or tsquery as syntax.

- Quoted text (ASCII or Chinese quotes) becomes a phrase: its character bigrams, in order (without a lone
  character cut off at either edge by punctuation, which the index only holds inside a longer run).
- A long word jieba does not know (a name, a new term: ≥ 3 characters) or a run of ≥ 3 single characters that
  jieba could not group becomes a phrase too: matching its bigrams in order is more reliable than hoping the
  article was segmented the same way.
- Words of questions that carry no legal meaning (请问, 怎么办, 我, 吗 …) are dropped (`stop_words.txt`), unless
  nothing else would be left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from zhifa.laws.search import tokenize

MAX_QUERY_CHARS = 200  # longer input is cut: no article is found by its 201st character, and cost stays bounded
MAX_TERMS = 32
LONG_UNKNOWN_WORD = 3
STOP_WORDS_PATH = Path(__file__).with_name("stop_words.txt")

_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


@dataclass(frozen=True)
class ParsedQuery:
    """Words (matched in the article text and law title), phrases (bigram sequences) and all query bigrams."""

    text: str
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    bigrams: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.bigrams)


@cache
def stop_words() -> frozenset[str]:
    lines = STOP_WORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for line in lines for w in line.split("#", 1)[0].split() if w.strip())


def _unique(items) -> tuple:
    return tuple(dict.fromkeys(items))


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(tokenize.bigrams(text))


def _quoted_phrase(text: str) -> tuple[str, ...]:
    """The bigrams of quoted text. A one-character run at either edge ("育、保护未成年子女" quotes the end of 教育;
    "…保护。任" the start of 任何) is left out: the index holds that character only inside its run's bigrams, so
    the phrase could never match (and the search fell back to the bigrams of the whole text)."""
    parts = tokenize.runs(text)
    if all(len(part) == 1 for part in parts):  # nothing longer to keep: search it as typed
        return _phrase(text)
    while len(parts) > 1 and len(parts[0]) == 1 and _CJK.match(parts[0]):
        parts = parts[1:]
    while len(parts) > 1 and len(parts[-1]) == 1 and _CJK.match(parts[-1]):
        parts = parts[:-1]
    return _phrase(" ".join(parts))


def _split_quoted(text: str) -> tuple[str, list[str]]:
    """The text with quoted parts removed, and the quoted parts."""
    quoted = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]
    return _QUOTED.sub(" ", text), [q for q in quoted if q.strip()]


def _read_words(text: str, stops: frozenset[str]) -> tuple[list[str], list[tuple[str, ...]], list[str], str]:
    """Query words, phrases (unknown long words, runs of single characters), dropped stop-words, the kept text."""
    kept: list[str] = []
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    dropped: list[str] = []
    singles: list[str] = []

    def flush_singles() -> None:
        if len(singles) >= LONG_UNKNOWN_WORD:
            phrases.append(_phrase("".join(singles)))
        else:
            words.extend(singles)
        singles.clear()

    for token in tokenize.segment(text):
        if token in stops:
            dropped.append(token)
            kept.append(" ")
            flush_singles()
            continue
        kept.append(token if _CJK.match(token) else f" {token} ")
        if len(token) == 1 and _CJK.match(token):
            singles.append(token)
        else:
            flush_singles()
            if len(token) >= LONG_UNKNOWN_WORD and _CJK.match(token) and not tokenize.has_word(token):
                phrases.append(_phrase(token))
            else:
                words.append(token)
    flush_singles()
    return words, phrases, dropped, "".join(kept)


def parse_query(text: str, *, drop_stop_words: bool = True) -> ParsedQuery:
    """Parse user input into a `ParsedQuery`; never raises on any string."""
    text = tokenize.normalise(text or "")[:MAX_QUERY_CHARS].strip()
    rest, quoted = _split_quoted(text)
    stops = stop_words() if drop_stop_words else frozenset()
    words, phrases, dropped, kept = _read_words(rest, stops)
    if not words and not phrases and not quoted and dropped:
        words, phrases, dropped, kept = _read_words(rest, frozenset())  # only stop-words: search them, not nothing
    phrases = [_quoted_phrase(q) for q in quoted] + phrases
    return ParsedQuery(
        text=text,
        words=_unique(words)[:MAX_TERMS],
        phrases=_unique(p for p in phrases if p)[:MAX_TERMS],
        bigrams=_unique(tokenize.bigrams(" ".join([kept, *quoted])))[:MAX_TERMS],
        dropped=_unique(dropped),
    )
