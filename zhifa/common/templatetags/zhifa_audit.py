"""Audit events in Chinese on pages: `{{ e.action|audit_action }}`, `{{ e.object_type|audit_kind }}`,
`{% for key, value in e.new|audit_details:e.object_type %}` (zhifa/common/audit_display.py)."""

from __future__ import annotations

from typing import Any

from django import template

from zhifa.common import audit_display

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return audit_display.action_label(code or "")


@register.filter
def audit_kind(label: str) -> str:
    return audit_display.object_kind(label or "")


@register.filter
def audit_details(data: Any, label: str = "") -> list[tuple[str, str]]:
    return audit_display.details(label or "", data)
