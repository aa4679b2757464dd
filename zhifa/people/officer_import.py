"""Officer import: validate every row of a sheet (pure, given a lookup context), then create all officers in one
transaction or none.

`validate_rows` knows nothing of the database: `import_context` loads what it needs to know (units in the caller's
scope, domains, which certificate numbers, ID cards and usernames are taken) in a handful of queries, so 10,000 rows
cost the same few queries as 10. Imported accounts get an unusable password: no password hashing per row (10,000
PBKDF2 hashes would take minutes) and no shared initial password; an administrator issues each officer a one-time
temporary password from the officer page (services.officer_password_reset), which must be changed at first login.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from zhifa.common.excel import formula_refusal
from zhifa.people import idcard
from zhifa.people.officer_sheet import CERTIFICATE_STATUSES, EMPLOYMENTS, Sheet, SheetRow, parse_date

STATUS_BY_LABEL = dict(zip(CERTIFICATE_STATUSES, ("valid", "suspended", "revoked", "expired", "none"), strict=True))
EMPLOYMENT_BY_LABEL = dict(zip(EMPLOYMENTS, ("active", "seconded", "retired", "left"), strict=True))
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class UnitRef:
    pk: int
    code: str
    name: str
    path: str


@dataclass
class ImportContext:
    """What the validator needs to know about the database and the person importing."""

    units_by_code: dict[str, UnitRef]  # every unit (to tell "unknown" from "outside your scope")
    allowed_paths: list[str] | None  # subtrees the importer may import into; None = everywhere
    domains: dict[str, int]  # by name and by code
    taken_certificates: set[str] = field(default_factory=set)
    taken_id_indexes: set[str] = field(default_factory=set)
    taken_usernames: set[str] = field(default_factory=set)
    blind_index: Callable[[str], str] = lambda number: number
    today: date | None = None

    def __post_init__(self) -> None:
        self.units_by_name: dict[str, list[UnitRef]] = {}
        for unit in self.units_by_code.values():
            self.units_by_name.setdefault(unit.name, []).append(unit)

    def allowed(self, unit: UnitRef) -> bool:
        return self.allowed_paths is None or any(unit.path.startswith(p) for p in self.allowed_paths)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class OfficerRow:
    """One valid row, cleaned: ready to become an Officer and a User."""

    row: int
    name: str
    unit: UnitRef
    position: str = ""
    domain_ids: list[int] = field(default_factory=list)
    certificate_number: str = ""
    certificate_issued: date | None = None
    certificate_expires: date | None = None
    certificate_status: str = "none"
    id_card: str = ""
    id_card_index: str = ""
    phone: str = ""
    employment: str = "active"
    username: str = ""


def _text(row: SheetRow, column: str) -> str:
    value = row.values.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _RowChecker:
    """Checks one row, collecting every problem (not only the first) so one preview shows all the fixes needed."""

    def __init__(self, row: SheetRow, ctx: ImportContext):
        self.row, self.ctx = row, ctx
        self.errors: list[RowError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, column, message))

    def unit(self) -> UnitRef | None:
        code, name = _text(self.row, "单位代码"), _text(self.row, "单位名称")
        if not code and not name:
            self.error("单位代码", "请填写单位代码或单位名称。")
            return None
        if code:
            unit = self.ctx.units_by_code.get(code)
            if unit is None:
                self.error("单位代码", f"单位代码 {code} 不存在，请核对（可在“单位”页面查看代码）。")
                return None
            if name and name != unit.name:
                self.error("单位名称", f"单位名称与单位代码 {code}（{unit.name}）不一致，请核对或只填一项。")
                return None
        else:
            candidates = self.ctx.units_by_name.get(name, [])
            visible = [u for u in candidates if self.ctx.allowed(u)]
            if not candidates:
                self.error("单位名称", f"单位“{name}”不存在，请核对名称，或改填单位代码。")
                return None
            if len(visible) > 1:
                self.error("单位名称", f"有多个名为“{name}”的单位，请改填单位代码。")
                return None
            unit = (visible or candidates)[0]
        if not self.ctx.allowed(unit):
            self.error("单位代码" if code else "单位名称", "该单位不在您可导入的范围内，请只导入本人管辖单位的人员。")
            return None
        return unit

    def domains(self) -> list[int]:
        ids = []
        for label in filter(None, _SEPARATORS.split(_text(self.row, "执法领域"))):
            if label not in self.ctx.domains:
                known = "、".join(sorted(k for k in self.ctx.domains if not k.isascii()))
                self.error("执法领域", f"执法领域“{label}”不存在，可选：{known}。")
            else:
                ids.append(self.ctx.domains[label])
        return sorted(set(ids))

    def dates(self) -> tuple[date | None, date | None]:
        parsed = []
        for column in ("发证日期", "有效期至"):
            try:
                parsed.append(parse_date(self.row.values.get(column)))
            except ValueError:
                self.error(column, "日期无法识别，请写成 2024-03-01 的形式。")
                parsed.append(None)
        issued, expires = parsed
        if issued and expires and expires < issued:
            self.error("有效期至", "有效期至早于发证日期，请核对两个日期。")
        return issued, expires

    def choice(self, column: str, labels: dict[str, str], default: str) -> str:
        label = _text(self.row, column)
        if not label:
            return default
        if label not in labels:
            self.error(column, f"应为 {'、'.join(labels)} 之一，请从下拉列表中选择。")
            return default
        return labels[label]

    def id_card(self) -> str:
        raw = self.row.values.get("身份证号")
        if isinstance(raw, float):
            self.error("身份证号", "身份证号被 Excel 存成了数字（末几位已丢失），请把该列设为文本格式后重新填写。")
            return ""
        text = _text(self.row, "身份证号")
        if not text:
            return ""
        try:
            return idcard.validate(text, today=self.ctx.today)
        except idcard.InvalidIdCard as exc:
            self.error("身份证号", str(exc))
            return ""

    def phone(self) -> str:
        text = _text(self.row, "手机号")
        try:
            return idcard.validate_phone(text) if text else ""
        except idcard.InvalidPhone as exc:
            self.error("手机号", str(exc))
            return ""

    def check(self) -> OfficerRow | None:
        for column in self.row.formulas:
            self.error(column, "单元格含公式，请复制后“粘贴为数值”再上传。")
        for column, value in self.row.values.items():
            # Text that a spreadsheet would run as a formula when exported again (=HYPERLINK(…), +cmd|…, @SUM(…)).
            if column != "手机号" and isinstance(value, str) and (reason := formula_refusal(value)):
                self.error(column, reason)
        name = _text(self.row, "姓名")
        if not name:
            self.error("姓名", "缺少姓名，请填写。")
        elif len(name) > 60:
            self.error("姓名", "姓名超过 60 个字，请核对。")
        unit, domain_ids, (issued, expires) = self.unit(), self.domains(), self.dates()
        certificate = _text(self.row, "执法证号")
        if len(certificate) > 40:
            self.error("执法证号", "执法证号超过 40 个字符，请核对。")
        default_status = "valid" if certificate else "none"
        status = self.choice("证件状态", STATUS_BY_LABEL, default_status)
        employment = self.choice("在职状态", EMPLOYMENT_BY_LABEL, "active")
        id_card, phone = self.id_card(), self.phone()
        username = _text(self.row, "用户名") or certificate
        if username and not _USERNAME.match(username):
            self.error("用户名", "用户名只能包含字母、数字和 . @ + - _，请修改。")
        if self.errors or unit is None:
            return None
        return OfficerRow(
            row=self.row.number,
            name=name,
            unit=unit,
            position=_text(self.row, "职务")[:60],
            domain_ids=domain_ids,
            certificate_number=certificate,
            certificate_issued=issued,
            certificate_expires=expires,
            certificate_status=status,
            id_card=id_card,
            id_card_index=self.ctx.blind_index(id_card) if id_card else "",
            phone=phone,
            employment=employment,
            username=username,
        )


def _duplicates(rows: list[OfficerRow], ctx: ImportContext) -> list[RowError]:
    """Certificate numbers, ID cards and usernames repeated within the file or already registered."""
    errors = []
    checks = (
        ("执法证号", lambda r: r.certificate_number, ctx.taken_certificates, "执法证号已登记给其他人员"),
        ("身份证号", lambda r: r.id_card_index, ctx.taken_id_indexes, "该身份证号已登记"),
        ("用户名", lambda r: r.username, ctx.taken_usernames, "用户名已被使用"),
    )
    flagged_certificates: set[int] = set()
    for column, key, taken, registered in checks:
        first_row: dict[str, int] = {}
        for row in rows:
            value = key(row)
            if not value or (
                column == "用户名" and value == row.certificate_number and row.row in flagged_certificates
            ):
                continue  # the username defaults to the certificate number: its error is already listed
            if column == "执法证号" and (value in taken or value in first_row):
                flagged_certificates.add(row.row)
            if value in taken:
                errors.append(RowError(row.row, column, f"{registered}，请核对；如确需导入，请先修改系统中的原记录。"))
            elif value in first_row:
                errors.append(RowError(row.row, column, f"与第 {first_row[value]} 行重复，请删除重复行或更正。"))
            else:
                first_row[value] = row.row
    return errors


def validate_rows(sheet: Sheet, ctx: ImportContext) -> tuple[list[OfficerRow], list[RowError]]:
    """Every valid row and every error (row number, column, Chinese message), errors sorted by row."""
    valid: list[OfficerRow] = []
    errors: list[RowError] = []
    for row in sheet.rows:
        checker = _RowChecker(row, ctx)
        cleaned = checker.check()
        errors += checker.errors
        if cleaned is not None:
            valid.append(cleaned)
    errors += _duplicates(valid, ctx)
    errors.sort(key=lambda e: (e.row, e.column))
    return valid, errors


def key_values(sheet: Sheet, column: str) -> Iterable[str]:
    """The non-empty text values of a column, for loading what is already taken in the database."""
    for row in sheet.rows:
        text = _text(row, column)
        if text:
            yield text
