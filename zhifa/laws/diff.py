"""Compare two versions of a law article by article, and two texts word by word; no ORM here.

Articles are matched first by identical text, then by text similarity (character bigrams, Dice coefficient), so an
article that moved (行政复议法 2017 第九条 → 2023 第二十条) is found as renumbered rather than as removed + added.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from zhifa.common.text import normalize_whitespace

ADDED, REMOVED, CHANGED, RENUMBERED, UNCHANGED = "added", "removed", "changed", "renumbered", "unchanged"
KIND_LABELS = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改", RENUMBERED: "条序变动", UNCHANGED: "未变"}
MATCH_THRESHOLD = 0.5
SAME_LABEL_BONUS = 0.05


@dataclass(frozen=True)
class Article:
    label: str  # 第三十二条
    text: str


@dataclass(frozen=True)
class ArticleChange:
    kind: str
    old: Article | None
    new: Article | None
    similarity: float = 1.0

    @property
    def text_changed(self) -> bool:
        return self.old is not None and self.new is not None and _norm(self.old.text) != _norm(self.new.text)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _norm(text: str) -> str:
    return normalize_whitespace(text).replace(" ", "")


def _bigrams(text: str) -> set[str]:
    text = _norm(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two texts, whitespace ignored: 1.0 identical, 0.0 disjoint."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x or y else 1.0


def _exact_pairs(old: Sequence[Article], new: Sequence[Article]) -> dict[int, int]:
    by_text: dict[str, list[int]] = defaultdict(list)
    for j, article in enumerate(new):
        by_text[_norm(article.text)].append(j)
    pairs: dict[int, int] = {}
    for i, article in enumerate(old):
        candidates = by_text.get(_norm(article.text))
        if candidates:
            # Prefer the candidate with the same label, else the first one in document order.
            j = next((j for j in candidates if new[j].label == article.label), candidates[0])
            candidates.remove(j)
            pairs[i] = j
    return pairs


def _similar_pairs(
    old: Sequence[Article], new: Sequence[Article], free_old: list[int], free_new: list[int]
) -> dict[int, tuple[int, float]]:
    grams_old = {i: _bigrams(old[i].text) for i in free_old}
    index: dict[str, list[int]] = defaultdict(list)
    for i, grams in grams_old.items():
        for gram in grams:
            index[gram].append(i)
    scored = []
    for j in free_new:
        grams_new = _bigrams(new[j].text)
        shared = Counter(i for gram in grams_new for i in index.get(gram, ()))
        for i, count in shared.items():
            score = 2 * count / (len(grams_old[i]) + len(grams_new))
            bonus = SAME_LABEL_BONUS if old[i].label == new[j].label else 0.0
            if score >= MATCH_THRESHOLD:
                scored.append((score + bonus, score, i, j))
    pairs: dict[int, tuple[int, float]] = {}
    taken: set[int] = set()
    for _, score, i, j in sorted(scored, reverse=True):
        if i not in pairs and j not in taken:
            pairs[i] = (j, score)
            taken.add(j)
    return pairs


def compare_articles(old: Sequence[Article], new: Sequence[Article]) -> list[ArticleChange]:
    """Changes from `old` to `new`, in the order of the new version (removed articles where they stood)."""
    pairs = {i: (j, 1.0) for i, j in _exact_pairs(old, new).items()}
    taken = {j for j, _ in pairs.values()}
    free_old = [i for i in range(len(old)) if i not in pairs]
    free_new = [j for j in range(len(new)) if j not in taken]
    pairs.update(_similar_pairs(old, new, free_old, free_new))
    matched_new = {j: (i, score) for i, (j, score) in pairs.items()}
    changes: list[tuple[float, ArticleChange]] = []
    for j, article in enumerate(new):
        if j not in matched_new:
            changes.append((j, ArticleChange(ADDED, None, article, 0.0)))
            continue
        i, score = matched_new[j]
        before = old[i]
        if before.label != article.label:
            kind = RENUMBERED
        else:
            kind = UNCHANGED if _norm(before.text) == _norm(article.text) else CHANGED
        changes.append((j, ArticleChange(kind, before, article, score)))
    for i, article in enumerate(old):
        if i not in pairs:
            # Place a removed article after the new position of its nearest matched predecessor.
            anchor = max((pairs[k][0] for k in range(i) if k in pairs), default=-1)
            changes.append((anchor + 0.5, ArticleChange(REMOVED, article, None, 0.0)))
    return [change for _, change in sorted(changes, key=lambda pair: pair[0])]


def summary(changes: Sequence[ArticleChange]) -> dict[str, int]:
    counts = Counter(change.kind for change in changes)
    return {kind: counts.get(kind, 0) for kind in (ADDED, REMOVED, CHANGED, RENUMBERED, UNCHANGED)}


def inline_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level (character-level for Chinese) differences: a list of ("equal" | "delete" | "insert", text)."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            parts.append(("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            parts.append(("insert", new[j1:j2]))
    return parts


def change_note(change: ArticleChange, *, version_name: str) -> str:
    """A plain-text note for a citation whose article changed: what happened and the wording before and after."""
    old_label = change.old.label if change.old else ""
    if change.kind == REMOVED:
        head = f"{old_label}在{version_name}中已被删除。"
    elif change.kind == RENUMBERED:
        moved = f"{old_label}在{version_name}中调整为{change.new.label}"  # type: ignore[union-attr]
        head = moved + ("，内容有修改。" if change.text_changed else "，内容未变。")
    else:
        head = f"{old_label}在{version_name}中内容有修改。"
    lines = [head]
    if change.old is not None:
        lines.append(f"原文：{change.old.text}")
    if change.new is not None and change.text_changed:
        lines.append(f"新文：{change.new.text}")
    return "\n".join(lines)
