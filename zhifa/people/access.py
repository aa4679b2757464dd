"""Who may see or manage whom. Every "may X see or manage Y" question in the platform is answered here.

Rules:
- a system administrator manages everything;
- a unit training administrator manages his unit and the units below it, nothing else;
- an auditor sees (never changes) the subtree of his grant, or everything when the grant has no unit;
- an officer sees himself;
- 三员分立 (等保 level 3): the system administrator (accounts, units, configuration), the security administrator
  (security settings, lockouts, second-factor resets) and the audit administrator (reads the audit log) are held by
  different accounts, and none can do another's job: `separation_refusal` says, in Chinese, why not;
- instructors and evaluators see what their own apps grant them (courses they teach, reviews they are assigned).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import Http404

from zhifa.people.models import Officer, Role, RoleGrant, Unit, User


def _grants(user: User, role: str) -> list:
    # One query per user object (usually request.user), however many checks a page makes; role_grant and
    # role_revoke drop this cache when they change the user's grants.
    if "role_grants" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "role_grants__unit")
    return [g for g in user.role_grants.all() if g.role == role]


def forget_grants(user: User) -> None:
    """Drop the cached grants of this user object (after granting or revoking a role)."""
    getattr(user, "_prefetched_objects_cache", {}).pop("role_grants", None)


def is_system_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _grants(user, Role.SYSTEM_ADMIN)))


def is_unit_admin(user) -> bool:
    return bool(user.is_authenticated and _grants(user, Role.UNIT_ADMIN))


def is_auditor(user) -> bool:
    return bool(user.is_authenticated and _grants(user, Role.AUDITOR))


def is_security_admin(user) -> bool:
    return bool(user.is_authenticated and _grants(user, Role.SECURITY_ADMIN))


def is_audit_admin(user) -> bool:
    return bool(user.is_authenticated and _grants(user, Role.AUDIT_ADMIN))


ADMIN_ROLES = (Role.UNIT_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


def holds_admin_role(user) -> bool:
    """An administrative account: Django staff or superuser, or a grant of one of ADMIN_ROLES (those that change
    others' data or read the audit trail). The second-factor middleware asks this on every request of every user:
    the request's user comes with the answer (`USER_ROW_EXTRA`, selected with the user row by the auth backend), and
    any other user costs one indexed probe (docs/performance.md, "One fast path")."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    loaded = getattr(user, "holds_admin_grant", None)
    if loaded is not None:  # selected with the user row on this request
        return bool(loaded)
    grants = getattr(user, "_prefetched_objects_cache", {}).get("role_grants")
    if grants is not None:  # already loaded on this request: no second query
        return any(g.role in ADMIN_ROLES for g in grants)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_admin_grant_sql('%s')}", [user.pk])
        return bool(cursor.fetchone()[0])


def _admin_grant_sql(user_id: str) -> str:
    roles = ", ".join(f"'{role}'" for role in ADMIN_ROLES)  # constants of the code: no parameters needed
    table = RoleGrant._meta.db_table
    return f"EXISTS (SELECT 1 FROM {table} WHERE {table}.user_id = {user_id} AND {table}.role IN ({roles}))"


# Selected with the user row by the auth backend (`row_get(User, extra=USER_ROW_EXTRA)`): the second factor's
# question answered without a round trip of its own (one per request of every user, 0.2 ms of CPU on either side).
USER_ROW_EXTRA = {"holds_admin_grant": _admin_grant_sql(f'"{User._meta.db_table}"."id"')}


SEPARATED_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
DUTY_REFUSALS = {
    "people": "三员分立：人员、单位和系统配置由系统管理员管理，安全管理员和审计管理员不能查看或修改。",
    "security": "三员分立：安全设置、账号解锁和动态口令重置由安全管理员办理，系统管理员和审计管理员不能操作。",
    "audit": "三员分立：审计日志只由审计管理员（及本单位范围内的审计员、培训管理员）查阅，系统管理员和安全管理员不能查看。",  # noqa: E501
}


def separation_refusal(user, duty: str) -> str:
    """The Chinese refusal when the user's 三员 role keeps him from `duty` ("people", "security", "audit"); "" when
    it does not (then the page's own access rule still applies)."""
    if not user.is_authenticated:
        return ""
    system, security, audit = is_system_admin(user), is_security_admin(user), is_audit_admin(user)
    barred = {
        "people": (security or audit) and not can_use_console(user),
        "security": (system or audit) and not security,
        "audit": (system or security) and not audit,
    }
    return DUTY_REFUSALS[duty] if barred[duty] else ""


def separated_role_conflict(user: User, role: str) -> str:
    """Why `user` may not also hold `role` under 三员分立 ("" if he may): one account, at most one of the three, and
    none of them beside the administrators' other roles."""
    if role not in SEPARATED_ROLES and role not in (Role.UNIT_ADMIN, Role.AUDITOR):
        return ""
    held = {g.role for g in user.role_grants.all()} | ({Role.SYSTEM_ADMIN} if user.is_superuser else set())
    others = held - {role}
    if (role in SEPARATED_ROLES and others & {*SEPARATED_ROLES, Role.UNIT_ADMIN, Role.AUDITOR}) or (
        role not in SEPARATED_ROLES and others & set(SEPARATED_ROLES)
    ):
        return "三员分立：系统管理员、安全管理员、审计管理员须由不同账号担任，且不能兼任其他管理角色；请为其另设账号。"
    return ""


