"""An administrator without a second factor cannot reach the console; with TOTP he can (django-otp)."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.common.models import AuditEvent


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


@pytest.mark.parametrize("persona", ["unit_admin", "auditor", "sysadmin"])
def test_an_administrator_without_a_second_factor_cannot_reach_the_console(client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for path in ("/people/", "/records/compliance/", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/security/otp/"), path
    refused = client.post("/api/v1/exams/attempts/1/answers", {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"


def test_an_officer_is_not_asked_for_a_second_factor(client, officer):
    client.force_login(officer.user)
    assert client.get("/").status_code == 200


def test_enrolment_then_the_console_opens(client, unit_admin):
    client.force_login(unit_admin)
    setup = client.get("/security/otp/?next=/people/", follow=True)
    assert setup.request["PATH_INFO"] == "/security/otp/setup/"
    assert "data:image/svg+xml" in setup.content.decode() and re.search(
        r"<code>[A-Z2-7]{32}</code>", setup.content.decode()
    )
    device = TOTPDevice.objects.get(user=unit_admin, confirmed=False)
    wrong = client.post("/security/otp/setup/", {"token": "000000", "next": "/people/"})
    assert "动态口令不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=unit_admin, confirmed=True).exists()
    done = client.post("/security/otp/setup/", {"token": code_for(device), "next": "/people/"})
    assert done.status_code == 302 and done["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    assert AuditEvent.objects.filter(action="security.second-factor-enrolled", object_id=str(unit_admin.pk)).exists()


def test_a_new_session_asks_for_the_code_again_and_refuses_a_wrong_one(client, unit_admin):
    device = TOTPDevice.objects.create(user=unit_admin, name="动态口令", confirmed=True)
    client.force_login(unit_admin)
    assert client.get("/people/")["Location"].startswith("/security/otp/")
    wrong = client.post("/security/otp/", {"token": "123456", "next": "/people/"})
    assert wrong.status_code == 200 and "动态口令不正确" in wrong.content.decode()
    assert client.get("/people/").status_code == 302
    throttled = client.post("/security/otp/", {"token": code_for(device)})  # at once after a failure: wait
    assert "请稍候" in throttled.content.decode()
    time.sleep(2.1)  # django-otp's throttle: 1 s after the first failure, 2 s after the second
    ok = client.post("/security/otp/", {"token": code_for(device), "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok["Location"] == "/"  # never redirected off-site
    assert client.get("/people/").status_code == 200


def test_a_code_works_once(client, unit_admin):
    device = TOTPDevice.objects.create(user=unit_admin, name="动态口令", confirmed=True)
    code = code_for(device)
    client.force_login(unit_admin)
    assert client.post("/security/otp/", {"token": code})["Location"] == "/"
    client.logout()
    client.force_login(unit_admin)
    again = client.post("/security/otp/", {"token": code})
    assert again.status_code == 200 and "动态口令不正确" in again.content.decode()


def test_the_hot_endpoints_do_not_bypass_the_second_factor(client, unit_admin):
    client.force_login(unit_admin)
    client.get("/people/")  # sent to the second-factor page first
    response = client.post(
        "/api/v1/exams/attempts/1/answers", {"seq": 1, "answers": []}, content_type="application/json"
    )
    assert response.status_code == 403


def test_right_after_a_password_log_in_the_hot_endpoints_refuse_an_administrator(client, unit_admin):
    assert client.post("/accounts/login/", {"username": "wangfang", "password": "Zhifa#2026test"}).status_code == 302
    response = client.post(
        "/api/v1/exams/attempts/1/answers", {"seq": 1, "answers": []}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"


@pytest.mark.parametrize(
    "persona, administrative",
    [
        ("unit_admin", True), ("auditor", True), ("sysadmin", True), ("security_admin", True),
        ("audit_admin", True), ("instructor", False), ("evaluator", False),
    ],
)  # fmt: skip
def test_who_counts_as_an_administrator(persona, administrative, request, django_assert_num_queries):
    from zhifa.people.models import User
    from zhifa.security.middleware import needs_second_factor

    user = User.objects.get(pk=request.getfixturevalue(persona).pk)  # fresh: no grants loaded yet
    with django_assert_num_queries(0 if user.is_staff or user.is_superuser else 1):  # one probe, every request
        assert needs_second_factor(user) is administrative


@pytest.mark.parametrize(
    "persona, administrative", [("unit_admin", True), ("audit_admin", True), ("instructor", False)]
)
def test_the_request_s_user_comes_with_the_answer(persona, administrative, request, django_assert_num_queries):
    """The auth backend selects the admin grant with the user row: no probe of its own on any request."""
    from zhifa.people.auth_backends import UsernameOrCertificateBackend
    from zhifa.security.middleware import needs_second_factor

    user_id = request.getfixturevalue(persona).pk
    with django_assert_num_queries(1):  # the user row and its grant, one SELECT
        user = UsernameOrCertificateBackend().get_user(user_id)
        assert needs_second_factor(user) is administrative


def test_a_role_granted_to_a_logged_in_officer_asks_for_the_second_factor_on_his_next_request(client, officer, org):
    from zhifa.people.models import Role
    from zhifa.people.services import role_grant

    client.force_login(officer.user)
    assert client.get("/").status_code == 200
    role_grant(user=officer.user, role=Role.UNIT_ADMIN, by=None, unit=org.city)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/security/otp/")
