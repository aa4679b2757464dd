"""三员分立 (等保 2.0 level 3): the system, security and audit administrators cannot do one another's job.

Each refusal is asked for over HTTP and answered 403 with the reason in Chinese; then the security and audit
administrators walk every page of the access matrix and open nothing but their own.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.common.access_matrix import World
from zhifa.common.models import AuditEvent
from zhifa.common.tests.test_access_matrix import declared_cases
from zhifa.people import services as people_services
from zhifa.people.models import Role

pytestmark = pytest.mark.django_db

REFUSED_PEOPLE = "人员、单位和系统配置由系统管理员管理"
REFUSED_SECURITY = "安全设置、账号解锁和动态口令重置由安全管理员办理"
REFUSED_AUDIT = "审计日志只由审计管理员"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _refused(response, reason: str) -> bool:
    return response.status_code == 403 and "三员分立" in (page := response.content.decode()) and reason in page


def _locked_out(username: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username, ip_address="10.0.0.9", user_agent="test", failures_since_start=5,
        attempt_time=timezone.now(), get_data="", post_data="", http_accept="", path_info="/accounts/login/",
    )  # fmt: skip


@pytest.fixture
def phone_of(unit_admin) -> TOTPDevice:
    """The unit administrator's enrolled TOTP device (his phone)."""
    return TOTPDevice.objects.create(user=unit_admin, name="动态口令", confirmed=True)


def test_the_system_administrator_manages_people_but_neither_security_nor_the_audit_log(
    sysadmin, officer, unit_admin, phone_of
):
    client = _as(sysadmin)
    assert client.get("/people/officers/").status_code == 200
    assert client.get(f"/people/officers/{officer.pk}/edit/").status_code == 200
    assert _refused(client.get("/people/audit/"), REFUSED_AUDIT)
    assert _refused(client.get("/security/manage/"), REFUSED_SECURITY)
    _locked_out("wangfang")
    assert _refused(client.post("/security/manage/lockouts/reset/", {"username": "wangfang"}), REFUSED_SECURITY)
    reset = client.post("/security/manage/second-factor/reset/", {"username": "wangfang", "reason": "手机丢失"})
    assert _refused(reset, REFUSED_SECURITY)
    assert AccessAttempt.objects.filter(username="wangfang").exists() and TOTPDevice.objects.filter(user=unit_admin)
    # the officer's page still shows the officer, without the audit trail beneath it
    people_services.officer_unmask(officer=officer, by=sysadmin)
    assert "officer.unmask" not in client.get(f"/people/officers/{officer.pk}/").content.decode()


def test_the_security_administrator_unlocks_and_resets_second_factors_but_never_touches_people(
    security_admin, officer, unit_admin, phone_of
):
    client = _as(security_admin)
    _locked_out("wangfang")
    page = client.get("/security/manage/").content.decode()
    assert "wangfang" in page and "登录失败锁定" in page
    assert client.post("/security/manage/lockouts/reset/", {"username": "wangfang"}).status_code == 302
    assert not AccessAttempt.objects.filter(username="wangfang").exists()
    missing_reason = client.post("/security/manage/second-factor/reset/", {"username": "wangfang"}, follow=True)
    assert "请填写重置原因" in missing_reason.content.decode() and TOTPDevice.objects.filter(user=unit_admin).exists()
    client.post("/security/manage/second-factor/reset/", {"username": "wangfang", "reason": "手机丢失，已电话核实"})
    assert not TOTPDevice.objects.filter(user=unit_admin).exists()
    assert set(
        AuditEvent.objects.filter(actor=security_admin, action__startswith="security.").values_list("action", flat=True)
    ) == {
        "security.lockout-reset",
        "security.second-factor-reset",
    }
    assert _refused(client.get("/people/officers/"), REFUSED_PEOPLE)
    assert _refused(client.get(f"/people/officers/{officer.pk}/edit/"), REFUSED_PEOPLE)
    edit = client.post(f"/people/officers/{officer.pk}/edit/", {"name": "改名", "unit": officer.unit_id})
    assert _refused(edit, REFUSED_PEOPLE)
    grant = client.post(f"/people/officers/{officer.pk}/roles/", {"role": "unit_admin", "unit": officer.unit_id})
    assert _refused(grant, REFUSED_PEOPLE)
    assert _refused(client.get("/people/audit/"), REFUSED_AUDIT)
    officer.refresh_from_db()
    assert officer.name == "张明" and not officer.user.role_grants.exists()