def is_instructor(user) -> bool:
    return bool(user.is_authenticated and _grants(user, Role.INSTRUCTOR))


def is_evaluator(user) -> bool:
    return bool(user.is_authenticated and _grants(user, Role.EVALUATOR))


def officer_of(user) -> Officer | None:
    if not user.is_authenticated:
        return None
    try:
        return user.officer
    except Officer.DoesNotExist:
        return None


def managed_unit_paths(user) -> list[str] | None:
    """Path prefixes of the subtrees the user manages; None means everything; [] means nothing."""
    if not user.is_authenticated:
        return []
    if is_system_admin(user):
        return None
    return [g.unit.path for g in _grants(user, Role.UNIT_ADMIN) if g.unit_id]


def viewable_unit_paths(user) -> list[str] | None:
    """Path prefixes the user may read (managers and auditors); None means everything."""
    managed = managed_unit_paths(user)
    if managed is None:
        return None
    audited = _grants(user, Role.AUDITOR) if user.is_authenticated else []
    if any(g.unit_id is None for g in audited):
        return None
    return managed + [g.unit.path for g in audited]


def _path_filter(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def units_managed_by(user) -> QuerySet[Unit]:
    paths = managed_unit_paths(user)
    return Unit.objects.all() if paths is None else Unit.objects.filter(_path_filter(paths, "path"))


def units_viewable_by(user) -> QuerySet[Unit]:
    paths = viewable_unit_paths(user)
    return Unit.objects.all() if paths is None else Unit.objects.filter(_path_filter(paths, "path"))


def officers_viewable_by(user) -> QuerySet[Officer]:
    """Officers the user may see in lists: his subtrees for managers and auditors, himself for an officer."""
    paths = viewable_unit_paths(user)
    if paths is None:
        return Officer.objects.all()
    q = _path_filter(paths, "unit__path")
    me = officer_of(user)
    if me is not None:
        q |= Q(pk=me.pk)
    return Officer.objects.filter(q)


def can_manage_unit(user, unit: Unit) -> bool:
    paths = managed_unit_paths(user)
    return paths is None or any(unit.path.startswith(p) for p in paths)


def can_view_unit(user, unit: Unit) -> bool:
    paths = viewable_unit_paths(user)
    return paths is None or any(unit.path.startswith(p) for p in paths)


def can_manage_officer(user, officer: Officer) -> bool:
    return can_manage_unit(user, officer.unit)


def can_view_officer(user, officer: Officer) -> bool:
    me = officer_of(user)
    return (me is not None and me.pk == officer.pk) or can_view_unit(user, officer.unit)


def can_use_console(user) -> bool:
    """The desktop admin console: unit administrators, auditors and system administrators."""
    return is_system_admin(user) or is_unit_admin(user) or is_auditor(user)


def top_units(user) -> QuerySet[Unit]:
    """The tops of the subtrees the user may read (every root unit for those who see everything), by path."""
    paths = viewable_unit_paths(user)
    if paths is None:
        return Unit.objects.filter(parent__isnull=True).order_by("path")
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return Unit.objects.filter(path__in=tops).order_by("path")


def console_unit(user, unit_id: int | None, *, default: Unit | None = None) -> Unit:
    """The unit a console page (dashboard, compliance, plan progress, surveys) opens: `unit_id` when the user may
    view it, else `default`, else his first top unit. Raises Http404 for a user without the console, a unit he may
    not view, or when there is no unit at all."""
    if not can_use_console(user):
        raise Http404
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None or not can_view_unit(user, unit):
            raise Http404
        return unit
    unit = default or top_units(user).first()
    if unit is None:
        raise Http404
    return unit


def can_unmask_officer(user, officer: Officer) -> bool:
    """Plain ID-card and phone numbers: only for those who manage the officer (never auditors, never peers)."""
    return can_manage_officer(user, officer)


def can_manage_people(user) -> bool:
    """May create, edit and import officers somewhere: unit administrators and system administrators."""
    return is_system_admin(user) or is_unit_admin(user)


def can_grant_role(user, role: str, unit: Unit | None) -> bool:
    """System administrators grant every role; a unit administrator grants unit_admin within his own subtree."""
    if is_system_admin(user):
        return True
    return role == Role.UNIT_ADMIN and unit is not None and is_unit_admin(user) and can_manage_unit(user, unit)


def can_view_audit_log(user) -> bool:
    """The audit log: the audit administrator (all of it), auditors and unit administrators (their subtree, see
    queries); never the system or the security administrator (三员分立)."""
    if separation_refusal(user, "audit"):
        return False
    return is_audit_admin(user) or is_unit_admin(user) or is_auditor(user)


def can_manage_security(user) -> bool:
    """Security settings, lockouts and second-factor resets: the security administrator only (三员分立)."""
    return is_security_admin(user)
