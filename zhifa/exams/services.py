"""Writes of a sitting: start, save answers, submit (and auto-submit), takeover, evidence, manual grading.

The server owns the deadline. Answers are an idempotent upsert keyed by (attempt, question) and ordered by the
client's sequence number; submission is idempotent (a conditional UPDATE decides the one grader). Exam set-up
(blueprints, papers, publishing) lives in papers.py.
"""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, Sum
from django.http import Http404
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.exams import grading
from zhifa.exams.models import Answer, Attempt, AttemptEvent, Exam, ExamPaper, Grade, ManualGrade, QualificationRecord
from zhifa.people.models import Officer, User
from zhifa.questions.models import Question
from zhifa.records import services as records_services
from zhifa.records.models import Statement

MAX_SEQ_JUMP = 1_000_000  # a sequence number further ahead than this is a tampered one, not a slow network
MAX_SEQ = 2**53  # what a browser can count exactly
MAX_RESPONSE_CHARS = 20_000
MAX_EVENTS_PER_ATTEMPT = 500


class ExamError(Exception):
    """A refusal the user can understand: `code` for the API, `message` in Chinese."""

    code = "refused"
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExamNotOpen(ExamError):
    code, status = "exam_not_open", 409


class NoAttemptsLeft(ExamError):
    code, status = "no_attempts_left", 409


class AttemptClosed(ExamError):
    code, status = "attempt_closed", 409


class TakenOver(ExamError):
    code, status = "taken_over", 409


class BadAnswers(ExamError):
    code, status = "bad_answers", 400


@dataclass(frozen=True)
class AnswerIn:
    question: int
    response: Any
    flagged: bool = False


@dataclass(frozen=True)
class SaveResult:
    saved: int
    seq: int
    replay: bool = False


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def attempt_start(
    *, exam: Exam, officer_id: int, paper_id: int, device_token: str = "", done: int | None = None
) -> Attempt:
    """Open a new attempt on a prebuilt paper: one INSERT, no read back. Raises ExamNotOpen, NoAttemptsLeft;
    IntegrityError when the paper is gone (rebuilt before anyone started: the caller reads the papers again).

    Eligibility and the paper are decided by the caller (queries) before this is called; `done` is the number of
    attempts it just read (a race ends in IntegrityError below). A concurrent or resent start that finds the
    attempt its first request opened returns that one, with its device token.
    """
    now = timezone.now()
    if not exam.is_open(now):
        raise ExamNotOpen(
            f"考试“{exam.title}”当前不在开放时间内（{exam.opens_at:%m-%d %H:%M} 至 "
            f"{exam.closes_at:%m-%d %H:%M}），无法开始。"
        )
    if done is None:
        done = Attempt.objects.filter(exam=exam, officer_id=officer_id).aggregate(n=Max("number"))["n"] or 0
    if done >= exam.attempts_allowed:
        # A resent start (the first one's answer was lost) may find the attempt that first one opened: resume it.
        running = Attempt.objects.filter(exam=exam, officer_id=officer_id, status=Attempt.Status.RUNNING).first()
        if running is not None:
            return running
        raise NoAttemptsLeft(f"考试“{exam.title}”允许作答 {exam.attempts_allowed} 次，您已用完。")
    deadline = Attempt.deadline_for(exam, now)
    ops = connection.ops
    params: list[Any] = [
        exam.pk,
        officer_id,
        paper_id,
        done + 1,
        Attempt.Status.RUNNING,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(deadline),
        False,
        0,
        device_token,
    ]
    try:
        # Autocommit: the INSERT is its own transaction; inside a caller's transaction a savepoint keeps it usable.
        # A raw INSERT … RETURNING, not Model.save(): the start burst (DESIGN.md §7) pays for every statement.
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(_INSERT_ATTEMPT, params)
            attempt_id = cursor.fetchone()[0]
    except IntegrityError:  # a double click raced us: the other request's running attempt is the one
        running = Attempt.objects.filter(exam=exam, officer_id=officer_id, status=Attempt.Status.RUNNING).first()
        if running is not None:
            return running
        if not ExamPaper.objects.filter(pk=paper_id).exists():
            raise
        raise NoAttemptsLeft(f"考试“{exam.title}”允许作答 {exam.attempts_allowed} 次，您已用完。") from None
    return Attempt(
        pk=attempt_id,
        exam=exam,
        officer_id=officer_id,
        paper_id=paper_id,
        number=done + 1,
        status=Attempt.Status.RUNNING,
        started_at=now,
        deadline=deadline,
        device_token=device_token,
    )


