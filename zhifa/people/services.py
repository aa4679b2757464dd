"""Writes for people: units, officers, accounts. Each is atomic, access-checked and audited where it must be.

Errors a user can fix are raised as django ValidationError with a dict {field: Chinese message}; a caller without
the right to act gets PermissionDenied.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.common.crypto_provider import get_provider
from zhifa.people import access, idcard
from zhifa.people.audiences import AudienceRules, audience_describe, rules_officers
from zhifa.people.models import Audience, Domain, Officer, Role, RoleGrant, Unit, User

OFFICER_FIELDS = (
    "name",
    "unit",
    "position",
    "domains",
    "certificate_number",
    "certificate_issued",
    "certificate_expires",
    "certificate_status",
    "employment",
    "id_card",
    "phone",
)


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    """Set a new password (already validated against the policy) and restart its 90-day clock."""
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.password_reset_required = False
    user.save(update_fields=["password", "password_changed_at", "password_reset_required"])
    audit_record(actor=user, action="password.change", obj=user)


def unit_path_refresh(unit: Unit) -> None:
    """Recompute the materialised path of a unit (and its descendants when it moved)."""
    parent_path = unit.parent.path if unit.parent is not None else "/"
    new_path = f"{parent_path}{unit.pk}/"
    if unit.path == new_path:
        return
    old_path = unit.path
    Unit.objects.filter(pk=unit.pk).update(path=new_path)
    unit.path = new_path
    if old_path:
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            Unit.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])


@transaction.atomic
def unit_create(
    *,
    name: str,
    code: str,
    level: str,
    kind: str = Unit.Kind.OTHER,
    parent: Unit | None = None,
    province: str = "",
    domains=(),
    by: User | None = None,
) -> Unit:
    """Create a unit under `parent`; the province is inherited from the parent when not given."""
    unit = Unit.objects.create(
        name=name,
        code=code,
        level=level,
        kind=kind,
        parent=parent,
        province=province or (parent.province if parent else ""),
    )
    unit_path_refresh(unit)
    if domains:
        unit.domains.set(domains)
    if by is not None:
        audit_record(actor=by, action="unit.create", obj=unit, new={"name": name, "code": code})
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, parent: Unit, by: User) -> Unit:
    """Move a unit (and its subtree) under another parent; PermissionDenied unless `by` manages both places,
    ValidationError when the new parent lies inside the unit itself."""
    if not (access.can_manage_unit(by, unit) and access.can_manage_unit(by, parent)):
        raise PermissionDenied("只能在本人管辖的单位范围内调整上级单位。")
    if parent.is_within(unit):
        raise ValidationError({"parent": f"「{parent.name}」是「{unit.name}」本身或其下级，不能作为上级单位。"})
    old_parent = unit.parent
    unit.parent = parent
    unit.save(update_fields=["parent", "updated_at"])
    unit_path_refresh(unit)
    audit_record(
        actor=by, action="unit.move", obj=unit, old={"parent": str(old_parent or "")}, new={"parent": parent.name}
    )
    return unit


def personal_data_fields(*, id_card: str | None = "", phone: str | None = "") -> dict[str, str]:
    """Validated, encrypted, indexed and masked model fields for an ID-card and a phone number (None leaves a field
    out, "" clears it); raises ValidationError {field: message}."""
    fields: dict[str, str] = {}
    errors: dict[str, str] = {}
    provider = get_provider()
    if id_card is not None:
        try:
            number = idcard.validate(id_card) if id_card else ""
        except idcard.InvalidIdCard as exc:
            errors["id_card"] = f"身份证号{exc}"
        else:
            fields["id_card_encrypted"] = provider.encrypt(number) if number else ""
            fields["id_card_index"] = provider.blind_index(number) if number else ""
            fields["id_card_masked"] = idcard.mask(number)
    if phone is not None:
        try:
            mobile = idcard.validate_phone(phone) if phone else ""
        except idcard.InvalidPhone as exc:
            errors["phone"] = f"手机号{exc}"
        else:
            fields["phone_encrypted"] = provider.encrypt(mobile) if mobile else ""
            fields["phone_masked"] = idcard.mask_phone(mobile)
    if errors:
        raise ValidationError(errors)
    return fields


def _check_officer(officer: Officer, *, exclude_pk: int | None) -> None:
    """Dates in order, certificate number and ID card not registered for somebody else; ValidationError."""
    errors = {}
    others = Officer.objects.exclude(pk=exclude_pk) if exclude_pk else Officer.objects.all()
    if officer.certificate_number and others.filter(certificate_number=officer.certificate_number).exists():
        errors["certificate_number"] = f"执法证号 {officer.certificate_number} 已登记给其他人员，请核对证号。"
    if officer.id_card_index and others.filter(id_card_index=officer.id_card_index).exists():
        errors["id_card"] = "该身份证号已登记给其他执法人员，请核对，或在原记录上修改。"
    issued, expires = officer.certificate_issued, officer.certificate_expires
    if issued and expires and expires < issued:
        errors["certificate_expires"] = "有效期至不能早于发证日期，请核对两个日期。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def officer_create(
    *,
    by: User | None,
    unit: Unit,
    name: str,
    username: str = "",
    position: str = "",
    domains: Iterable[Domain] = (),
    certificate_number: str = "",
    certificate_issued: date | None = None,
    certificate_expires: date | None = None,
    certificate_status: str = "",
    employment: str = "",
    id_card: str = "",
    phone: str = "",
) -> Officer:
    """Create an officer and his account (no usable password until an administrator issues one).

    Raises PermissionDenied when `by` does not manage `unit` (by=None is the system, e.g. seed_demo) and
    ValidationError {field: message} for bad or duplicate data."""
    if by is not None and not access.can_manage_unit(by, unit):
        raise PermissionDenied("只能在本人管辖的单位中新增执法人员。")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写姓名。"})
    username = (username or certificate_number or f"o{secrets.token_hex(5)}").strip()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名 {username} 已被使用，请换一个。"})
    officer = Officer(
        name=name,
        unit=unit,
        position=position,
        certificate_number=certificate_number or None,
        certificate_issued=certificate_issued,
        certificate_expires=certificate_expires,
        certificate_status=certificate_status
        or (Officer.CertificateStatus.VALID if certificate_number else Officer.CertificateStatus.NONE),
        employment=employment or Officer.Employment.ACTIVE,
        **personal_data_fields(id_card=id_card, phone=phone),
    )
    _check_officer(officer, exclude_pk=None)
    officer.user = User.objects.create_user(username=username, password=None, display_name=name)
    officer.save()
    officer.domains.set(domains)
    audit_record(actor=by, action="officer.create", obj=officer, new=_audit_view(officer))
    return officer


def _audit_view(officer: Officer) -> dict[str, Any]:
    """The officer's fields as the audit log shows them: personal data masked, never plain."""
    return {
        "name": officer.name,
        "unit": officer.unit.name,
        "position": officer.position,
        "domains": sorted(d.name for d in officer.domains.all()) if officer.pk else [],
        "certificate_number": officer.certificate_number or "",
        "certificate_issued": officer.certificate_issued.isoformat() if officer.certificate_issued else "",
        "certificate_expires": officer.certificate_expires.isoformat() if officer.certificate_expires else "",
        "certificate_status": officer.certificate_status,
        "employment": officer.employment,
        "id_card": officer.id_card_masked,
        "phone": officer.phone_masked,
    }


