"""Writes of the classes app: classes, sessions, instructor bookings, enrolment with its waiting list, ratings.

Check-in and attendance are in checkin.py, programmes and their certificates in programmes.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhifa.classes.models import (
    Attendance,
    ClassDocument,
    ClassSession,
    Enrolment,
    Instructor,
    OfflineClass,
    RatingReceipt,
    RatingResponse,
)
from zhifa.common.audit import audit_record
from zhifa.common.crypto_provider import get_provider
from zhifa.notices.models import Notice
from zhifa.notices.services import NoticeIn, notice_send, notices_send
from zhifa.people import access
from zhifa.people.audiences import audience_contains, audience_officers
from zhifa.people.models import Audience, Officer, Unit, User


class ClassError(ValueError):
    """A request the classes app refuses; the message is Chinese and says how to fix it."""


class NotPermitted(ClassError):
    pass


class ClassFull(ClassError):
    pass


class InstructorClash(ClassError):
    pass


class AlreadyRated(ClassError):
    pass


def _check_manage(by: User, offline_class: OfflineClass) -> None:
    if not access.can_manage_unit(by, offline_class.organiser):
        raise NotPermitted("您无权管理该培训班（仅主办单位及其上级单位的管理员可以）。")


def _class_url(offline_class: OfflineClass) -> str:
    return reverse("classes:class-detail", args=[offline_class.pk])


# ---- classes -----------------------------------------------------------------------------------------------------


@transaction.atomic
def class_save(
    *,
    by: User,
    offline_class: OfflineClass | None = None,
    title: str,
    organiser: Unit,
    starts_on: date,
    ends_on: date,
    capacity: int,
    mode: str,
    audience: Audience | None = None,
    summary: str = "",
    pre_course=None,
    post_exam=None,
) -> OfflineClass:
    """Create or change a class; raises NotPermitted outside the user's units, ClassError for bad dates/capacity."""
    if not access.can_manage_unit(by, organiser):
        raise NotPermitted("主办单位须是您管理的单位。")
    if offline_class is not None:
        _check_manage(by, offline_class)
    if not title.strip():
        raise ClassError("请填写培训班名称。")
    if ends_on < starts_on:
        raise ClassError("结业日期早于开班日期，请检查“开班日期”和“结业日期”。")
    if capacity < 1:
        raise ClassError("容量至少为 1 人。")
    if mode not in OfflineClass.Mode.values:
        raise ClassError("报名方式只能是指定参训、报名审核或自由报名。")
    created = offline_class is None
    offline_class = offline_class or OfflineClass(created_by=by)
    if not created:
        enrolled = offline_class.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        if capacity < enrolled:
            raise ClassError(f"已有 {enrolled} 人报名，容量不能少于 {enrolled}；请先调整报名名单。")
    for field, value in {
        "title": title.strip(),
        "organiser": organiser,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "capacity": capacity,
        "mode": mode,
        "audience": audience,
        "summary": summary,
        "pre_course": pre_course,
        "post_exam": post_exam,
    }.items():
        setattr(offline_class, field, value)
    offline_class.save()
    if not created:
        _promote_waiting(offline_class)  # a larger capacity moves the waiting list up
    return offline_class


