"""The re-ranker's stored artefact: one directory per trained version, and which version is current.

    <ZHIFA_SEARCH_RANKER>/                  (default var/search/ranker)
        CURRENT                             the name of the current version, e.g. v20261207-031500
        v20261207-031500/
            manifest.json                   format, features, candidate settings, training counts, metrics
            booster.txt                     the LightGBM model (its own text format)
            prior.npz                       the learned prior trained with it (learned.Prior)
            lawclass.npz                    the law classifier (lawclass.LawClassifier)
            counts.json                     how often training questions cited each article and law
            dense.npz                       the dense space of the corpus (dense.DenseSpace), when trained with one

No pickles: every part is read with its library's own loader or numpy without allow_pickle. `current()` loads the
current version once per process and again only when CURRENT changes; None when there is none or it cannot be
read (the search then ranks as before, without the re-ranker). Older versions stay until removed by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings as django_settings

from zhifa.laws.search import learned, tokenize
from zhifa.laws.search.dense import DenseSpace
from zhifa.laws.search.lawclass import LawClassifier
from zhifa.laws.search.rerank import ABSENT, FEATURES, OPTIONAL_FEATURES, Settings

FORMAT = 1
log = logging.getLogger(__name__)


def root() -> Path:
    return Path(
        getattr(django_settings, "ZHIFA_SEARCH_RANKER", None) or django_settings.BASE_DIR / "var" / "search" / "ranker"
    )


@dataclass
class Models:
    """What the re-ranker needs at query time."""

    booster: object  # lightgbm.Booster
    prior: learned.Prior | None
    classifier: LawClassifier | None
    article_counts: dict[str, int]
    law_counts: dict[str, int]
    settings: Settings
    version: str = ""
    manifest: dict | None = None
    dense: DenseSpace | None = None
    columns: list[int] | None = None  # the FEATURES columns the booster reads (None: all)


def save(models: Models, *, info: dict, base: Path | None = None) -> Path:
    """Write a new version and make it current; returns its directory."""
    base = base or root()
    name = "v" + dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    directory = base / name
    suffix = 1
    while directory.exists():
        suffix += 1
        directory = base / f"{name}-{suffix}"
    directory.mkdir(parents=True)
    models.booster.save_model(str(directory / "booster.txt"))  # type: ignore[attr-defined]
    if models.prior is not None:
        models.prior.save(directory / "prior.npz")
    if models.classifier is not None:
        models.classifier.save(directory / "lawclass.npz")
    if models.dense is not None:
        models.dense.save(directory / "dense.npz")
    counts = {"articles": models.article_counts, "laws": models.law_counts}
    (directory / "counts.json").write_text(json.dumps(counts, ensure_ascii=False), encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "version": directory.name,
        "features": list(FEATURES),
        "settings": asdict(models.settings),
        "tokenizer": tokenize.dictionary_checksum(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **info,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    (base / "CURRENT.tmp").write_text(directory.name, encoding="utf-8")
    (base / "CURRENT.tmp").replace(base / "CURRENT")  # atomic: a reader sees the old or the new name
    return directory


def load(directory: Path) -> Models:
    """One stored version; raises ValueError when it is not one this code can use."""
    import lightgbm

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    features = manifest.get("features")
    older = [f for f in FEATURES if f not in OPTIONAL_FEATURES]  # a version trained before the optional ones
    if manifest.get("format") != FORMAT or features not in (list(FEATURES), older):
        raise ValueError(f"检索排序模型 {directory} 的格式或特征与当前代码不符，请重新运行 manage.py train_search")
    counts = json.loads((directory / "counts.json").read_text(encoding="utf-8"))
    prior_path, classifier_path = directory / "prior.npz", directory / "lawclass.npz"
    dense_path = directory / "dense.npz"
    return Models(
        booster=lightgbm.Booster(model_file=str(directory / "booster.txt")),
        prior=learned.Prior.load(prior_path) if prior_path.exists() else None,
        classifier=LawClassifier.load(classifier_path) if classifier_path.exists() else None,
        article_counts=counts["articles"],
        law_counts=counts["laws"],
        settings=Settings(**{**ABSENT, **manifest["settings"]}),
        version=directory.name,
        manifest=manifest,
        dense=DenseSpace.load(dense_path) if dense_path.exists() else None,
        columns=None if features == list(FEATURES) else [FEATURES.index(f) for f in features],
    )


def current_directory(base: Path | None = None) -> Path | None:
    base = base or root()
    try:
        name = (base / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return base / name if name else None


_cache: dict[str, tuple[str, Models | None]] = {}


def current(path: str | Path | None = None) -> Models | None:
    """The current version (or the version directory `path`), cached; None when there is none or it is unreadable."""
    directory = Path(path) if path else current_directory()
    if directory is None:
        return None
    cached = _cache.get(str(path or root()))
    if cached and cached[0] == str(directory):
        return cached[1]
    try:
        models: Models | None = load(directory)
    except Exception as exc:  # any unreadable artefact: rank as before, and say why in the log
        log.warning("search re-ranker not loaded from %s: %s", directory, exc)
        models = None
    _cache[str(path or root())] = (str(directory), models)
    return models
