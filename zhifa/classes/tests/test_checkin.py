"""Check-in stories: the current code checks an officer in and credits his hours once; everything else is refused
with a Chinese message and records nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.classes import checkin, checkin_tokens
from zhifa.classes.models import Attendance
from zhifa.classes.tests.factories import make_session
from zhifa.records.models import HoursEntry


def _url(session, *, steps_ago: int = 0, action: str = "in") -> str:
    step = checkin_tokens.step_at(timezone.now(), checkin.step_seconds(session)) - steps_ago
    token = checkin_tokens.token_make(session_id=session.pk, step=step, action=action)
    return reverse("classes:checkin", args=[session.pk, token])


def test_the_current_code_checks_the_officer_in_and_credits_the_hours_once(client, officer, running):
    client.force_login(officer.user)
    response = client.get(_url(running))
    assert response.status_code == 200, response.content.decode()
    assert "签到成功" in response.content.decode()
    entry = HoursEntry.objects.get(dedupe_key=f"classes:session:{running.pk}:officer:{officer.pk}")
    assert entry.hours == Decimal("2.00") and entry.status == "approved" and entry.category == "legal"
    again = client.get(_url(running))
    assert again.status_code == 409
    assert "无需重复签到" in again.content.decode()
    assert Attendance.objects.count() == 1 and HoursEntry.objects.count() == 1


def test_the_previous_step_is_accepted_but_two_steps_old_is_refused(client, officer, running, time_machine):
    running.step_seconds = 15
    running.save()
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(officer.user)
    old = client.get(_url(running, steps_ago=2))
    assert old.status_code == 403 and "已过期" in old.content.decode()
    assert not Attendance.objects.exists()
    assert client.get(_url(running, steps_ago=1)).status_code == 200


def test_a_photo_of_the_code_stops_working_within_a_minute(client, officer, running, time_machine):
    running.step_seconds = None  # the default: ZHIFA_CHECKIN_STEP_SECONDS, 15 s
    running.save()
    time_machine.move_to(timezone.now(), tick=False)
    url = _url(running)
    time_machine.shift(timedelta(seconds=45))
    client.force_login(officer.user)
    response = client.get(url)
    assert response.status_code == 403 and not Attendance.objects.exists()


@pytest.mark.parametrize(
    "token, message",
    [
        ("1.1.in:xxxxxxxx", "签到码无效"),
        ("garbage", "签到码无效"),
    ],
)
def test_forged_tokens_are_refused(client, officer, running, token, message):
    client.force_login(officer.user)
    response = client.get(reverse("classes:checkin", args=[running.pk, token]))
    assert response.status_code == 403 and message in response.content.decode()
    assert not Attendance.objects.exists() and not HoursEntry.objects.exists()


def test_a_token_with_a_tampered_session_is_refused(client, officer, running):
    other = make_session(running.offline_class, topic="证据规则")
    token = checkin.current_token(running)
    tampered = token.replace(f"{running.pk}.", f"{other.pk}.", 1)
    client.force_login(officer.user)
    response = client.get(reverse("classes:checkin", args=[running.pk, tampered]))
    assert response.status_code == 403 and "签到码无效" in response.content.decode()


def test_a_token_of_another_session_is_refused(client, officer, running):
    other = make_session(running.offline_class, topic="证据规则")
    client.force_login(officer.user)
    response = client.get(reverse("classes:checkin", args=[running.pk, checkin.current_token(other)]))
    assert response.status_code == 403 and "另一课次" in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_officer_not_enrolled_is_refused(client, outsider, running):
    client.force_login(outsider.user)
    response = client.get(_url(running))
    assert response.status_code == 403 and "未报名" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_cancelled_class_or_a_session_far_away_refuses(client, officer, running):
    later = make_session(running.offline_class, topic="明天的课", start_in_minutes=24 * 60)
    client.force_login(officer.user)
    response = client.get(_url(later))
    assert response.status_code == 403 and "签到时间" in response.content.decode()
    running.offline_class.status = "cancelled"
    running.offline_class.save()
    assert "已取消" in client.get(_url(running)).content.decode()
    assert not Attendance.objects.exists()


def test_attempts_are_rate_limited_per_user(client, officer, running, settings):
    settings.CLASSES_CHECKIN_RATE_PER_MINUTE = 3
    client.force_login(officer.user)
    bad = reverse("classes:checkin", args=[running.pk, "garbage"])
    assert [client.get(bad).status_code for _ in range(3)] == [403, 403, 403]
    limited = client.get(_url(running))
    assert limited.status_code == 429 and "过于频繁" in limited.content.decode()
    assert not Attendance.objects.exists()


def test_checkout_sessions_credit_hours_only_at_checkout(client, officer, running):
    running.checkout_required = True
    running.save()
    client.force_login(officer.user)
    assert "签退" in client.get(_url(running)).content.decode()
    assert not HoursEntry.objects.exists()
    response = client.get(_url(running, action="out"))
    assert response.status_code == 200 and "签退成功" in response.content.decode()
    assert HoursEntry.objects.get().hours == Decimal("2.00")
    assert client.get(_url(running, action="out")).status_code == 409
    assert HoursEntry.objects.count() == 1


def test_a_geofenced_session_needs_a_position_near_the_venue(client, officer, running):
    running.geofence_lat, running.geofence_lng, running.geofence_radius_m = 30.0, 120.0, 200
    running.save()
    client.force_login(officer.user)
    url = _url(running)
    page = client.get(url)
    assert page.status_code == 200 and "定位签到" in page.content.decode()
    far = client.post(url, {"lat": "30.05", "lng": "120.0", "accuracy": "10"})
    assert far.status_code == 403 and "200 米范围内" in far.content.decode()
    near = client.post(url, {"lat": "30.0009", "lng": "120.0", "accuracy": "10"})
    assert near.status_code == 200 and Attendance.objects.filter(officer=officer).exists()


def test_partial_attendance_counts_only_the_sessions_attended(client, officer, running):
    second = make_session(running.offline_class, topic="证据规则", start_in_minutes=-5, hours="3")
    client.force_login(officer.user)
    client.get(_url(second))
    assert sum(e.hours for e in HoursEntry.objects.filter(officer=officer)) == Decimal("3.00")


def test_roll_call_marks_an_officer_without_a_phone_and_credits_once(client, unit_admin, officer, running):
    client.force_login(unit_admin)
    url = reverse("classes:roll-call", args=[running.pk])
    assert "张明" in client.get(url).content.decode()
    client.post(url, {"officer_id": officer.pk})
    client.post(url, {"officer_id": officer.pk})
    attendance = Attendance.objects.get()
    assert attendance.method == "roll_call" and attendance.recorded_by == unit_admin
    assert HoursEntry.objects.filter(officer=officer).count() == 1


def test_the_screen_shows_an_inline_qr_and_the_count(client, unit_admin, officer, running):
    client.force_login(unit_admin)
    page = client.get(reverse("classes:session-screen", args=[running.pk])).content.decode()
    assert "<svg" in page and 'id="present-count">0<' in page
    Attendance.objects.create(session=running, officer=officer, checked_in_at=timezone.now())
    live = client.get(reverse("classes:session-screen-live", args=[running.pk])).content.decode()
    assert 'id="present-count">1<' in live
