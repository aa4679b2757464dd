"""The validator: sound files parse; each broken file is rejected with the right message at the right line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.cases.scenario_conditions import ConditionError, condition_evaluate, condition_parse
from zhifa.cases.scenario_format import MAX_BYTES, scenario_parse
from zhifa.cases.scenario_graph import best_path, explore, max_scores

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))


def fake_library(keys: set[str]) -> set[str]:
    return {k for k in keys if "九百" in k}


def test_the_small_scenario_is_valid_and_its_best_path_avoids_the_veto():
    result = scenario_parse((HERE / "scenarios" / "valid_small.yaml").read_text(), unknown_articles=fake_library)
    assert result.issues == []
    scenario = result.scenario
    exploration = explore(scenario)
    assert max_scores(scenario, exploration) == {"legality": 4, "procedure": 2, "attitude": 0, "efficiency": 0}
    steps, total = best_path(scenario, exploration)
    assert [s.label for s in steps] == ["出示执法证件", "拍照取证", "作出决定", "裁量决定", "依法办结"]
    assert total == 6


def test_there_are_at_least_a_dozen_broken_files():
    assert len(BROKEN) >= 12


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_a_broken_file_is_rejected_with_the_line_and_a_precise_message(path):
    text = path.read_text(encoding="utf-8")
    expected = re.match(r"# expect (\d+): (.+)", text)
    assert expected, f"{path.name} 第一行应写明期望：# expect <行号>: <消息片段>"
    result = scenario_parse(text, unknown_articles=fake_library)
    assert result.scenario is None
    found = [(i.line, i.message) for i in result.issues]
    assert any(line == int(expected[1]) and expected[2] in message for line, message in found), found


def test_a_huge_file_is_refused_before_parsing():
    result = scenario_parse("id: x\n" + "# 注释\n" * (MAX_BYTES // 8))
    assert [str(i) for i in result.issues] == ["第 1 行：文件过大（超过 200 KB）：请精简内容或拆分为多个演练"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a:\n\t- x\n", "第 2 行：YAML 语法错误：出现了不能作为开头的字符（如制表符 Tab，请改用空格缩进）"),
        ("title: 检查: 现场\n", "第 1 行：YAML 语法错误：此处不能出现冒号"),
        ('title: "未闭合\n', "第 2 行：YAML 语法错误：文件意外结束（引号或括号没有闭合）"),
    ],
)
def test_yaml_errors_are_explained_in_chinese(text, expected):
    assert str(scenario_parse(text).issues[0]).startswith(expected)


def test_top_level_must_be_a_mapping_and_an_empty_file_says_what_is_needed():
    assert "顶层应是" in scenario_parse("- a\n- b\n").issues[0].message
    assert "文件为空" in scenario_parse("").issues[0].message


def test_the_article_check_is_skipped_without_a_library():
    text = (HERE / "broken" / "unknown_article.yaml").read_text()
    assert scenario_parse(text, unknown_articles=None).ok


@pytest.mark.parametrize(
    "text, variables, expected",
    [
        ("evidence >= 2", {"evidence": 2}, True),
        ("evidence >= 2", {"evidence": 1}, False),
        ("not shown", {"shown": False}, True),
        ("a and (b or not c)", {"a": True, "b": False, "c": False}, True),
        ("mood == '平静'", {"mood": "平静"}, True),
        ("count > 'x'", {"count": 1}, False),  # mismatched types compare false, never raise
    ],
)
def test_conditions(text, variables, expected):
    assert condition_evaluate(condition_parse(text), variables) is expected


@pytest.mark.parametrize("text", ["", "a >=", "(a", "a b", "a ＝ 1", "and"])
def test_bad_conditions_raise_a_chinese_message(text):
    with pytest.raises(ConditionError, match="条件"):
        condition_parse(text)


def _chain(points: list[tuple[int, int]], veto_at: int | None) -> str:
    """A chain of scenes, each with a good and a bad choice; optionally a veto on one good choice."""
    lines = [
        "id: generated",
        "title: 生成",
        "vetoes:",
        "  v: {title: 否决, basis: [行政处罚法#第五十五条]}",
        "start: s0",
        "scenes:",
    ]
    for i, (good, bad) in enumerate(points):
        veto = "\n        veto: v" if i == veto_at else ""
        lines += [
            f"  s{i}:",
            f"    narrative: 第{i}步",
            "    choices:",
            f"      - text: 好{i}\n        goto: s{i + 1}\n        effects: {{legality: {good}}}{veto}",
            f"      - text: 差{i}\n        goto: s{i + 1}\n        effects: {{legality: {bad}}}",
        ]
    lines += [f"  s{len(points)}:", "    narrative: 完", "    ending: {outcome: success, title: 完, debrief: 完}"]
    return "\n".join(lines)


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=1, max_size=8),
    veto_at=st.none() | st.integers(0, 7),
)
def test_the_best_path_takes_the_higher_choice_at_each_step_unless_it_is_vetoed(points, veto_at):
    result = scenario_parse(_chain(points, veto_at))
    assert result.ok, result.issues
    scenario = result.scenario
    exploration = explore(scenario)
    assert max_scores(scenario, exploration)["legality"] == sum(max(g, b) for g, b in points)
    _, total = best_path(scenario, exploration)
    assert total == sum(b if i == veto_at else max(g, b) for i, (g, b) in enumerate(points))
