"""Who may see or manage whom. Every "may X see or manage Y" question in the platform is answered here.

Rules:
- a system administrator manages everything;
- a unit training administrator manages his unit and the units below it, nothing else;
- an auditor sees (never changes) the subtree of his grant, or everything when the grant has no unit;
- an officer sees himself;
- instructors and evaluators see what their own apps grant them (courses they teach, reviews they are assigned).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet, prefetch_related_objects

from zhifa.people.models import Officer, Role, Unit, User


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
    """The audit log page: system administrators, auditors and unit administrators (the latter scoped, see queries)."""
    return can_use_console(user)