def test_the_audit_administrator_reads_the_whole_audit_log_and_nothing_else(
    audit_admin, security_admin, sysadmin, officer, outsider, unit_admin, phone_of
):
    people_services.officer_unmask(officer=outsider, by=sysadmin)
    client = _as(audit_admin)
    page = client.get("/people/audit/").content.decode()
    assert "officer.unmask" in page and "李强" in page
    _locked_out("wangfang")
    assert _refused(client.get("/security/manage/"), REFUSED_SECURITY)
    assert _refused(client.post("/security/manage/lockouts/reset/", {"username": "wangfang"}), REFUSED_SECURITY)
    reset = client.post("/security/manage/second-factor/reset/", {"username": "wangfang", "reason": "手机丢失"})
    assert _refused(reset, REFUSED_SECURITY)
    assert _refused(client.get("/people/officers/"), REFUSED_PEOPLE)
    assert _refused(client.post(f"/people/officers/{officer.pk}/unmask/"), REFUSED_PEOPLE)
    assert AccessAttempt.objects.filter(username="wangfang").exists() and TOTPDevice.objects.filter(user=unit_admin)


def test_a_security_administrator_cannot_reset_his_own_second_factor(security_admin):
    TOTPDevice.objects.create(user=security_admin, name="动态口令", confirmed=True)
    response = _as(security_admin).post(
        "/security/manage/second-factor/reset/", {"username": "security", "reason": "换手机"}, follow=True
    )
    assert "请由另一名安全管理员办理" in response.content.decode()
    assert TOTPDevice.objects.filter(user=security_admin).exists()


def test_one_account_never_holds_two_of_the_three_administrator_roles(client, sysadmin, officer, security_admin):
    with pytest.raises(ValidationError, match="三员分立"):
        people_services.role_grant(user=sysadmin, role=Role.AUDIT_ADMIN, by=sysadmin)
    with pytest.raises(ValidationError, match="三员分立"):
        people_services.role_grant(user=security_admin, role=Role.UNIT_ADMIN, by=sysadmin, unit=officer.unit)
    client.force_login(sysadmin)
    response = client.post(f"/people/officers/{officer.pk}/roles/", {"role": "audit_admin"}, follow=True)
    assert response.status_code == 200 and officer.user.role_grants.get().role == Role.AUDIT_ADMIN
    response = client.post(f"/people/officers/{officer.pk}/roles/", {"role": "security_admin"}, follow=True)
    assert "须由不同账号担任" in response.content.decode()
    assert list(officer.user.role_grants.values_list("role", flat=True)) == [Role.AUDIT_ADMIN]


def test_the_three_administrators_are_demo_personas():
    from zhifa.people import demo

    accounts = {user.username: user for _, user in demo.personas_seed(demo.units_seed())}
    assert accounts["zhouan"].role_grants.get().role == Role.SECURITY_ADMIN
    assert accounts["wujian"].role_grants.get().role == Role.AUDIT_ADMIN
    assert accounts["admin"].role_grants.get().role == Role.SYSTEM_ADMIN


# What each of them may open (200) among all the platform's pages; anything else is a refusal or a 404/405.
OWN_PAGES = {
    "security_admin": {"security:manage"},
    "audit_admin": {"console:audit-list"},
}
# Pages any account opens, even an outside instructor's and an evaluator's: home, password, second factor, the
# published learning content. Everything else is a duty of some role.
EVERYONE = {
    name for name, case in declared_cases().items()
    if case.method == "get" and case.expect.get("instructor") == 200 and case.expect.get("evaluator") == 200
}  # fmt: skip


@pytest.mark.parametrize("persona", ["security_admin", "audit_admin"])
def test_the_security_and_audit_administrators_open_only_their_own_pages(
    request, persona, org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin
):
    world = World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)
    client = _as(request.getfixturevalue(persona))
    opened = []
    for name, case in sorted(declared_cases().items()):
        if case.method != "get" or name in EVERYONE or "<" in name:
            continue
        response = client.get(reverse(name, kwargs=case.resolve_kwargs(world)) + case.query)
        if response.status_code == 200 and name not in OWN_PAGES[persona]:
            opened.append(name)
    assert not opened, f"{persona} 打开了不属于其职责的页面：{opened}"
