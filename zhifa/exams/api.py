"""JSON API of a sitting: start, claim the device, get the paper (no key), save answers, submit, evidence events.

The device token travels in the X-Device-Token header. Refusals are {"code", "message"} with a Chinese message.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status

from zhifa.common.ids import RowId
from zhifa.exams import queries, services
from zhifa.exams.models import Attempt, Exam
from zhifa.exams.schemas import (
    ClaimIn,
    ClaimOut,
    ErrorOut,
    EventIn,
    PaperOut,
    SaveIn,
    SaveOut,
    StartOut,
    SubmitOut,
)
from zhifa.people.models import Officer

router = Router(tags=["exams"])
REFUSALS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _refuse(exc: services.ExamError):
    return Status(exc.status, {"code": exc.code, "message": exc.message})


def _closed():
    return Status(409, {"code": "attempt_closed", "message": "考试已结束，答案未保存。"})


@router.post("/exams/{exam_id}/start", response={200: StartOut, **REFUSALS}, url_name="exams-attempt-start")
def start(request, exam_id: int):
    """Admit the examinee: the exam's set-up from the worker's cache, his officer row and attempts in one query,
    then one INSERT on the prebuilt paper (docs/exams.md §1). Starting again while an attempt runs resumes it."""
    admission = queries.exam_admission(exam_id=exam_id)
    me = queries.examinee_of(user=request.user, exam_id=exam_id)
    if me is None or not queries.examinee_may_sit(admission, me, request.user):
        raise Http404
    running_id = next((a[0] for a in me.attempts if a[2] == Attempt.Status.RUNNING), None)
    if running_id is not None:
        running = Attempt.objects.get(pk=running_id)
        if not services.attempt_close_if_expired(attempt=running):
            return _resume(request, running)
    done = max((a[1] for a in me.attempts), default=0)
    token = services.new_device_token()
    for retry in (False, True):
        try:
            attempt = services.attempt_start(
                exam=admission.exam,
                officer_id=me.officer_id,
                paper_id=_paper_id(admission, me, done=len(me.attempts)),
                done=done,
                device_token=token,
            )
        except services.ExamError as exc:
            return _refuse(exc)
        except IntegrityError:  # the papers were rebuilt since this worker read them: read again, once
            if retry:
                raise
            admission = queries.exam_admission(exam_id=exam_id, fresh=True)
            continue
        break
    # A double click or a resent start may have opened it a moment ago: the same browser, its token.
    return Status(
        200,
        {
            "attempt_id": attempt.pk,
            "device_token": attempt.device_token,
            "deadline": attempt.deadline,
            "resumed": False,
        },
    )


def _paper_id(admission: queries.Admission, me: queries.Examinee, *, done: int) -> int:
    if admission.forms:
        return admission.forms[(me.officer_id + done) % len(admission.forms)]
    if admission.exam.paper_mode != Exam.PaperMode.PER_EXAMINEE:
        raise Http404
    officer = Officer.objects.get(pk=me.officer_id)
    return queries.attempt_paper_for(exam=admission.exam, officer=officer).pk


def _resume(request, running: Attempt):
    token = request.headers.get("X-Device-Token", "")
    try:
        token, _ = services.attempt_claim_device(attempt=running, by=request.user, device_token=token)
    except services.ExamError as exc:
        return _refuse(exc)
    return Status(200, {"attempt_id": running.pk, "device_token": token, "deadline": running.deadline, "resumed": True})


@router.post("/attempts/{attempt_id}/claim", response={200: ClaimOut, **REFUSALS}, url_name="exams-attempt-claim")
def claim(request, attempt_id: int, payload: ClaimIn):
    attempt = queries.attempt_get_own(attempt_id=attempt_id, user=request.user)
    if services.attempt_close_if_expired(attempt=attempt):
        return _closed()
    try:
        token, taken_over = services.attempt_claim_device(
            attempt=attempt, by=request.user, device_token=payload.device_token
        )
    except services.ExamError as exc:
        return _refuse(exc)
    return Status(200, {"device_token": token, "taken_over": taken_over})


@router.get("/attempts/{attempt_id}/paper", response={200: PaperOut, **REFUSALS}, url_name="exams-attempt-paper")
def paper(request, attempt_id: int):
    """The questions without answer key or explanation, with the saved responses, server time and deadline."""
    attempt = queries.attempt_get_own(attempt_id=attempt_id, user=request.user)
    services.attempt_close_if_expired(attempt=attempt)
    saved = {a.question_id: a for a in attempt.answers.all()}
    questions = queries.paper_questions(paper=attempt.paper, with_key=False)
    for item in questions:
        answer = saved.get(item["question"])
        item["response"] = answer.response if answer else None
        item["flagged"] = bool(answer and answer.flagged)
    return Status(
        200,
        {
            "attempt_id": attempt.pk,
            "exam_title": attempt.exam.title,
            "status": attempt.status,
            "deadline": attempt.deadline,
            "server_now": timezone.now(),
            "last_seq": attempt.last_seq,
            "questions": questions,
        },
    )


@router.post("/attempts/{attempt_id}/answers", response={200: SaveOut, **REFUSALS}, url_name="exams-attempt-save")
def save_answers(request, attempt_id: RowId, payload: SaveIn):
    """The autosave hot path: no attempt read before the write (services.attempt_save_answers checks everything in
    its conditional UPDATE); the attempt is read only for a refusal."""
    answers = [services.AnswerIn(question=a.question, response=a.response, flagged=a.flagged) for a in payload.answers]
    try:
        result = services.attempt_save_answers(
            attempt_id=attempt_id,
            by=request.user,
            answers=answers,
            seq=payload.seq,
            device_token=request.headers.get("X-Device-Token", ""),
        )
    except services.AttemptClosed as exc:
        attempt = queries.attempt_get_own(attempt_id=attempt_id, user=request.user)
        services.attempt_close_if_expired(attempt=attempt)  # lazily: the deadline passed, submit what was saved
        return _refuse(exc)
    except services.ExamError as exc:
        return _refuse(exc)
    return Status(200, {"saved": result.saved, "seq": result.seq, "replay": result.replay})


@router.post("/attempts/{attempt_id}/submit", response={200: SubmitOut, **REFUSALS}, url_name="exams-attempt-submit")
def submit(request, attempt_id: int):
    attempt = queries.attempt_get_own(attempt_id=attempt_id, user=request.user)
    expired = attempt.status == Attempt.Status.RUNNING and attempt.deadline_passed(timezone.now())
    services.attempt_submit(attempt=attempt, by=request.user, auto=expired)
    attempt.refresh_from_db(fields=["status"])
    return Status(
        200,
        {"status": attempt.status, "result_url": reverse("exams:attempt-result", kwargs={"attempt_id": attempt.pk})},
    )


@router.post("/attempts/{attempt_id}/events", response={200: dict, **REFUSALS}, url_name="exams-attempt-event")
def event(request, attempt_id: int, payload: EventIn):
    attempt = queries.attempt_get_own(attempt_id=attempt_id, user=request.user)
    if attempt.status != Attempt.Status.RUNNING:
        return _closed()
    try:
        recorded = services.attempt_event_record(attempt=attempt, kind=payload.kind, detail=payload.detail)
    except services.ExamError as exc:
        return _refuse(exc)
    return Status(200, {"recorded": recorded is not None})
