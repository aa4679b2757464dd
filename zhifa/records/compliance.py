"""The SQL behind the compliance report (called by queries.py after the access check; no access rules here).

One statement per report: the requested units with their effective requirement go in as a VALUES table, the
monthly rollup is summed per officer with an index range on (year, unit_path prefix), and officers are classified
done / on track / behind in the database, so only one row per bucket (or one page of officers) comes back.
Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

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


def _req_cte(units: Sequence[UnitRequirement]) -> tuple[str, list]:
    # CAST: SQLite receives Decimals as text, which would never compare equal to a number.
    rows = ", ".join(["(%s, %s, CAST(%s AS NUMERIC), CAST(%s AS NUMERIC), CAST(%s AS NUMERIC))"] * len(units))
    params: list = []
    for u in units:
        params += [u.unit_id, u.bucket, *(u.required[c] for c in CATEGORIES)]
    return f"req(unit_id, bucket, r_legal, r_skill, r_ethics) AS (VALUES {rows})", params


def _sums_cte(year: int, prefixes: Iterable[str] | None) -> tuple[str, list]:
    columns = ", ".join(f"SUM(CASE WHEN category = '{c}' THEN hours ELSE 0 END) AS {c}" for c in CATEGORIES)
    where, params = "year = %s", [year]
    if prefixes is not None:
        prefixes = list(prefixes)
        where += " AND (" + " OR ".join(["unit_path LIKE %s"] * len(prefixes)) + ")"
        params += [p + "%" for p in prefixes]
    sql = f"sums AS (SELECT officer_id, {columns} FROM records_hoursmonthly WHERE {where} GROUP BY officer_id)"
    return sql, params


def _classified_cte(share: Decimal) -> tuple[str, list]:
    earned = {c: f"COALESCE(s.{c}, 0)" for c in CATEGORIES}
    done = " AND ".join(f"{earned[c]} >= req.r_{c}" for c in CATEGORIES)
    on_track = " AND ".join(f"{earned[c]} >= req.r_{c} * CAST(%s AS NUMERIC)" for c in CATEGORIES)
    employment = ", ".join(f"'{e}'" for e in COUNTED_EMPLOYMENT)
    sql = f"""st AS (
        SELECT o.id AS officer_id, o.name AS name, o.unit_id AS unit_id, req.bucket AS bucket,
               {", ".join(f"{earned[c]} AS e_{c}" for c in CATEGORIES)},
               req.r_legal, req.r_skill, req.r_ethics,
               CASE WHEN {done} THEN 2 WHEN {on_track} THEN 1 ELSE 0 END AS status
        FROM people_officer o
        JOIN req ON req.unit_id = o.unit_id
        LEFT JOIN sums s ON s.officer_id = o.id
        WHERE o.employment IN ({employment}))"""
    return sql, [share] * len(CATEGORIES)


def _with(
    units: Sequence[UnitRequirement], *, year: int, share: Decimal, prefixes: Iterable[str] | None
) -> tuple[str, list]:
    parts = [_req_cte(units), _sums_cte(year, prefixes), _classified_cte(share)]
    return "WITH " + ", ".join(p[0] for p in parts), [x for p in parts for x in p[1]]


def bucket_figures(
    units: Sequence[UnitRequirement], *, year: int, share: Decimal, prefixes: Iterable[str] | None
) -> dict[int, BucketFigures]:
    """Officers per bucket and how many are done / on track / behind, with their approved hours."""
    if not units:
        return {}
    head, params = _with(units, year=year, share=share, prefixes=prefixes)
    sql = f"""{head}
        SELECT bucket, COUNT(*), SUM(CASE WHEN status = 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END),
               SUM(e_legal + e_skill + e_ethics)
        FROM st GROUP BY bucket"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        r[0]: BucketFigures(
            bucket=r[0], officers=r[1], done=r[2], on_track=r[3], behind=r[4], hours=Decimal(str(r[5] or 0))
        )
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
    """One page of officers (behind first, then by name) and the number matching `status` (None: all)."""
    if not units:
        return 0, []
    head, params = _with(units, year=year, share=share, prefixes=prefixes)
    where, where_params = ("WHERE st.status = %s", [_STATUS_CODES[status]]) if status else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"{head} SELECT COUNT(*) FROM st {where}", params + where_params)
        count = cursor.fetchone()[0]
        cursor.execute(
            f"""{head}
            SELECT st.officer_id, st.name, u.name, st.e_legal, st.e_skill, st.e_ethics,
                   st.r_legal, st.r_skill, st.r_ethics, st.status
            FROM st JOIN people_unit u ON u.id = st.unit_id {where}
            ORDER BY st.status, u.path, st.name, st.officer_id LIMIT %s OFFSET %s""",
            params + where_params + [limit, offset],
        )
        rows = cursor.fetchall()
    return count, [
        OfficerFigures(
            officer_id=r[0],
            name=r[1],
            unit_name=r[2],
            earned={c: Decimal(str(v or 0)) for c, v in zip(CATEGORIES, r[3:6], strict=True)},
            required={c: Decimal(str(v)) for c, v in zip(CATEGORIES, r[6:9], strict=True)},
            status=_CODE_STATUS[r[9]],
        )
        for r in rows
    ]
