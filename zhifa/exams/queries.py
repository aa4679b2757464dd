"""Reads for a user: every exam, attempt or answer is loaded here with its access check (Http404 when not visible)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.exams import papers
from zhifa.exams.models import Answer, Attempt, Exam, ExamPaper, Grade, ManualGrade
from zhifa.laws.models import Citation
from zhifa.people import access
from zhifa.people.audiences import AUDIENCE_PREFETCH, audience_contains, audience_officers, audiences_reaching
from zhifa.people.models import Officer, Role, User
from zhifa.questions.models import Option, Question


def officer_may_sit(exam: Exam, officer: Officer) -> bool:
    """Whether the officer is in the exam's audience (people.audiences: named officers always, excluded never,
    otherwise every rule that is set must hold; an exam without an audience admits nobody).

    Reads the audience through .all(), so a caller that prefetched it (exams_for_officer) pays no query.
    """
    return exam.audience is not None and audience_contains(exam.audience, officer)


EXAM_AUDIENCE_PREFETCH = tuple(f"audience__{name}" for name in AUDIENCE_PREFETCH)


def exam_officers(exam: Exam) -> QuerySet[Officer]:
    """Every officer the exam's audience selects today (SQL; none without an audience)."""
    return Officer.objects.none() if exam.audience is None else audience_officers(exam.audience)


def exams_for_officer(*, user: User) -> list[Exam]:
    """Published exams the user may sit, open or upcoming or recently closed (for results)."""
    officer = access.officer_of(user)
    if officer is None:
        return []
    since = timezone.now() - timedelta(days=365)
    candidates = (
        Exam.objects.filter(status=Exam.Status.PUBLISHED, closes_at__gte=since, audience__isnull=False)
        .select_related("unit", "audience")
        .prefetch_related(*EXAM_AUDIENCE_PREFETCH)
    )
    officer = (
        Officer.objects.select_related("unit", "user")
        .prefetch_related("domains", "user__role_grants")
        .get(pk=officer.pk)
    )
    return [exam for exam in candidates if officer_may_sit(exam, officer)]


def my_attempt_states(*, user: User, exams: list[Exam]) -> dict[int, tuple[int, bool]]:
    """{exam id: (attempts handed in, one running)} for the user's officer."""
    officer = access.officer_of(user)
    if officer is None or not exams:
        return {}
    states: dict[int, tuple[int, bool]] = {}
    rows = Attempt.objects.filter(officer=officer, exam__in=[e.pk for e in exams]).values_list("exam_id", "status")
    for exam_id, status in rows:
        handed, running = states.get(exam_id, (0, False))
        if status == Attempt.Status.RUNNING:
            running = True
        else:
            handed += 1
        states[exam_id] = (handed, running)
    return states


def exam_get_for_officer(*, exam_id: int, user: User) -> tuple[Exam, Officer]:
    exam = get_object_or_404(
        Exam.objects.select_related("audience").prefetch_related(*EXAM_AUDIENCE_PREFETCH),
        pk=exam_id,
        status=Exam.Status.PUBLISHED,
    )
    officer = Officer.objects.select_related("unit").filter(user=user).first() if user.is_authenticated else None
    if officer is None or not officer_may_sit(exam, officer):
        raise Http404
    return exam, officer


def attempt_paper_for(*, exam: Exam, officer: Officer, done: int | None = None) -> ExamPaper:
    """The prebuilt paper this officer sits: the fixed one, a form by rotation, or his own."""
    if exam.paper_mode == Exam.PaperMode.PER_EXAMINEE:
        return papers.paper_for_late_examinee(exam=exam, officer=officer)
    forms = list(exam.papers.filter(officer__isnull=True).order_by("form").only("id", "form"))
    if not forms:
        raise Http404
    if done is None:
        done = Attempt.objects.filter(exam=exam, officer=officer).count()
    return forms[(officer.pk + done) % len(forms)]


# ---- admission (the start burst's hot path) --------------------------------------------------------------------

ADMISSION_TTL = 5.0  # seconds a worker reuses what it read of an exam's set-up (window, audience, papers)
_admissions: dict[int, tuple[float, Admission]] = {}


@dataclass(frozen=True)
class Admission:
    """What deciding a start needs of an exam, read once per worker every few seconds (thousands start at once).

    Changes to the exam reach the start path within ADMISSION_TTL; a paper rebuilt meanwhile (only possible
    before anyone started) is caught by the insert's foreign key and retried with a fresh read.
    """

    exam: Exam
    unit_paths: tuple[str, ...]
    domain_ids: frozenset[int]
    officer_ids: frozenset[int]  # the audience's included officers
    roles: tuple[str, ...]
    forms: tuple[int, ...]  # shared paper ids by form number (empty for one paper per examinee)
    excluded_ids: frozenset[int] = frozenset()
    positions: tuple[str, ...] = ()
    employment: tuple[str, ...] = ()
    certificate_expires_within_months: int | None = None
    joined_within_months: int | None = None

    @property
    def has_rules(self) -> bool:
        return bool(self.unit_paths or self.domain_ids or self.roles or self.asks_officer_row)

    @property
    def asks_officer_row(self) -> bool:
        """Rules read from the officer's own row beyond his unit (position, employment, certificate, joined)."""
        return bool(
            self.positions
            or self.employment
            or self.certificate_expires_within_months is not None
            or self.joined_within_months is not None
        )


