"""Heartbeats are kept for the retention, then compacted into their session and purged; what they proved stays."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhifa.courses.models import Heartbeat, LessonProgress, WatchSession
from zhifa.courses.tests.test_heartbeat import beat, start, watch
from zhifa.records.models import HoursEntry, Statement


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer.user)
    return client


def purge(**options) -> str:
    out = StringIO()
    call_command("purge_heartbeats", stdout=out, **options)
    return out.getvalue()


def test_purging_old_heartbeats_keeps_progress_hours_and_the_record_and_counts_them_in_the_session(
    officer_client, officer, course, video_lesson, time_machine, settings
):
    assert settings.HEARTBEAT_RETENTION_DAYS == 180  # the default, read by the retention register
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    seq = watch(officer_client, session, time_machine, until=100)
    assert beat(officer_client, session, seq, [[100, 200]]).status_code == 409  # beyond the video's end: refused
    progress = LessonProgress.objects.get(officer=officer, lesson=video_lesson)
    assert progress.completed_at is not None
    before = {
        "watched": progress.watched,
        "unique": progress.unique_seconds,
        "hours": list(HoursEntry.objects.filter(officer=officer).values_list("hours", "category", "dedupe_key")),
        "statements": Statement.objects.filter(officer=officer).count(),
        "media_seconds": WatchSession.objects.get(pk=session).media_seconds,
    }
    assert Heartbeat.objects.filter(session_id=session).count() == seq  # seq - 1 accepted, one refused

    # Half a year later the officer watches again; only the old beats are past the retention.
    time_machine.shift(timedelta(days=181))
    officer_client.force_login(officer.user)
    recent = start(officer_client, video_lesson)
    watch(officer_client, recent, time_machine, until=24)
    output = purge()

    assert "已清理" in output and f"心跳 {seq} 条" in output
    assert not Heartbeat.objects.filter(session_id=session).exists()
    assert Heartbeat.objects.filter(session_id=recent).count() == 2  # within the retention: kept as they are
    old = WatchSession.objects.get(pk=session)
    assert old.purged_accepted == seq - 1 and old.purged_refused == {"future": 1}
    assert old.purged_through is not None and old.media_seconds == before["media_seconds"]
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert progress.watched == before["watched"] and progress.unique_seconds == before["unique"]
    hours = list(HoursEntry.objects.filter(officer=officer).values_list("hours", "category", "dedupe_key"))
    assert hours == before["hours"]
    assert Statement.objects.filter(officer=officer).count() == before["statements"]

    # The officer still sees the lesson complete, and a second run finds nothing more to do.
    assert "已完成" in officer_client.get(f"/courses/{course.pk}/").content.decode()
    assert "心跳 0 条" in purge()
    assert WatchSession.objects.get(pk=session).purged_accepted == seq - 1


def test_purge_walks_the_table_in_windows_and_stops_at_the_retention(
    officer_client, officer, video_lesson, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    seq = watch(officer_client, session, time_machine, until=60)  # five beats
    time_machine.shift(timedelta(days=200))
    officer_client.force_login(officer.user)
    seq = watch(officer_client, session, time_machine, until=96, start_at=60, first_seq=seq)  # three more
    assert "心跳 5 条" in purge(days=180, batch_size=2)
    assert Heartbeat.objects.filter(session_id=session).count() == 3
    assert WatchSession.objects.get(pk=session).purged_accepted == 5


def test_a_retention_below_30_days_is_refused_at_start():
    env = {**os.environ, "ZHIFA_DEBUG": "1", "ZHIFA_HEARTBEAT_RETENTION_DAYS": "7"}
    run = subprocess.run([sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True)
    assert run.returncode != 0 and "ZHIFA_HEARTBEAT_RETENTION_DAYS 不得少于 30" in run.stderr
