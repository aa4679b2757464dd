"""Officer import and export against the database: the dry run, the all-or-nothing import, the preview kept between
upload and confirmation, and the export of a unit subtree. Row rules live in officer_import (pure)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.common.crypto_provider import get_provider
from zhifa.people import access, idcard
from zhifa.people.models import Domain, Officer, OfficerImport, Unit, User
from zhifa.people.officer_import import ImportContext, OfficerRow, RowError, UnitRef, key_values, validate_rows
from zhifa.people.officer_sheet import Sheet, SheetRejected, export_workbook, read_sheet, template_workbook

CHUNK = 500  # values per IN (...) look-up: well under SQLite's and PostgreSQL's parameter limits
FILE_COLUMN = "文件"


@dataclass
class ImportReport:
    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _taken(queryset, field_name: str, values: Iterable[str]) -> set[str]:
    wanted = sorted(set(values))
    taken: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        taken |= set(queryset.filter(**{f"{field_name}__in": chunk}).values_list(field_name, flat=True))
    return taken


def import_scope(*, by: User | None, unit: Unit | None) -> list[str] | None:
    """Path prefixes rows may be imported into (None: anywhere); PermissionDenied when `by` may not import there."""
    if by is not None and not access.can_manage_people(by):
        raise PermissionDenied("只有单位培训管理员和系统管理员可以导入执法人员。")
    if unit is not None:
        if by is not None and not access.can_manage_unit(by, unit):
            raise PermissionDenied("只能导入到本人管辖的单位。")
        return [unit.path]
    return access.managed_unit_paths(by) if by is not None else None


def import_context(*, sheet: Sheet, allowed_paths: list[str] | None) -> ImportContext:
    """Units, domains and the certificate numbers, ID cards and usernames of this sheet already in the database."""
    provider = get_provider()
    units = {
        code: UnitRef(pk, code, name, path)
        for pk, code, name, path in Unit.objects.values_list("pk", "code", "name", "path")
    }
    domains: dict[str, int] = {}
    for pk, code, name in Domain.objects.values_list("pk", "code", "name"):
        domains[code] = domains[name] = pk
    id_indexes = {provider.blind_index(idcard.normalize(text)) for text in key_values(sheet, "身份证号")}
    certificates = list(key_values(sheet, "执法证号"))
    return ImportContext(
        units_by_code=units,
        allowed_paths=allowed_paths,
        domains=domains,
        taken_certificates=_taken(Officer.objects, "certificate_number", certificates),
        taken_id_indexes=_taken(Officer.objects, "id_card_index", id_indexes),
        taken_usernames=_taken(User.objects, "username", [*key_values(sheet, "用户名"), *certificates]),
        blind_index=provider.blind_index,
        today=timezone.localdate(),
    )


def officer_import(
    *, content: bytes, by: User | None, unit: Unit | None = None, dry_run: bool, filename: str = ""
) -> ImportReport:
    """Check every row; unless dry_run or any row is bad, create all officers in one transaction.

    Whole-file problems (size, format, merged cells, headers) come back as one error in the `文件` column.
    Raises PermissionDenied when `by` may not import (into `unit`)."""
    allowed = import_scope(by=by, unit=unit)
    try:
        sheet = read_sheet(content, max_bytes=settings.SPREADSHEET_MAX_BYTES, max_rows=settings.SPREADSHEET_MAX_ROWS)
    except SheetRejected as exc:
        return ImportReport(errors=[RowError(0, FILE_COLUMN, str(exc))])
    valid, errors = validate_rows(sheet, import_context(sheet=sheet, allowed_paths=allowed))
    report = ImportReport(row_count=len(sheet.rows), errors=errors)
    if not valid and not errors:
        report.errors = [RowError(0, FILE_COLUMN, "表中没有数据行，请从第 2 行起填写人员。")]
    if dry_run or not report.ok:
        return report
    try:
        report.created = _officers_create(valid, by=by, unit=unit, filename=filename)
    except IntegrityError:
        message = "导入期间有人登记了相同的执法证号、身份证号或用户名，本次导入已全部撤销，请重新上传预检。"
        report.errors = [RowError(0, FILE_COLUMN, message)]
    return report


def _unusable_password() -> str:
    # What make_password(None) stores ("!" + 40 random characters), at a tenth of the cost for 10,000 rows.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


@transaction.atomic
def _officers_create(rows: list[OfficerRow], *, by: User | None, unit: Unit | None, filename: str) -> int:
    provider = get_provider()
    users = User.objects.bulk_create(
        [
            User(username=r.username or f"o{secrets.token_hex(6)}", display_name=r.name, password=_unusable_password())
            for r in rows
        ],
        batch_size=1000,
    )
    officers = [
        Officer(
            user_id=user.pk,
            name=r.name,
            unit_id=r.unit.pk,
            position=r.position,
            certificate_number=r.certificate_number or None,
            certificate_issued=r.certificate_issued,
            certificate_expires=r.certificate_expires,
            certificate_status=r.certificate_status,
            employment=r.employment,
            id_card_encrypted=provider.encrypt(r.id_card) if r.id_card else "",
            id_card_index=r.id_card_index,
            id_card_masked=idcard.mask(r.id_card),
            phone_encrypted=provider.encrypt(r.phone) if r.phone else "",
            phone_masked=idcard.mask_phone(r.phone),
        )
        for r, user in zip(rows, users, strict=True)
    ]
    Officer.objects.bulk_create(officers, batch_size=1000)
    through = Officer.domains.through
    links = [through(officer_id=o.pk, domain_id=d) for o, r in zip(officers, rows, strict=True) for d in r.domain_ids]
    through.objects.bulk_create(links, batch_size=2000)
    # One event for the batch (who, how many, from which file); each officer's own later changes are audited singly.
    audit_record(actor=by, action="officer.import", obj=unit, new={"count": len(officers), "filename": filename[:200]})
    return len(officers)


def officer_import_preview(*, content: bytes, filename: str, by: User, unit: Unit | None) -> OfficerImport:
    """Dry-run an upload and keep it (when clean) for confirmation; PermissionDenied as officer_import."""
    report = officer_import(content=content, by=by, unit=unit, dry_run=True, filename=filename)
    # Unconfirmed uploads hold plain personal data: nobody's is kept longer than a day.
    OfficerImport.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).exclude(
        status=OfficerImport.Status.IMPORTED
    ).delete()
    return OfficerImport.objects.create(
        created_by=by,
        unit=unit,
        filename=filename[:200],
        content=content if report.ok else b"",
        status=OfficerImport.Status.PREVIEWED if report.ok else OfficerImport.Status.REJECTED,
        row_count=report.row_count,
        errors=[e.as_dict() for e in report.errors],
    )


class ImportNotPending(Exception):
    """The preview was already imported, or had errors: nothing to confirm."""


@transaction.atomic
def officer_import_confirm(*, batch: OfficerImport, by: User) -> OfficerImport:
    """Import a clean preview, checking every row again (the database may have changed since). Raises
    ImportNotPending for a second click or a rejected preview, PermissionDenied for another person's preview."""
    batch = OfficerImport.objects.select_for_update().get(pk=batch.pk)
    if batch.created_by_id != by.pk:
        raise PermissionDenied("只能确认本人上传的导入。")
    if batch.status != OfficerImport.Status.PREVIEWED:
        raise ImportNotPending(batch.get_status_display())
    report = officer_import(
        content=bytes(batch.content), by=by, unit=batch.unit, dry_run=False, filename=batch.filename
    )
    batch.errors = [e.as_dict() for e in report.errors]
    batch.row_count = report.row_count
    batch.status = OfficerImport.Status.IMPORTED if report.ok else OfficerImport.Status.REJECTED
    batch.imported_count = report.created
    batch.imported_at = timezone.now() if report.ok else None
    batch.content = b""  # the personal data has reached its encrypted home, or the file must be fixed anyway
    batch.save()
    return batch


