"""seed_records gives the demo organisation a mix of done, on-track and behind officers, once."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from zhifa.records.models import HoursEntry, HoursYearly, Statement

pytestmark = pytest.mark.django_db


def test_sample_hours_are_credited_once_through_the_ledger():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_records", stdout=StringIO())
    entries, statements = HoursEntry.objects.count(), Statement.objects.count()
    call_command("seed_records", stdout=StringIO())

    assert entries > 0 and entries == statements == HoursEntry.objects.count() == Statement.objects.count()
    totals = {row.legal + row.skill + row.ethics for row in HoursYearly.objects.all()}
    assert Decimal("60") in totals and min(totals) < Decimal("30")  # someone done, someone far behind
    assert not HoursEntry.objects.exclude(source__startswith="示例：").exists()
    persona = HoursYearly.objects.get(officer__user__username="zhangming")
    assert persona.legal + persona.skill + persona.ethics == Decimal("45")  # part way: the demo has work for him
