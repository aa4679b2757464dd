"""Hours from a class are credited exactly once when the same scan arrives many times at once (PostgreSQL; on SQLite
writers queue on the database lock, which proves nothing about races)."""

import threading

import pytest
from django.db import connection

from zhifa.classes import checkin
from zhifa.classes.models import Attendance
from zhifa.classes.tests.factories import enrol, make_class, make_session
from zhifa.records.models import HoursEntry, HoursYearly, Statement

pytestmark = pytest.mark.django_db(transaction=True)


def _together(count: int, work) -> list:
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = work()
        except checkin.CheckinRefused as refused:
            outcome = refused.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_ten_concurrent_scans_check_in_once_and_credit_once(org, officer):
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL（DATABASE_URL=postgres://…）")
    session = make_session(make_class(org.market))
    enrol(session.offline_class, officer)
    token = checkin.current_token(session)
    results = _together(10, lambda: checkin.checkin_scan(user=officer.user, session_id=session.pk, token=token).action)
    assert sorted(results) == ["in"] + ["twice"] * 9
    assert Attendance.objects.count() == 1
    entry = HoursEntry.objects.get()
    assert entry.dedupe_key == f"classes:session:{session.pk}:officer:{officer.pk}"
    assert HoursYearly.objects.get(officer=officer).legal == entry.hours  # the rollup counted it once
    assert Statement.objects.filter(verb="attended").count() == 1


def test_concurrent_roll_call_and_scan_credit_once(org, officer, unit_admin):
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL（DATABASE_URL=postgres://…）")
    session = make_session(make_class(org.market), checkout_required=True)
    enrol(session.offline_class, officer)
    checkin.checkin_scan(user=officer.user, session_id=session.pk, token=checkin.current_token(session))
    out = checkin.current_token(session, action="out")
    calls = [
        lambda: checkin.checkin_scan(user=officer.user, session_id=session.pk, token=out).action,
        lambda: checkin.attendance_roll_call(by=unit_admin, session=session, officer=officer) and "roll",
    ] * 4
    index = iter(range(len(calls)))
    lock = threading.Lock()

    def next_call():
        with lock:
            n = next(index)
        return calls[n]()

    _together(len(calls), next_call)
    assert HoursEntry.objects.count() == 1
    assert HoursYearly.objects.get(officer=officer).legal == HoursEntry.objects.get().hours
