"""The demo organisation (江北省 → 江北市 …), ~50 officers, the persona accounts and a sample import sheet.

Idempotent: units are found by code, officers by certificate number, accounts by username; running it again changes
nothing except restoring the demo passwords. Fake ID-card numbers are generated with valid check characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from zhifa.people import idcard, services
from zhifa.people.models import Domain, Officer, Role, Unit, User

DEMO_PASSWORD = "Zhifa@2026"
DOMAINS = [
    ("market", "市场监管"), ("food", "食品安全"), ("transport", "交通运输"), ("environment", "生态环境"),
    ("comprehensive", "综合执法"), ("justice", "司法行政"),
]  # fmt: skip
# code, name, level, kind, parent code, domain codes
UNITS = [
    ("JB", "江北省", "province", "government", None, []),
    ("JB-C", "江北市", "city", "government", "JB", []),
    ("JB-C-SFJ", "江北市司法局", "unit", "justice", "JB-C", ["justice"]),
    ("JB-C-SCJG", "江北市市场监督管理局", "unit", "market", "JB-C", ["market", "food"]),
    ("JB-C-JT", "江北市交通运输局", "unit", "transport", "JB-C", ["transport"]),
    ("JB-C-HB", "江北市生态环境局", "unit", "environment", "JB-C", ["environment"]),
    ("JB-DC", "东城区", "county", "government", "JB-C", []),
    ("JB-XC", "西城区", "county", "government", "JB-C", []),
    ("JB-NH", "南湖县", "county", "government", "JB-C", []),
    ("JB-DC-SCJG", "东城区市场监督管理局", "unit", "market", "JB-C-SCJG", ["market", "food"]),
    ("JB-XC-SCJG", "西城区市场监督管理局", "unit", "market", "JB-C-SCJG", ["market", "food"]),
    ("JB-NH-SCJG", "南湖县市场监督管理局", "unit", "market", "JB-C-SCJG", ["market", "food"]),
    ("JB-DC-ZHZF", "东城区综合行政执法局", "unit", "comprehensive", "JB-DC", ["comprehensive"]),
    ("JB-NH-ZHZF", "南湖县综合行政执法局", "unit", "comprehensive", "JB-NH", ["comprehensive"]),
    ("JB-XC-JT", "西城区交通运输局", "unit", "transport", "JB-XC", ["transport"]),
    ("JB-NH-JT", "南湖县交通运输局", "unit", "transport", "JB-NH", ["transport"]),
    ("JB-NH-HB", "江北市生态环境局南湖分局", "unit", "environment", "JB-C-HB", ["environment"]),
]
AGENCIES = [code for code, _, level, kind, _, _ in UNITS if level == "unit" and kind != "justice"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "秀英", "建国", "海燕"]
POSITIONS = ["科员", "副科长", "科长", "执法队员", "副大队长", "大队长"]
REGIONS = ["340102", "340104", "340111", "340121"]  # shape-valid region codes for fake numbers


@dataclass(frozen=True)
class Persona:
    username: str
    name: str
    role: str
    label: str
    unit_code: str | None = None  # officer profile in this unit
    grant_unit: str | None = None
    organisation: str = ""
    certificate: str = ""


PERSONAS = [
    Persona("zhangming", "张明", Role.OFFICER, "执法人员", unit_code="JB-DC-SCJG", certificate="JB00000001"),
    Persona(
        "wangfang",
        "王芳",
        Role.UNIT_ADMIN,
        "单位培训管理员（江北市市场监督管理局及下级）",
        unit_code="JB-C-SCJG",
        grant_unit="JB-C-SCJG",
        certificate="JB00000003",
    ),
    Persona("chenhong", "陈红", Role.INSTRUCTOR, "外聘讲师", organisation="江北大学法学院"),
    Persona("zhaoping", "赵平", Role.EVALUATOR, "第三方评估人员", organisation="江北社会评估中心"),
    Persona("sunshen", "孙慎", Role.AUDITOR, "审计员（只读，全部单位）"),
    Persona("admin", "系统管理员", Role.SYSTEM_ADMIN, "系统管理员（含 Django 管理后台）"),
    Persona("zhouan", "周安", Role.SECURITY_ADMIN, "安全管理员（三员分立：账号解锁、动态口令重置、安全设置）"),
    Persona("wujian", "吴鉴", Role.AUDIT_ADMIN, "审计管理员（三员分立：只查阅审计日志）"),
]


def fake_id_card(index: int, *, region_offset: int = 0) -> str:
    """A deterministic, checksum-valid, obviously fake ID-card number for demo officer number `index`."""
    born = date(1970, 1, 1) + timedelta(days=(index * 397) % 12000)
    return idcard.build(REGIONS[(index + region_offset) % len(REGIONS)], born, 100 + index % 800)


def fake_phone(index: int) -> str:
    return f"139{index:08d}"


def _name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def units_seed() -> dict[str, Unit]:
    domains = {code: Domain.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in DOMAINS}
    units: dict[str, Unit] = {}
    for code, name, level, kind, parent, domain_codes in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = services.unit_create(
                name=name,
                code=code,
                level=level,
                kind=kind,
                parent=units[parent] if parent else None,
                province="江北省" if parent is None else "",
                domains=[domains[d] for d in domain_codes],
            )
        units[code] = unit
    return units


def officers_seed(units: dict[str, Unit], count: int = 48) -> int:
    """Officers across the agencies (skipping those already there); returns how many were created."""
    created = 0
    today = timezone.localdate()
    for index in range(1, count + 1):
        certificate = f"JB1{index:07d}"
        if Officer.objects.filter(certificate_number=certificate).exists():
            continue
        unit = units[AGENCIES[index % len(AGENCIES)]]
        issued = today - timedelta(days=200 + index * 31)
        status = Officer.CertificateStatus.EXPIRED if index % 13 == 0 else Officer.CertificateStatus.VALID
        services.officer_create(
            by=None, unit=unit, name=_name(index), position=POSITIONS[index % len(POSITIONS)],
            domains=list(unit.domains.all()), certificate_number=certificate, certificate_issued=issued,
            certificate_expires=issued + timedelta(days=5 * 365) if status == "valid" else issued + timedelta(days=90),
            certificate_status=status, employment="seconded" if index % 17 == 0 else "active",
            id_card=fake_id_card(index), phone=fake_phone(index),
        )  # fmt: skip
        created += 1
    return created


def _persona_user(index: int, persona: Persona, units: dict[str, Unit]) -> User:
    user = User.objects.filter(username=persona.username).first()
    if user is None and persona.unit_code:
        officer = services.officer_create(
            by=None, unit=units[persona.unit_code], name=persona.name, username=persona.username,
            position="培训管理员" if persona.grant_unit else "执法队员",
            domains=list(units[persona.unit_code].domains.all()), certificate_number=persona.certificate,
            certificate_issued=date(2023, 6, 1), certificate_expires=date(2028, 5, 31),
            id_card=fake_id_card(900 + index, region_offset=1), phone=fake_phone(900 + index),
        )  # fmt: skip
        user = officer.user
    elif user is None:
        user = User.objects.create_user(username=persona.username, password=None, display_name=persona.name)
    return user


@transaction.atomic
def personas_seed(units: dict[str, Unit]) -> list[tuple[Persona, User]]:
    """The demo accounts with DEMO_PASSWORD (restored on every run, with a fresh 90-day clock)."""
    result = []
    for index, persona in enumerate(PERSONAS):
        user = _persona_user(index, persona, units)
        if persona.role != Role.OFFICER:
            unit = units[persona.grant_unit] if persona.grant_unit else None
            services.role_grant(user=user, role=persona.role, by=None, unit=unit, organisation=persona.organisation)
        if not user.check_password(DEMO_PASSWORD):
            password_validation.validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        user.password_reset_required = False
        user.save()
        result.append((persona, user))
    return result


def sample_rows(count: int = 20) -> list[list[object]]:
    """New officers (not in the demo yet) for the sample import sheet, in the demo unit administrator's subtree."""
    units = [
        ("JB-DC-SCJG", "东城区市场监督管理局"),
        ("JB-XC-SCJG", "西城区市场监督管理局"),
        ("JB-NH-SCJG", "南湖县市场监督管理局"),
    ]
    today = date(2025, 3, 1)
    rows: list[list[object]] = []
    for i in range(1, count + 1):
        code, name = units[i % len(units)]
        issued = today - timedelta(days=30 * i)
        rows.append([
            _name(i + 100), code, name, POSITIONS[i % len(POSITIONS)], "市场监管、食品安全", f"JB2{i:07d}",
            issued.isoformat(), (issued + timedelta(days=5 * 365)).isoformat(), "有效",
            fake_id_card(500 + i, region_offset=2), fake_phone(500 + i), "在职", "",
        ])  # fmt: skip
    return rows
