import pytest

from zhifa.laws.search import scopes

pytestmark = pytest.mark.django_db
URL = "/api/v1/laws/search"


def laws_found(client, user, **params):
    client.force_login(getattr(user, "user", user))
    return {r["law"] for r in client.get(URL, {"q": "行政处罚 听证", "limit": 50, **params}).json()["results"]}


def test_an_officer_searches_national_laws_and_his_own_province_by_default(client, officer, search_laws):
    found = laws_found(client, officer)
    assert "江北省市场监督管理条例" in found and "行政处罚法" in found
    assert "山东省市场监督管理条例" not in found


def test_other_provinces_only_on_request(client, officer, search_laws):
    assert "山东省市场监督管理条例" in laws_found(client, officer, scope="all")
    by_province = laws_found(client, officer, scope="province:山东")
    assert "山东省市场监督管理条例" in by_province and "江北省市场监督管理条例" not in by_province


def test_a_user_without_a_unit_searches_national_laws_only(client, instructor, search_laws):
    found = laws_found(client, instructor)
    assert "行政处罚法" in found
    assert not {"江北省市场监督管理条例", "山东省市场监督管理条例"} & found


@pytest.mark.parametrize(
    "scope, regions",
    [
        ("all", None),
        ("national", ("",)),
        ("province:山东", ("", "山东省")),
        ("province:上海市", ("", "上海市")),
    ],
)
def test_scope_regions(scope, regions):
    assert scopes.scope_regions(scope) == regions


@pytest.mark.parametrize("scope", ["province:", "everywhere", "nation"])
def test_unknown_scopes_are_refused(scope):
    with pytest.raises(scopes.UnknownScope):
        scopes.scope_regions(scope)