@dataclass(frozen=True)
class Examinee:
    officer_id: int
    unit_path: str
    attempts: tuple[tuple[int, int, str], ...]  # (id, number, status) by number


def exam_admission(*, exam_id: int, fresh: bool = False) -> Admission:
    """The published exam's admission facts (cached per worker for ADMISSION_TTL); Http404 when not published."""
    now = time.monotonic()
    cached = _admissions.get(exam_id)
    if cached is not None and not fresh and now - cached[0] < ADMISSION_TTL:
        return cached[1]
    exam = get_object_or_404(Exam.objects.select_related("audience"), pk=exam_id, status=Exam.Status.PUBLISHED)
    forms: tuple[int, ...] = ()
    if exam.paper_mode != Exam.PaperMode.PER_EXAMINEE:
        forms = tuple(exam.papers.filter(officer__isnull=True).order_by("form").values_list("id", flat=True))
    audience = exam.audience
    if audience is None:  # no audience: nobody may sit
        admission = Admission(
            exam=exam, unit_paths=(), domain_ids=frozenset(), officer_ids=frozenset(), roles=(), forms=forms
        )
    else:
        admission = Admission(
            exam=exam,
            unit_paths=tuple(audience.units.values_list("path", flat=True)),
            domain_ids=frozenset(audience.domains.values_list("id", flat=True)),
            officer_ids=frozenset(audience.include.values_list("id", flat=True)),
            roles=tuple(audience.roles or ()),
            forms=forms,
            excluded_ids=frozenset(audience.exclude.values_list("id", flat=True)),
            positions=tuple(audience.positions or ()),
            employment=tuple(audience.employment or ()),
            certificate_expires_within_months=audience.certificate_expires_within_months,
            joined_within_months=audience.joined_within_months,
        )
    if len(_admissions) > 1000:
        _admissions.clear()
    _admissions[exam_id] = (now, admission)
    return admission


def admission_forget(sender=None, instance=None, **kwargs) -> None:
    """Signal receiver: drop the cached admission of the exam `instance` is or belongs to."""
    exam_id = instance.pk if isinstance(instance, Exam) else getattr(instance, "exam_id", None)
    if exam_id is None:
        _admissions.clear()
    else:
        _admissions.pop(exam_id, None)


def admission_forget_all(sender=None, **kwargs) -> None:
    """Signal receiver: an audience changed (audiences may be shared), so forget every cached admission."""
    _admissions.clear()


