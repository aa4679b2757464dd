"""The one way to write an AuditEvent. Services call audit_record(); nothing else writes the log."""

from __future__ import annotations

from typing import Any

from django.db import models

from zhifa.common.models import AuditEvent
from zhifa.common.request_context import current_ip


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    old: dict | None = None,
    new: dict | None = None,
    reason: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one audit event; `old`/`new` hold only the changed fields, never raw personal data."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.get_full_name() or actor_obj.get_username()) if actor_obj else "系统",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        old=old,
        new=new,
        reason=reason,
        ip=ip or current_ip(),
    )
