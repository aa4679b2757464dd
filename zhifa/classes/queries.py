"""Reads of the classes app; other apps call class_completion()."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.classes import ratings
from zhifa.classes.models import (
    Attendance,
    ClassDocument,
    ClassSession,
    Enrolment,
    Instructor,
    OfflineClass,
    Programme,
    ProgrammeCertificate,
    RatingReceipt,
    RatingResponse,
)
from zhifa.exams.models import Grade
from zhifa.people import access
from zhifa.people.audiences import AUDIENCE_PREFETCH, audience_contains
from zhifa.people.models import Officer


def class_completion(*, class_ids: Iterable[int], officer_ids: Iterable[int]) -> dict[tuple[int, int], bool]:
    """For every (class, officer) pair: True when the officer attended every required session of his group.

    Attended means checked in, and also checked out when the session requires it. A cancelled class, a class with
    no required session, or an officer not enrolled is never complete. Three queries, whatever the sizes.
    """
    class_ids, officer_ids = list(dict.fromkeys(class_ids)), list(dict.fromkeys(officer_ids))
    result = {(c, o): False for c in class_ids for o in officer_ids}
    if not class_ids or not officer_ids:
        return result
    sessions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, class_id, group in (
        ClassSession.objects.filter(offline_class_id__in=class_ids, required=True)
        .exclude(offline_class__status=OfflineClass.Status.CANCELLED)
        .values_list("pk", "offline_class_id", "group")
    ):
        sessions[class_id].append((session_id, group))
    attended = set(
        Attendance.objects.filter(session__offline_class_id__in=class_ids, officer_id__in_array=officer_ids)
        .filter(Q(session__checkout_required=False) | Q(checked_out_at__isnull=False))
        .values_list("session_id", "officer_id")
    )
    for class_id, officer_id, group in Enrolment.objects.filter(
        offline_class_id__in=class_ids, officer_id__in_array=officer_ids, status=Enrolment.Status.ENROLLED
    ).values_list("offline_class_id", "officer_id", "group"):
        required = [s for s, g in sessions.get(class_id, []) if not g or g == group]
        result[(class_id, officer_id)] = bool(required) and all((s, officer_id) in attended for s in required)
    return result


# ---- access-checked reads ---------------------------------------------------------------------------------------


def _unit_filter(paths: list[str] | None, field: str) -> Q:
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__path__startswith": path})
    return q


def classes_viewable_by(user) -> QuerySet[OfflineClass]:
    """Classes in the console: organised by a unit the user manages or audits."""
    return OfflineClass.objects.filter(_unit_filter(access.viewable_unit_paths(user), "organiser"))


def class_get_for_manager(*, class_id: int, user, write: bool = False) -> OfflineClass:
    """A class for the console; Http404 when the user neither manages nor audits its organiser (or may not write)."""
    offline_class = get_object_or_404(OfflineClass.objects.select_related("organiser", "audience"), pk=class_id)
    allowed = access.can_manage_unit if write else access.can_view_unit
    if not allowed(user, offline_class.organiser):
        raise Http404
    return offline_class


def session_get_for_manager(*, session_id: int, user, write: bool = False) -> ClassSession:
    session = get_object_or_404(
        ClassSession.objects.select_related("offline_class__organiser", "instructor"), pk=session_id
    )
    allowed = access.can_manage_unit if write else access.can_view_unit
    if not allowed(user, session.offline_class.organiser):
        raise Http404
    return session


def _open_to(offline_class: OfflineClass, officer: Officer) -> bool:
    if offline_class.audience is None:
        return officer.unit.is_within(offline_class.organiser)
    return audience_contains(offline_class.audience, officer)


def classes_open_for(officer: Officer) -> list[OfflineClass]:
    """Published classes still to come that the officer may sign up for (open or apply mode, in the audience)."""
    candidates = (
        OfflineClass.objects.filter(status=OfflineClass.Status.PUBLISHED, ends_on__gte=timezone.localdate())
        .exclude(mode=OfflineClass.Mode.ASSIGNED)
        .exclude(enrolments__officer=officer)
        .select_related("organiser", "audience")
        .prefetch_related(*(f"audience__{p}" for p in AUDIENCE_PREFETCH))
        .order_by("starts_on")[:50]
    )
    return [c for c in candidates if _open_to(c, officer)]


def enrolments_of(officer: Officer) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(officer=officer)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("offline_class__organiser")
        .order_by("-offline_class__starts_on")
    )


def class_get_for_officer(*, class_id: int, user) -> tuple[OfflineClass, Enrolment | None]:
    """A class for the learner page: his own (any status) or one open to him; Http404 otherwise."""
    officer = access.officer_of(user)
    offline_class = get_object_or_404(OfflineClass.objects.select_related("organiser", "audience"), pk=class_id)
    enrolment = Enrolment.objects.filter(offline_class=offline_class, officer=officer).first() if officer else None
    if enrolment is not None:
        return offline_class, enrolment
    if access.can_view_unit(user, offline_class.organiser):
        return offline_class, None
    if officer is None or offline_class.status != OfflineClass.Status.PUBLISHED or not _open_to(offline_class, officer):
        raise Http404
    if offline_class.mode == OfflineClass.Mode.ASSIGNED:
        raise Http404
    return offline_class, None


def sessions_for_enrolment(offline_class: OfflineClass, enrolment: Enrolment | None) -> list[ClassSession]:
    sessions = offline_class.sessions.select_related("instructor").order_by("starts_at")
    if enrolment is not None and enrolment.group:
        sessions = sessions.filter(Q(group="") | Q(group=enrolment.group))
    return list(sessions)


def attended_session_ids(officer: Officer | None, offline_class: OfflineClass) -> dict[int, Attendance]:
    if officer is None:
        return {}
    return {a.session_id: a for a in Attendance.objects.filter(officer=officer, session__offline_class=offline_class)}


def rated_session_ids(officer: Officer | None, offline_class: OfflineClass) -> set[int]:
    if officer is None:
        return set()
    return set(
        RatingReceipt.objects.filter(officer=officer, session__offline_class=offline_class).values_list(
            "session_id", flat=True
        )
    )


def session_for_rating(*, session_id: int, user) -> tuple[ClassSession, Officer]:
    """A session the user attended (the only ones he may rate); Http404 otherwise."""
    officer = access.officer_of(user)
    session = get_object_or_404(ClassSession.objects.select_related("offline_class", "instructor"), pk=session_id)
    if officer is None or not Attendance.objects.filter(session=session, officer=officer).exists():
        raise Http404
    return session, officer


# ---- ratings, shown only in aggregate ---------------------------------------------------------------------------


def rating_summary(*, session_ids: Iterable[int]) -> ratings.RatingSummary:
    """The ratings of these sessions together; hidden below ratings.MIN_RESPONSES responses."""
    rows = list(
        RatingResponse.objects.filter(session_id__in=list(session_ids)).values(
            "content", "usefulness", "delivery", "comment"
        )
    )
    return ratings.summarise(rows)


# ---- instructors ------------------------------------------------------------------------------------------------


def instructor_of(user) -> Instructor | None:
    if not user.is_authenticated:
        return None
    return Instructor.objects.filter(user=user).first()


def instructors_for_console(user) -> QuerySet[Instructor]:
    """The registry: every console user reads all of it (a bureau shares its instructors)."""
    if not access.can_use_console(user):
        raise Http404
    return Instructor.objects.prefetch_related("domains", "knowledge_points").order_by("name")


def instructor_get_for_user(*, instructor_id: int, user) -> Instructor:
    """An instructor's page: console users, and the instructor himself; Http404 for others."""
    instructor = get_object_or_404(Instructor.objects.prefetch_related("domains", "knowledge_points"), pk=instructor_id)
    if not (access.can_use_console(user) or (instructor.user_id and instructor.user_id == user.pk)):
        raise Http404
    return instructor


