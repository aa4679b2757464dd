"""Jurisdiction scopes: which laws an officer searches by default.

- `national` (default): national texts (法律, 行政法规, 部门规章, 司法解释, national 规范性文件: no region) plus the
  local regulations of the user's own province (the `province` of his unit or of its nearest ancestor);
- `all`: every law;
- `province:<名>`: national texts plus the local regulations of the named province (山东 or 山东省).
"""

from __future__ import annotations

from zhifa.laws.classify import province_of
from zhifa.people.access import officer_of
from zhifa.people.models import Unit

NATIONAL = "national"
ALL = "all"
PROVINCE_PREFIX = "province:"


class UnknownScope(ValueError):
    """A scope string that is none of national, all, province:<名>; the message says what is accepted."""


def user_province(user) -> str:
    """The province of the user's unit (nearest unit up the tree with one); "" for users without a unit."""
    officer = officer_of(user) if user is not None else None
    if officer is None or officer.unit_id is None:
        return ""
    unit = officer.unit
    if unit.province:
        return province_of(unit.province) or unit.province
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    provinces = dict(Unit.objects.filter(pk__in=ancestor_ids).exclude(province="").values_list("pk", "province"))
    for pk in reversed(ancestor_ids):
        if pk in provinces:
            return province_of(provinces[pk]) or provinces[pk]
    return ""


def scope_regions(scope: str, *, user=None) -> tuple[str, ...] | None:
    """The allowed `region` values for a scope (None: all); raises UnknownScope."""
    scope = (scope or NATIONAL).strip()
    if scope == ALL:
        return None
    if scope == NATIONAL:
        province = user_province(user)
        return ("", province) if province else ("",)
    if scope.startswith(PROVINCE_PREFIX):
        name = scope.removeprefix(PROVINCE_PREFIX).strip()
        if not name:
            raise UnknownScope("范围 province: 后需写省份名称，如 province:山东")
        return ("", province_of(name) or name)
    raise UnknownScope(f"未知的检索范围“{scope[:40]}”：可用 national（全国及本省）、all（全部）或 province:省份名")
