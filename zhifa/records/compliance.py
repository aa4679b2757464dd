"""The SQL behind the compliance report (called by queries.py after the access check; no access rules here).

One statement per report: the requested units with their effective requirement go in as a VALUES table, the
yearly rollup gives one row per officer through an index range on (year, unit_path prefix), and officers are
classified done / on track / behind in the database, so only one row per bucket (or one page of officers) comes
back.
Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from zhifa.records.ledger import BEHIND, CATEGORIES, DONE, ON_TRACK, STATUS_LABELS

# Officers who still work: retired and departed officers owe no hours.
COUNTED_EMPLOYMENT = ("active", "seconded")
_STATUS_CODES = {DONE: 2, ON_TRACK: 1, BEHIND: 0}
_CODE_STATUS = {v: k for k, v in _STATUS_CODES.items()}


@dataclass(frozen=True)
class UnitRequirement:
    """A unit that belongs to the report, the bucket it is counted in, and what its officers must reach."""

    unit_id: int
    bucket: int
    required: dict[str, Decimal]


@dataclass
class BucketFigures:
    bucket: int
    officers: int = 0
    done: int = 0
    on_track: int = 0
    behind: int = 0
    hours: Decimal = Decimal("0")

    def share(self, status: str) -> float:
        return round(100 * getattr(self, status) / self.officers, 1) if self.officers else 0.0

    @property
    def share_done(self) -> float:
        return self.share(DONE)

    @property
    def share_on_track(self) -> float:
        return self.share(ON_TRACK)

    @property
    def share_behind(self) -> float:
        return self.share(BEHIND)


@dataclass
class OfficerFigures:
    officer_id: int
    name: str
    unit_name: str
    earned: dict[str, Decimal] = field(default_factory=dict)
    required: dict[str, Decimal] = field(default_factory=dict)
    status: str = BEHIND

    @property
    def total(self) -> Decimal:
        return sum(self.earned.values(), Decimal("0"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def total_required(self) -> Decimal:
        return sum(self.required.values(), Decimal("0"))


# Hours have two decimals; the report compares and adds them in floating point (much faster than NUMERIC over
# many rows) with half a hundredth of slack, so a float rounding never turns 30.00 into "not reached".
_SLACK = 0.005


def _number(value: Decimal | float) -> str:
    """A numeric literal for SQL (our own Decimals and floats only, never user input)."""
    return repr(float(value))


def _units_cte(units: Sequence[UnitRequirement]) -> str:
    """Units with bucket and requirement, inlined as literals (thousands of units would be thousands of
    parameters, and a separate table of requirement tuples misleads PostgreSQL's row estimates)."""
    rows = ", ".join(
        f"({int(u.unit_id)}, {int(u.bucket)}, {', '.join(_number(u.required[c]) for c in CATEGORIES)})" for u in units
    )
    return f"units(unit_id, bucket, r_legal, r_skill, r_ethics) AS (VALUES {rows})"


def _sums_cte(year: int, prefixes: Iterable[str] | None) -> tuple[str, list[object]]:
    """Hours per officer of the subtrees: one row of the yearly rollup each, found by (year, unit_path prefix)."""
    columns = ", ".join(f"CAST({c} AS DOUBLE PRECISION) AS {c}" for c in CATEGORIES)
    where = "year = %s"
    params: list[object] = [year]
    if prefixes is not None:
        prefixes = list(prefixes)
        where += " AND (" + " OR ".join(["unit_path LIKE %s"] * len(prefixes)) + ")"
        params += [f"{p}%" for p in prefixes]
    return f"sums AS (SELECT officer_id, {columns} FROM records_hoursyearly WHERE {where})", params


def _classified_cte(share: Decimal) -> str:
    earned = {c: f"COALESCE(s.{c}, 0)" for c in CATEGORIES}
    done = " AND ".join(f"{earned[c]} >= r.r_{c} - {_SLACK}" for c in CATEGORIES)
    on_track = " AND ".join(f"{earned[c]} >= r.r_{c} * {_number(share)} - {_SLACK}" for c in CATEGORIES)
    employment = ", ".join(f"'{e}'" for e in COUNTED_EMPLOYMENT)
    return f"""st AS (
        SELECT o.id AS officer_id, o.name AS name, o.unit_id AS unit_id, r.bucket AS bucket,
               {", ".join(f"{earned[c]} AS e_{c}" for c in CATEGORIES)},
               r.r_legal, r.r_skill, r.r_ethics,
               CASE WHEN {done} THEN 2 WHEN {on_track} THEN 1 ELSE 0 END AS status
        FROM people_officer o
        JOIN units r ON r.unit_id = o.unit_id
        LEFT JOIN sums s ON s.officer_id = o.id
        WHERE o.employment IN ({employment}))"""


def _with(
    units: Sequence[UnitRequirement], *, year: int, share: Decimal, prefixes: Iterable[str] | None
) -> tuple[str, list]:
    sums, params = _sums_cte(year, prefixes)
    return f"WITH {_units_cte(units)}, {sums}, {_classified_cte(share)}", params


def _execute(sql: str, params: list) -> list[tuple]:
    """Run one report statement; on PostgreSQL with enough memory for the per-officer hash aggregate."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # only for this transaction
        cursor.execute(sql, params)
        return cursor.fetchall()


def _hours(value: float | None) -> Decimal:
    return Decimal(str(round(value or 0.0, 2)))


def bucket_figures(
    units: Sequence[UnitRequirement], *, year: int, share: Decimal, prefixes: Iterable[str] | None
) -> dict[int, BucketFigures]:
    """Officers per bucket and how many are done / on track / behind, with their approved hours."""
    if not units:
        return {}
    head, params = _with(units, year=year, share=share, prefixes=prefixes)
    rows = _execute(
        f"""{head}
        SELECT bucket, COUNT(*), SUM(CASE WHEN status = 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END),
               SUM(e_legal + e_skill + e_ethics)
        FROM st GROUP BY bucket""",
        params,
    )
    return {
        r[0]: BucketFigures(bucket=r[0], officers=r[1], done=r[2], on_track=r[3], behind=r[4], hours=_hours(r[5]))
        for r in rows
    }


def officer_figures(
    units: Sequence[UnitRequirement],
    *,
    year: int,
    share: Decimal,
    prefixes: Iterable[str] | None,
    status: str | None,
    limit: int,
    offset: int = 0,
) -> tuple[int, list[OfficerFigures]]:
    """One page of officers (behind first, then by unit) and how many match `status` (None: all)."""
    if not units:
        return 0, []
    head, params = _with(units, year=year, share=share, prefixes=prefixes)
    where = f"WHERE status = {_STATUS_CODES[status]}" if status else ""
    # Order by integers (a top-N sort over the whole subtree is cheap) and name units only for the page's rows.
    rows = _execute(
        f"""{head}, page AS (SELECT * FROM st {where} ORDER BY status, unit_id, officer_id LIMIT %s OFFSET %s)
        SELECT page.officer_id, page.name, u.name, page.e_legal, page.e_skill, page.e_ethics,
               page.r_legal, page.r_skill, page.r_ethics, page.status, (SELECT COUNT(*) FROM st {where})
        FROM page JOIN people_unit u ON u.id = page.unit_id
        ORDER BY page.status, page.unit_id, page.officer_id""",
        [*params, limit, offset],
    )
    if not rows and offset:
        count = officer_figures(units, year=year, share=share, prefixes=prefixes, status=status, limit=1)[0]
        return count, []
    return (rows[0][10] if rows else 0), [
        OfficerFigures(
            officer_id=r[0],
            name=r[1],
            unit_name=r[2],
            earned={c: _hours(v) for c, v in zip(CATEGORIES, r[3:6], strict=True)},
            required={c: _hours(v) for c, v in zip(CATEGORIES, r[6:9], strict=True)},
            status=_CODE_STATUS[r[9]],
        )
        for r in rows
    ]