def sessions_of_instructor(instructor: Instructor, *, year: int | None = None) -> QuerySet[ClassSession]:
    sessions = (
        ClassSession.objects.filter(instructor=instructor)
        .select_related("offline_class__organiser")
        .annotate(attended=Count("attendances"))
        .order_by("-starts_at")
    )
    if year is not None:
        sessions = sessions.filter(starts_at__year=year)
    return sessions


def session_get_for_instructor(*, session_id: int, user) -> ClassSession:
    instructor = instructor_of(user)
    session = get_object_or_404(ClassSession.objects.select_related("offline_class", "instructor"), pk=session_id)
    if instructor is None or session.instructor_id != instructor.pk:
        raise Http404
    return session


def documents_for_instructor(instructor: Instructor) -> QuerySet[ClassDocument]:
    return (
        ClassDocument.objects.filter(
            offline_class__sessions__instructor=instructor, offline_class__status=OfflineClass.Status.PUBLISHED
        )
        .distinct()
        .select_related("offline_class")
    )


def document_get_for_user(*, document_id: int, user) -> ClassDocument:
    """A class document: enrolled officers, the class's instructors, and the console users who see the class."""
    document = get_object_or_404(ClassDocument.objects.select_related("offline_class__organiser"), pk=document_id)
    klass = document.offline_class
    officer = access.officer_of(user)
    if officer and klass.enrolments.filter(officer=officer, status=Enrolment.Status.ENROLLED).exists():
        return document
    instructor = instructor_of(user)
    if instructor and klass.sessions.filter(instructor=instructor).exists():
        return document
    if access.can_view_unit(user, klass.organiser):
        return document
    raise Http404


