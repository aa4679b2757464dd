"""Who gets what on the people pages. Console pages: 404 for non-console users; read-only auditors get 403 on writes."""

from zhifa.common.access_matrix import Case, console, logged_in, only


def _managers(status: int = 200) -> Case:
    """Pages that change people: unit administrators and system administrators; the auditor (read-only) 403."""
    return only({"unit_admin": status, "sysadmin": status, "auditor": 403})


def _import_of_unit_admin(world) -> dict:
    """A previewed import uploaded by the unit administrator: nobody else sees it, not even a system admin."""
    if "people_import" not in world.extra:
        from zhifa.people.models import OfficerImport

        world.extra["people_import"] = OfficerImport.objects.create(
            created_by=world.unit_admin, unit=world.org.market, filename="officers.xlsx"
        )
    return {"import_id": world.extra["people_import"].pk}


def _grant_of_unit_admin(world) -> dict:
    return {"grant_id": world.unit_admin.role_grants.get().pk}


def _officer(world) -> dict:
    return {"officer_id": world.officer.pk}


POST_ONLY = logged_in(405, anonymous=405)

CASES = {
    "people:login": logged_in(302, anonymous=200),  # a logged-in user is sent home
    "people:logout": POST_ONLY,
    "people:password-change": logged_in(),
    "console:home": console(),
    "console:unit-list": console(),
    "console:officer-list": console(),
    "console:officer-create": _managers(),
    "console:officer-export": console(),
    # the officer of 东城区市场监督管理局: inside the unit admin's subtree; officers themselves use the learner pages
    "console:officer-detail": console(kwargs=_officer),
    "console:officer-edit": only({"unit_admin": 200, "sysadmin": 200, "auditor": 403}, kwargs=_officer),
    "console:officer-unmask": Case(expect=POST_ONLY.expect, kwargs=_officer),
    "console:officer-password-reset": Case(expect=POST_ONLY.expect, kwargs=_officer),
    "console:officer-role-grant": Case(expect=POST_ONLY.expect, kwargs=_officer),
    "console:role-revoke": Case(expect=POST_ONLY.expect, kwargs=_grant_of_unit_admin),
    "console:officer-import": _managers(),
    "console:officer-import-template": _managers(),
    "console:officer-import-detail": only({"unit_admin": 200}, kwargs=_import_of_unit_admin),
    "console:officer-import-confirm": Case(expect=POST_ONLY.expect, kwargs=_import_of_unit_admin),
    # 三员分立: the audit administrator reads the log (security/tests/test_separation.py), the system admin is refused
    "console:audit-list": only({"unit_admin": 200, "auditor": 200, "sysadmin": 403}),
    "console:audience-count": only({"unit_admin": 200, "sysadmin": 200, "auditor": 200, "instructor": 200}),
}
