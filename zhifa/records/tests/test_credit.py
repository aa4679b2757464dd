"""statement_record and hours_credit: the interface other apps write through."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhifa.people.testing import make_officer
from zhifa.records import services
from zhifa.records.models import HoursEntry, HoursMonthly, HoursYearly, Statement

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_statement_is_written_once_per_dedupe_key(officer):
    first = services.statement_record(
        officer=officer,
        verb="completed",
        object_type="lesson",
        object_id="12",
        object_name="依法履职",
        result={"completion": True, "duration": "PT15M"},
        dedupe_key="courses:lesson:12:officer:1",
    )
    again = services.statement_record(
        officer=officer,
        verb="completed",
        object_type="lesson",
        object_id="12",
        object_name="依法履职",
        dedupe_key="courses:lesson:12:officer:1",
    )
    assert again.pk == first.pk
    assert Statement.objects.count() == 1
    assert first.result == {"completion": True, "duration": "PT15M"}
    assert first.timestamp is not None and first.stored is not None


def test_a_statement_keeps_the_given_timestamp(officer):
    at = datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
    statement = services.statement_record(
        officer=officer,
        verb="attended",
        object_type="offline_session",
        object_id="3",
        object_name="执法规范化培训班",
        timestamp=at,
        dedupe_key="plans:attendance:3",
    )
    assert statement.timestamp == at


def test_statements_are_append_only(officer):
    statement = services.statement_record(
        officer=officer,
        verb="passed",
        object_type="exam",
        object_id="1",
        object_name="年度考试",
        dedupe_key="exams:attempt:1",
    )
    with pytest.raises(PermissionError):
        statement.save()
    with pytest.raises(PermissionError):
        Statement.objects.filter(pk=statement.pk).update(object_name="改")
    with pytest.raises(PermissionError):
        Statement.objects.all().delete()


@pytest.mark.parametrize("verb, key", [("watched", "k1"), ("completed", "")])
def test_a_statement_with_an_unknown_verb_or_no_key_is_refused(officer, verb, key):
    with pytest.raises(services.RecordsError):
        services.statement_record(
            officer=officer, verb=verb, object_type="lesson", object_id="1", object_name="x", dedupe_key=key
        )
    assert Statement.objects.count() == 0


def test_hours_credit_is_idempotent_and_rolls_up_in_the_same_month(officer, time_machine):
    time_machine.move_to(datetime(2026, 4, 10, 10, 0, tzinfo=SHANGHAI))
    kwargs = {
        "officer": officer,
        "category": "legal",
        "hours": Decimal("1.5"),
        "source": "课程：行政处罚法",
        "evidence": "视频观看 95%",
        "dedupe_key": "courses:lesson:7:officer:1",
    }
    entry = services.hours_credit(**kwargs)
    assert services.hours_credit(**kwargs).pk == entry.pk
    services.hours_credit(**{**kwargs, "hours": Decimal("2"), "dedupe_key": "courses:lesson:8:officer:1"})
    assert entry.status == HoursEntry.Status.APPROVED and entry.year == 2026
    row = HoursMonthly.objects.get()
    assert (row.year, row.month, row.category, row.hours) == (2026, 4, "legal", Decimal("3.50"))
    assert row.unit_path == officer.unit.path


def test_hours_credit_for_an_explicit_year_counts_in_that_year(officer, time_machine):
    time_machine.move_to(datetime(2027, 1, 3, 10, 0, tzinfo=SHANGHAI))
    services.hours_credit(
        officer=officer,
        category="ethics",
        hours=Decimal("2"),
        source="补录",
        evidence="",
        dedupe_key="k-2026",
        year=2026,
    )
    row = HoursMonthly.objects.get()
    assert (row.year, row.month) == (2026, 12)


@pytest.mark.parametrize(
    "category, hours",
    [("legal", Decimal("-1")), ("legal", Decimal("0")), ("legal", Decimal("500")), ("law", Decimal("1"))],
)
def test_bad_hours_credit_nothing(officer, category, hours):
    with pytest.raises(services.InvalidHours) as error:
        services.hours_credit(
            officer=officer, category=category, hours=hours, source="s", evidence="", dedupe_key="bad"
        )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
    assert not HoursEntry.objects.exists() and not HoursMonthly.objects.exists()


def test_credit_after_a_transfer_moves_the_officers_rollup_rows(officer, org):
    services.hours_credit(
        officer=officer, category="skill", hours=Decimal("2"), source="s", evidence="", dedupe_key="a"
    )
    officer.unit = org.west_transport
    officer.save(update_fields=["unit"])
    services.hours_credit(
        officer=officer, category="legal", hours=Decimal("1"), source="s", evidence="", dedupe_key="b"
    )
    assert set(HoursMonthly.objects.values_list("unit_path", flat=True)) == {org.west_transport.path}
    assert HoursYearly.objects.get().unit_path == org.west_transport.path


def test_rollup_sync_moves_rows_of_transferred_officers(officer, org):
    other = make_officer(org.justice)
    for person, key in ((officer, "a"), (other, "b")):
        services.hours_credit(
            officer=person, category="skill", hours=Decimal("2"), source="s", evidence="", dedupe_key=key
        )
    officer.unit = org.west_transport
    officer.save(update_fields=["unit"])
    assert services.hours_rollup_sync() == 2  # one monthly and one yearly row
    assert HoursMonthly.objects.get(officer=officer).unit_path == org.west_transport.path
    assert HoursMonthly.objects.get(officer=other).unit_path == org.justice.path


def test_the_yearly_rollup_always_equals_the_sum_of_the_monthly_one(officer, unit_admin, time_machine):
    from zhifa.records.models import HoursYearly
    from zhifa.records.tests.conftest import pdf_upload

    for n, (month, category, hours) in enumerate(
        [(1, "legal", "2"), (1, "legal", "1.25"), (3, "skill", "4"), (11, "ethics", "0.5")]
    ):
        time_machine.move_to(datetime(2026, month, 10, 10, 0, tzinfo=SHANGHAI))
        services.hours_credit(
            officer=officer, category=category, hours=Decimal(hours), source="s", evidence="", dedupe_key=f"k{n}"
        )
    entry = services.hours_entry_submit(
        officer=officer,
        by=officer.user,
        category="skill",
        hours="3",
        occurred_on=datetime(2026, 11, 1).date(),
        title="外训",
        evidence="",
        evidence_file=pdf_upload(),
    )
    services.hours_entry_review(entry=entry, by=unit_admin, approve=True)
    yearly = HoursYearly.objects.get(officer=officer, year=2026)
    for category in ("legal", "skill", "ethics"):
        monthly = sum(
            HoursMonthly.objects.filter(officer=officer, year=2026, category=category).values_list("hours", flat=True),
            Decimal("0"),
        )
        assert getattr(yearly, category) == monthly
    assert (yearly.legal, yearly.skill, yearly.ethics) == (Decimal("3.25"), Decimal("7"), Decimal("0.5"))


def test_the_nightly_command_moves_transferred_officers(officer, org):
    from io import StringIO

    from django.core.management import call_command

    services.hours_credit(
        officer=officer, category="skill", hours=Decimal("2"), source="s", evidence="", dedupe_key="a"
    )
    officer.unit = org.justice
    officer.save(update_fields=["unit"])
    out = StringIO()
    call_command("records_rollup_sync", stdout=out)
    assert "已更新 2 行" in out.getvalue()
    assert HoursYearly.objects.get().unit_path == org.justice.path


def test_withdrawn_hours_leave_the_rollups_once_and_come_back_with_their_evidence(officer, unit_admin):
    key = "exams:exam:7:officer:1"
    services.hours_credit(
        officer=officer, category="legal", hours=Decimal("2"), source="考试", evidence="通过", dedupe_key=key
    )
    with pytest.raises(services.RecordsError, match="原因"):
        services.hours_withdraw(dedupe_key=key, reason=" ")
    assert services.hours_withdraw(dedupe_key="nothing:credited", reason="复核") is None

    entry = services.hours_withdraw(dedupe_key=key, reason="复核改分后未通过", by=unit_admin)
    again = services.hours_withdraw(dedupe_key=key, reason="复核改分后未通过", by=unit_admin)
    assert entry.status == again.status == HoursEntry.Status.WITHDRAWN
    assert HoursYearly.objects.get(officer=officer).legal == 0
    assert HoursMonthly.objects.get(officer=officer).hours == 0

    restored = services.hours_credit(
        officer=officer, category="legal", hours=Decimal("2"), source="考试", evidence="通过", dedupe_key=key
    )
    assert restored.pk == entry.pk and restored.status == HoursEntry.Status.APPROVED
    assert HoursYearly.objects.get(officer=officer).legal == Decimal("2")
