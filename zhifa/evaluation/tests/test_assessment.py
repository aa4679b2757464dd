"""The annual assessment as the people involved see it: the unit computes, adjusts, approves, publicises and
finalises; the officer reads how his score was derived and objects."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.common.models import AuditEvent
from zhifa.evaluation import assessment as flow
from zhifa.evaluation import services
from zhifa.evaluation.models import Assessment, AssessmentResult, Objection
from zhifa.evaluation.tests.conftest import leaf
from zhifa.notices.models import Notice
from zhifa.people.testing import make_officer
from zhifa.records.tests.factories import credit


@pytest.fixture
def colleagues(org):
    return [make_officer(org.east_market, name=f"同事{n}") for n in range(9)]


@pytest.fixture
def computed(period, org, officer, colleagues, unit_admin):
    credit(officer, legal=20, skill=10)
    services.indicator_value_enter(
        indicator=leaf(period, "complaints"), officer=officer, by=unit_admin, events=1,
        evidence="群众投诉查实 江市监诉〔2026〕3号",
    )  # fmt: skip
    return flow.assessment_compute(period=period, unit=org.market, by=unit_admin)


def result_of(assessment, officer) -> AssessmentResult:
    return assessment.results.get(officer=officer)


def test_the_officer_reads_how_his_score_was_derived_from_its_sources(client, computed, officer, unit_admin):
    result = result_of(computed, officer)
    client.force_login(officer.user)
    # A machine draft is not shown to the officer before a person approves it.
    assert client.get(reverse("evaluation:result-detail", args=[result.pk])).status_code == 404
    flow.assessment_approve(assessment=computed, by=unit_admin)
    response = client.get(reverse("evaluation:my-assessment"), follow=True)
    html = response.content.decode()
    for text in (
        "学时完成情况",  # the leaf
        "30 / ",  # its figure: approved hours against the requirement
        "测试课程",  # the source rows behind it
        "投诉查实",
        "群众投诉查实 江市监诉〔2026〕3号",  # the entered value's evidence
        "每次扣 25 分",  # the rule
        f"{result.machine_score}",  # the total
        "考试成绩",
        "无数据",
    ):
        assert text in html, text
    # Every leaf's share adds up to the total shown.
    detail = result.detail
    leaf_ids = {str(i.pk) for i in computed.period.indicators.all() if i.is_leaf}
    assert sum(detail["nodes"][k][1] for k in leaf_ids) == pytest.approx(float(result.machine_score), abs=0.05)


def test_an_adjustment_without_a_reason_is_refused_and_changes_nothing(client, computed, officer, unit_admin):
    result = result_of(computed, officer)
    client.force_login(unit_admin)
    response = client.post(
        reverse("evaluation:result-adjust", args=[result.pk]), {"score": "99", "reason": " "}, follow=True
    )
    assert "调整得分须填写理由" in response.content.decode()
    result.refresh_from_db()
    assert result.adjusted_score is None
    assert not AuditEvent.objects.filter(action="evaluation.result_adjust").exists()
    client.post(reverse("evaluation:result-adjust", args=[result.pk]), {"score": "88", "reason": "补录外单位培训学时"})
    result.refresh_from_db()
    assert result.adjusted_score == 88 and result.score == 88
    event = AuditEvent.objects.get(action="evaluation.result_adjust")
    assert event.reason == "补录外单位培训学时" and event.new == {"score": "88"}


def test_the_excellent_cap_holds_per_unit_and_above_20_percent_needs_an_approval(
    client, period, org, officer, colleagues, unit_admin
):
    period.thresholds = {"excellent": 30, "pass": 20, "basic": 10}  # everyone here would be 优秀 by score alone
    period.save()
    for n, colleague in enumerate([officer, *colleagues]):
        credit(colleague, legal=20 + 4 * n, skill=10)  # distinct scores: no tie at the cut
    assessment = flow.assessment_compute(period=period, unit=org.market, by=unit_admin)
    east = assessment.results.filter(unit=org.east_market)
    assert east.count() == 10
    assert east.filter(tier="excellent").count() == 2  # 20 % of 10
    client.force_login(unit_admin)
    url = reverse("evaluation:assessment-approve", args=[assessment.pk])
    response = client.post(url, {"cap_percent": "25"}, follow=True)
    assert "优秀比例超过 20% 须填写审批依据" in response.content.decode()
    response = client.post(url, {"cap_percent": "30", "cap_approval": "市考核委员会批复"}, follow=True)
    assert "优秀比例须在 0 到 25% 之间" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    client.post(url, {"cap_percent": "25", "cap_approval": "市考核委员会〔2026〕5号批复"})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED and assessment.cap_approval
    assert east.filter(tier="excellent").count() == 2  # floor(10 × 25 %) is still 2
    # 王芳 is alone in her unit: one officer, no excellent share at all.
    assert assessment.results.get(unit=org.market).tier == "pass"


def test_a_veto_makes_the_officer_fail_whatever_his_points(period, org, officer, colleagues, unit_admin):
    period.thresholds = {"excellent": 30, "pass": 20, "basic": 10}
    period.save()
    services.indicator_value_enter(
        indicator=leaf(period, "integrity"), officer=officer, by=unit_admin, events=1, evidence="违反廉政纪律受处分"
    )
    assessment = flow.assessment_compute(period=period, unit=org.market, by=unit_admin)
    result = result_of(assessment, officer)
    assert result.vetoed and result.tier == "fail"
    # Even a reviewer's higher score does not lift a veto.
    flow.result_adjust(result=result, score="99", reason="复核", by=unit_admin)
    result.refresh_from_db()
    assert result.tier == "fail"


FAILING = {"no_notice": 2, "no_hearing": 2, "evidence_incomplete": 5}  # 50 points: a 不合格卷 without a veto


def test_a_failed_case_file_this_year_bars_excellent(period, org, officer, colleagues, unit_admin, sysadmin):
    from zhifa.evaluation.tests.conftest import pdf_upload

    period.thresholds = {"excellent": 30, "pass": 20, "basic": 10}
    period.save()
    case_file = services.case_file_upload(
        period=period, unit=org.east_market, number="F-1", title="案", officers=[officer], file=pdf_upload(),
        by=unit_admin,
    )  # fmt: skip
    services.case_file_review(case_file=case_file, by=unit_admin, marks=FAILING, vetoes=[])
    services.case_file_review(case_file=case_file, by=sysadmin, marks=FAILING, vetoes=[])
    assessment = flow.assessment_compute(period=period, unit=org.market, by=unit_admin)
    result = result_of(assessment, officer)
    assert result.barred == "本年度有不合格案卷" and result.tier == "pass"


def test_publicity_objection_and_final_list(client, computed, officer, unit_admin, time_machine):
    result = result_of(computed, officer)
    flow.assessment_approve(assessment=computed, by=unit_admin)
    client.force_login(unit_admin)
    client.post(
        reverse("evaluation:assessment-publicise", args=[computed.pk]), {"starts": "2026-07-02", "ends": "2026-07-08"}
    )
    computed.refresh_from_db()
    assert computed.status == Assessment.Status.PUBLICISED
    assert Notice.objects.filter(user=officer.user, key=f"evaluation:assessment:{computed.pk}:publicity").exists()
    client.force_login(officer.user)
    client.post(reverse("evaluation:objection-submit", args=[result.pk]), {"text": "投诉已撤回，不应扣分"})
    objection = Objection.objects.get()
    time_machine.move_to(date(2026, 7, 9))
    client.force_login(unit_admin)  # a new session: the idle timeout ended the old one
    response = client.post(reverse("evaluation:assessment-finalise", args=[computed.pk]), follow=True)
    assert "还有未处理的异议" in response.content.decode()
    client.post(
        reverse("evaluation:objection-resolve", args=[objection.pk]),
        {"decision": "uphold", "resolution": "投诉经复查不成立", "score": "85"},
    )
    objection.refresh_from_db()
    result.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD and result.adjusted_score == 85
    client.post(reverse("evaluation:assessment-finalise", args=[computed.pk]))
    computed.refresh_from_db()
    assert computed.status == Assessment.Status.FINAL
    sheet = load_workbook(
        BytesIO(client.get(reverse("evaluation:assessment-export", args=[computed.pk])).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "姓名", "单位")
    assert any(r[1] == "张明" and r[5] == "85.00" for r in rows[2:])
    pdf = client.get(reverse("evaluation:assessment-export-pdf", args=[computed.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_objection_outside_publicity_is_refused(computed, officer, unit_admin):
    result = result_of(computed, officer)
    with pytest.raises(services.EvaluationError, match="只能在公示期内提出异议"):
        flow.objection_submit(result=result, by=officer.user, text="不服")


def test_a_unit_sets_its_own_weights_within_the_template_bounds(client, period, org, unit_admin):
    client.force_login(unit_admin)
    url = reverse("evaluation:period-weights", args=[period.pk])
    training, ethics = leaf(period, "training"), leaf(period, "ethics")
    hours, exams = leaf(period, "hours"), leaf(period, "exams")
    cases = [
        ({f"w_{training.pk}": "35", "reason": "加强学习"}, "一级指标权重合计为 105，须为 100"),
        ({f"w_{hours.pk}": "60", "reason": "x"}, "“学时完成情况”的权重须在 30 到 50 之间"),
        ({f"w_{training.pk}": "35", f"w_{ethics.pk}": "10"}, "请填写调整权重的理由"),
    ]
    for data, message in cases:
        response = client.post(url, data, follow=True)
        assert message in response.content.decode(), message
    assert not period.indicators.filter(unit_weights__isnull=False).exists()
    client.post(url, {f"w_{hours.pk}": "45", f"w_{exams.pk}": "30", "reason": "本局侧重学时"})
    page = client.get(reverse("evaluation:period-detail", args=[period.pk])).content.decode()
    assert 'value="45"' in page and "本单位" in page
    assert AuditEvent.objects.filter(action="evaluation.weight_set", reason="本局侧重学时").count() == 2


def test_a_recompute_after_approval_is_refused(computed, org, unit_admin):
    flow.assessment_approve(assessment=computed, by=unit_admin)
    with pytest.raises(services.EvaluationError, match="已审定"):
        flow.assessment_compute(period=computed.period, unit=org.market, by=unit_admin)


def test_a_manager_of_another_subtree_cannot_compute_here(period, org, unit_admin):
    with pytest.raises(services.NotPermitted):
        flow.assessment_compute(period=period, unit=org.west_transport, by=unit_admin)