# ---- the class report -------------------------------------------------------------------------------------------


@dataclass
class SessionLine:
    session: ClassSession
    expected: int
    present: int
    ratings: ratings.RatingSummary


@dataclass
class ExamResults:
    exam: object
    sat: int
    passed: int
    mean: float | None


def class_report(offline_class: OfflineClass) -> tuple[list[SessionLine], ratings.RatingSummary, ExamResults | None]:
    """Reaction and learning side by side: attendance and ratings per session, the post-class exam's results."""
    enrolled = list(
        offline_class.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list("officer_id", "group")
    )
    sessions = list(
        offline_class.sessions.select_related("instructor").annotate(present=Count("attendances")).order_by("starts_at")
    )
    lines = [
        SessionLine(
            s,
            sum(1 for _, g in enrolled if not s.group or g == s.group),
            s.present,  # type: ignore[attr-defined]
            rating_summary(session_ids=[s.pk]),
        )
        for s in sessions
    ]
    overall = rating_summary(session_ids=[s.pk for s in sessions])
    results = None
    if offline_class.post_exam_id:
        officer_ids = [o for o, _ in enrolled]
        grades = Grade.objects.filter(
            attempt__exam_id=offline_class.post_exam_id, attempt__officer_id__in_array=officer_ids, status="final"
        )
        best: dict[int, Grade] = {}
        for grade in grades.select_related("attempt"):
            current = best.get(grade.attempt.officer_id)
            if current is None or grade.total > current.total:
                best[grade.attempt.officer_id] = grade
        scores = [float(g.total) for g in best.values()]
        results = ExamResults(
            offline_class.post_exam,
            len(best),
            sum(1 for g in best.values() if g.passed),
            round(sum(scores) / len(scores), 1) if scores else None,
        )
    return lines, overall, results


def session_roster(session: ClassSession) -> list[tuple[Officer, Attendance | None]]:
    """The officers expected at the session, with their attendance (the roll call and the sign-in sheet)."""
    enrolments = Enrolment.objects.filter(
        offline_class_id=session.offline_class_id, status=Enrolment.Status.ENROLLED
    ).select_related("officer__unit")
    if session.group:
        enrolments = enrolments.filter(group=session.group)
    present = {a.officer_id: a for a in session.attendances.all()}
    officers = sorted((e.officer for e in enrolments), key=lambda o: (o.unit.path, o.name))
    return [(o, present.get(o.pk)) for o in officers]


def present_count(session: ClassSession) -> int:
    return Attendance.objects.filter(session=session).count()


# ---- programmes -------------------------------------------------------------------------------------------------


def programmes_for_officer(officer: Officer) -> list[Programme]:
    """Programmes whose audience holds him, or with a class part he is enrolled in."""
    enrolled = Programme.objects.filter(
        parts__offline_class__enrolments__officer=officer,
        parts__offline_class__enrolments__status=Enrolment.Status.ENROLLED,
    )
    candidates = Programme.objects.filter(Q(audience__isnull=False) | Q(pk__in=enrolled.values("pk"))).distinct()
    candidates = candidates.select_related("audience", "organiser").prefetch_related(
        *(f"audience__{p}" for p in AUDIENCE_PREFETCH)
    )
    enrolled_ids = set(enrolled.values_list("pk", flat=True))
    return [p for p in candidates if p.pk in enrolled_ids or (p.audience and audience_contains(p.audience, officer))]


def programme_get_for_officer(*, programme_id: int, user) -> tuple[Programme, Officer]:
    officer = access.officer_of(user)
    if officer is None:
        raise Http404
    for programme in programmes_for_officer(officer):
        if programme.pk == programme_id:
            return programme, officer
    raise Http404


def programmes_viewable_by(user) -> QuerySet[Programme]:
    return Programme.objects.filter(_unit_filter(access.viewable_unit_paths(user), "organiser")).select_related(
        "organiser"
    )


def programme_get_for_manager(*, programme_id: int, user, write: bool = False) -> Programme:
    programme = get_object_or_404(Programme.objects.select_related("organiser"), pk=programme_id)
    allowed = access.can_manage_unit if write else access.can_view_unit
    if not allowed(user, programme.organiser):
        raise Http404
    return programme


def certificate_get_by_code(*, code: str) -> ProgrammeCertificate:
    return get_object_or_404(ProgrammeCertificate.objects.select_related("officer", "programme"), code=code.upper())


def certificate_get_for_user(*, code: str, user) -> ProgrammeCertificate:
    certificate = certificate_get_by_code(code=code)
    if not access.can_view_officer(user, certificate.officer):
        raise Http404
    return certificate