_INSERT_ATTEMPT = (
    f'INSERT INTO "{Attempt._meta.db_table}" (exam_id, officer_id, paper_id, number, status, started_at, deadline, '
    "auto_submitted, last_seq, device_token) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


@transaction.atomic
def attempt_claim_device(*, attempt: Attempt, by: User, device_token: str) -> tuple[str, bool]:
    """Make the caller's device the live one; returns (token, taken_over). A takeover is audited and logged.

    The device that first opens an attempt claims it silently; another device later takes it over, and the old
    one learns so on its next save (TakenOver). Raises AttemptClosed once the attempt is over.
    """
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status != Attempt.Status.RUNNING or attempt.deadline_passed(timezone.now()):
        raise AttemptClosed("本次考试已结束，不能继续作答。")
    if device_token and secrets.compare_digest(device_token, attempt.device_token):
        return attempt.device_token, False
    token, had_owner = new_device_token(), bool(attempt.device_token)
    Attempt.objects.filter(pk=attempt.pk).update(device_token=token)
    if had_owner:
        AttemptEvent.objects.create(attempt=attempt, kind=AttemptEvent.Kind.TAKEOVER, detail={"by": by.pk})
        audit_record(actor=by, action="exams.attempt_takeover", obj=attempt, reason="在另一台设备上继续作答")
    return token, had_owner


def _check_answers(allowed: frozenset[int], answers: list[AnswerIn]) -> None:
    seen: set[int] = set()
    for a in answers:
        if a.question not in allowed:
            raise BadAnswers(f"第 {a.question} 号试题不在本次试卷中，答案未保存。请刷新页面后重新作答。")
        if a.question in seen:
            raise BadAnswers(f"第 {a.question} 号试题在同一次保存中出现了两次，请只提交最新的答案。")
        seen.add(a.question)
        if len(repr(a.response)) > MAX_RESPONSE_CHARS:
            raise BadAnswers(f"第 {a.question} 号试题的答案超过 {MAX_RESPONSE_CHARS} 个字符，请精简后再保存。")


_paper_questions: dict[int, frozenset[int]] = {}


def paper_question_set(paper_id: int) -> frozenset[int]:
    """The question ids of a paper, kept per worker: a paper is frozen once an attempt uses it (PROTECT), and
    this worker forgets a paper it saves or deletes (signals in apps.py)."""
    ids = _paper_questions.get(paper_id)
    if ids is None:
        if len(_paper_questions) > 20_000:
            _paper_questions.clear()
        ids = frozenset(ExamPaper.objects.get(pk=paper_id).question_ids)
        _paper_questions[paper_id] = ids
    return ids


def paper_forget(sender=None, instance=None, **kwargs) -> None:
    if instance is not None and instance.pk is not None:
        _paper_questions.pop(instance.pk, None)


_CLAIM_SEQ = (
    f'UPDATE "{Attempt._meta.db_table}" SET last_seq = %s WHERE id = %s AND status = %s AND deadline > %s '
    "AND device_token = %s AND last_seq < %s AND last_seq >= %s {owner}RETURNING {returning}"
)
_OWNER = f'AND officer_id IN (SELECT id FROM "{Officer._meta.db_table}" WHERE user_id = %s) '
_UPSERT = (
    f'INSERT INTO "{Answer._meta.db_table}" (attempt_id, question_id, response, flagged, seq, saved_at, needs_manual) '
    "VALUES {values} ON CONFLICT (attempt_id, question_id) DO UPDATE SET response = EXCLUDED.response, "
    "flagged = EXCLUDED.flagged, seq = EXCLUDED.seq, saved_at = EXCLUDED.saved_at"
)


# PostgreSQL does the claim and the upsert in one statement, in autocommit: one round trip instead of four
# (BEGIN, UPDATE, INSERT, COMMIT), about 0.4 ms of CPU per save between the app and the database. The claim's
# RETURNING feeds the insert, so nothing is written unless every check in it passed.
_SAVE_PG = (
    "WITH claim AS (" + _CLAIM_SEQ + "), saved AS ("
    f'INSERT INTO "{Answer._meta.db_table}" (attempt_id, question_id, response, flagged, seq, saved_at, needs_manual) '
    "SELECT claim.id, v.q, v.r::jsonb, v.f, %s, %s::timestamptz, false FROM claim, (VALUES {{values}}) AS v (q, r, f) "
    "ON CONFLICT (attempt_id, question_id) DO UPDATE SET response = EXCLUDED.response, "
    "flagged = EXCLUDED.flagged, seq = EXCLUDED.seq, saved_at = EXCLUDED.saved_at RETURNING 1) "
    "SELECT (SELECT count(*) FROM claim), (SELECT count(*) FROM saved)"
)

_attempt_papers: dict[int, int] = {}


def attempt_paper_id(attempt_id: int) -> int | None:
    """The paper of an attempt, kept per worker: an attempt's paper never changes (set once by attempt_start;
    nothing updates it) and ids are never reused. None for no such attempt."""
    paper_id = _attempt_papers.get(attempt_id)
    if paper_id is None:
        paper_id = Attempt.objects.filter(pk=attempt_id).values_list("paper_id", flat=True).first()
        if paper_id is None:
            return None
        if len(_attempt_papers) > 100_000:
            _attempt_papers.clear()
        _attempt_papers[attempt_id] = paper_id
    return paper_id


def attempt_save_answers(
    *, attempt_id: int, by: User | None, answers: list[AnswerIn], seq: int, device_token: str
) -> SaveResult:
    """Upsert answers of a running attempt (docs/exams.md §2); raises AttemptClosed after the deadline, TakenOver for
    a replaced device, BadAnswers for questions not on the paper or a tampered sequence number, Http404 when `by`
    is given and the attempt is not his. An old seq is a replay: nothing written, SaveResult(replay=True).

    One conditional UPDATE takes the attempt's row lock and checks owner, status, deadline, device and sequence
    number at once while advancing `last_seq`; then one upsert of the batch; one commit (on PostgreSQL all of it one
    statement). Only when the UPDATE matches nothing, or an answer is not on the paper, is the attempt read to say
    why (and nothing written). `by=None` (grading imports, tests) skips the owner check.
    """
    user_id = by.pk if by is not None else None
    if not 0 < seq < MAX_SEQ:
        raise BadAnswers(f"保存序号 {seq} 无效，请刷新页面后继续作答。")
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    params: list = [seq, attempt_id, Attempt.Status.RUNNING, at, device_token or "", seq, seq - MAX_SEQ_JUMP]
    if user_id is not None:
        params.append(user_id)
    owner = _OWNER if user_id is not None else ""
    field = Answer._meta.get_field("response")
    if connection.vendor == "postgresql" and answers:
        paper_id = attempt_paper_id(attempt_id)
        try:
            _check_answers(paper_question_set(paper_id) if paper_id else frozenset(), answers)
        except BadAnswers:
            return _save_refused(attempt_id, user_id, answers, seq, device_token, now)  # 404 etc. come first
        flat = [*params, seq, at]
        for a in answers:
            flat += [a.question, field.get_db_prep_save(a.response, connection), bool(a.flagged)]
        values = ", ".join(["(%s, %s, %s)"] * len(answers))
        with connection.cursor() as cursor:
            cursor.execute(_SAVE_PG.format(owner=owner, returning="id").format(values=values), flat)
            claimed, _ = cursor.fetchone()
        if not claimed:
            return _save_refused(attempt_id, user_id, answers, seq, device_token, now)
        return SaveResult(saved=len(answers), seq=seq)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SEQ.format(owner=owner, returning="paper_id"), params)
        row = cursor.fetchone()
        if row is None:
            return _save_refused(attempt_id, user_id, answers, seq, device_token, now)
        _check_answers(paper_question_set(row[0]), answers)  # raises: the transaction rolls back
        if answers:
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(answers))
            flat = []
            for a in answers:
                flat += [attempt_id, a.question, field.get_db_prep_save(a.response, connection)]
                flat += [bool(a.flagged), seq, at, False]
            cursor.execute(_UPSERT.format(values=values), flat)
    return SaveResult(saved=len(answers), seq=seq)


