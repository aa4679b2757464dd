"""A person's data on request (PIPL art. 45, 47): export (JSON and Excel in one zip) and erasure where the law allows.

Export gathers, through the app registry (no import of the apps above this one), every row of every model that
points at the officer or at his account, without secrets (password hashes, second-factor keys, ciphertexts); the
ID-card and phone numbers are given in plain to their owner (an audited unmasking when an administrator exports).

Erasure is for people who have left (离职, 退休): their ID-card and phone numbers are deleted, the account is
closed and renamed, second-factor devices and notice channels removed. Kept, and why:
- the training record (hours ledger, exam attempts, certificates): keeping it is necessary for the agencies' legal
  duties (PIPL art. 13(1)(3)) — an officer's training and examination are conditions of his enforcement
  certificate, and their retention period has not ended (art. 47(2): then only stored and protected, no other
  processing — the closed account makes sure of that);
- audit events: the Cybersecurity Law art. 21(3) and 等保 level 3 require security logs for at least six months;
  they are append-only and record masked values only, never a raw number.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.common import excel
from zhifa.common.audit import audit_record
from zhifa.people import access
from zhifa.people.models import Officer, User

# Models never exported: credentials and security logs (not the person's data to take away, or secrets).
SKIPPED_MODELS = {
    "common.auditevent", "common.passwordhistory", "otp_totp.totpdevice", "otp_static.staticdevice",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "people.officerimport", "admin.logentry",
}  # fmt: skip
SECRET_FIELDS = {"password", "key", "secret", "token", "content"}
ROW_CAP = 50_000  # per model: a person's own rows; more means something is wrong, not that he has more to get


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(obj: models.Model) -> dict:
    row = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if name in SECRET_FIELDS or name.endswith(("_encrypted", "_index")) or isinstance(field, models.BinaryField):
            continue
        row[name] = _plain(getattr(obj, name))
    return row


def _rows_about(officer: Officer) -> dict[str, list[dict]]:
    """Every row pointing at the officer or his account, by model label ("exams.attempt": [...])."""
    targets = {Officer: officer, apps.get_model(settings.AUTH_USER_MODEL): officer.user}
    found: dict[str, list[dict]] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_MODELS or model in targets:
            continue
        for field in model._meta.concrete_fields:
            target = targets.get(getattr(field, "related_model", None))  # type: ignore[arg-type]
            if field.is_relation and target is not None:
                rows = model._default_manager.filter(**{field.name: target}).order_by("pk")[:ROW_CAP]
                found.setdefault(label, []).extend(_row(obj) for obj in rows)
    return {label: rows for label, rows in sorted(found.items()) if rows}


def _may_export(by: User, officer: Officer) -> bool:
    me = access.officer_of(by)
    return (me is not None and me.pk == officer.pk) or access.can_manage_officer(by, officer)


def person_export(*, officer: Officer, by: User) -> bytes:
    """A zip with person.json and person.xlsx of everything about the officer; PermissionDenied unless `by` is the
    officer or manages him (三员分立: not the security or audit administrator). Audited."""
    if refusal := access.separation_refusal(by, "people"):
        raise PermissionDenied(refusal)
    if not _may_export(by, officer):
        raise PermissionDenied("只有本人或其所在单位的管理员可以导出个人信息。")
    user = officer.user
    person = {
        "officer": {**_row(officer), "id_card": officer.id_card_plain(), "phone": officer.phone_plain()},
        "account": {k: _plain(getattr(user, k)) for k in ("username", "display_name", "email", "date_joined")},
        "records": _rows_about(officer),
    }
    audit_record(actor=by, action="person.export", obj=officer, reason="个人信息副本（个人信息保护法第四十五条）")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(person, ensure_ascii=False, indent=1, default=str))
        archive.writestr("person.xlsx", _workbook(person))
        archive.writestr("README.txt", README)
    return buffer.getvalue()


README = (
    "本压缩包是您在智慧执法学院的个人信息副本（《个人信息保护法》第四十五条）。\n"
    "person.json：全部内容（机器可读）；person.xlsx：同样内容，每类记录一张工作表。\n"
    "officer：人员档案（含完整身份证号和手机号，请妥善保管）；account：登录账号；records：与您有关的各类记录。\n"
)


def _workbook(person: dict) -> bytes:
    book = excel.workbook()
    sheet = book.active
    sheet.title = "人员档案"
    for key, value in {**person["officer"], **person["account"]}.items():
        sheet.append([key, "" if value is None else str(value)])
    for label, rows in person["records"].items():
        sheet = book.create_sheet(label[:31].replace(":", "_"))
        columns = list(rows[0])
        sheet.append(columns)
        for row in rows:
            sheet.append(["" if row[c] is None else str(row[c]) for c in columns])
    return excel.workbook_bytes(book)


@transaction.atomic
def person_erase(*, officer: Officer, by: User | None, reason: str) -> dict[str, int]:
    """Delete a departed officer's personal data (see the module docstring for what is kept and why); `by` None is
    the retention job. Raises PermissionDenied unless `by` is a system administrator, ValidationError for an officer
    still in service or a request without a reason."""
    if by is not None and not access.is_system_admin(by):
        raise PermissionDenied(access.separation_refusal(by, "people") or "个人信息删除由系统管理员办理。")
    if officer.employment not in (Officer.Employment.LEFT, Officer.Employment.RETIRED):
        raise ValidationError(
            "在职（含借调）人员的培训和考试记录是履行法定职责所必需（《个人信息保护法》第十三条第一款第三项），"
            "不能删除；请先将其在职状态改为离职或退休，或只更正有误的信息。"
        )
    if not reason.strip():
        raise ValidationError("请填写删除依据（例如：本人书面申请，已离职）。")
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    for name in ("id_card_encrypted", "id_card_index", "id_card_masked", "phone_encrypted", "phone_masked"):
        setattr(officer, name, "")
    officer.save()
    user = officer.user
    user.username, user.email, user.first_name, user.last_name = f"erased-{user.pk}", "", "", ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    devices = TOTPDevice.objects.filter(user=user).delete()[0]
    # By label: the notices app is this app's sibling in the layers (neither imports the other).
    channels = apps.get_model("notices", "ChannelPreference").objects.filter(user=user).delete()[0]
    audit_record(
        actor=by,
        action="person.erase",
        obj=officer,
        reason=reason.strip()[:200],
        new={"kept": "培训档案、学时账本、考试记录（法定职责）；审计日志（网络安全法第二十一条）"},
    )
    return {"devices": devices, "channels": channels}
