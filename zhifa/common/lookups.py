"""`field__in_array=values`: IN for a Python list that may be province-sized (100,000 officer ids).

With server-side binding (the default, config/settings.py) each IN element is a bound parameter and the protocol
allows at most 65,535 in one statement: the dashboard's nightly rollups failed on 98,000 officer ids. On PostgreSQL
this lookup sends the list as ONE array parameter, `col = ANY(%s::type[])` — the plan is the IN list's (PostgreSQL
rewrites `IN (…)` to `= ANY(ARRAY[…])` itself), and the statement text no longer varies with the list's length, so it
is prepared like any other recurring statement. Elsewhere (SQLite) it is the plain IN. When the ids come from a
queryset, pass the queryset (a subquery) instead; this is for lists built in Python.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.db.models.expressions import ColPairs
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _OneArray:
    """On PostgreSQL a list on the right is one array parameter; a subquery or a composite key stays Django's IN."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        lookup: Any = self
        if not lookup.rhs_is_direct_value() or isinstance(lookup.lhs, ColPairs):
            return lookup.as_sql(compiler, connection)
        lhs, lhs_params = lookup.process_lhs(compiler, connection)
        _, rhs_params = lookup.process_rhs(compiler, connection)  # prepared values, None dropped (empty: no rows)
        db_type = lookup.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, list(rhs_params))


class InArray(_OneArray, In):
    lookup_name = "in_array"


class RelatedInArray(_OneArray, RelatedIn):  # a foreign key's own lookups do not inherit Field's
    lookup_name = "in_array"


def register() -> None:
    Field.register_lookup(InArray)
    ForeignObject.register_lookup(RelatedInArray)
