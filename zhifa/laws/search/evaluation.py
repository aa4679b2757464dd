"""Relevance evaluation: recall@k, MRR@10 and latency of a ranking function over (query → relevant keys) pairs.

The fixed split: a query is in the test half when the first byte of sha256(query) is even (`split_of`). Every
tuning and every learned component uses the train half only; figures are reported on the test half.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from zhifa.laws.search.learned import Pair

KS = (1, 5, 10, 100)
TRAIN = "train"
TEST = "test"


class PairsFileError(ValueError):
    """A pairs file line that is not {"query": str, "relevant": [str, ...]}; the message names the line."""


def split_of(query: str) -> str:
    return TEST if hashlib.sha256(query.encode("utf-8")).digest()[0] % 2 == 0 else TRAIN


def normalise_key(key: str, titles: dict[str, str] | None = None) -> str:
    """The platform's form of an article key (中华人民共和国行政处罚法#第32条 → 行政处罚法#第三十二条).

    `titles` maps short titles without any 中华人民共和国 (关于适用《民法典》… as the STARD data writes them) to ours.
    """
    from zhifa.laws.services import UnknownArticle, article_key_normalize

    try:
        key = article_key_normalize(key)
    except UnknownArticle:
        return key
    title, _, label = key.partition("#")
    return f"{(titles or {}).get(title, title)}#{label}"


def title_aliases() -> dict[str, str]:
    """Our short titles by their form without 中华人民共和国 anywhere (only where that differs)."""
    from zhifa.laws.models import Law

    titles = Law.objects.filter(short_title__contains="中华人民共和国").values_list("short_title", flat=True)
    return {t.replace("中华人民共和国", ""): t for t in titles}


def read_pairs(path: str | Path, *, split: str | None = None) -> list[Pair]:
    """Pairs of a JSON-lines file (optionally only one split); raises PairsFileError naming the bad line."""
    pairs = []
    titles = title_aliases()
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                query, relevant = row["query"], row["relevant"]
                if not isinstance(query, str) or not isinstance(relevant, list):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise PairsFileError(f'{path} 第{number}行：应为 {{"query": "问题", "relevant": ["法规简称#第X条"]}}')
            # The optional answer only adds training text; one that is not text (a NaN in the retrieval file) is none.
            answer = row.get("answer") if isinstance(row.get("answer"), str) else ""
            if split is None or split_of(query) == split:
                pairs.append(Pair(query, tuple(normalise_key(k, titles) for k in relevant), answer))
    return pairs


def evaluate(pairs: Iterable[Pair], ranking: Callable[[str], list[str]], *, seen: set[str] | None = None) -> dict:
    """Average recall@k (share of a query's relevant keys in its top k), MRR@10, and p95 latency in ms.

    With `seen` (the article keys the model was trained on), the same figures also for the questions whose relevant
    articles were all seen in training ("seen") and for the others ("unseen": at least one never seen)."""
    groups: dict[str, list] = {"all": [], "seen": [], "unseen": []}
    latencies = []
    for pair in pairs:
        relevant = set(pair.relevant)
        if not relevant:
            continue
        start = time.perf_counter()
        keys = ranking(pair.query)
        latencies.append((time.perf_counter() - start) * 1000)
        groups["all"].append((relevant, keys))
        if seen is not None:
            groups["seen" if relevant <= seen else "unseen"].append((relevant, keys))
    result: dict = _figures(groups["all"])
    result["p95_ms"] = round(percentile(latencies, 95), 2)
    if seen is not None:
        result["seen"] = _figures(groups["seen"])
        result["unseen"] = _figures(groups["unseen"])
    return result


def _figures(rows: list[tuple[set[str], list[str]]]) -> dict:
    n = len(rows)
    totals = dict.fromkeys([f"recall@{k}" for k in KS], 0.0)
    mrr = 0.0
    for relevant, keys in rows:
        for k in KS:
            totals[f"recall@{k}"] += len(relevant & set(keys[:k])) / len(relevant)
        first = next((i for i, key in enumerate(keys[:10], start=1) if key in relevant), None)
        mrr += 1 / first if first else 0.0
    result: dict = {"n": n}
    result.update({name: round(value / n, 4) if n else 0.0 for name, value in totals.items()})
    result["mrr@10"] = round(mrr / n, 4) if n else 0.0
    return result


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