@transaction.atomic
def class_cancel(*, by: User, offline_class: OfflineClass, reason: str) -> int:
    """Cancel a class and tell everyone enrolled, waiting or applying; returns how many notices went out. Audited."""
    _check_manage(by, offline_class)
    reason = reason.strip()
    if not reason:
        raise ClassError("取消培训班须填写原因（将通知所有已报名人员）。")
    offline_class = OfflineClass.objects.select_for_update().get(pk=offline_class.pk)
    if offline_class.is_cancelled:
        return 0
    offline_class.status, offline_class.cancel_reason = OfflineClass.Status.CANCELLED, reason[:200]
    offline_class.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        actor=by,
        action="classes.class.cancel",
        obj=offline_class,
        old={"status": "published"},
        new={"status": "cancelled"},
        reason=reason,
    )
    users = Officer.objects.filter(
        class_enrolments__offline_class=offline_class,
        class_enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITING, Enrolment.Status.APPLIED],
    ).values_list("user_id", flat=True)
    instructors = Instructor.objects.filter(sessions__offline_class=offline_class, user__isnull=False).values_list(
        "user_id", flat=True
    )
    title = f"培训班“{offline_class.title}”已取消"
    body = f"原定 {offline_class.starts_on:%Y-%m-%d} 开班的培训班已取消。原因：{reason}"
    return notices_send(
        NoticeIn(
            user_id=user_id,
            key=f"classes:class:{offline_class.pk}:cancelled",
            title=title,
            body=body,
            url=_class_url(offline_class),
            kind=Notice.Kind.CLASS,
        )
        for user_id in {*users, *instructors}
    )


@transaction.atomic
def document_add(*, by: User, offline_class: OfflineClass, title: str, file) -> ClassDocument:
    _check_manage(by, offline_class)
    if not title.strip():
        raise ClassError("请填写资料名称。")
    return ClassDocument.objects.create(offline_class=offline_class, title=title.strip()[:200], file=file)


# ---- sessions and instructor bookings ---------------------------------------------------------------------------


def _clash(
    instructor: Instructor, starts_at: datetime, ends_at: datetime, exclude_id: int | None
) -> ClassSession | None:
    """Another live session of the instructor overlapping [starts_at, ends_at), if any."""
    return (
        ClassSession.objects.filter(instructor=instructor, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=exclude_id or 0)
        .exclude(booking=ClassSession.Booking.DECLINED)
        .exclude(offline_class__status=OfflineClass.Status.CANCELLED)
        .select_related("offline_class")
        .first()
    )


def _clash_error(other: ClassSession) -> InstructorClash:
    at = timezone.localtime(other.starts_at)
    until = timezone.localtime(other.ends_at)
    return InstructorClash(
        f"讲师{other.instructor}在 {at:%Y-%m-%d %H:%M}–{until:%H:%M} "
        f"已安排“{other.offline_class.title}·{other.topic}”，时间冲突；请调整本课次时间或另请讲师。"
    )


@dataclass
class SessionIn:
    topic: str
    starts_at: datetime
    ends_at: datetime
    venue: str = ""
    online_url: str = ""
    instructor: Instructor | None = None
    hours: Decimal = Decimal("2")
    category: str = "legal"
    group: str = ""
    required: bool = True
    checkout_required: bool = False
    step_seconds: int | None = None
    geofence_lat: float | None = None
    geofence_lng: float | None = None
    geofence_radius_m: int | None = None


@transaction.atomic
def session_save(
    *, by: User, offline_class: OfflineClass, data: SessionIn, session: ClassSession | None = None
) -> ClassSession:
    """Create or change a session; a new or changed instructor is asked (booking requested) and notified.

    Raises ClassError for bad times, a missing venue, a half-set geofence; InstructorClash when the instructor
    already has an overlapping session.
    """
    _check_manage(by, offline_class)
    if offline_class.is_cancelled:
        raise ClassError("培训班已取消，不能再安排课次。")
    if not data.topic.strip():
        raise ClassError("请填写课次专题。")
    if data.ends_at <= data.starts_at:
        raise ClassError("课次的结束时间须晚于开始时间。")
    if not (data.venue.strip() or data.online_url.strip()):
        raise ClassError("请填写上课地点或线上会议链接（至少一项）。")
    fence = (data.geofence_lat, data.geofence_lng, data.geofence_radius_m)
    if any(v is not None for v in fence) and None in fence:
        raise ClassError("定位签到须同时填写场地纬度、经度和签到范围（米），或三项都留空。")
    if data.instructor is not None:
        # Lock the instructor: two organisers booking him at once are checked one after the other.
        Instructor.objects.select_for_update().filter(pk=data.instructor.pk).first()
        other = _clash(data.instructor, data.starts_at, data.ends_at, session.pk if session else None)
        if other is not None:
            raise _clash_error(other)
    previous = session.instructor_id if session else None
    session = session or ClassSession(offline_class=offline_class)
    for field, value in vars(data).items():
        setattr(session, field, value.strip() if isinstance(value, str) else value)
    if data.instructor is None:
        session.booking = ClassSession.Booking.NONE
    elif data.instructor.pk != previous:
        session.booking = ClassSession.Booking.REQUESTED
    session.save()
    if data.instructor is not None and data.instructor.pk != previous and data.instructor.user is not None:
        at = timezone.localtime(session.starts_at)
        notice_send(
            user=data.instructor.user,
            key=f"classes:session:{session.pk}:ask:{data.instructor.pk}",
            title=f"授课邀请：{offline_class.title}",
            body=f"{at:%Y-%m-%d %H:%M} “{session.topic}”，地点：{session.venue or session.online_url}。"
            "请确认是否接受。",
            url=reverse("classes:teaching"),
            kind=Notice.Kind.CLASS,
        )
    return session


