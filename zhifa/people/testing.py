"""Test personas and factories shared by the tests of people and every app above it (DESIGN.md §3). They are
people: here, no layer exception is needed (the project conftest.py loads them as a pytest plugin).

The organisation: 江北省 → 江北市 → 江北市司法局 and 江北市市场监督管理局 (city level), 东城区 → 东城区市场监督管理局.
- officer:     an officer of 东城区市场监督管理局
- unit_admin:  the training administrator of 江北市市场监督管理局 (and so of nothing outside that subtree)
- outsider:    an officer of 西城区交通运输局, another subtree
- instructor:  an external instructor without a unit
- evaluator:   a third-party evaluator
- auditor:     read-only, whole tree
- sysadmin:    a system administrator
- citizen:     anonymous (an unauthenticated client)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from zhifa.people import access
from zhifa.people import services as people_services
from zhifa.people.models import Domain, Officer, Role, RoleGrant, Unit, User

PASSWORD = "Zhifa#2026test"
_seq = itertools.count(1)


def make_unit(
    name: str,
    *,
    level: str = Unit.Level.UNIT,
    parent: Unit | None = None,
    kind: str = Unit.Kind.OTHER,
    province: str = "",
) -> Unit:
    return people_services.unit_create(
        name=name, code=f"U{next(_seq):05d}", level=level, kind=kind, parent=parent, province=province
    )


def make_user(username: str | None = None, *, display_name: str = "", password: str = PASSWORD) -> User:
    username = username or f"user{next(_seq)}"
    return User.objects.create_user(username=username, password=password, display_name=display_name or username)


def make_officer(
    unit: Unit,
    *,
    name: str | None = None,
    username: str | None = None,
    certificate_number: str | None = None,
    domains=(),
) -> Officer:
    n = next(_seq)
    user = make_user(username or f"officer{n}", display_name=name or f"执法人员{n}")
    officer = Officer.objects.create(
        user=user,
        name=name or f"执法人员{n}",
        unit=unit,
        position="科员",
        certificate_number=certificate_number or f"JB{n:08d}",
        certificate_status=Officer.CertificateStatus.VALID,
    )
    if domains:
        officer.domains.set(domains)
    return officer


def grant(user: User, role: str, unit: Unit | None = None, organisation: str = "") -> RoleGrant:
    role_grant = RoleGrant.objects.create(user=user, role=role, unit=unit, organisation=organisation)
    access.forget_grants(user)
    return role_grant


@dataclass
class Org:
    province: Unit
    city: Unit
    justice: Unit
    market: Unit
    east_county: Unit
    east_market: Unit
    west_county: Unit
    west_transport: Unit
    market_domain: Domain
    transport_domain: Domain


def build_org() -> Org:
    market_domain, _ = Domain.objects.get_or_create(code="market", defaults={"name": "市场监管"})
    transport_domain, _ = Domain.objects.get_or_create(code="transport", defaults={"name": "交通运输"})
    province = make_unit("江北省", level=Unit.Level.PROVINCE, kind=Unit.Kind.GOVERNMENT, province="江北省")
    city = make_unit("江北市", level=Unit.Level.CITY, parent=province, kind=Unit.Kind.GOVERNMENT)
    justice = make_unit("江北市司法局", parent=city, kind=Unit.Kind.JUSTICE)
    market = make_unit("江北市市场监督管理局", parent=city, kind=Unit.Kind.MARKET)
    east_county = make_unit("东城区", level=Unit.Level.COUNTY, parent=city, kind=Unit.Kind.GOVERNMENT)
    # 东城区市场监督管理局 sits under the city market bureau: the bureau's administrator manages it.
    east_market = make_unit("东城区市场监督管理局", parent=market, kind=Unit.Kind.MARKET)
    west_county = make_unit("西城区", level=Unit.Level.COUNTY, parent=city, kind=Unit.Kind.GOVERNMENT)
    west_transport = make_unit("西城区交通运输局", parent=west_county, kind=Unit.Kind.TRANSPORT)
    east_market.domains.set([market_domain])
    west_transport.domains.set([transport_domain])
    return Org(
        province,
        city,
        justice,
        market,
        east_county,
        east_market,
        west_county,
        west_transport,
        market_domain,
        transport_domain,
    )


@pytest.fixture
def org(db) -> Org:
    return build_org()


@pytest.fixture
def officer(org) -> Officer:
    return make_officer(
        org.east_market, name="张明", username="zhangming", certificate_number="JB00000001", domains=[org.market_domain]
    )


@pytest.fixture
def outsider(org) -> Officer:
    return make_officer(
        org.west_transport,
        name="李强",
        username="liqiang",
        certificate_number="JB00000002",
        domains=[org.transport_domain],
    )


@pytest.fixture
def unit_admin(org) -> User:
    officer = make_officer(org.market, name="王芳", username="wangfang", certificate_number="JB00000003")
    grant(officer.user, Role.UNIT_ADMIN, org.market)
    return officer.user


@pytest.fixture
def instructor(org) -> User:
    user = make_user("expert", display_name="陈教授")
    grant(user, Role.INSTRUCTOR, organisation="江北大学法学院")
    return user


@pytest.fixture
def evaluator(org) -> User:
    user = make_user("evaluator", display_name="赵评估")
    grant(user, Role.EVALUATOR, organisation="江北社会评估中心")
    return user


@pytest.fixture
def auditor(org) -> User:
    user = make_user("auditor", display_name="孙审计")
    grant(user, Role.AUDITOR)
    return user


@pytest.fixture
def sysadmin(org) -> User:
    user = make_user("sysadmin", display_name="系统管理员")
    user.is_staff = user.is_superuser = True  # Django admin is for system administrators only
    user.save(update_fields=["is_staff", "is_superuser"])
    grant(user, Role.SYSTEM_ADMIN)
    return user


@pytest.fixture
def security_admin(org) -> User:
    """三员分立: the security administrator (lockouts, second-factor resets, security settings)."""
    user = make_user("security", display_name="周安")
    grant(user, Role.SECURITY_ADMIN)
    return user


@pytest.fixture
def audit_admin(org) -> User:
    """三员分立: the audit administrator (reads the audit log, nothing else)."""
    user = make_user("auditadmin", display_name="吴鉴")
    grant(user, Role.AUDIT_ADMIN)
    return user


@pytest.fixture
def citizen(client):
    """An anonymous visitor: the plain test client, never logged in."""
    return client
