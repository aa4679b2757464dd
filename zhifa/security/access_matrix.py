"""Who gets what on the security app's pages (walked by common/tests/test_access_matrix.py)."""

from zhifa.common.access_matrix import PERSONAS, Case, logged_in, only

# In tests the second factor is not required (OTP_REQUIRED_FOR_ADMINS is off unless a test turns it on): the
# verification page sends a user without a device to enrolment; enrolment shows its QR code.
CASES = {
    "security:otp-verify": logged_in(302),
    "security:otp-setup": logged_in(200),
    # Single sign-on is off unless configured: its entry points do not exist.
    "security:oidc-login": Case(expect=dict.fromkeys(PERSONAS, 404)),
    "security:oidc-callback": Case(expect=dict.fromkeys(PERSONAS, 404)),
    "security:cas-login": Case(expect=dict.fromkeys(PERSONAS, 404)),
    "security:sso-failed": Case(expect=dict.fromkeys(PERSONAS, 200)),
    # The security administrator's page (三员分立): the system administrator is refused with the reason (403), every
    # other persona does not learn it exists; the security and audit administrators: security/tests/test_separation.
    "security:manage": only({"sysadmin": 403}),
    "security:lockout-reset": logged_in(405, anonymous=405),
    "security:second-factor-reset": logged_in(405, anonymous=405),
    # A person's data (PIPL): his own copy for anyone with an officer profile; an officer's for those who manage him.
    "security:my-data-export": only({"officer": 200, "outsider": 200, "unit_admin": 200}),
    "security:person-export": only(
        {"unit_admin": 200, "sysadmin": 200, "auditor": 403}, kwargs=lambda w: {"officer_id": w.officer.pk}
    ),
    "security:person-erase": Case(
        expect=logged_in(405, anonymous=405).expect, kwargs=lambda w: {"officer_id": w.officer.pk}
    ),
}
