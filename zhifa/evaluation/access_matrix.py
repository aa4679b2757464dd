"""Who may open each evaluation URL (walked by zhifa/common/tests/test_access_matrix.py).

The world: a period of 江北省, a case file of 东城区市场监督管理局 (张明's) named in the evaluator's live assignment
for that unit, a training file, and the approved assessment of 江北市 (so 张明 sees his own result).
The evaluator reaches only his assignment's pages, the case file it names and the case-file list (filtered to it).
"""

from zhifa.common.access_matrix import Case, console, logged_in, only

_CONSOLE = {"unit_admin": 200, "auditor": 200, "sysadmin": 200}
_OFFICERS = {"officer": 200, "outsider": 200, "unit_admin": 200}


def _world(w) -> dict:
    if "evaluation" in w.extra:
        return w.extra["evaluation"]
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.cases.models import Case as LibraryCase
    from zhifa.evaluation import assessment, services
    from zhifa.evaluation.models import Assessment, CaseFile

    period = services.period_create(unit=w.org.province, year=timezone.localdate().year, by=w.sysadmin)
    case_file = CaseFile.objects.create(
        period=period, rubric=services.rubric_default(), unit=w.org.east_market, number="矩阵-1", title="矩阵案卷"
    )
    case_file.officers.set([w.officer])
    library_case = LibraryCase.objects.create(title="矩阵示范案例", facts="某商户销售过期食品。")
    training = services.training_file_create(
        period=period, case=library_case, by=w.sysadmin, expert_marks={"form_wrong": 1}, expert_vetoes=[]
    )
    today = timezone.localdate()
    assignment = services.assignment_create(
        period=period,
        evaluator=w.evaluator,
        units=[w.org.east_market],
        officers=[w.unit_admin.officer],
        case_files=[case_file],
        starts_on=today,
        ends_on=today + timedelta(days=30),
        by=w.sysadmin,
    )
    computed = assessment.assessment_compute(period=period, unit=w.org.city, by=w.sysadmin)
    Assessment.objects.filter(pk=computed.pk).update(status=Assessment.Status.APPROVED)
    result = computed.results.get(officer=w.officer)
    w.extra["evaluation"] = {
        "period_id": period.pk,
        "case_file_id": case_file.pk,
        "training_id": training.pk,
        "assignment_id": assignment.pk,
        "unit_id": w.org.east_market.pk,
        "officer_id": w.unit_admin.officer.pk,
        "assessment_id": computed.pk,
        "result_id": result.pk,
        "rubric_id": case_file.rubric_id,
    }
    return w.extra["evaluation"]


def _kw(*names, **renamed):
    """URL kwargs from the world's ids: _kw("period_id") or _kw(case_file_id="training_id")."""
    return lambda w: {**{n: _world(w)[n] for n in names}, **{k: _world(w)[v] for k, v in renamed.items()}}


CASES = {
    "evaluation:index": console(),
    "evaluation:period-create": console(405),
    "evaluation:period-detail": console(kwargs=_kw("period_id")),
    "evaluation:period-weights": console(405, kwargs=_kw("period_id")),
    "evaluation:value-enter": console(405, kwargs=_kw("period_id")),
    "evaluation:values-import": console(kwargs=_kw("period_id")),
    # The standards are not secret: every console user reads them; only managers save (tested in test_rubric_editor).
    "evaluation:rubric-list": console(),
    "evaluation:rubric-template": console(),
    "evaluation:rubric-period": console(kwargs=_kw("period_id")),
    "evaluation:rubric-detail": console(kwargs=lambda w: {"rubric_id": _world(w)["rubric_id"]}),
    "evaluation:casefile-list": only({**_CONSOLE, "evaluator": 200}),
    "evaluation:casefile-upload": console(405),
    "evaluation:casefile-sample": console(405),
    # 张明's unit's file: its managers, the auditor and the evaluator whose assignment names it.
    "evaluation:casefile-detail": only({**_CONSOLE, "evaluator": 200}, kwargs=_kw("case_file_id")),
    # The matrix writes no files: everyone 404 (the file itself is covered in test_case_files).
    "evaluation:casefile-download": only({}, kwargs=_kw("case_file_id")),
    "evaluation:training-list": only(_OFFICERS),
    "evaluation:training-detail": only(_OFFICERS, kwargs=_kw(case_file_id="training_id")),
    "evaluation:assignment-list": console(),
    "evaluation:assignment-create": console(405),
    "evaluation:evaluator-home": only({"evaluator": 200}),
    "evaluation:evaluator-assignment": only({"evaluator": 200}, kwargs=_kw("assignment_id")),
    "evaluation:evaluator-review": only({"evaluator": 200}, kwargs=_kw("assignment_id", "unit_id")),
    # 王芳 is named in the assignment as an officer (her unit is not covered).
    "evaluation:evaluator-officer-review": only({"evaluator": 200}, kwargs=_kw("assignment_id", "officer_id")),
    "evaluation:assessment-create": console(405),
    "evaluation:assessment-detail": console(kwargs=_kw("assessment_id")),
    "evaluation:assessment-approve": console(405, kwargs=_kw("assessment_id")),
    "evaluation:assessment-publicise": console(405, kwargs=_kw("assessment_id")),
    "evaluation:assessment-finalise": console(405, kwargs=_kw("assessment_id")),
    "evaluation:assessment-export": console(kwargs=_kw("assessment_id")),
    "evaluation:assessment-export-pdf": console(kwargs=_kw("assessment_id")),
    "evaluation:suggestions": console(kwargs=_kw("assessment_id")),
    # The officer's own approved result, and those who read his unit.
    "evaluation:result-detail": only({**_CONSOLE, "officer": 200}, kwargs=_kw("result_id")),
    "evaluation:result-adjust": console(405, kwargs=_kw("result_id")),
    "evaluation:objection-submit": logged_in(405, kwargs=_kw("result_id")),
    "evaluation:objection-resolve": console(405, kwargs={"objection_id": 1}),
    # Officers of 江北市 have an approved result: they are sent to it.
    "evaluation:my-assessment": only({"officer": 302, "outsider": 302, "unit_admin": 302}),
    "evaluation:dashboard": console(302),  # without ?assessment=: to the first one
}

__all__ = ["CASES", "Case"]