@transaction.atomic
def officer_update(*, officer: Officer, by: User, changes: Mapping[str, Any]) -> Officer:
    """Apply `changes` (keys from OFFICER_FIELDS; an absent key is unchanged, id_card/phone "" clears them).

    Raises PermissionDenied unless `by` manages the officer's unit and, for a transfer, the new unit too;
    ValidationError {field: message} for bad or duplicate data. Audits the changed fields, personal data masked."""
    unknown = set(changes) - set(OFFICER_FIELDS)
    if unknown:
        raise ValueError(f"unknown officer fields: {sorted(unknown)}")
    officer = Officer.objects.select_for_update().select_related("unit").get(pk=officer.pk)
    if not access.can_manage_officer(by, officer):
        raise PermissionDenied("只能修改本人管辖单位的执法人员。")
    if "unit" in changes and not access.can_manage_unit(by, changes["unit"]):
        raise PermissionDenied("只能把人员调入本人管辖的单位。")
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationError({"name": "请填写姓名。"})
    before = _audit_view(officer)
    personal = personal_data_fields(id_card=changes.get("id_card"), phone=changes.get("phone"))
    for field, value in changes.items():
        if field not in ("domains", "id_card", "phone"):
            setattr(officer, field, (value or None) if field == "certificate_number" else value)
    for field, value in personal.items():
        setattr(officer, field, value)
    _check_officer(officer, exclude_pk=officer.pk)
    officer.save()
    if "domains" in changes:
        officer.domains.set(changes["domains"])
    after = _audit_view(officer)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        if officer.name != before["name"]:
            User.objects.filter(pk=officer.user_id).update(display_name=officer.name)
        audit_record(
            actor=by,
            action="officer.update",
            obj=officer,
            old={k: before[k] for k in changed},
            new={k: after[k] for k in changed},
        )
    return officer


