"""Who may open each records URL (walked by zhifa/common/tests/test_access_matrix.py)."""

from zhifa.common.access_matrix import Case, console, logged_in, only

# Personas with an officer profile: officer, outsider and unit_admin (王芳 is an officer of 江北市市场监督管理局).
_OFFICERS = {"officer": 200, "outsider": 200, "unit_admin": 200}


def _officer_kwargs(w):
    return {"officer_id": w.officer.pk}


def _pending_entry(w):
    """A manual entry of 张明 waiting for review (made once per matrix run)."""
    if "records_entry" not in w.extra:
        from decimal import Decimal

        from zhifa.records.models import HoursEntry

        w.extra["records_entry"] = HoursEntry.objects.create(
            officer=w.officer,
            year=2026,
            occurred_on="2026-03-01",
            category="legal",
            hours=Decimal("2"),
            source="个人申报：矩阵",
            status=HoursEntry.Status.PENDING,
            is_manual=True,
            dedupe_key="records:matrix:pending",
        )
    return {"entry_id": w.extra["records_entry"].pk}


CASES = {
    "records:my-record": logged_in(),  # accounts without an officer profile get an explanation page
    "records:entry-submit": logged_in(405),  # POST only
    # Everyone 404 here: the entry has no file (the matrix writes no files); test_pages covers who sees evidence.
    "records:entry-evidence": only({}, kwargs=_pending_entry),
    "records:transcript": only(_OFFICERS),
    "records:xapi-export": only(_OFFICERS),
    "records:hours-ring": only(_OFFICERS),
    "records:officer-record": console(kwargs=_officer_kwargs),
    "records:officer-transcript": console(kwargs=_officer_kwargs),
    "records:officer-xapi": console(kwargs=_officer_kwargs),
    "records:compliance": console(),
    "records:compliance-officers": console(),  # without ?unit=: the user's top unit
    "records:compliance-export": console(),
    "records:review-list": console(),
    # POST with an invalid decision: managers are sent back to the queue (302) and nothing changes; the auditor
    # reads the console but reviews nothing (404).
    "records:entry-review": only(
        {"unit_admin": 302, "sysadmin": 302}, kwargs=_pending_entry, method="post", data={"decision": "?"}
    ),
    "records:requirements": console(),
}

__all__ = ["CASES", "Case"]