def _save_refused(
    attempt_id: int, user_id: int | None, answers: list[AnswerIn], seq: int, device_token: str, now
) -> SaveResult:
    """Why the conditional UPDATE matched nothing: not his (404), closed, another device, a tampered or old seq."""
    qs = Attempt.objects.filter(pk=attempt_id)
    if user_id is not None:
        qs = qs.filter(officer__user_id=user_id)
    attempt = qs.only("id", "status", "deadline", "device_token", "last_seq", "paper_id").first()
    if attempt is None:
        raise Http404
    if attempt.status != Attempt.Status.RUNNING or attempt.deadline_passed(now):
        raise AttemptClosed("考试已结束，答案未保存。")
    if not secrets.compare_digest(device_token or "", attempt.device_token):
        raise TakenOver("本场考试已在另一台设备上继续作答，本设备的答案不再保存。")
    if seq > attempt.last_seq + MAX_SEQ_JUMP:
        raise BadAnswers(f"保存序号 {seq} 无效（上次为 {attempt.last_seq}），请刷新页面后继续作答。")
    _check_answers(paper_question_set(attempt.paper_id), answers)
    return SaveResult(saved=0, seq=attempt.last_seq, replay=True)  # already stored, nothing to do


def attempt_submit(*, attempt: Attempt, by: User | None, auto: bool = False) -> Grade:
    """Close the attempt and grade it; idempotent: every caller gets the one Grade, however many race.

    The conditional UPDATE (status running → submitted) picks exactly one grader; on PostgreSQL the others wait
    on its row lock and then find the grade. Raises AttemptClosed never: a closed attempt returns its grade.
    """
    with transaction.atomic():
        now = timezone.now()
        won = Attempt.objects.filter(pk=attempt.pk, status=Attempt.Status.RUNNING).update(
            status=Attempt.Status.SUBMITTED,
            submitted_at=min(now, attempt.deadline) if auto else now,
            auto_submitted=auto,
        )
        if won:
            attempt.refresh_from_db()
            grade = _grade_attempt(attempt, now)
            if auto:
                AttemptEvent.objects.create(attempt=attempt, kind=AttemptEvent.Kind.AUTO_SUBMIT)
            return grade
    return Grade.objects.get(attempt_id=attempt.pk)


