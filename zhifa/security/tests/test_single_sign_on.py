"""Provincial single sign-on over HTTP: the app (a live server) and an identity platform in its own process
(idp.py: OIDC with PKCE and signed ID tokens, CAS 3.0) talk the real protocols to each other."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from zhifa.common.tests.cluster import free_port
from zhifa.people.models import User

requests = pytest.importorskip("requests")

USERS = {
    "zm": {"password": "idp-pass-1", "claims": {"sub": "u-001", "certificate_number": "JB00000001", "name": "张明"}},
    "wf": {"password": "idp-pass-3", "claims": {"sub": "u-003", "certificate_number": "JB00000003", "name": "王芳"}},
    "nobody": {
        "password": "idp-pass-9",
        "claims": {"sub": "u-999", "certificate_number": "JB99999999", "name": "某人"},
    },
}


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    users = tmp_path_factory.mktemp("idp") / "users.json"
    users.write_text(json.dumps(USERS, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    script = Path(__file__).with_name("idp.py")
    proc = subprocess.Popen([sys.executable, str(script), str(port), str(users)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def sso(settings, idp):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "zhifa"
    settings.OIDC_RP_CLIENT_SECRET = "zhifa-client-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{idp}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{idp}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{idp}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{idp}/jwks"
    settings.CAS_ENABLED = True
    settings.CAS_SERVER_URL = f"{idp}/cas/"
    settings.CAS_MATCH_ATTRIBUTE = "certificate_number"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "zhifa.security.sso.OfficerOIDCBackend",
        "zhifa.security.sso.OfficerCASBackend",
    ]
    return idp


def _sign_in_at_the_platform(browser, response, login: str, password: str):
    """Follow the app's redirect to the platform, fill its log-in form, and return the platform's redirect back."""
    assert response.status_code == 302, response.text[:300]
    platform = response.headers["Location"]
    assert browser.get(platform, timeout=10).status_code == 200  # the platform's log-in form
    back = browser.post(platform, data={"username": login, "password": password}, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    return platform, back.headers["Location"]


def oidc_login(live_server, login: str, password: str):
    browser = requests.Session()
    start = browser.get(f"{live_server.url}/security/sso/oidc/login/", allow_redirects=False, timeout=10)
    platform, callback = _sign_in_at_the_platform(browser, start, login, password)
    landed = browser.get(callback, allow_redirects=False, timeout=30)
    return browser, platform, landed


def test_an_officer_logs_in_through_the_provincial_platform_by_oidc_with_pkce(
    transactional_db, live_server, sso, officer
):
    browser, platform, landed = oidc_login(live_server, "zm", "idp-pass-1")
    query = parse_qs(urlparse(platform).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert landed.status_code == 302 and landed.headers["Location"] == "/"
    home = browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10)
    assert home.status_code == 200 and "张明" in home.text


def test_an_unknown_person_is_refused_and_no_account_is_created(transactional_db, live_server, sso, officer):
    before = User.objects.count()
    browser, _, landed = oidc_login(live_server, "nobody", "idp-pass-9")
    assert landed.status_code == 302 and landed.headers["Location"] == "/security/sso/failed/"
    assert "未能在本平台找到" in browser.get(f"{live_server.url}/security/sso/failed/", timeout=10).text
    assert browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10).status_code == 302  # not logged in
    assert User.objects.count() == before


def test_an_administrator_by_sso_still_needs_the_second_factor(
    transactional_db, live_server, sso, settings, unit_admin
):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    browser, _, landed = oidc_login(live_server, "wf", "idp-pass-3")
    assert landed.status_code == 302
    console = browser.get(f"{live_server.url}/people/", allow_redirects=False, timeout=10)
    assert console.status_code == 302 and console.headers["Location"].startswith("/security/otp/")
    unit_admin.refresh_from_db()
    assert not unit_admin.is_staff and not unit_admin.is_superuser  # nothing granted from a claim


def test_a_code_cannot_be_used_twice(transactional_db, live_server, sso, officer):
    browser = requests.Session()
    start = browser.get(f"{live_server.url}/security/sso/oidc/login/", allow_redirects=False, timeout=10)
    _, callback = _sign_in_at_the_platform(browser, start, "zm", "idp-pass-1")
    assert browser.get(callback, allow_redirects=False, timeout=30).headers["Location"] == "/"
    replay = requests.Session().get(callback, allow_redirects=False, timeout=30)  # another browser, same code
    assert replay.status_code == 302 and replay.headers["Location"] != "/"


def test_an_officer_logs_in_by_cas(transactional_db, live_server, sso, officer):
    browser = requests.Session()
    start = browser.get(f"{live_server.url}/security/sso/cas/login/?next=/records/", allow_redirects=False, timeout=10)
    platform, back = _sign_in_at_the_platform(browser, start, "zm", "idp-pass-1")
    assert urlparse(platform).path == "/cas/login" and "ticket=ST-" in back
    landed = browser.get(back, allow_redirects=False, timeout=30)
    assert landed.status_code == 302 and landed.headers["Location"] == "/records/"
    assert "张明" in browser.get(f"{live_server.url}/", timeout=10).text
    replay = requests.Session().get(back, allow_redirects=False, timeout=30)  # the ticket was used up
    assert replay.status_code in {302, 403} and replay.headers.get("Location") != "/records/"


def test_local_passwords_still_work_with_sso_on(client, sso, officer):
    response = client.post("/accounts/login/", {"username": "zhangming", "password": "Zhifa#2026test"})
    assert response.status_code == 302


def test_sso_entry_points_do_not_exist_when_sso_is_off(client):
    assert client.get("/security/sso/oidc/login/").status_code == 404
    assert client.get("/security/sso/cas/login/").status_code == 404