@transaction.atomic
def session_booking_answer(*, by: User, session: ClassSession, accept: bool) -> ClassSession:
    """The instructor accepts or declines a session he was asked to teach; raises NotPermitted for anyone else."""
    session = (
        ClassSession.objects.select_for_update(of=("self",))
        .select_related("instructor", "offline_class")
        .get(pk=session.pk)
    )
    if session.instructor is None or session.instructor.user_id != by.pk:
        raise NotPermitted("这不是邀请您讲授的课次。")
    if accept:
        other = _clash(session.instructor, session.starts_at, session.ends_at, session.pk)
        if other is not None and other.booking == ClassSession.Booking.ACCEPTED:
            raise _clash_error(other)
    session.booking = ClassSession.Booking.ACCEPTED if accept else ClassSession.Booking.DECLINED
    session.save(update_fields=["booking"])
    if session.offline_class.created_by is not None:
        notice_send(
            user=session.offline_class.created_by,
            key=f"classes:session:{session.pk}:booking:{session.instructor_id}:{session.booking}",
            title=f"讲师{session.instructor}{'接受' if accept else '谢绝'}了授课邀请",
            body=f"{session.offline_class.title} · {session.topic}",
            url=_class_url(session.offline_class),
            kind=Notice.Kind.CLASS,
        )
    return session


# ---- enrolment and the waiting list -----------------------------------------------------------------------------


def _locked(offline_class: OfflineClass) -> OfflineClass:
    """The class row locked: enrolment changes of one class run one after another (capacity holds)."""
    return OfflineClass.objects.select_for_update().get(pk=offline_class.pk)


def _enrolled_count(offline_class: OfflineClass) -> int:
    return offline_class.enrolments.filter(status=Enrolment.Status.ENROLLED).count()


def _tell(enrolment: Enrolment, event: str, title: str, body: str = "") -> None:
    notice_send(
        user=enrolment.officer.user,
        key=f"classes:enrolment:{enrolment.pk}:{event}",
        title=title,
        body=body,
        url=_class_url(enrolment.offline_class),
        kind=Notice.Kind.CLASS,
    )


def _promote_waiting(offline_class: OfflineClass) -> list[Enrolment]:
    """Move the waiting list up while there is room (first come, first served); each promoted officer is told."""
    offline_class = _locked(offline_class)
    room = offline_class.capacity - _enrolled_count(offline_class)
    if room <= 0 or offline_class.is_cancelled:
        return []
    waiting = list(
        offline_class.enrolments.filter(status=Enrolment.Status.WAITING)
        .select_related("officer__user", "offline_class")
        .order_by("queued_at", "pk")[:room]
    )
    for enrolment in waiting:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.save(update_fields=["status"])
        _tell(enrolment, "promoted", f"候补转正：您已进入培训班“{offline_class.title}”", "请按时参加，凭手机扫码签到。")
    return waiting