def attempt_close_if_expired(*, attempt: Attempt) -> bool:
    """Auto-submit a running attempt whose deadline has passed (lazily, on the next request, or by the task)."""
    if attempt.status == Attempt.Status.RUNNING and attempt.deadline_passed(timezone.now()):
        attempt_submit(attempt=attempt, by=None, auto=True)
        attempt.refresh_from_db()
        return True
    return False


def attempts_autosubmit_due() -> int:
    """Auto-submit every running attempt past its deadline; returns how many (the task and the command)."""
    count = 0
    for attempt in Attempt.objects.filter(status=Attempt.Status.RUNNING, deadline__lte=timezone.now()):
        count += attempt_close_if_expired(attempt=attempt)
    return count


def _grade_attempt(attempt: Attempt, now) -> Grade:
    rows = attempt.paper.leaves
    keys = {
        q["id"]: q for q in Question.objects.filter(pk__in=[r["question"] for r in rows]).values("id", "kind", "answer")
    }
    keyed = [
        grading.KeyedRow(
            r["question"], keys[r["question"]]["kind"], keys[r["question"]]["answer"], Decimal(r["points"])
        )
        for r in rows
    ]
    answers = {a.question_id: a for a in attempt.answers.all()}
    result = grading.grade_paper(
        keyed, {q: a.response for q, a in answers.items()}, partial_credit=attempt.exam.partial_credit
    )
    changed = []
    for item in result.items:
        answer = answers.get(item.question)
        if answer is None:
            continue
        answer.auto_score, answer.suggested_score = item.score, item.suggested
        answer.needs_manual = item.score is None
        changed.append(answer)
    Answer.objects.bulk_update(changed, ["auto_score", "suggested_score", "needs_manual"])
    pending = bool(result.pending and any(answers.get(q) for q in result.pending))
    grade = Grade.objects.create(
        attempt=attempt,
        auto_score=result.auto_score,
        total=result.auto_score,
        max_score=result.max_score,
        status=Grade.Status.PENDING if pending else Grade.Status.FINAL,
        graded_at=now,
    )
    if not pending:
        grade_finalise(attempt, grade, now)
    return grade


