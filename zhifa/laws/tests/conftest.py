import pytest

from zhifa.laws import services


@pytest.fixture(autouse=True)
def without_search_indexing(request, monkeypatch):
    """The library's own tests run without the search package's indexing hook (its tests cover indexing);
    mark a test `with_search_hook` to keep it."""
    if "with_search_hook" not in request.fixturenames:
        monkeypatch.setattr(services, "POST_IMPORT_HOOKS", [])


@pytest.fixture
def with_search_hook():
    """Keep the real post-import hooks (the search index) for this test."""
