"""Reads for a user: every object is loaded through access.py; not visible means Http404 (never confirm existence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import CharField, Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.common.models import AuditEvent
from zhifa.people import access
from zhifa.people.models import Domain, Officer, OfficerImport, RoleGrant, Unit, User


def require_console(user) -> None:
    """Http404 for anybody who may not use the admin console (the console is not advertised to them).

    Also loads the user's role grants once: access.py asks for them many times per page."""
    if user.is_authenticated and "role_grants" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], Prefetch("role_grants", queryset=RoleGrant.objects.select_related("unit")))
    if not access.can_use_console(user):
        raise Http404


def units_for_tree(*, user) -> QuerySet[Unit]:
    """The units the user may see, in tree order, with the number of officers directly in each."""
    require_console(user)
    return access.units_viewable_by(user).annotate(officer_count=Count("officers")).order_by("path")


def unit_get_for_user(*, unit_id: int, user) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id)
    if not access.can_view_unit(user, unit):
        raise Http404
    return unit


def officer_get_for_user(*, officer_id: int, user) -> Officer:
    """An officer the console user may see (his subtree, or all for auditors and system administrators)."""
    require_console(user)
    officer = get_object_or_404(
        Officer.objects.select_related("unit", "user").prefetch_related("domains"), pk=officer_id
    )
    if not access.can_view_officer(user, officer):
        raise Http404
    return officer


@dataclass
class OfficerFilter:
    unit: Unit | None = None
    domain: Domain | None = None
    certificate_status: str = ""
    employment: str = ""
    search: str = ""


def officers_for_user(*, user, filters: OfficerFilter) -> QuerySet[Officer]:
    """The officers a console user may see, filtered; ready for a list page (units and domains preloaded)."""
    require_console(user)
    officers = access.officers_viewable_by(user).select_related("unit").prefetch_related("domains")
    if filters.unit is not None:
        officers = officers.filter(unit__path__startswith=filters.unit.path)
    if filters.domain is not None:
        officers = officers.filter(domains=filters.domain)
    if filters.certificate_status:
        officers = officers.filter(certificate_status=filters.certificate_status)
    if filters.employment:
        officers = officers.filter(employment=filters.employment)
    if filters.search:
        officers = officers.filter(Q(name__contains=filters.search) | Q(certificate_number=filters.search))
    return officers.order_by("unit__path", "name", "pk")


@dataclass
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _people_objects_in(paths: list[str]) -> Q:
    """Audit events about officers, units and accounts inside the given subtrees."""
    in_tree = Q(pk__in=[])
    for path in paths:
        in_tree |= Q(unit__path__startswith=path)
    units = Q(pk__in=[])
    for path in paths:
        units |= Q(path__startswith=path)
    as_text = Cast("pk", output_field=CharField())
    officer_ids = Officer.objects.filter(in_tree).annotate(key=as_text).values("key")
    unit_ids = Unit.objects.filter(units).annotate(key=as_text).values("key")
    user_ids = User.objects.filter(officer__in=Officer.objects.filter(in_tree)).annotate(key=as_text).values("key")
    return (
        Q(object_type="people.officer", object_id__in=officer_ids)
        | Q(object_type="people.unit", object_id__in=unit_ids)
        | Q(object_type="people.user", object_id__in=user_ids)
    )


def audit_events_for_user(*, user, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """Whole-tree auditors see every event; unit administrators (and auditors of one
    subtree) see the events about the officers, units and accounts of their subtrees. The audit administrator sees
    every event, the system and security administrators none (三员分立): Http404 for them and other users."""
    if not access.can_view_audit_log(user):
        raise Http404
    events = AuditEvent.objects.all()
    paths = None if access.is_audit_admin(user) else access.viewable_unit_paths(user)
    if paths is not None:
        events = events.filter(_people_objects_in(paths))
    if filters.actor:
        events = events.filter(Q(actor_name__contains=filters.actor) | Q(actor__username=filters.actor))
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        events = events.filter(at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return events.order_by("-at", "-id")


def role_grant_get_for_user(*, grant_id: int, user) -> RoleGrant:
    """A role grant held by an officer the console user may see; Http404 otherwise."""
    require_console(user)
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "unit"), pk=grant_id)
    officer = Officer.objects.select_related("unit").filter(user_id=grant.user_id).first()
    if officer is None or not access.can_view_officer(user, officer):
        raise Http404
    return grant


def import_get_for_user(*, import_id: int, user) -> OfficerImport:
    """An officer import preview: only its uploader sees it."""
    require_console(user)
    batch = get_object_or_404(OfficerImport.objects.select_related("unit"), pk=import_id)
    if batch.created_by_id != user.pk:
        raise Http404
    return batch


def imports_for_user(*, user) -> QuerySet[OfficerImport]:
    """The user's own recent import previews (to come back to one later)."""
    require_console(user)
    return OfficerImport.objects.filter(created_by=user).select_related("unit").defer("content")[:10]
