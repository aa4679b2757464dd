"""Near-duplicate questions: character shingles and Jaccard similarity, without the ORM.

Texts are compared after `content.fingerprint_text` (no tags, NFKC, no whitespace or punctuation). Candidate pairs
come from prefix filtering (Chaudhuri et al.): order each shingle set by global rarity; two sets with Jaccard ≥ t
must share one of the first |x| − ⌈t·|x|⌉ + 1 shingles of each. That finds every pair above the threshold without
comparing all pairs, so a 20,000-question bank stays interactive.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

DEFAULT_SIZE = 3
DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True)
class SimilarPair:
    first: Hashable
    second: Hashable
    similarity: float


def shingles(text: str, size: int = DEFAULT_SIZE) -> frozenset[str]:
    """Character n-grams of `text`; a text shorter than `size` is its own single shingle (empty → empty set)."""
    if not text:
        return frozenset()
    if len(text) <= size:
        return frozenset({text})
    return frozenset(text[i : i + size] for i in range(len(text) - size + 1))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """|A ∩ B| / |A ∪ B|; 1.0 for two empty sets."""
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def similar_pairs(
    texts: Iterable[tuple[Hashable, str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    size: int = DEFAULT_SIZE,
) -> list[SimilarPair]:
    """Every pair of (id, text) with Jaccard similarity ≥ threshold, most similar first. Empty texts are skipped."""
    if not 0 < threshold <= 1:
        raise ValueError("相似度阈值应在 0 到 1 之间。")
    items = [(key, shingles(text, size)) for key, text in texts]
    items = [(key, grams) for key, grams in items if grams]
    frequency = Counter(gram for _, grams in items for gram in grams)
    ordered = [(key, grams, sorted(grams, key=lambda g: (frequency[g], g))) for key, grams in items]
    index: dict[str, list[int]] = defaultdict(list)
    found: list[SimilarPair] = []
    for position, (key, grams, order) in enumerate(ordered):
        prefix = order[: _prefix_length(len(order), threshold)]
        candidates = {other for gram in prefix for other in index[gram]}
        for other in candidates:
            other_key, other_grams, _ = ordered[other]
            if not _sizes_compatible(len(grams), len(other_grams), threshold):
                continue
            similarity = jaccard(grams, other_grams)
            if similarity >= threshold:
                found.append(SimilarPair(other_key, key, round(similarity, 4)))
        for gram in prefix:
            index[gram].append(position)
    return sorted(found, key=lambda pair: (-pair.similarity, str(pair.first), str(pair.second)))


def _prefix_length(size: int, threshold: float) -> int:
    # tolerate float error in t·|x| (0.8 × 5 = 4.000000000000001)
    return size - math.ceil(threshold * size - 1e-9) + 1


def _sizes_compatible(first: int, second: int, threshold: float) -> bool:
    small, large = sorted((first, second))
    return small >= threshold * large - 1e-9


def duplicate_groups(pairs: Sequence[SimilarPair]) -> list[list[Hashable]]:
    """Connected groups of ids linked by the pairs (union–find), each sorted, largest group first."""
    parent: dict[Hashable, Hashable] = {}

    def root(key: Hashable) -> Hashable:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for pair in pairs:
        parent[root(pair.first)] = root(pair.second)
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    for key in parent:
        groups[root(key)].append(key)
    return sorted((sorted(g, key=str) for g in groups.values()), key=lambda g: (-len(g), str(g[0])))
