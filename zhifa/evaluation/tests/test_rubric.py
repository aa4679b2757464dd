"""The case-file rubric as data and the arithmetic of a file's score."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.evaluation.rubric import (
    DEFAULT_RUBRIC,
    compare,
    item_keys,
    marks_errors,
    needs_reconciliation,
    rubric_errors,
    rubric_from_form,
    score_file,
)


def test_the_default_rubric_is_valid_with_20_for_presentation_and_80_for_content():
    assert rubric_errors(DEFAULT_RUBRIC) == []
    parts = {}
    for g in DEFAULT_RUBRIC["groups"]:
        parts[g["part"]] = parts.get(g["part"], 0) + g["points"]
    assert parts == {"卷面": 20, "内容": 80}


@pytest.mark.parametrize(
    "marks, vetoes, total, failed",
    [
        ({}, [], 100, False),
        ({"form_wrong": 1, "field_missing": 3}, [], 95, False),
        ({"field_missing": 40}, [], 80, False),  # presentation never below zero: loses its 20, no more
        ({"no_notice": 1, "no_hearing": 1, "overdue": 1, "evidence_incomplete": 5}, [], 50, True),
        ({}, ["wrong_law"], 0, True),  # a veto fails the file whatever the points
    ],
)
def test_score_file(marks, vetoes, total, failed):
    scored = score_file(DEFAULT_RUBRIC, marks, vetoes)
    assert scored.total == pytest.approx(total)
    assert scored.failed is failed


def test_marks_outside_the_rubric_are_refused_in_chinese():
    errors = marks_errors(DEFAULT_RUBRIC, {"nope": 1, "form_wrong": -1}, ["bad"])
    assert "评分项“nope”不在评查标准中" in errors
    assert any("0 至 50 的整数" in e for e in errors)
    assert "否决项“bad”不在评查标准中" in errors


def test_rubric_data_errors_name_the_problem():
    bad = {
        "groups": [{"key": "a", "label": "卷面", "points": 30, "items": [{"key": "x", "label": "X", "deduction": 1}]}]
    }
    assert rubric_errors(bad) == ["各项目组分值合计为 30，须为 100"]
    assert rubric_errors({}) == ["评查标准须包含评分项目组（groups）"]


def test_reconciliation_when_scores_differ_by_more_than_the_gap_or_on_a_veto():
    a = score_file(DEFAULT_RUBRIC, {}, [])
    b = score_file(DEFAULT_RUBRIC, {"no_notice": 1}, [])  # 90
    c = score_file(DEFAULT_RUBRIC, {"no_notice": 1, "overdue": 1}, [])  # 85
    assert not needs_reconciliation(a, b, gap=10)
    assert needs_reconciliation(a, c, gap=10)
    assert needs_reconciliation(a, score_file(DEFAULT_RUBRIC, {}, ["ultra_vires"]), gap=100)


def test_training_comparison_per_item():
    mine = score_file(DEFAULT_RUBRIC, {"form_wrong": 1}, [])
    expert = score_file(DEFAULT_RUBRIC, {"form_wrong": 1, "no_notice": 1}, [])
    rows = {r.key: r for r in compare(DEFAULT_RUBRIC, mine, expert)}
    assert rows["form_wrong"].matches and not rows["no_notice"].matches
    assert rows["no_notice"].expert == 10


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(item_keys(DEFAULT_RUBRIC))), st.integers(0, 50)))
def test_a_file_scores_between_0_and_100_and_each_group_between_0_and_its_points(marks):
    scored = score_file(DEFAULT_RUBRIC, marks, [])
    assert 0 <= scored.total <= 100
    for g in DEFAULT_RUBRIC["groups"]:
        assert 0 <= scored.groups[g["key"]] <= g["points"]


def test_the_editor_form_keeps_keys_gives_new_rows_fresh_ones_and_leaves_out_emptied_rows():
    data = {
        "g0-key": "presentation",
        "g0-label": "卷面",
        "g0-part": "卷面",
        "g0-points": "20",
        "g0-i0-key": "form_wrong",
        "g0-i0-label": "文书格式错误",
        "g0-i0-deduction": "2",
        "g0-i1-key": "field_missing",
        "g0-i1-label": "",
        "g0-i1-deduction": "1",
        "g0-i2-key": "",
        "g0-i2-label": "证据目录缺失",
        "g0-i2-deduction": "0.5",
        "g1-key": "",
        "g1-label": "内容",
        "g1-part": "内容",
        "g1-points": "80",
        "g1-i0-key": "",
        "g1-i0-label": "未告知",
        "g1-i0-deduction": "10",
        "g2-key": "",
        "g2-label": "",
        "g2-part": "内容",
        "g2-points": "",
        "v0-key": "ultra_vires",
        "v0-label": "超越职权",
        "v1-key": "",
        "v1-label": "未经法制审核",
        "v2-key": "",
        "v2-label": "",
    }
    rubric, errors = rubric_from_form(data)
    assert errors == []
    assert [g["key"] for g in rubric["groups"]] == ["presentation", "group_1"]
    assert rubric["groups"][0]["items"] == [
        {"key": "form_wrong", "label": "文书格式错误", "deduction": 2},
        {"key": "item_1", "label": "证据目录缺失", "deduction": 0.5},
    ]
    assert rubric["vetoes"] == [{"key": "ultra_vires", "label": "超越职权"}, {"key": "veto_1", "label": "未经法制审核"}]
    assert score_file(rubric, {"item_1": 2}, []).total == 99


def test_an_empty_editor_form_is_refused():
    assert rubric_from_form({})[1] == ["评查标准至少须有一个评分项目组"]
