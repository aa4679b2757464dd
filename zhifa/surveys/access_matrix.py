"""Who may open each surveys URL (walked by zhifa/common/tests/test_access_matrix.py)."""

from zhifa.common.access_matrix import Case, console, logged_in, only, public

# Manager pages (print posters, issue act codes): unit administrators and system administrators, not auditors.
_MANAGERS = {"unit_admin": 200, "sysadmin": 200}


def _token(w):
    from zhifa.surveys.tokens import token_make

    return {"token": token_make("o", w.officer.pk)}


def _response(w):
    if "surveys_response" not in w.extra:
        from zhifa.surveys.tests.factories import response

        w.extra["surveys_response"] = response(
            officer=w.officer, comment="态度很好", comment_status="pending", status="held"
        )
    return {"response_id": w.extra["surveys_response"].pk}


def _flag(w):
    if "surveys_flag" not in w.extra:
        from django.utils import timezone

        from zhifa.surveys.models import AnomalyFlag

        w.extra["surveys_flag"] = AnomalyFlag.objects.create(
            officer=w.officer, unit=w.officer.unit, window_start=timezone.now(), reason="矩阵"
        )
    return {"flag_id": w.extra["surveys_flag"].pk}


def _batch(w):
    if "surveys_batch" not in w.extra:
        from zhifa.surveys.models import ActBatch

        w.extra["surveys_batch"] = ActBatch.objects.create(unit=w.org.east_market, created_by=w.unit_admin)
    return {"batch_id": w.extra["surveys_batch"].pk}


# POSTs with an invalid decision: those who may see the response are sent back to the queue (302), nothing changes.
_DECIDE = {"unit_admin": 302, "auditor": 302, "sysadmin": 302}

CASES = {
    "surveys:respond": public(200, kwargs=_token),  # the anonymous survey page
    "surveys:thanks": public(200),
    "surveys:short": public(200),
    "surveys:short-code": public(200, kwargs={"code": "NOSUCH00"}),  # unknown code: the entry form with a message
    "surveys:my-results": logged_in(),
    "surveys:results": console(),
    "surveys:results-export": console(),
    "surveys:posters": only(_MANAGERS),
    "surveys:officer-poster": only(_MANAGERS, kwargs=lambda w: {"officer_id": w.officer.pk}),
    "surveys:unit-poster": only(_MANAGERS, kwargs=lambda w: {"unit_id": w.org.east_market.pk}),
    "surveys:act-template": only(_MANAGERS),
    "surveys:act-upload": only({"unit_admin": 405, "sysadmin": 405}),  # POST only
    "surveys:act-sheet": only(_MANAGERS, kwargs=_batch),
    "surveys:act-export": only(_MANAGERS, kwargs=_batch),
    "surveys:moderation": console(),
    "surveys:comment-moderate": only(_DECIDE, kwargs=_response, method="post", data={"decision": "?"}),
    "surveys:held-review": only(_DECIDE, kwargs=_response, method="post", data={"decision": "?"}),
    # The auditor may read but not resolve: the service refuses, the page says so (302 back to the queue).
    "surveys:flag-resolve": only(_DECIDE, kwargs=_flag, method="post", data={}),
    # Managers see the (here empty) contact; the auditor is refused (the unit's administrators only).
    "surveys:contact-reveal": only(
        {"unit_admin": 200, "auditor": 302, "sysadmin": 200}, kwargs=_response, method="post", data={}
    ),
}

__all__ = ["CASES", "Case"]
