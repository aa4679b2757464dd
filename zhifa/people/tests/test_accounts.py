"""Accounts: login by username or certificate number, lockout, password policy, expiry and the idle timeout."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from zhifa.common.models import AuditEvent
from zhifa.people.passwords import character_classes
from zhifa.people.testing import PASSWORD


def _login(client, username, password="wrong-Password1", ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("login", ["zhangming", "JB00000001", " JB00000001 "])
def test_an_officer_logs_in_with_username_or_certificate_number(client, officer, login):
    response = _login(client, login, PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert "我的学习" in client.get("/").content.decode()


def test_a_wrong_password_is_refused_with_a_chinese_message(client, officer):
    page = _login(client, "zhangming").content.decode()
    assert "用户名（或执法证号）或密码不正确" in page


def test_five_failures_lock_the_username_on_that_ip_only(client, officer):
    for _ in range(4):
        assert _login(client, "zhangming").status_code == 200
    fifth = _login(client, "zhangming")
    assert fifth.status_code == 429 and "登录已暂时锁定" in fifth.content.decode()
    assert _login(client, "zhangming", PASSWORD).status_code == 429  # even the right password, now
    assert _login(Client(), "zhangming", PASSWORD, ip="10.0.0.2").status_code == 302  # another IP
    assert _login(Client(), "liqiang", "wrong", ip="10.0.0.1").status_code == 200  # another user, same IP


def test_four_failures_then_success_resets_the_counter(client, officer):
    for _ in range(4):
        _login(client, "zhangming")
    assert _login(client, "zhangming", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        _login(client, "zhangming")
    assert _login(client, "zhangming", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Zhifa#2026", True),
        ("zhifa2026!", True),  # lower, digit, symbol: three classes
        ("Zh#1", False),  # too short
        ("zhifazhifa2026", False),  # two classes
        ("ZHIFAZHIFA", False),
    ],
)
def test_the_password_policy_needs_eight_characters_of_three_classes(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@override_settings(PASSWORD_MIN_LENGTH=12, PASSWORD_MIN_CLASSES=4)
def test_the_password_policy_is_configurable():
    with pytest.raises(ValidationError, match="至少 12 位"):
        validate_password("Zhifa#2026")
    validate_password("Zhifa#2026ab")


@pytest.mark.parametrize("password, classes", [("abc", 1), ("aB", 2), ("aB3", 3), ("aB3#", 4), ("中文", 1), ("²³", 1)])
def test_character_classes(password, classes):
    assert character_classes(password) == classes


def test_the_change_form_shows_the_policy_in_chinese(client, officer):
    client.force_login(officer.user)
    data = {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    page = client.post("/accounts/password/", data).content.decode()
    assert "需包含小写字母、大写字母、数字、符号中的至少 3 类" in page


def test_a_password_older_than_90_days_must_be_changed_first(client, officer):
    user = officer.user
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save(update_fields=["password_changed_at"])
    client.force_login(user)
    assert client.get("/").url == "/accounts/password/?expired=1"
    assert client.get("/people/").url == "/accounts/password/?expired=1"
    assert "超过有效期" in client.get("/accounts/password/?expired=1").content.decode()
    data = {"old_password": PASSWORD, "new_password1": "Neu#Passwort1", "new_password2": "Neu#Passwort1"}
    assert client.post("/accounts/password/", data).status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="password.change", object_id=str(user.pk)).exists()


def test_a_password_89_days_old_is_still_fine(client, officer):
    officer.user.password_changed_at = timezone.now() - timedelta(days=89)
    officer.user.save(update_fields=["password_changed_at"])
    client.force_login(officer.user)
    assert client.get("/").status_code == 200


def test_thirty_idle_minutes_log_the_user_out(client, officer, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(officer.user)
    assert client.get("/").status_code == 200
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity renews the clock
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    time_machine.shift(timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and "timeout=1" in response.url
    assert "30 分钟未操作" in client.get(response.url).content.decode()
    assert client.get("/").url.startswith("/accounts/login/")  # the session is gone, not just redirected once


def test_logout_is_post_only(client, officer):
    client.force_login(officer.user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").url.startswith("/accounts/login/")


def test_a_lockout_ends_after_the_cool_off(client, officer, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(5):
        _login(client, "zhangming")
    assert _login(client, "zhangming", PASSWORD).status_code == 429
    time_machine.shift(timedelta(minutes=16))
    assert _login(client, "zhangming", PASSWORD).status_code == 302
