"""The status refresh of one item as one UPDATE on PostgreSQL (the province-sized path; progress.py's facts and
status.assignment_status are the reference and the SQLite path: the same rules, tested on both databases).

Per item: a facts sub-select (officer, progress, done, done_on, started) over the item's assignees, joined to the
assignments; the status is classified in the database and only rows whose status, progress or completion day
changed are written. No rows travel to Python.

Both the facts and the changed rows are MATERIALIZED: left to itself the planner probes the ledger and the
assignment table once per assignment (nested loops, ~1M buffer hits per item of a province) where one scan and a
hash join do; and the target table is joined to the changed rows only (none in a steady refresh), not to all.
An item of more than WHOLE_LEDGER_ABOVE assignees reads the ledger without the assignee filter (the join to the
assignments restricts it anyway; the filter's per-officer semi-join was half of a province's cost).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import connection

from zhifa.plans.models import Assignment, PlanItem

_ASSIGNEES = "officer_id IN (SELECT officer_id FROM plans_assignment WHERE item_id = %(item)s{scope})"
WHOLE_LEDGER_ABOVE = 20_000

_FACTS = {
    PlanItem.Kind.HOURS_TARGET: """
        SELECT officer_id, {column} AS progress, {column} >= %(target)s AS done,
               CASE WHEN {column} >= %(target)s THEN %(done_day)s::date END AS done_on, false AS started
        FROM records_hoursyearly
        WHERE year = %(year)s AND {column} > 0 AND {assignees}""",
    PlanItem.Kind.PRACTICE_TARGET: """
        SELECT officer_id, COUNT(*)::numeric AS progress, COUNT(*) >= %(target)s AS done,
               CASE WHEN COUNT(*) >= %(target)s THEN MAX(day) END AS done_on, true AS started
        FROM practice_dailyactivity
        WHERE day >= %(window_start)s AND day <= %(until)s AND reviews > 0 AND {assignees}
        GROUP BY officer_id""",
    PlanItem.Kind.COURSE: """
        SELECT officer_id, MAX(p) AS progress, bool_or(d) AS done, MIN(dd) AS done_on, true AS started FROM (
            SELECT officer_id, 1 AS p, true AS d, (issued_at AT TIME ZONE %(tz)s)::date AS dd
            FROM courses_certificate WHERE course_id = %(target_id)s AND revoked_at IS NULL
            UNION ALL
            SELECT lp.officer_id, 0, false, NULL FROM courses_lessonprogress lp
            JOIN courses_lesson l ON l.id = lp.lesson_id JOIN courses_chapter c ON c.id = l.chapter_id
            WHERE c.course_id = %(target_id)s
        ) s WHERE {assignees} GROUP BY officer_id""",
    PlanItem.Kind.EXAM: """
        SELECT officer_id, MAX(CASE WHEN verb = 'passed' THEN 1 ELSE 0 END) AS progress,
               bool_or(verb = 'passed') AS done,
               MIN(CASE WHEN verb = 'passed' THEN (timestamp AT TIME ZONE %(tz)s)::date END) AS done_on,
               true AS started
        FROM records_statement
        WHERE object_type = 'exam' AND object_id = %(target_key)s AND verb IN ('passed', 'failed')
          AND {assignees}
        GROUP BY officer_id""",
    PlanItem.Kind.DRILL: """
        SELECT officer_id, MAX(p) AS progress, bool_or(d) AS done, MIN(dd) AS done_on, true AS started FROM (
            SELECT officer_id, CASE WHEN verb = 'completed' THEN 1 ELSE 0 END AS p, verb = 'completed' AS d,
                   CASE WHEN verb = 'completed' THEN (timestamp AT TIME ZONE %(tz)s)::date END AS dd
            FROM records_statement
            WHERE object_type = 'cases.scenario' AND object_id = %(target_key)s AND verb IN ('completed', 'failed')
            UNION ALL
            SELECT r.officer_id, 0, false, NULL FROM cases_drillrun r
            JOIN cases_scenarioversion v ON v.id = r.version_id
            WHERE v.scenario_id = %(target_id)s AND NOT r.is_preview AND r.officer_id IS NOT NULL
        ) s WHERE {assignees} GROUP BY officer_id""",
}

_UPDATE = """
WITH f AS MATERIALIZED ({facts}),
v AS MATERIALIZED (
    SELECT c.id, c.status, c.progress, c.done_on FROM (
        SELECT a2.id, a2.status AS old_status, a2.progress AS old_progress, a2.done_on AS old_done_on,
               CASE WHEN a2.exempted THEN 'exempted'
                    WHEN f.done THEN 'done'
                    WHEN %(past_deadline)s THEN 'overdue'
                    WHEN COALESCE(f.started, false) OR COALESCE(f.progress, 0) > 0 THEN 'in_progress'
                    ELSE 'not_started' END AS status,
               ROUND(COALESCE(f.progress, 0)::numeric, 2) AS progress,
               CASE WHEN f.done THEN f.done_on END AS done_on
        FROM plans_assignment a2 LEFT JOIN f ON f.officer_id = a2.officer_id
        WHERE a2.item_id = %(item)s{scope2}
    ) c
    WHERE (c.old_status, c.old_progress, c.old_done_on) IS DISTINCT FROM (c.status, c.progress, c.done_on)
)
UPDATE plans_assignment AS a
SET status = v.status, progress = v.progress, done_on = v.done_on, refreshed_at = %(now)s
FROM v
WHERE a.id = v.id
"""


def supported(item: PlanItem) -> bool:
    return connection.vendor == "postgresql" and item.kind in _FACTS


def refresh_item(*, item: PlanItem, unit_path: str | None, year: int, today: date, now: datetime) -> int:
    """Recompute and write the statuses of one item's assignments (of a subtree); returns how many changed."""
    scope = " AND unit_path LIKE %(prefix)s" if unit_path else ""
    scope2 = " AND a2.unit_path LIKE %(prefix)s" if unit_path else ""
    whole = not unit_path and Assignment.objects.filter(item=item).count() > WHOLE_LEDGER_ABOVE
    facts = _FACTS[PlanItem.Kind(item.kind)].format(
        column=item.category if item.category in ("legal", "skill", "ethics") else "legal",
        assignees="true" if whole else _ASSIGNEES.format(scope=scope),
    )
    target_id = item.course_id or item.exam_id or item.scenario_id or 0
    params = {
        "item": item.pk,
        "prefix": f"{unit_path}%" if unit_path else None,
        "target": item.target or 1,
        "target_id": target_id,
        "target_key": str(target_id),
        "year": year,
        "done_day": min(today, item.deadline),
        "window_start": item.window_start,
        "until": min(item.deadline, today),
        "tz": settings.TIME_ZONE,
        "past_deadline": today > item.deadline,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE.format(facts=facts, scope2=scope2), params)
        return cursor.rowcount
