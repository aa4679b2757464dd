"""Who may open each certificates URL (walked by zhifa/common/tests/test_access_matrix.py)."""

from zhifa.common.access_matrix import Case, console, logged_in, only


def _officer(w):
    return {"officer_id": w.officer.pk}


CASES = {
    "certificates:my-certificate": logged_in(),  # accounts without an officer profile get an explanation page
    "certificates:review-list": console(),
    "certificates:review-export": console(),
    # POST without officers: managers are sent back to the list (302); the auditor reads but confirms nothing.
    "certificates:review-confirm": only({"unit_admin": 302, "sysadmin": 302}, method="post", data={}),
    "certificates:officer-detail": console(kwargs=_officer),
    # POST suspend without a reason: refused (400) for managers, nothing changes; 404 for everyone else.
    "certificates:officer-action": only(
        {"unit_admin": 400, "sysadmin": 400},
        kwargs=lambda w: {"officer_id": w.officer.pk, "action": "suspend"},
        method="post",
        data={"reason": ""},
    ),
    "certificates:acts": only({"unit_admin": 200, "sysadmin": 200}),
    "certificates:acts-template": only({"unit_admin": 200, "sysadmin": 200}),
    "certificates:rules": console(),
    # POST without an exam: refused (400) for those who manage people; 404 for everyone else.
    "certificates:exam-link": only({"unit_admin": 400, "sysadmin": 400}, method="post", data={}),
}

__all__ = ["CASES", "Case"]
