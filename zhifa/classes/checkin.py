"""Check-in and attendance (writes): a scan of the classroom QR code, the organiser's roll call, hours credit.

Hours are credited through records.services.hours_credit with the dedupe key "classes:session:<id>:officer:<id>":
exactly once per session and officer, however often or concurrently the scan arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.classes import checkin_tokens, conf, geofence
from zhifa.classes.checkin_tokens import TokenError
from zhifa.classes.models import Attendance, ClassSession, Enrolment, OfflineClass
from zhifa.classes.services import ClassError, NotPermitted
from zhifa.common import cache as shared_cache
from zhifa.common.audit import audit_record
from zhifa.people import access
from zhifa.people.models import Officer, User
from zhifa.records import services as records

# Scans are accepted from this long before a session starts until this long after it ends.
EARLY = timedelta(minutes=60)
LATE = timedelta(minutes=60)


class CheckinRefused(ClassError):
    """A scan that records nothing; `code` names the reason for the page and the tests."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class RateLimited(CheckinRefused):
    pass


@dataclass
class CheckinResult:
    attendance: Attendance
    action: str  # "in" or "out"
    credited: bool  # hours credited by this scan (or were already)
    message: str


def step_seconds(session: ClassSession) -> int:
    return session.step_seconds or conf.checkin_step_seconds()


def dedupe_key(session_id: int, officer_id: int) -> str:
    return f"classes:session:{session_id}:officer:{officer_id}"


def rate_check(user_id: int, *, now: datetime | None = None) -> None:
    """Count one check-in attempt of the user in this minute (cache: local memory or Redis); raise past the limit."""
    minute = int((now or timezone.now()).timestamp()) // 60
    key = f"classes:checkin-rate:{user_id}:{minute}"
    count = shared_cache.window_count(key, seconds=120, use="checkin-rate")  # per process while Redis is down
    if count > conf.checkin_rate_per_minute():
        raise RateLimited("签到尝试过于频繁，请一分钟后再扫描教室屏幕上的二维码。", "rate")


def current_token(session: ClassSession, *, action: str = "in", now: datetime | None = None) -> str:
    now = now or timezone.now()
    step = checkin_tokens.step_at(now, step_seconds(session))
    return checkin_tokens.token_make(session_id=session.pk, step=step, action=action)


def attendance_credit(attendance: Attendance, session: ClassSession, by: User | None) -> None:
    """Credit the session's hours for a complete attendance (idempotent: one entry per session and officer)."""
    officer = attendance.officer
    klass = session.offline_class
    records.hours_credit(
        officer=officer,
        category=session.category,
        hours=session.hours,
        source=f"培训班：{klass.title}·{session.topic}"[:200],
        evidence=f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M} {session.venue or session.online_url}；"
        f"{attendance.get_method_display()}",
        dedupe_key=dedupe_key(session.pk, officer.pk),
        year=timezone.localtime(session.starts_at).year,
        by=by,
    )
    records.statement_record(
        officer=officer,
        verb="attended",
        object_type="class-session",
        object_id=str(session.pk),
        object_name=f"{klass.title}·{session.topic}",
        result={"completion": True},
        context={"class": klass.pk},
        timestamp=attendance.checked_out_at or attendance.checked_in_at,
        dedupe_key=dedupe_key(session.pk, officer.pk),
    )


def session_for_link(session_id: int) -> ClassSession:
    """The session a check-in link names; CheckinRefused when there is none."""
    session = ClassSession.objects.select_related("offline_class").filter(pk=session_id).first()
    if session is None:
        raise CheckinRefused("签到码无效（课次不存在），请扫描教室屏幕上的二维码。", "forged")
    return session


def _check_position(session: ClassSession, position: tuple[float, float, float] | None) -> None:
    if not session.has_geofence:
        return
    if position is None:
        raise CheckinRefused("本课次需要定位签到：请允许浏览器获取位置后重试。", "position")
    lat, lng, accuracy = position
    assert session.geofence_lat is not None and session.geofence_lng is not None and session.geofence_radius_m
    if not geofence.within(
        lat=lat,
        lng=lng,
        centre_lat=session.geofence_lat,
        centre_lng=session.geofence_lng,
        radius_m=session.geofence_radius_m,
        accuracy_m=accuracy,
    ):
        raise CheckinRefused(f"您的位置不在上课地点 {session.geofence_radius_m} 米范围内，请到场后再签到。", "position")


def _check_enrolled(session: ClassSession, officer: Officer) -> None:
    enrolment = Enrolment.objects.filter(offline_class_id=session.offline_class_id, officer=officer).first()
    if enrolment is None or enrolment.status != Enrolment.Status.ENROLLED:
        raise CheckinRefused(
            "您未报名该培训班（或尚在候补、待审核），不能签到；如有疑问请联系主办单位。", "not_enrolled"
        )
    if session.group and enrolment.group != session.group:
        raise CheckinRefused(f"本课次是“{session.group}”的课次，您在“{enrolment.group or '未分组'}”。", "not_enrolled")