def grade_finalise(attempt: Attempt, grade: Grade, now, *, revision: int = 0) -> None:
    """Decide pass/fail once no answer waits for a person; write the learning record and qualification.

    `revision` > 0 is a regrade of a final grade whose total or pass/fail changed: the learning record is
    append-only, so a new statement with the new outcome supersedes the earlier one (it names it), and the
    qualification record follows the new outcome (created, rescored, or withdrawn when no passed attempt is left).
    """
    exam = attempt.exam
    grade.passed = grading.has_passed(grade.total, exam.pass_mark)
    grade.status = Grade.Status.FINAL
    grade.save(update_fields=["passed", "status", "total", "manual_score"])
    Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.GRADED)
    officer = attempt.officer
    key = f"exams:attempt:{attempt.pk}"
    # The learning record carries the results' release time: pages show no outcome before it.
    context: dict = {"attempt": attempt.pk, "release_at": (exam.results_release_at or exam.closes_at).isoformat()}
    if revision:
        previous = _attempt_statements(attempt).order_by("-id").first()
        context.update(regrade=revision, supersedes=str(previous.uuid) if previous else None)
        key = f"{key}:regrade:{revision}"
    records_services.statement_record(
        officer=officer,
        verb="passed" if grade.passed else "failed",
        object_type="exam",
        object_id=str(exam.pk),
        object_name=exam.title,
        result={"score": float(grade.total), "max": float(grade.max_score), "success": grade.passed},
        context=context,
        timestamp=now,
        dedupe_key=key,
    )
    hours_key = f"exams:exam:{exam.pk}:officer:{officer.pk}"
    if grade.passed and exam.credit_hours > 0:
        records_services.hours_credit(
            officer=officer,
            category=exam.credit_category,
            hours=exam.credit_hours,
            source=f"考试：{exam.title}",
            evidence=f"答卷 #{attempt.pk}，成绩 {grade.total}",
            dedupe_key=hours_key,
            # Before the results' release the ledger must not tell the officer he passed: 待公布 until then.
            release_at=exam.results_release_at or exam.closes_at,
        )
    elif revision and not _other_passes(attempt).exists():
        # A regrade turned the officer's only pass into a fail: the exam's hours lose their evidence.
        records_services.hours_withdraw(
            dedupe_key=hours_key, reason=f"答卷 #{attempt.pk} 复核改分后为 {grade.total} 分，未通过考试"
        )
    if exam.is_qualification:
        _qualification_sync(attempt, grade, now)


def _other_passes(attempt: Attempt):
    """The officer's final passed grades at the same exam, other than this attempt's."""
    return Grade.objects.filter(
        attempt__exam_id=attempt.exam_id, attempt__officer_id=attempt.officer_id, passed=True, status="final"
    ).exclude(attempt_id=attempt.pk)


def _attempt_statements(attempt: Attempt):
    key = f"exams:attempt:{attempt.pk}"
    return Statement.objects.filter(Q(dedupe_key=key) | Q(dedupe_key__startswith=f"{key}:"))


