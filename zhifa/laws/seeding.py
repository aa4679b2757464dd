"""The sample regulations written for the project (zhifa/laws/samples/), so a fresh demo has a law library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zhifa.laws import services
from zhifa.laws.classify import LOCAL_REGULATION, NORMATIVE_DOCUMENT
from zhifa.laws.importing import import_done
from zhifa.laws.sources import date_in_name, file_text

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
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
    import_done()
    return results
