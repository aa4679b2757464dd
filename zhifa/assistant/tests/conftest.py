"""The test laws of the search tests, indexed; search artefacts and the model endpoint isolated per test."""

from __future__ import annotations

import pytest

from zhifa.laws.models import Law
from zhifa.laws.search.tests.conftest import LAWS, create_law


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    """Never the developer's var/search/ artefacts; no model endpoint unless a test starts one."""
    settings.ZHIFA_SEARCH_PRIOR = tmp_path / "no-prior.npz"
    settings.ZHIFA_SEARCH_RANKER = tmp_path / "ranker"
    settings.LLM_URL = ""
    settings.LLM_MODEL = ""
    settings.LLM_KEY = ""
    settings.LLM_TIMEOUT_SECONDS = 5


@pytest.fixture
def laws(db) -> dict[str, Law]:
    return {key[1]: create_law(*key, articles) for key, articles in LAWS.items()}