def _qualification_sync(attempt: Attempt, grade: Grade, now) -> None:
    """The officer's qualification record for the exam follows his best passed attempt (none: no record)."""
    record = QualificationRecord.objects.filter(officer_id=attempt.officer_id, exam_id=attempt.exam_id).first()
    if grade.passed:
        if record is None:
            QualificationRecord.objects.create(
                officer_id=attempt.officer_id,
                exam_id=attempt.exam_id,
                attempt=attempt,
                score=grade.total,
                passed_at=now,
            )
        elif record.attempt_id == attempt.pk and record.score != grade.total:
            record.score = grade.total
            record.save(update_fields=["score"])
        return
    if record is None or record.attempt_id != attempt.pk:
        return
    other = _other_passes(attempt).order_by("-total", "graded_at").first()
    if other is None:
        record.delete()
    else:
        record.attempt_id, record.score, record.passed_at = other.attempt_id, other.total, other.graded_at
        record.save(update_fields=["attempt", "score", "passed_at"])


def attempt_event_record(*, attempt: Attempt, kind: str, detail: dict | None = None) -> AttemptEvent | None:
    """Log a tab switch / copy / paste as evidence; None once the attempt's cap is reached (never an error)."""
    if kind not in (AttemptEvent.Kind.TAB_HIDDEN, AttemptEvent.Kind.COPY, AttemptEvent.Kind.PASTE):
        raise BadAnswers(f"事件类型 {kind!r} 无效，应为 tab_hidden、copy 或 paste。")
    if attempt.events.count() >= MAX_EVENTS_PER_ATTEMPT:
        return None
    return AttemptEvent.objects.create(
        attempt=attempt, kind=kind, detail={k: str(v)[:200] for k, v in (detail or {}).items()}
    )


@transaction.atomic
def answer_grade_manual(
    *, answer: Answer, by: User, score: Decimal, comment: str = "", rubric_marks: list | None = None, reason: str = ""
) -> ManualGrade:
    """Record or change a person's score for a short/case answer (audited; a change needs a reason).

    Raises ValueError (Chinese) for a score outside 0..points or a change without a reason.
    """
    attempt = Attempt.objects.select_for_update().select_related("exam", "paper", "officer").get(pk=answer.attempt_id)
    if attempt.status == Attempt.Status.RUNNING:
        raise ValueError("答卷尚未交卷，不能阅卷。")
    points = attempt.paper.points_of(answer.question_id)
    value = grading.check_manual_score(score, points)
    existing = ManualGrade.objects.filter(answer=answer).first()
    if existing is not None and existing.score != value and not reason.strip():
        raise ValueError("修改已评分数必须填写原因（例如：复核后调整）。")
    old = {"score": str(existing.score)} if existing else None
    manual, _ = ManualGrade.objects.update_or_create(
        answer=answer,
        defaults={
            "score": value,
            "comment": comment,
            "rubric_marks": rubric_marks or [],
            "grader": by,
            "graded_at": timezone.now(),
        },
    )
    Answer.objects.filter(pk=answer.pk).update(needs_manual=False)
    audit_record(
        actor=by,
        action="exams.grade_manual",
        obj=attempt,
        old=old,
        new={"question": answer.question_id, "score": str(value)},
        reason=reason or "人工阅卷",
    )
    _regrade_total(attempt, by)
    return manual


def _regrade_total(attempt: Attempt, by: User) -> None:
    grade = Grade.objects.select_for_update().get(attempt=attempt)
    old_total, old_passed = grade.total, grade.passed
    grade.manual_score = ManualGrade.objects.filter(answer__attempt=attempt).aggregate(s=Sum("score"))["s"] or 0
    grade.total = grade.auto_score + grade.manual_score
    if attempt.answers.filter(needs_manual=True).exists():
        grade.save(update_fields=["manual_score", "total"])
        return
    changed = old_total != grade.total or old_passed != grading.has_passed(grade.total, attempt.exam.pass_mark)
    if old_passed is not None and not changed:
        return  # a final grade re-saved with the same outcome: the records already say so
    revision = 0
    if old_passed is not None:  # a regrade of a final grade: a new statement supersedes the earlier one
        revision = _attempt_statements(attempt).count()
    grade_finalise(attempt, grade, timezone.now(), revision=revision)
    if changed:
        audit_record(
            actor=by,
            action="exams.grade_total",
            obj=attempt,
            old={"total": str(old_total), "passed": old_passed},
            new={"total": str(grade.total), "passed": grade.passed},
            reason="人工阅卷后重新合计",
        )