def examinee_of(*, user: User, exam_id: int) -> Examinee | None:
    """The user's officer id, unit path and attempts at the exam in one round trip (None: not an officer)."""
    officer, unit, attempt = (
        Officer._meta.db_table,
        Officer._meta.get_field("unit").related_model._meta.db_table,
        (Attempt._meta.db_table),
    )
    sql = (
        f'SELECT o.id, u.path, a.id, a.number, a.status FROM "{officer}" o JOIN "{unit}" u ON u.id = o.unit_id '
        f'LEFT JOIN "{attempt}" a ON a.officer_id = o.id AND a.exam_id = %s WHERE o.user_id = %s ORDER BY a.number'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [exam_id, user.pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    attempts = tuple((r[2], r[3], r[4]) for r in rows if r[2] is not None)
    return Examinee(officer_id=rows[0][0], unit_path=rows[0][1], attempts=attempts)


def examinee_may_sit(admission: Admission, me: Examinee, user: User) -> bool:
    """officer_may_sit on the cached admission (the rules of people.audiences.audience_contains); reads the
    officer's domains, roles or own row only when the exam's audience asks for them."""
    if me.officer_id in admission.excluded_ids:
        return False
    if me.officer_id in admission.officer_ids:
        return True
    if not admission.has_rules:
        return False
    if admission.unit_paths and not any(me.unit_path.startswith(p) for p in admission.unit_paths):
        return False
    if admission.domain_ids:
        mine = Officer.domains.through.objects.filter(officer_id=me.officer_id).values_list("domain_id", flat=True)
        if not admission.domain_ids & set(mine):
            return False
    roles = admission.roles
    if roles and Role.OFFICER not in roles and not any(g.role in roles for g in user.role_grants.all()):
        return False
    if admission.asks_officer_row:
        officer = Officer.objects.only("position", "employment", "certificate_expires", "joined_on").get(
            pk=me.officer_id
        )
        return _officer_row_matches(admission, officer)
    return True


def _officer_row_matches(admission: Admission, officer: Officer) -> bool:
    if admission.positions and officer.position not in admission.positions:
        return False
    if admission.employment and officer.employment not in admission.employment:
        return False
    today = timezone.localdate()
    if admission.certificate_expires_within_months is not None:
        until = today + relativedelta(months=admission.certificate_expires_within_months)
        if officer.certificate_expires is None or officer.certificate_expires > until:
            return False
    if admission.joined_within_months is not None:
        since = today - relativedelta(months=admission.joined_within_months)
        if officer.joined_on is None or officer.joined_on < since:
            return False
    return True


def running_attempt(*, exam: Exam, officer: Officer) -> Attempt | None:
    return Attempt.objects.filter(exam=exam, officer=officer, status=Attempt.Status.RUNNING).first()


def attempt_get_own(*, attempt_id: int, user: User) -> Attempt:
    """The attempt if it is the user's own; Http404 otherwise (never 403: do not confirm that it exists)."""
    attempt = Attempt.objects.select_related("exam", "paper").filter(pk=attempt_id, officer__user=user).first()
    if attempt is None:
        raise Http404
    return attempt


def exams_managed_by(*, user: User) -> QuerySet[Exam]:
    """Exams organised by units the user may view (console)."""
    return Exam.objects.filter(unit__in=access.units_viewable_by(user)).select_related("unit", "blueprint")


def exams_for_console(*, user: User) -> QuerySet[Exam]:
    """The console's exam list: exams organised by units the user may view, and the published exams of other units
    whose audience reaches his units (read-only for him: their results for his officers); `own` tells them apart."""
    paths = access.viewable_unit_paths(user)
    own = Q(unit__in=access.units_viewable_by(user))
    if paths is None:
        rows = Exam.objects.all()
    else:
        reaching = Q(status=Exam.Status.PUBLISHED, audience__in=audiences_reaching(paths))
        rows = Exam.objects.filter(own | reaching)
    return rows.annotate(own=ExpressionWrapper(own, output_field=BooleanField())).select_related("unit", "blueprint")


def exam_get_for_manager(*, exam_id: int, user: User, write: bool = False, reaching: bool = False) -> Exam:
    """An exam of a unit the user may view (manage, with `write`); with `reaching` also another unit's published
    exam whose audience reaches his units (results of his officers only). Http404 otherwise."""
    exam = get_object_or_404(Exam.objects.select_related("unit", "blueprint"), pk=exam_id)
    allowed = access.can_manage_unit(user, exam.unit) if write else access.can_view_unit(user, exam.unit)
    if not allowed and reaching and not write and exam.status == Exam.Status.PUBLISHED:
        paths = access.viewable_unit_paths(user) or []
        allowed = (
            bool(paths)
            and exam.audience_id is not None
            and audiences_reaching(paths).filter(pk=exam.audience_id).exists()
        )
    if not (access.can_use_console(user) and allowed):
        raise Http404
    return exam


def paper_questions(*, paper: ExamPaper, with_key: bool = False) -> list[dict]:
    """The paper's questions in display order; answer key and explanation only when `with_key`.

    A case question's sub-questions are listed in its place, numbered on, each with the case text (`case_stem`)
    and its place in the case (`sub`, 1-based); the examinee answers them one by one.
    """
    leaves = paper.leaves
    ids = [row["question"] for row in leaves] + [row["case"] for row in leaves if "case" in row]
    questions = {q.pk: q for q in Question.objects.filter(pk__in=ids)}
    options: dict[int, dict[str, str]] = defaultdict(dict)
    for qid, label, text in Option.objects.filter(question_id__in=ids).values_list("question_id", "label", "text"):
        options[qid][label] = text
    result: list[dict] = []
    sub = 0
    for n, row in enumerate(leaves, start=1):
        q = questions[row["question"]]
        case = questions[row["case"]] if "case" in row else None
        sub = sub + 1 if case is not None and result and result[-1]["case"] == case.pk else 1
        item = {
            "number": n,
            "question": q.pk,
            "kind": q.kind,
            "kind_label": q.get_kind_display(),
            "stem": q.stem,
            "points": row["points"],
            "section": row["section"],
            "options": [{"key": label, "text": options[q.pk].get(label, "")} for label in row["options"]],
            "blanks": len(q.answer) if q.kind == "blank" and isinstance(q.answer, list) else 0,
            "case": case.pk if case else None,
            "case_stem": case.stem if case else "",
            "sub": sub if case else 0,
        }
        if with_key:
            item.update(answer=q.answer, explanation=q.explanation)
        result.append(item)
    return result


def citations_for(question_ids: list[int]) -> dict[int, list[str]]:
    """Cited article keys per question (laws.Citation, read only)."""
    ct = ContentType.objects.get_for_model(Question)
    cited: dict[int, list[str]] = defaultdict(list)
    for object_id, key in Citation.objects.filter(content_type=ct, object_id__in=question_ids).values_list(
        "object_id", "article_key"
    ):
        cited[object_id].append(key)
    return cited


def attempt_result(*, attempt: Attempt) -> dict:
    """What the officer may see of his result now: score after release, key and explanations after theirs."""
    now, exam = timezone.now(), attempt.exam
    grade = Grade.objects.filter(attempt=attempt).first()
    released = grade is not None and exam.results_released(now)
    explained = released and exam.explanations_released(now)
    items = paper_questions(paper=attempt.paper, with_key=explained) if explained else []
    if explained:
        answers = {a.question_id: a for a in attempt.answers.select_related("manual_grade")}
        cited = citations_for([i["question"] for i in items])
        for item in items:
            answer = answers.get(item["question"])
            item["response"] = answer.response if answer else None
            item["score"] = _answer_score(answer)
            item["articles"] = cited.get(item["question"], [])
            _to_display_letters(item)
    return {
        "grade": grade if released else None,
        "released": released,
        "explained": explained,
        "items": items,
        "release_at": exam.results_release_at or exam.closes_at,
    }


def _to_display_letters(item: dict) -> None:
    """Choice keys are stored by original label; show them by the letters this examinee saw (options shuffled)."""
    display = {o["key"]: chr(65 + i) for i, o in enumerate(item["options"])}
    for o in item["options"]:
        o["display"] = display[o["key"]]
    if item["kind"] in ("single", "multiple"):
        for field in ("answer", "response"):
            value = item.get(field)
            labels = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            item[field] = "".join(sorted(display.get(str(v), "?") for v in labels)) or None


def _answer_score(answer: Answer | None) -> Decimal | None:
    if answer is None:
        return Decimal(0)
    try:
        return answer.manual_grade.score
    except ManualGrade.DoesNotExist:
        return answer.auto_score


def grading_queue(*, user: User) -> QuerySet[Answer]:
    """Short / case answers waiting for a person in exams the user manages; no names (blind grading)."""
    units = access.units_managed_by(user)
    return (
        Answer.objects.filter(needs_manual=True, attempt__exam__unit__in=units)
        .exclude(attempt__status=Attempt.Status.RUNNING)
        .select_related("attempt__exam")
        .order_by("attempt__submitted_at", "id")
    )


def answer_get_for_grader(*, answer_id: int, user: User) -> Answer:
    answer = get_object_or_404(
        Answer.objects.select_related("attempt__exam__unit", "attempt__paper", "question__parent"), pk=answer_id
    )
    if not access.can_use_console(user) or not access.can_manage_unit(user, answer.attempt.exam.unit):
        raise Http404
    if answer.question.kind not in ("short", "case") or answer.attempt.status == Attempt.Status.RUNNING:
        raise Http404
    return answer


def exam_results(*, exam: Exam, user: User) -> list[Attempt]:
    """Attempts of officers the user may see, with grade and officer (one query)."""
    visible = access.viewable_unit_paths(user)
    qs = Attempt.objects.filter(exam=exam).select_related("officer__unit", "grade").order_by("officer__name", "number")
    if visible is not None:
        q = Q(pk__in=[])
        for path in visible:
            q |= Q(officer__unit__path__startswith=path)
        qs = qs.filter(q)
    return list(qs)


def withheld_question_ids(*, officer: Officer, now=None) -> set[int]:
    """Questions the officer must not practise now: every question (and its lineage) on a paper of an exam he sits
    that has not closed — published, not yet closed, and he is in its audience or has an attempt of it. Callers that
    hand out answer keys (practice) leave these out until the exam closes."""
    now = now or timezone.now()
    live = list(
        Exam.objects.filter(status=Exam.Status.PUBLISHED, closes_at__gt=now).prefetch_related(*EXAM_AUDIENCE_PREFETCH)
    )
    if not live:
        return set()
    attempted = set(Attempt.objects.filter(officer=officer, exam__in=live).values_list("exam_id", flat=True))
    sitting = [exam.pk for exam in live if exam.pk in attempted or officer_may_sit(exam, officer)]
    ids: set[int] = set()
    for rows in ExamPaper.objects.filter(exam_id__in=sitting).values_list("rows", flat=True):
        for row in rows:
            ids.add(row["question"])
            ids.update(sub["question"] for sub in row.get("subs") or [])
    if ids:
        for pk, lineage in Question.objects.filter(pk__in=ids).values_list("pk", "lineage_id"):
            ids.add(lineage or pk)
    return ids
