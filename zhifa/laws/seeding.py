"""The demo's law library: the sample regulations written for the project (zhifa/laws/samples/) and the national
laws the samples cite — ../shared/data/laws when present, else the public texts shipped in samples/national/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zhifa.laws import services
from zhifa.laws.classify import LOCAL_REGULATION, NORMATIVE_DOCUMENT
from zhifa.laws.importing import import_source, sources_from_paths
from zhifa.laws.sources import date_in_name, file_text

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
# Public national laws (国家法律法规数据库 texts, via LawRefBook; see its README.md): the ones the demo's questions,
# lessons, cases and drills cite, so that a fresh clone's citations resolve without ../shared/data.
NATIONAL_DIR = SAMPLES_DIR / "national"
SAMPLE_REGION = "江北省"
# Oldest first, so that the newer 证件管理规定 arrives as a new version of the older one.
SAMPLES = [
    ("江北市行政执法人员培训管理办法.txt", LOCAL_REGULATION),
    ("江北市行政执法证件管理规定(2021-06-15).txt", LOCAL_REGULATION),
    ("江北市行政执法证件管理规定(2024-09-20).txt", LOCAL_REGULATION),
    ("江北市市场监管轻微违法行为不予处罚清单.txt", NORMATIVE_DOCUMENT),
]


def samples_seed() -> list[services.ImportResult]:
    """Import the sample regulations; idempotent (a second run reports every version unchanged)."""
    results = []
    for name, category in SAMPLES:
        path = SAMPLES_DIR / name
        hint = date_in_name(name)
        results.append(
            services.law_import_text(
                text=file_text(name, path.read_bytes()),
                source_name=f"samples/{name}",
                category=category,
                region=SAMPLE_REGION,
                version_date=dt.date.fromisoformat(hint) if hint else None,
            )
        )
    return results


def national_folder(shared_data: Path) -> Path:
    """Where the demo's national laws come from: the shared data's 63 laws when present, else the shipped texts."""
    shared_laws = shared_data / "laws"
    return shared_laws if shared_laws.is_dir() else NATIONAL_DIR


def national_seed(*, folder: Path) -> list[dict]:
    """Import the national laws of a folder (report rows as import_source gives them); idempotent."""
    return [import_source(source) for source in sources_from_paths([folder])]
