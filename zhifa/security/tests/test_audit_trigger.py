"""In PostgreSQL the audit table itself refuses UPDATE and DELETE, whatever client sends them."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from zhifa.common.audit import audit_record
from zhifa.common.models import AuditEvent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="触发器只装在 PostgreSQL 上")


@pytest.fixture
def event(db, officer):
    return audit_record(actor=officer.user, action="people.officer-updated", obj=officer, new={"name": "张明"})


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE common_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM common_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_an_audit_event(event, sql):
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "people.officer-updated"


def test_removing_an_account_keeps_its_events_with_the_name(event, officer):
    user = officer.user
    AuditEvent.objects.filter(pk=event.pk)  # the foreign key's SET NULL is the one update the trigger lets through
    officer.delete()
    user.delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_id is None and kept.actor_name == "张明"