@transaction.atomic
def officer_unmask(*, officer: Officer, by: User, reason: str = "") -> dict[str, str]:
    """The plain ID-card and phone numbers, for an administrator who manages the officer; PermissionDenied
    otherwise. Every call is audited (who looked at whose data, and why)."""
    if not access.can_unmask_officer(by, officer):
        raise PermissionDenied("只有该人员所在单位的管理员可以查看完整证件号和手机号。")
    audit_record(actor=by, action="officer.unmask", obj=officer, reason=reason or "查看完整身份证号和手机号")
    return {"id_card": officer.id_card_plain(), "phone": officer.phone_plain()}


def temporary_password(length: int = 12) -> str:
    """A random password meeting the default policy (lower, upper, digit and symbol)."""
    alphabet = string.ascii_letters + string.digits + "#%+=@"
    required = [secrets.choice(s) for s in (string.ascii_lowercase, string.ascii_uppercase, string.digits, "#%+=@")]
    rest = [secrets.choice(alphabet) for _ in range(length - len(required))]
    chars = required + rest
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@transaction.atomic
def officer_password_reset(*, officer: Officer, by: User) -> str:
    """Issue a one-time temporary password (returned, shown once, never stored plain); the officer must change it at
    the next login. PermissionDenied unless `by` manages the officer."""
    if not access.can_manage_officer(by, officer):
        raise PermissionDenied("只能为本人管辖单位的执法人员重置密码。")
    password = temporary_password()
    user = officer.user
    user.password = make_password(password)
    user.password_reset_required = True
    user.save(update_fields=["password", "password_reset_required"])
    audit_record(actor=by, action="password.reset", obj=user, reason=f"为 {officer.name} 签发临时密码")
    return password


@transaction.atomic
def role_grant(
    *, user: User, role: str, by: User | None, unit: Unit | None = None, organisation: str = ""
) -> RoleGrant:
    """Grant a role (idempotent). A system_admin grant also opens Django admin (is_staff, is_superuser) — for them
    only. Raises PermissionDenied (see access.can_grant_role), ValidationError for a unit admin grant without unit."""
    if role not in Role.values or role == Role.OFFICER:
        raise ValidationError({"role": "角色不存在；执法人员身份由人员档案决定，无需授权。"})
    if role == Role.UNIT_ADMIN and unit is None:
        raise ValidationError({"unit": "单位培训管理员必须指定所管辖的单位。"})
    if by is not None and not access.can_grant_role(by, role, unit):
        raise PermissionDenied("您无权授予该角色。")
    if conflict := access.separated_role_conflict(user, role):
        raise ValidationError({"role": conflict})
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, unit=unit, defaults={"organisation": organisation}
    )
    access.forget_grants(user)
    if role == Role.SYSTEM_ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if created:
        audit_record(
            actor=by,
            action="role.grant",
            obj=user,
            new={"role": role, "unit": unit.name if unit else "", "organisation": organisation},
        )
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant, by: User | None) -> None:
    """Withdraw a role; the last system_admin grant also closes Django admin. PermissionDenied as role_grant."""
    if by is not None and not access.can_grant_role(by, grant.role, grant.unit):
        raise PermissionDenied("您无权撤销该角色。")
    user = grant.user
    audit_record(
        actor=by,
        action="role.revoke",
        obj=user,
        old={"role": grant.role, "unit": grant.unit.name if grant.unit else ""},
    )
    grant.delete()
    access.forget_grants(user)
    if grant.role == Role.SYSTEM_ADMIN and not user.role_grants.filter(role=Role.SYSTEM_ADMIN).exists():
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])


AUDIENCE_SELECTS_NOBODY = "培训对象未选中任何人员：请至少设置一个单位、领域或指定人员"
MONTHS_MAX = 120


