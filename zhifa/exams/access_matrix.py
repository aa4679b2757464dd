"""Who gets what on every exams URL (walked by zhifa/common/tests/test_access_matrix.py).

The world: an exam of 江北市市场监督管理局 for its subtree (so 张明 — officer — and 王芳 — unit_admin, herself an
officer of the bureau — may sit it), a running attempt of 张明, a second one used only by the submit case, and a
submitted short answer for the grading page. Officers never reach console pages; nobody but the examinee reaches
an attempt (404, never 403).
"""

from __future__ import annotations

from zhifa.common.access_matrix import PERSONAS, Case, console, logged_in, only


def _world(w) -> dict:
    if "exams" not in w.extra:
        from zhifa.exams import queries, services
        from zhifa.exams.tests import factories

        factories.bank(kinds=("single", "judge", "short"), per_kind=2)
        bp = factories.blueprint(
            w.org.market,
            sections=[{"kind": "single", "count": 1, "points": "5"}, {"kind": "short", "count": 1, "points": "5"}],
        )
        exam = factories.exam(w.org, by=w.unit_admin, bp=bp, attempts_allowed=3)
        other = factories.exam(w.org, by=w.unit_admin, bp=bp, title="模拟考试")
        attempt = services.attempt_start(
            exam=exam, officer_id=w.officer.pk, paper_id=queries.attempt_paper_for(exam=exam, officer=w.officer).pk
        )
        to_submit = services.attempt_start(
            exam=other, officer_id=w.officer.pk, paper_id=queries.attempt_paper_for(exam=other, officer=w.officer).pk
        )
        graded = services.attempt_start(
            exam=other, officer_id=w.outsider.pk, paper_id=queries.attempt_paper_for(exam=other, officer=w.outsider).pk
        )
        short = [r["question"] for r in graded.paper.rows][-1]
        services.attempt_save_answers(
            attempt_id=graded.pk,
            by=w.outsider.user,
            answers=[services.AnswerIn(question=short, response="应当告知当事人陈述申辩的权利")],
            seq=1,
            device_token="",
        )
        services.attempt_submit(attempt=graded, by=w.outsider.user)
        answer = graded.answers.get(question_id=short)
        w.extra["exams"] = {"exam": exam, "attempt": attempt, "to_submit": to_submit, "answer": answer}
    return w.extra["exams"]


def exam_id(w) -> dict:
    return {"exam_id": _world(w)["exam"].pk}


def attempt_id(w) -> dict:
    return {"attempt_id": _world(w)["attempt"].pk}


def answer_id(w) -> dict:
    return {"answer_id": _world(w)["answer"].pk}


def examinee(status: int = 200, *, anonymous: int = 302, **kw) -> Case:
    """Only 张明 (his own attempt); everyone else 404."""
    return only({"officer": status}, anonymous=anonymous, **kw)


def sitters(status: int = 200, **kw) -> Case:
    """Officers in the exam's audience: 张明 and 王芳 (an officer of the organising bureau)."""
    return only({"officer": status, "unit_admin": status}, **kw)


def managers(status: int = 200, **kw) -> Case:
    """Who may change the exam: its unit's administrators and system administrators (not auditors)."""
    return only({"unit_admin": status, "sysadmin": status}, **kw)


CASES = {
    "exams:exam-list": logged_in(),
    "exams:exam-detail": sitters(kwargs=exam_id),
    "exams:exam-start": Case(expect={**dict.fromkeys(PERSONAS, 405), "citizen": 302}, kwargs=exam_id),
    "exams:attempt-take": examinee(kwargs=attempt_id),
    "exams:attempt-result": examinee(kwargs=attempt_id),
    "exams:manage-list": console(),
    "exams:manage-create": managers(),
    "exams:manage-edit": managers(kwargs=exam_id),
    "exams:manage-build": console(405, kwargs=exam_id),
    "exams:manage-publish": console(405, kwargs=exam_id),
    "exams:manage-results": console(kwargs=exam_id),
    "exams:manage-results-export": console(kwargs=exam_id),
    "exams:manage-analysis": console(kwargs=exam_id),
    "exams:manage-analysis-export": console(kwargs=exam_id),
    "exams:manage-offline": console(kwargs=exam_id),
    "exams:offline-template": managers(kwargs=exam_id),
    # the paper and its answer sheet to console users who see the exam; the key only to those who manage it
    "exams:offline-download": console(kwargs=lambda w: {**exam_id(w), "form": 1, "part": "paper", "fmt": "pdf"}),
    "exams:manage-items": console(),
    "exams:manage-items-export": console(),
    "exams:grading-queue": console(),
    "exams:grading-answer": managers(kwargs=answer_id),
    "api:exams-attempt-start": sitters(kwargs=exam_id, method="post", anonymous=401),
    "api:exams-attempt-claim": examinee(
        kwargs=attempt_id, method="post", data={"device_token": "x"}, content_type="application/json", anonymous=401
    ),
    "api:exams-attempt-paper": examinee(kwargs=attempt_id, anonymous=401),
    # Without the device's token the owner is told the attempt is live elsewhere (409); others never see it.
    "api:exams-attempt-save": examinee(
        409,
        kwargs=attempt_id,
        method="post",
        data={"seq": 1, "answers": []},
        content_type="application/json",
        anonymous=401,
    ),
    "api:exams-attempt-submit": examinee(
        kwargs=lambda w: {"attempt_id": _world(w)["to_submit"].pk}, method="post", anonymous=401
    ),
    "api:exams-attempt-event": examinee(
        kwargs=attempt_id, method="post", data={"kind": "copy"}, content_type="application/json", anonymous=401
    ),
}
