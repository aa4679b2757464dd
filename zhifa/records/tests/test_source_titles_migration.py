"""The data migration 0006 gives hours entries stored with `cases.scenario` (or any `app.model`) as their title the
human title of their source, as new entries get it; other titles are left alone."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from zhifa.records import services
from zhifa.records.models import HoursEntry

migration = importlib.import_module("zhifa.records.migrations.0006_hours_source_titles")


def stored(officer, source: str, evidence: str, key: str) -> HoursEntry:
    """An entry as an older version of the platform stored it (the service names sources properly today)."""
    entry = services.hours_credit(
        officer=officer, category="skill", hours=Decimal("2"), source="占位", evidence=evidence, dedupe_key=key
    )
    HoursEntry.objects.filter(pk=entry.pk).update(source=source)
    return entry


@pytest.mark.parametrize(
    "source, evidence, key, expected",
    [
        ("cases.scenario", "模拟执法演练《现场检查》合格（记录 7）", "", "模拟执法演练《现场检查》"),
        ("cases.scenario", "", "cases.scenario:3:hours:9", "模拟执法演练《听证程序》"),  # from the scenario itself
        ("cases.scenario", "", "cases.scenario:99:hours:9", "模拟执法演练"),  # the scenario is gone: its kind
        ("exams.exam", "考试《行政处罚法》合格", "", "考试《行政处罚法》"),
        ("unknown.thing", "", "", "培训"),
        ("课程《行政处罚法精讲》· 第一讲", "", "", "课程《行政处罚法精讲》· 第一讲"),  # a human title stays
    ],
)  # fmt: skip
def test_the_title_comes_from_the_evidence_then_the_scenario_then_the_kind(source, evidence, key, expected):
    titles = {3: "听证程序"}
    assert migration.human_source(source=source, evidence=evidence, titles=titles, dedupe_key=key) == expected


def test_the_migration_renames_stored_drill_hours_and_the_officer_sees_the_title(client, officer):
    drill = stored(
        officer, "cases.scenario", "模拟执法演练《食品经营许可现场检查》合格（记录 12）", "cases.scenario:1:hours:1"
    )
    other = stored(officer, "exams.exam", "", "exams:old:1")
    fine = stored(officer, "课程《行政处罚法精讲》· 第一讲", "", "courses:lesson:1")
    migration.forwards(apps, schema_editor=None)
    titles = dict(HoursEntry.objects.values_list("pk", "source"))
    assert titles[drill.pk] == "模拟执法演练《食品经营许可现场检查》"
    assert titles[other.pk] == "考试" and titles[fine.pk] == "课程《行政处罚法精讲》· 第一讲"
    client.force_login(officer.user)
    page = client.get(reverse("records:my-record")).content.decode()
    assert "模拟执法演练《食品经营许可现场检查》" in page and "cases.scenario" not in page
    migration.forwards(apps, schema_editor=None)  # run twice: nothing left to change
    assert dict(HoursEntry.objects.values_list("pk", "source")) == titles