def checkin_scan(
    *,
    user: User,
    session_id: int,
    token: str,
    position: tuple[float, float, float] | None = None,
    now: datetime | None = None,
    session: ClassSession | None = None,
) -> CheckinResult:
    """A logged-in officer's scan of the classroom code (a link naming the session, with the token): checks him in
    (or out), and credits hours when complete.

    Raises RateLimited past the per-user limit; CheckinRefused (with a code: forged, other, stale, not_enrolled,
    cancelled, time, position, twice, no_checkin) for anything else — and then records nothing.
    """
    now = now or timezone.now()
    rate_check(user.pk, now=now)
    officer = access.officer_of(user)
    if officer is None:
        raise CheckinRefused("只有执法人员账号可以签到。", "not_enrolled")
    if session is None or session.pk != session_id:
        session = session_for_link(session_id)
    try:
        parsed = checkin_tokens.token_check(token, session_id=session.pk, now=now, step_seconds=step_seconds(session))
    except checkin_tokens.StaleToken as error:
        raise CheckinRefused(str(error), "stale")
    except checkin_tokens.OtherSessionToken as error:
        raise CheckinRefused(str(error), "other")
    except TokenError as error:
        raise CheckinRefused(str(error), "forged")
    if session.offline_class.status == OfflineClass.Status.CANCELLED:
        raise CheckinRefused("该培训班已取消。", "cancelled")
    if not session.starts_at - EARLY <= now <= session.ends_at + LATE:
        raise CheckinRefused("不在本课次的签到时间内（开课前 1 小时至下课后 1 小时）。", "time")
    _check_enrolled(session, officer)
    _check_position(session, position)
    if parsed.action == "out":
        return _check_out(session, officer, now)
    return _check_in(session, officer, now)


def _check_in(session: ClassSession, officer: Officer, now: datetime) -> CheckinResult:
    # One transaction, no savepoint: the unique (session, officer) decides a concurrent second scan, which then
    # rolls back whole (nothing else was written in it) and is refused.
    credited = not session.checkout_required
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(session=session, officer=officer, checked_in_at=now)
            if credited:
                attendance_credit(attendance, session, None)
    except IntegrityError:
        existing = Attendance.objects.filter(session=session, officer=officer).first()
        if existing is None:  # not the unique attendance: let the error show
            raise
        at = timezone.localtime(existing.checked_in_at)
        raise CheckinRefused(f"您已于 {at:%H:%M:%S} 签到，无需重复签到。", "twice")
    hours = f"，计 {session.hours.normalize():f} 学时"
    message = f"签到成功：{session.topic}" + ("（下课时请再次扫码签退）" if session.checkout_required else hours)
    return CheckinResult(attendance, "in", credited, message)


@transaction.atomic
def _check_out(session: ClassSession, officer: Officer, now: datetime) -> CheckinResult:
    if not session.checkout_required:
        raise CheckinRefused("本课次无需签退。", "twice")
    attendance = Attendance.objects.select_for_update().filter(session=session, officer=officer).first()
    if attendance is None:
        raise CheckinRefused("您尚未签到，不能签退；请联系主办单位人工补签。", "no_checkin")
    if attendance.checked_out_at is not None:
        at = timezone.localtime(attendance.checked_out_at)
        raise CheckinRefused(f"您已于 {at:%H:%M:%S} 签退，无需重复签退。", "twice")
    attendance.checked_out_at = now
    attendance.save(update_fields=["checked_out_at"])
    attendance.session, attendance.officer = session, officer
    attendance_credit(attendance, session, None)
    return CheckinResult(attendance, "out", True, f"签退成功：{session.topic}，计 {session.hours.normalize():f} 学时")


@transaction.atomic
def attendance_roll_call(*, by: User, session: ClassSession, officer: Officer) -> Attendance:
    """The organiser marks an officer present (no phone): in and, when required, out; hours credited. Audited."""
    if not access.can_manage_unit(by, session.offline_class.organiser):
        raise NotPermitted("您无权为该培训班点名。")
    _check_enrolled_for_roll_call(session, officer)
    now = timezone.now()
    attendance, created = Attendance.objects.get_or_create(
        session=session,
        officer=officer,
        defaults={"checked_in_at": now, "method": Attendance.Method.ROLL_CALL, "recorded_by": by},
    )
    if session.checkout_required and attendance.checked_out_at is None:
        attendance.checked_out_at = now
        attendance.save(update_fields=["checked_out_at"])
    attendance.session, attendance.officer = session, officer
    attendance_credit(attendance, session, by)
    if created:
        audit_record(actor=by, action="classes.attendance.roll_call", obj=attendance, new={"present": True})
    return attendance


def _check_enrolled_for_roll_call(session: ClassSession, officer: Officer) -> None:
    try:
        _check_enrolled(session, officer)
    except CheckinRefused as error:
        raise ClassError(f"{officer.name}：{error}")
