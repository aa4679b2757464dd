"""Chinese text → index terms: jieba words (search mode, with the legal dictionary) and character bigrams.

Pure module, no ORM. Terms contain only letters and digits (NFKC-normalised, lower case), so they pass
unchanged through the FTS5 `unicode61` tokenizer and PostgreSQL's `simple` configuration: the index holds
exactly the terms computed here, on both backends.

The legal dictionary (`legal_dict.txt`) is loaded into a private rjieba instance with `add_word`, so
`cut_for_search` keeps terms like 追诉时效 whole and also emits their parts (追诉, 时效).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from pathlib import Path

import rjieba

DICTIONARY_PATH = Path(__file__).with_name("legal_dict.txt")
DICTIONARY_FREQUENCY = 20000  # high enough that jieba prefers the whole legal term over its parts

# A run of CJK ideographs, or a run of latin letters/digits. Everything else separates terms.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width) and lower case: the form every term is computed from."""
    if not unicodedata.is_normalized("NFKC", text):  # the check is much cheaper than normalising CJK text
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def dictionary_terms(path: Path = DICTIONARY_PATH) -> list[tuple[str, int]]:
    """(term, frequency) pairs of the legal dictionary; '#' starts a comment."""
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, freq = line.partition(" ")
        terms.append((normalise(word), int(freq) if freq.strip().isdigit() else DICTIONARY_FREQUENCY))
    return terms


@cache
def dictionary_checksum() -> str:
    """Identifies the tokenizer: a changed dictionary means the index must be rebuilt."""
    return hashlib.sha256(DICTIONARY_PATH.read_bytes()).hexdigest()[:16]


@cache
def _jieba() -> rjieba.Jieba:
    jieba = rjieba.Jieba()
    for word, freq in dictionary_terms():
        jieba.add_word(word, freq, "n")
    return jieba


def _is_term(token: str) -> bool:
    return token.isalnum()  # letters and digits only: no "_", punctuation or spaces


def words(text: str) -> list[str]:
    """jieba search-mode words of the text, in order (overlapping sub-words included), punctuation dropped."""
    text = normalise(text)
    return [t for t in _jieba().cut_for_search(text) if _is_term(t)]


def segment(text: str) -> list[str]:
    """jieba default-mode words (no overlapping sub-words), punctuation dropped: used to read queries."""
    return [t for t in _jieba().cut(normalise(text)) if _is_term(t)]


def runs(text: str) -> list[str]:
    """Maximal runs of CJK characters or of latin letters/digits."""
    return _RUN.findall(normalise(text))


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of each CJK run (a one-character run stays a unigram); latin runs whole.

    Consecutive bigrams of one run are adjacent in the returned list, so a phrase is a sequence of bigrams.
    """
    out: list[str] = []
    for run in runs(text):
        if not _CJK.match(run) or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def has_word(word: str) -> bool:
    """Whether the tokenizer's dictionary (stock + legal) knows the word."""
    return bool(_jieba().has_word(normalise(word)))
