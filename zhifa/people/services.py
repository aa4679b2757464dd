"""Writes for people: units, officers, accounts. Each is atomic, access-checked and audited where it must be."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.people.models import Unit, User


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    """Set a new password (already validated against the policy) and restart its 90-day clock."""
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=user, action="password.change", obj=user)


def unit_path_refresh(unit: Unit) -> None:
    """Recompute the materialised path of a unit (and its descendants when it moved)."""
    parent_path = unit.parent.path if unit.parent_id else "/"
    new_path = f"{parent_path}{unit.pk}/"
    if unit.path == new_path:
        return
    old_path = unit.path
    Unit.objects.filter(pk=unit.pk).update(path=new_path)
    unit.path = new_path
    if old_path:
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            Unit.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])


@transaction.atomic
def unit_create(*, name: str, code: str, level: str, kind: str = Unit.Kind.OTHER, parent: Unit | None = None,
                province: str = "", domains=(), by: User | None = None) -> Unit:
    """Create a unit under `parent`; the province is inherited from the parent when not given."""
    unit = Unit.objects.create(name=name, code=code, level=level, kind=kind, parent=parent,
                               province=province or (parent.province if parent else ""))
    unit_path_refresh(unit)
    if domains:
        unit.domains.set(domains)
    if by is not None:
        audit_record(actor=by, action="unit.create", obj=unit, new={"name": name, "code": code})
    return unit
