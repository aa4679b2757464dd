"""Training the re-ranker (`manage.py train_search`): cross-fitted features, then LightGBM lambdarank.

The prior and the law classifier are themselves learned from the training pairs, so features computed with them
for those same questions would be too good (a question always finds the articles it taught). The pairs are cut
into folds (by the query's hash); each fold's candidates and features come from a prior and a classifier trained
on the other folds. The booster learns from those; the prior and classifier stored with it are then trained on all
pairs. The dense space (dense.py) is learned from the corpus alone, not from the pairs, so it is built once and
shared by every fold (its question vectors are expanded by each fold's own prior).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from zhifa.laws.search import lawclass, learned, rerank
from zhifa.laws.search.artefact import Models
from zhifa.laws.search.backends import Filters, SearchBackend
from zhifa.laws.search.learned import Pair
from zhifa.laws.search.query import parse_query

PARAMS = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10, 100],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambdarank_truncation_level": 100,
    "num_threads": 1,
    "seed": 7,
    "deterministic": True,
    "verbose": -1,
}


def fold_of(query: str, folds: int) -> int:
    return hashlib.sha256(query.encode("utf-8")).digest()[1] % folds


def counts(pairs: Sequence[Pair]) -> tuple[dict[str, int], dict[str, int]]:
    """How many training questions cite each article, and each law."""
    articles: Counter = Counter()
    laws: Counter = Counter()
    for pair in pairs:
        articles.update(set(pair.relevant))
        laws.update({lawclass.law_of_key(k) for k in pair.relevant})
    return dict(articles), dict(laws)


def side_models(pairs: Sequence[Pair], settings: rerank.Settings, space=None) -> Models:
    """Prior and classifier from these pairs and their answers, counts from the questions (no booster yet), and the
    dense space given; parts that cannot be trained are None."""
    texts = learned.with_answers(pairs)
    try:
        prior: learned.Prior | None = learned.train(texts)
    except ValueError:
        prior = None
    try:
        classifier: lawclass.LawClassifier | None = lawclass.train(texts)
    except ValueError:
        classifier = None
    article_counts, law_counts = counts(pairs)
    return Models(None, prior, classifier, article_counts, law_counts, settings, dense=space)


def training_data(
    backend: SearchBackend,
    pairs: Sequence[Pair],
    filters: Filters,
    *,
    folds: int,
    settings: rerank.Settings,
    space=None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[np.ndarray, np.ndarray, list[int], dict]:
    """(features, labels, group sizes, {"questions", "relevant", "in_pool"}) with cross-fitted side models."""
    matrices, labels, groups = [], [], []
    relevant_total = in_pool = questions = 0
    for fold in range(folds):
        held = [p for p in pairs if fold_of(p.query, folds) == fold]
        if not held:
            continue
        models = side_models([p for p in pairs if fold_of(p.query, folds) != fold], settings, space)
        for pair in held:
            parsed = parse_query(pair.query)
            if parsed.is_empty or not pair.relevant:
                continue
            with backend.one_search():
                pool = rerank.candidates(backend, parsed, filters, models, settings)
                _ids, matrix, keys = rerank.features(backend, parsed, pool, models)
            relevant = set(pair.relevant)
            y = np.array([1 if key in relevant else 0 for key in keys])
            questions += 1
            relevant_total += len(relevant)
            in_pool += int(y.sum())
            if y.any() and len(y) > 1:
                matrices.append(matrix)
                labels.append(y)
                groups.append(len(y))
        progress(f"第 {fold + 1}/{folds} 折：{len(held)} 个问题")
    info = {"questions": questions, "relevant": relevant_total, "in_pool": in_pool, "groups": len(groups)}
    if not matrices:
        return np.zeros((0, len(rerank.FEATURES))), np.zeros(0), [], info
    return np.vstack(matrices), np.concatenate(labels), groups, info


def train(
    backend: SearchBackend,
    pairs: Sequence[Pair],
    filters: Filters,
    *,
    folds: int = 4,
    rounds: int = 300,
    settings: rerank.Settings | None = None,
    space=None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Models, dict]:
    """The re-ranker and its side models; raises ValueError when no training question finds a relevant article."""
    import lightgbm

    settings = settings or rerank.Settings()
    started = time.perf_counter()
    x, y, groups, info = training_data(
        backend, pairs, filters, folds=folds, settings=settings, space=space, progress=progress
    )
    if not groups:
        raise ValueError("没有一个训练问题的候选条文中含有其相关条文，无法训练检索排序模型")
    dataset = lightgbm.Dataset(
        x, y, group=groups, feature_name=list(rerank.FEATURES), categorical_feature=["category", "status"]
    )
    params = {**PARAMS, "min_data_in_leaf": min(int(PARAMS["min_data_in_leaf"]), max(1, len(y) // 10))}  # type: ignore[call-overload]
    booster = lightgbm.train(params, dataset, num_boost_round=rounds)
    models = side_models(pairs, settings, space)
    models.booster = booster
    importance = dict(zip(rerank.FEATURES, booster.feature_importance("gain").round(1).tolist(), strict=True))
    info.update(
        {
            "pairs": len(pairs),
            "folds": folds,
            "rounds": rounds,
            "rows": len(y),
            "pool_recall": round(info["in_pool"] / info["relevant"], 4) if info["relevant"] else 0.0,
            "seconds": round(time.perf_counter() - started, 1),
            "importance": importance,
        }
    )
    return models, info
