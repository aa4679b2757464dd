"""Log-in and headers for 等保 (issue 20 item 7): every log-in, failure, lockout, log-out and password change is an
audit event with an IP a client cannot forge; one password sprayed over many accounts is throttled; old passwords
are refused; HSTS over TLS, X-Frame-Options DENY, an HttpOnly CSRF cookie; `check --deploy` is clean with the
production settings documented in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from zhifa.common.models import AuditEvent
from zhifa.common.proxies import parse_trusted_proxies, real_client_ip
from zhifa.common.tests.test_production_deploy import run_manage
from zhifa.people.testing import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[3]
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the spray counter and axes live there
    yield
    cache.clear()


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def _events(action: str):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_a_login_and_a_logout_are_audited_with_the_client_ip(db):
    user = make_user("zhangsan")
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.20.30.40")  # through our nginx
    assert _login(client, "zhangsan", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    login, logout = _events("auth.login")[-1], _events("auth.logout")[-1]
    assert login.actor == user and login.ip == "10.20.30.40" and login.new == {"via": "password"}
    assert logout.actor == user and logout.ip == "10.20.30.40"


def test_a_failed_login_and_the_lockout_are_audited(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("lisi")
    client = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(3):
        _login(client, "lisi", "Wrong#Pass1")
    failed = _events("auth.login-failed")
    assert len(failed) >= 3 and failed[0].new == {"username": "lisi"} and failed[0].object_id == str(user.pk)
    assert failed[0].ip == "192.0.2.7" and failed[0].actor is None
    lockout = _events("auth.lockout")
    assert lockout and lockout[0].ip == "192.0.2.7" and "锁定" in lockout[0].reason
    # Locked: even the right password is refused now.
    assert _login(client, "lisi", PASSWORD).status_code != 302


def test_headers_cannot_forge_the_ip_of_an_audit_event(db):
    make_user("wangwu")
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="1.2.3.4", HTTP_X_FORWARDED_FOR="5.6.7.8")
    _login(client, "wangwu", "Wrong#Pass1")
    assert _events("auth.login-failed")[-1].ip == "203.0.113.9"


@pytest.mark.parametrize(
    "remote, real, forwarded, expected",
    [
        ("203.0.113.9", "1.2.3.4", "5.6.7.8", "203.0.113.9"),  # not a proxy: headers ignored
        ("127.0.0.1", "10.1.1.1", None, "10.1.1.1"),  # our nginx sets X-Real-IP
        ("127.0.0.1", None, "6.6.6.6, 10.1.1.2", "10.1.1.2"),  # right-most hop not a proxy
        ("127.0.0.1", None, "10.1.1.2, 10.0.0.5", "10.1.1.2"),  # 10.0.0.5 is a proxy too: skipped
        ("127.0.0.1", "not-an-ip", None, "127.0.0.1"),
        ("127.0.0.1", None, "garbage, 10.0.0.5", "127.0.0.1"),
        (None, None, None, None),
    ],
)
def test_the_client_ip_trusts_headers_only_from_the_configured_proxies(remote, real, forwarded, expected):
    proxies = parse_trusted_proxies(["127.0.0.1", "10.0.0.0/29"])
    assert real_client_ip(remote_addr=remote, x_real_ip=real, x_forwarded_for=forwarded, proxies=proxies) == expected


def test_a_bad_trusted_proxy_setting_stops_the_start():
    result = run_manage("check", ZHIFA_DEBUG="1", ZHIFA_TRUSTED_PROXIES="127.0.0.1,nginx-host")
    assert result.returncode != 0 and "ZHIFA_TRUSTED_PROXIES" in result.stderr


def test_one_password_sprayed_over_many_accounts_is_throttled_for_that_client(db, settings):
    settings.LOGIN_SPRAY_LIMIT = 5
    victim = make_user("zhaoliu", password="Spring#2026")  # the sprayed password happens to be his
    sprayer, colleague = Client(REMOTE_ADDR="198.51.100.4"), Client(REMOTE_ADDR="198.51.100.5")
    for n in range(5):
        _login(sprayer, f"nobody{n}", "Spring#2026")
    assert _login(sprayer, "zhaoliu", "Spring#2026").status_code == 200  # refused, not logged in
    throttled = _events("auth.login-throttled")
    assert throttled and throttled[-1].object_id == str(victim.pk) and "多个账号" in throttled[-1].reason
    assert _login(colleague, "zhaoliu", "Spring#2026").status_code == 302  # another client is not affected


def test_the_current_and_the_last_five_passwords_are_refused(db):
    user = make_user("sunqi", password="First#Pass01")
    client = Client()
    client.force_login(user)

    def change(old: str, new: str):
        data = {"old_password": old, "new_password1": new, "new_password2": new}
        return client.post("/accounts/password/", data)

    current = "First#Pass01"
    refused = change(current, current)
    assert refused.status_code == 200 and "最近 5 次用过的密码" in refused.content.decode()
    for n in range(2, 7):
        new = f"Next#Pass0{n}"
        assert change(current, new).status_code == 302, n  # the session stays valid after a change
        current = new
    assert change(current, "Next#Pass02").status_code == 200  # one of the last five
    assert change(current, "First#Pass01").status_code == 302  # six changes ago: allowed again
    assert len(_events("password.change")) == 6


def test_security_headers_and_an_http_only_csrf_cookie(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    plain = Client().get(LOGIN)
    assert plain["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in plain["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in plain  # only over TLS
    assert plain.cookies["csrftoken"]["httponly"]
    secure = Client().get(LOGIN, secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_htmx_posts_with_the_token_from_the_page_not_the_cookie(db):
    user = make_user("zhouba")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    assert client.post("/accounts/logout/", HTTP_X_CSRFTOKEN=token).status_code == 302
    assert _events("auth.logout")


def _documented_production_env() -> dict[str, str]:
    """.env.example as an operator fills it in: the placeholders replaced by real secrets."""
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip().strip('"')
    env.update(
        ZHIFA_SECRET_KEY="p7Qv-3xZ!kLm9#Rt2Yw@Nb6&Hc8^Jd4*Fs1%Gx5(Ve0)Ua_Ti+Op=Ek/Lq",
        ZHIFA_FIELD_ENCRYPTION_KEY="cd" * 32,
        ZHIFA_TESTING="0",
    )
    return {k: v for k, v in env.items() if v != ""}


def test_check_deploy_is_clean_with_the_documented_production_settings():
    env = _documented_production_env()
    assert env["ZHIFA_TRUSTED_PROXIES"] and env["ZHIFA_SECURE_COOKIES"] == "true"
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