def audience_check(
    rules: AudienceRules, *, by: User | None, keep_units: Iterable[Unit] = (), allow_nobody: bool = False
) -> None:
    """Refuse rules a user may not set or that select nobody: ValidationError {field: Chinese message}.

    allow_nobody: for seeds and scripts whose rules are meaningful before any officer exists (e.g. a city's subtree).

    A unit administrator's units must lie in his managed subtree (units already on the audience, `keep_units`, may
    stay); system administrators and authors without an administrator's grant (instructors) choose any unit."""
    errors: dict[str, str] = {}
    managed = access.managed_unit_paths(by) if by is not None else None
    if managed and rules.units:
        kept = {u.pk for u in keep_units}
        foreign = [u.name for u in rules.units if u.pk not in kept and not any(u.path.startswith(p) for p in managed)]
        if foreign:
            errors["units"] = f"只能选择本人管辖的单位（含下级），请去掉：{'、'.join(foreign)}。"
    bad_roles = [r for r in rules.roles if r not in Role.values]
    if bad_roles:
        errors["roles"] = f"角色不存在：{'、'.join(bad_roles)}，请从列表中选择。"
    bad_employment = [e for e in rules.employment if e not in Officer.Employment.values]
    if bad_employment:
        errors["employment"] = f"在职状态不存在：{'、'.join(bad_employment)}，请从列表中选择。"
    for name, label in (
        ("certificate_expires_within_months", "执法证到期月数"),
        ("joined_within_months", "入职月数"),
    ):
        months = getattr(rules, name)
        if months is not None and not 1 <= months <= MONTHS_MAX:
            errors[name] = f"{label}应在 1 到 {MONTHS_MAX} 之间，请修改。"
    both = {o.pk for o in rules.include} & {o.pk for o in rules.exclude}
    if both:
        names = "、".join(o.name for o in rules.include if o.pk in both)
        errors["exclude"] = f"{names}同时在“指定人员”和“排除人员”中，请只保留一处。"
    if errors:
        raise ValidationError(errors)
    if not allow_nobody and not rules_officers(rules).exists():
        raise ValidationError(AUDIENCE_SELECTS_NOBODY)


@transaction.atomic
def audience_save(
    *,
    by: User | None,
    audience: Audience | None = None,
    name: str = "",
    units: Iterable[Unit] = (),
    domains: Iterable[Domain] = (),
    roles: Iterable[str] = (),
    positions: Iterable[str] = (),
    employment: Iterable[str] = (),
    certificate_expires_within_months: int | None = None,
    joined_within_months: int | None = None,
    include: Iterable[Officer] = (),
    exclude: Iterable[Officer] = (),
    allow_nobody: bool = False,
) -> Audience:
    """Create an audience (audience=None) or replace an audience's rules; audited.

    Raises ValidationError with a Chinese message naming the field (a unit outside `by`'s subtree, an officer both
    included and excluded, months out of range) or AUDIENCE_SELECTS_NOBODY; nothing is saved then."""
    rules = AudienceRules(
        units=tuple(units),
        domains=tuple(domains),
        roles=tuple(dict.fromkeys(roles)),
        positions=tuple(dict.fromkeys(p.strip() for p in positions if p.strip())),
        employment=tuple(dict.fromkeys(employment)),
        certificate_expires_within_months=certificate_expires_within_months,
        joined_within_months=joined_within_months,
        include=tuple(include),
        exclude=tuple(exclude),
    )
    created = audience is None
    old = "" if audience is None else audience_describe(audience)
    keep = () if audience is None else audience.units.all()
    audience_check(rules, by=by, keep_units=keep, allow_nobody=allow_nobody)
    if audience is None:
        audience = Audience()
    audience.name = name or audience.name
    audience.roles = list(rules.roles)
    audience.positions = list(rules.positions)
    audience.employment = list(rules.employment)
    audience.certificate_expires_within_months = rules.certificate_expires_within_months
    audience.joined_within_months = rules.joined_within_months
    audience.save()
    audience.units.set(rules.units)
    audience.domains.set(rules.domains)
    audience.include.set(rules.include)
    audience.exclude.set(rules.exclude)
    # Drop any prefetched relations so describe (and callers) read what was just saved.
    getattr(audience, "_prefetched_objects_cache", {}).clear()
    new = audience_describe(audience)
    if created or new != old:
        audit_record(
            actor=by,
            action="audience.create" if created else "audience.update",
            obj=audience,
            old=None if created else {"rules": old},
            new={"rules": new},
        )
    return audience