def _export_rows(officers: Iterable[Officer]) -> Iterator[list[object]]:
    for o in officers:
        yield [
            o.name,
            o.unit.code,
            o.unit.name,
            o.position,
            "、".join(d.name for d in o.domains.all()),
            o.certificate_number or "",
            o.certificate_issued,
            o.certificate_expires,
            o.get_certificate_status_display(),
            o.id_card_masked,
            o.phone_masked,
            o.get_employment_display(),
            o.user.username,
        ]


def officer_export(*, by: User, unit: Unit | None) -> bytes:
    """The officers of `unit` and its subtree (None: all) that `by` may see, as .xlsx with personal data masked;
    audited. PermissionDenied when `by` may not see the unit."""
    if unit is not None and not access.can_view_unit(by, unit):
        raise PermissionDenied("只能导出本人可查看单位的人员。")
    officers = access.officers_viewable_by(by)
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    officers = officers.select_related("unit", "user").prefetch_related("domains").order_by("unit__path", "name", "pk")
    content = export_workbook(_export_rows(officers.iterator(chunk_size=2000)))
    audit_record(actor=by, action="officer.export", obj=unit, reason="导出执法人员名单（证件号、手机号已脱敏）")
    return content


def officer_template(rows: Iterable[list[object]] = ()) -> bytes:
    """The blank import template (or one holding sample rows)."""
    return template_workbook(rows)
