"""Pure rules of the hours ledger (no ORM): hours validation, which requirement applies, compliance status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

CATEGORIES = ("legal", "skill", "ethics")
CATEGORY_LABELS = {"legal": "法律知识", "skill": "业务技能", "ethics": "职业道德"}
# The usual national default when nothing has been configured: 60 学时 a year.
DEFAULT_REQUIREMENT = {"legal": Decimal("30"), "skill": Decimal("20"), "ethics": Decimal("10")}
MAX_ENTRY_HOURS = Decimal("200")

DONE, ON_TRACK, BEHIND = "done", "on_track", "behind"
STATUS_LABELS = {DONE: "已完成", ON_TRACK: "进度正常", BEHIND: "进度落后"}


class InvalidHours(ValueError):
    """Hours that cannot be credited; the message says where and how to fix it."""


def parse_hours(value: object, *, where: str = "学时") -> Decimal:
    """The hours as a Decimal with two places; raises InvalidHours for text, ≤ 0, > 200 or more than 2 decimals."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidHours(f"{where}“{value}”不是数字，请填写例如 2 或 1.5。") from None
    if not hours.is_finite():
        raise InvalidHours(f"{where}“{value}”不是数字，请填写例如 2 或 1.5。")
    if hours <= 0:
        raise InvalidHours(f"{where}必须大于 0（现为 {hours}），请填写实际培训学时。")
    if hours > MAX_ENTRY_HOURS:
        raise InvalidHours(f"{where}单条不能超过 {MAX_ENTRY_HOURS}（现为 {hours}），请按培训班分别申报。")
    if hours != hours.quantize(Decimal("0.01")):
        raise InvalidHours(f"{where}最多保留两位小数（现为 {hours}）。")
    return hours.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class RequirementRow:
    """One configured requirement: scope is a unit (`unit_path`), a province, or the national default (neither)."""

    year: int
    category: str
    hours: Decimal
    province: str = ""
    unit_path: str = ""


def effective_requirement(
    rows: Iterable[RequirementRow], *, year: int, unit_path: str, province: str
) -> dict[str, Decimal]:
    """Required hours per category for a unit: the deepest unit scope on its path, else its province, else national.

    Per category, the latest configured year ≤ `year` is used; a category with no row at all gets the default.
    """
    best: dict[str, tuple[int, int, Decimal]] = {}  # category → (year, specificity, hours)
    for row in rows:
        if row.year > year:
            continue
        if row.unit_path:
            if not unit_path.startswith(row.unit_path):
                continue
            specificity = 2 + row.unit_path.count("/")
        elif row.province:
            if row.province != province:
                continue
            specificity = 1
        else:
            specificity = 0
        key = (row.year, specificity)
        current = best.get(row.category)
        if current is None or key > current[:2]:
            best[row.category] = (row.year, specificity, row.hours)
    return {c: best[c][2] if c in best else DEFAULT_REQUIREMENT[c] for c in CATEGORIES}


def elapsed_share(year: int, today: date) -> Decimal:
    """Share of `year` that has passed by the end of `today` (0 before it starts, 1 after it ends)."""
    if today.year < year:
        return Decimal("0")
    if today.year > year:
        return Decimal("1")
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return (Decimal(today.timetuple().tm_yday) / Decimal(days)).quantize(Decimal("0.0001"))


def classify(earned: Mapping[str, Decimal], required: Mapping[str, Decimal], share: Decimal) -> str:
    """Done when every category meets its requirement; on track when each meets its pro-rata share; else behind."""
    if all(earned.get(c, Decimal("0")) >= required[c] for c in required):
        return DONE
    if all(earned.get(c, Decimal("0")) >= required[c] * share for c in required):
        return ON_TRACK
    return BEHIND


def rollup_month(*, year: int, occurred_on: date) -> int:
    """The month of `year` an entry counts in; training dated outside the year counts in its nearest month."""
    if occurred_on.year == year:
        return occurred_on.month
    return 12 if occurred_on.year > year else 1


MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
_EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


class InvalidEvidence(ValueError):
    """An evidence file that is missing, too big or not what its name says."""


def check_evidence_file(*, name: str, size: int, head: bytes) -> None:
    """Accept a PDF, PNG or JPEG scan of a certificate or sign-in sheet up to 10 MB; raises InvalidEvidence."""
    if not name or size == 0:
        raise InvalidEvidence("请上传佐证材料（结业证书、培训通知或签到表的扫描件，PDF/JPG/PNG），否则无法认定学时。")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    signatures = _EVIDENCE_SIGNATURES.get(suffix)
    if signatures is None:
        raise InvalidEvidence(f"佐证材料“{name}”的格式不受支持，请上传 PDF、JPG 或 PNG 文件。")
    if size > MAX_EVIDENCE_BYTES:
        raise InvalidEvidence(f"佐证材料“{name}”超过 10 MB，请压缩或分页扫描后重新上传。")
    if not head.startswith(signatures):
        raise InvalidEvidence(f"佐证材料“{name}”的内容与扩展名不符（文件可能已损坏），请重新扫描后上传。")