def _enrol_row(offline_class: OfflineClass, officer: Officer, status: str, by: User | None) -> Enrolment:
    enrolment, created = Enrolment.objects.get_or_create(
        offline_class=offline_class, officer=officer, defaults={"status": status, "decided_by": by}
    )
    if not created:
        if enrolment.status in (Enrolment.Status.ENROLLED, Enrolment.Status.WAITING, Enrolment.Status.APPLIED):
            raise ClassError(f"{officer.name}已在该培训班的名单中（{enrolment.get_status_display()}）。")
        enrolment.status, enrolment.decided_by = status, by
        enrolment.queued_at = timezone.now()
        enrolment.save(update_fields=["status", "decided_by", "queued_at"])
    return enrolment


@transaction.atomic
def enrolment_add(
    *, by: User, offline_class: OfflineClass, officer: Officer, waiting_if_full: bool = False
) -> Enrolment:
    """An administrator puts an officer on the class; raises ClassFull at capacity (unless waiting_if_full)."""
    _check_manage(by, offline_class)
    offline_class = _locked(offline_class)
    if offline_class.is_cancelled:
        raise ClassError("培训班已取消，不能再报名。")
    if not access.can_view_officer(by, officer):
        raise NotPermitted(f"您无权为{officer.name}报名（不在您管理的单位）。")
    full = _enrolled_count(offline_class) >= offline_class.capacity
    if full and not waiting_if_full:
        raise ClassFull(
            f"培训班已满（容量 {offline_class.capacity} 人），{officer.name}未能报名；"
            "请先扩大容量，或将其列入候补名单。"
        )
    enrolment = _enrol_row(offline_class, officer, Enrolment.Status.WAITING if full else Enrolment.Status.ENROLLED, by)
    audit_record(actor=by, action="classes.enrolment.add", obj=enrolment, new={"status": enrolment.status})
    _tell(
        enrolment,
        f"added:{enrolment.status}",
        f"您已被{'列入候补' if full else '安排参加'}培训班“{offline_class.title}”",
    )
    return enrolment


@transaction.atomic
def enrolment_add_audience(*, by: User, offline_class: OfflineClass) -> tuple[int, int]:
    """Enrol the class's audience: up to capacity enrolled, the rest waiting. Returns (enrolled, waiting)."""
    _check_manage(by, offline_class)
    audience = offline_class.audience
    if audience is None:
        raise ClassError("培训班未设置培训对象，请先编辑培训班并选择培训对象。")
    offline_class = _locked(offline_class)
    already = set(offline_class.enrolments.values_list("officer_id", flat=True))
    room = offline_class.capacity - _enrolled_count(offline_class)
    enrolled = waiting = 0
    for officer in audience_officers(audience).select_related("user").order_by("unit__path", "name"):
        if officer.pk in already:
            continue
        status = Enrolment.Status.ENROLLED if room > 0 else Enrolment.Status.WAITING
        room -= 1
        enrolment = Enrolment.objects.create(offline_class=offline_class, officer=officer, status=status, decided_by=by)
        enrolled, waiting = (enrolled + 1, waiting) if status == Enrolment.Status.ENROLLED else (enrolled, waiting + 1)
        _tell(
            enrolment,
            f"added:{status}",
            f"您已被{'安排参加' if status == 'enrolled' else '列入候补'}培训班“{offline_class.title}”",
        )
    audit_record(
        actor=by, action="classes.enrolment.audience", obj=offline_class, new={"enrolled": enrolled, "waiting": waiting}
    )
    return enrolled, waiting


def _open_to(offline_class: OfflineClass, officer: Officer) -> bool:
    if offline_class.audience is None:
        return officer.unit.is_within(offline_class.organiser)
    return audience_contains(offline_class.audience, officer)


