"""The annual review's pure rules, table by table (no database)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from zhifa.certificates.review import ActCount, ExamResult, Facts, evaluate, qualification
from zhifa.certificates.rules import JIANGBEI

FULL = {"legal": D(30), "skill": D(20), "ethics": D(10)}
TODAY = date(2026, 12, 7)


def facts(**overrides) -> Facts:
    base = {
        "year": 2026,
        "today": TODAY,
        "status": "valid",
        "issued": date(2020, 1, 1),
        "expires": date(2030, 1, 1),
        "earned": FULL,
        "required": FULL,
        "acts": {2025: ActCount(4), 2026: ActCount(7)},
        "rotation_known": True,
        "rotation_last": date(2025, 5, 1),
    }
    return Facts(**{**base, **overrides})


def codes(verdict) -> list[str]:
    return [r.code for r in verdict.reasons]


def test_an_officer_meeting_every_rule_passes_and_keeps_a_valid_certificate():
    verdict = evaluate(JIANGBEI, facts())
    assert verdict.passed and verdict.applicable and verdict.status_after == "valid" and verdict.reasons == []


@pytest.mark.parametrize(
    "overrides, code, words",
    [
        ({"earned": {"legal": D(18), "skill": D(20), "ethics": D(10)}}, "hours", "学时未达要求：法律知识 18/20"),
        ({"earned": {"legal": D(16), "skill": D(8), "ethics": D(4)}}, "hours", "全年学时 28，低于 40 学时"),
        ({"spot_checks": [(False, "执法文书说理不充分")]}, "spot_check", "案卷抽查不合格：执法文书说理不充分"),
        ({"acts": {2025: ActCount(0), 2026: ActCount(0)}}, "idle", "连续 2 年无执法行为且未说明理由"),
        ({"rotation_last": date(2022, 6, 1)}, "rotation", "近 3 年（2024—2026）未参加轮训"),
        ({"rotation_last": None}, "rotation", "无轮训记录"),
        ({"open_suspension": "新法考试不合格"}, "suspension", "证件暂扣尚未解除"),
        ({"exams": [ExamResult("换证考试", "renewal", "general", (D(52),))]}, "failed_exam", "最高 52 分"),
    ],
)
def test_each_failing_rule_gives_its_reason_with_the_cited_source(overrides, code, words):
    verdict = evaluate(JIANGBEI, facts(**overrides))
    assert not verdict.passed
    assert code in codes(verdict)
    reason = next(r for r in verdict.reasons if r.code == code)
    assert words in reason.message
    assert reason.citation.startswith("《江北省行政执法证件管理办法（示例）》第")
    assert verdict.status_after == "suspended"


def test_a_province_may_also_require_each_category_of_the_units_yearly_requirement():
    earned = {"legal": D(24), "skill": D(15), "ethics": D(6)}
    assert evaluate(JIANGBEI, facts(earned=earned)).passed  # 45 学时, 法律知识 ≥ 20
    strict = replace(JIANGBEI, hours_per_category=True)
    verdict = evaluate(strict, facts(earned=earned))
    assert verdict.reasons[0].message == "学时未达要求：法律知识 24/30、业务技能 15/20、职业道德 6/10"


def test_idle_years_with_an_explanation_or_missing_data_do_not_fail():
    explained = facts(acts={2025: ActCount(0, "借调至市政府办公室"), 2026: ActCount(0)})
    missing = facts(acts={2026: ActCount(0)})
    assert evaluate(JIANGBEI, explained).passed
    verdict = evaluate(JIANGBEI, missing)
    assert verdict.passed and "2025 年执法行为数据未录入" in verdict.notes[0].message


def test_a_new_officer_is_not_yet_due_for_rotation():
    verdict = evaluate(JIANGBEI, facts(issued=date(2025, 3, 1), rotation_last=None))
    assert verdict.passed
    assert any("取证未满 3 年" in n.message for n in verdict.notes)


def test_a_failed_new_law_exam_suspends_with_off_duty_training_and_a_second_failure_revokes():
    once = evaluate(JIANGBEI, facts(exams=[ExamResult("民法典考试", "new_law", "general", (D(48),))]))
    assert once.status_after == "suspended" and once.off_duty_training
    assert "new_law" in codes(once)
    twice = evaluate(JIANGBEI, facts(exams=[ExamResult("民法典考试", "new_law", "general", (D(48), D(55)))]))
    assert twice.status_after == "revoked" and "second_failure" in codes(twice)
    retaken = evaluate(JIANGBEI, facts(exams=[ExamResult("民法典考试", "new_law", "general", (D(48), D(75)))]))
    assert retaken.passed


def test_certificates_that_are_not_valid_or_suspended_are_not_reviewed():
    verdict = evaluate(JIANGBEI, facts(status="expired"))
    assert not verdict.applicable and verdict.label == "不参加年审"


def test_an_applicant_needs_both_exam_parts_and_the_initial_training():
    sat = [ExamResult("公共法律知识", "qualification", "general", (D(72),))]
    missing = qualification(JIANGBEI, facts(status="none", exams=sat, earned={"legal": D(30)}))
    assert [r.code for r in missing] == ["exam", "initial"]
    assert "专业法律知识" in missing[0].message and "30/60" in missing[1].message


def test_the_renewal_window_opens_six_months_before_expiry():
    inside = evaluate(JIANGBEI, facts(expires=date(2027, 5, 1)))
    outside = evaluate(JIANGBEI, facts(expires=date(2027, 7, 1)))
    assert any(n.code == "renewal" for n in inside.notes)
    assert not any(n.code == "renewal" for n in outside.notes)