@transaction.atomic
def enrolment_request(*, officer: Officer, offline_class: OfflineClass) -> Enrolment:
    """The officer signs up: open mode enrols him (or puts him on the waiting list), apply mode waits for approval.

    Raises ClassError when the class is cancelled or assigned-only, or he is not in its audience.
    """
    offline_class = _locked(offline_class)
    if offline_class.is_cancelled or offline_class.status != OfflineClass.Status.PUBLISHED:
        raise ClassError("该培训班未开放报名。")
    if offline_class.mode == OfflineClass.Mode.ASSIGNED:
        raise ClassError("该培训班为指定参训，由主办单位安排人员，无需个人报名。")
    if offline_class.ends_on < timezone.localdate():
        raise ClassError("该培训班已结束。")
    if not _open_to(offline_class, officer):
        raise ClassError("您不在该培训班的培训对象范围内，如需参加请联系主办单位。")
    if offline_class.mode == OfflineClass.Mode.APPLY:
        status = Enrolment.Status.APPLIED
    elif _enrolled_count(offline_class) >= offline_class.capacity:
        status = Enrolment.Status.WAITING
    else:
        status = Enrolment.Status.ENROLLED
    return _enrol_row(offline_class, officer, status, officer.user)


@transaction.atomic
def enrolment_decide(*, by: User, enrolment: Enrolment, approve: bool) -> Enrolment:
    """Approve (enrolled, or waiting when full) or reject an application; audited; the officer is told."""
    _check_manage(by, enrolment.offline_class)
    offline_class = _locked(enrolment.offline_class)
    enrolment = (
        Enrolment.objects.select_for_update().select_related("officer__user", "offline_class").get(pk=enrolment.pk)
    )
    if enrolment.status != Enrolment.Status.APPLIED:
        raise ClassError("该报名已处理过。")
    old = enrolment.status
    if not approve:
        enrolment.status = Enrolment.Status.REJECTED
    elif _enrolled_count(offline_class) >= offline_class.capacity:
        enrolment.status = Enrolment.Status.WAITING
    else:
        enrolment.status = Enrolment.Status.ENROLLED
    enrolment.decided_by = by
    enrolment.queued_at = timezone.now()
    enrolment.save(update_fields=["status", "decided_by", "queued_at"])
    audit_record(
        actor=by,
        action="classes.enrolment.decide",
        obj=enrolment,
        old={"status": old},
        new={"status": enrolment.status},
    )
    _tell(
        enrolment,
        f"decided:{enrolment.status}",
        f"培训班“{offline_class.title}”报名结果：{enrolment.get_status_display()}",
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, by: User, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """Take an officer off the class (himself, or an administrator); the waiting list moves up. Audited."""
    me = access.officer_of(by)
    if not (me is not None and me.pk == enrolment.officer_id) and not access.can_manage_unit(
        by, enrolment.offline_class.organiser
    ):
        raise NotPermitted("您无权调整该报名。")
    _locked(enrolment.offline_class)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        return enrolment
    old = enrolment.status
    enrolment.status, enrolment.decided_by = Enrolment.Status.WITHDRAWN, by
    enrolment.save(update_fields=["status", "decided_by"])
    audit_record(
        actor=by,
        action="classes.enrolment.withdraw",
        obj=enrolment,
        old={"status": old},
        new={"status": "withdrawn"},
        reason=reason,
    )
    _promote_waiting(enrolment.offline_class)
    return enrolment


@transaction.atomic
def enrolment_move(*, by: User, enrolment: Enrolment, group: str) -> Enrolment:
    """Move an enrolled officer to another group of the class (the sessions of that group become his)."""
    _check_manage(by, enrolment.offline_class)
    group = group.strip()[:20]
    groups = set(enrolment.offline_class.sessions.exclude(group="").values_list("group", flat=True))
    if group and group not in groups:
        raise ClassError(f"分组“{group}”没有课次；可选分组：{'、'.join(sorted(groups)) or '（无）'}。")
    old = enrolment.group
    enrolment.group = group
    enrolment.save(update_fields=["group"])
    audit_record(actor=by, action="classes.enrolment.move", obj=enrolment, old={"group": old}, new={"group": group})
    return enrolment


# ---- instructors ------------------------------------------------------------------------------------------------


@transaction.atomic
def instructor_save(
    *,
    by: User,
    instructor: Instructor | None = None,
    name: str,
    kind: str,
    organisation: str = "",
    title: str = "",
    bio: str = "",
    phone: str | None = None,
    user: User | None = None,
    domains=(),
    knowledge_points=(),
    photo=None,
) -> Instructor:
    """Register or change an instructor; the phone is stored encrypted with a masked copy. Audited."""
    if not access.can_manage_people(by):
        raise NotPermitted("只有单位培训管理员或系统管理员可以维护师资库。")
    if instructor is not None and instructor.unit is not None and not access.can_manage_unit(by, instructor.unit):
        raise NotPermitted("该讲师由其他单位登记，您无权修改。")
    if not name.strip():
        raise ClassError("请填写讲师姓名。")
    if kind not in Instructor.Kind.values:
        raise ClassError("讲师类型只能是内部讲师或外聘讲师。")
    created = instructor is None
    instructor = instructor or Instructor(unit=access.units_managed_by(by).order_by("path").first())
    instructor.name, instructor.kind = name.strip(), kind
    instructor.organisation, instructor.title, instructor.bio = organisation.strip(), title.strip(), bio.strip()
    if user is not None:
        instructor.user = user
    if photo:
        instructor.photo = photo
    if phone is not None and phone.strip():
        digits = phone.strip().replace("-", "").replace(" ", "")
        if not digits.isdigit() or not 7 <= len(digits) <= 15:
            raise ClassError("联系电话只能包含数字（7–15 位），例如 13912345678。")
        instructor.phone_encrypted = get_provider().encrypt(digits)
        instructor.phone_masked = digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    try:
        with transaction.atomic():
            instructor.save()
    except IntegrityError:
        raise ClassError("该账号已关联另一位讲师。")
    instructor.domains.set(domains)
    instructor.knowledge_points.set(knowledge_points)
    audit_record(
        actor=by,
        action="classes.instructor.create" if created else "classes.instructor.update",
        obj=instructor,
        new={"name": instructor.name, "kind": kind, "phone_changed": bool(phone)},
    )
    return instructor


def instructor_phone_unmask(*, by: User, instructor: Instructor, reason: str = "") -> str:
    """The plain phone number for an administrator (unit or system administrator; not auditors, not the instructor's
    own page); raises NotPermitted otherwise. Every reveal is audited, with the reason given."""
    if not access.can_manage_people(by):
        raise NotPermitted("您无权查看讲师的完整联系电话。")
    audit_record(
        actor=by, action="classes.instructor.unmask", obj=instructor, reason=reason.strip() or "查看讲师联系电话"
    )
    return instructor.phone_plain()


# ---- anonymous ratings ------------------------------------------------------------------------------------------


@transaction.atomic
def rating_submit(
    *, officer: Officer, session: ClassSession, content: int, usefulness: int, delivery: int, comment: str = ""
) -> None:
    """Record one anonymous rating: a receipt (who has answered) and a response (what) with nothing linking them.

    Raises ClassError when he did not attend or the session has not started; AlreadyRated on a second answer.
    """
    scores = {"内容": content, "对执法工作的帮助": usefulness, "讲授": delivery}
    for label, value in scores.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ClassError(f"“{label}”请选择 1 到 5 分。")
    if timezone.now() < session.starts_at:
        raise ClassError("课次开始后才能评价。")
    if timezone.now() > session.ends_at + timedelta(days=30):
        raise ClassError("评价已截止（课次结束 30 天内可以评价）。")
    if not Attendance.objects.filter(session=session, officer=officer).exists():
        raise ClassError("只有签到参加了本课次的人员可以评价。")
    try:
        with transaction.atomic():
            RatingReceipt.objects.create(session=session, officer=officer)
    except IntegrityError:
        raise AlreadyRated("您已评价过本课次，每人只能评价一次。")
    RatingResponse.objects.create(
        session=session, content=content, usefulness=usefulness, delivery=delivery, comment=comment.strip()[:1000]
    )
