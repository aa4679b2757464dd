"""The pure checking module: tables of cases per kind, and properties with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.questions.checking import (
    PartialCredit,
    UnknownKind,
    choice_set,
    is_correct,
    normalise_text,
    score,
)

RUBRIC = {
    "reference": "应当告知当事人陈述、申辩的权利，并制作笔录。",
    "rubric": [
        {"point": "告知陈述申辩权", "score": 2, "keywords": ["陈述", "申辩"]},
        {"point": "制作笔录", "score": 1},
    ],
}


@pytest.mark.parametrize(
    "kind, answer, response, expected",
    [
        ("single", ["A"], "A", True),
        ("single", ["A"], ["A"], True),
        ("single", ["A"], "ａ", True),  # full-width letter
        ("single", ["A"], "B", False),
        ("single", ["A"], ["A", "B"], False),
        ("single", ["A"], None, False),
        ("single", ["A"], 7, False),
        ("multiple", ["A", "C"], ["C", "A"], True),
        ("multiple", ["A", "C"], "AC", True),
        ("multiple", ["A", "C"], "A，C", True),
        ("multiple", ["A", "C"], ["A"], False),
        ("multiple", ["A", "C"], ["A", "B", "C"], False),
        ("multiple", ["A", "C"], [], False),
        ("multiple", ["A", "C"], "A?C", False),
        ("judge", [True], True, True),
        ("judge", [True], "对", True),
        ("judge", [True], "√", True),
        ("judge", [False], "×", True),
        ("judge", [False], [False], True),
        ("judge", [False], "正确", False),
        ("judge", [True], "maybe", False),
        ("judge", [True], None, False),
        ("blank", [["行政处罚"]], ["行政处罚"], True),
        ("blank", [["行政处罚"]], "行政 处罚", True),
        ("blank", [["十五日", "15日"]], ["１５日"], True),  # full-width digits
        ("blank", [["15 日"]], ["15日。"], True),
        ("blank", [["听证"], ["三日", "3日"]], ["听证", "3日"], True),
        ("blank", [["听证"], ["三日", "3日"]], ["听证"], False),
        ("blank", [["听证"], ["三日"]], ["听证", "五日"], False),
        ("blank", [["听证"]], [""], False),
        ("blank", [["听证"]], None, False),
        ("short", RUBRIC, "应告知其陈述和申辩的权利，并制作笔录", True),
        ("short", RUBRIC, "应告知陈述权", False),
        ("case", RUBRIC, "", False),
    ],
)
def test_is_correct(kind, answer, response, expected):
    assert is_correct(kind, answer, response) is expected


@pytest.mark.parametrize(
    "kind, answer, response, points, partial, expected",
    [
        ("single", ["B"], "B", 2, False, 2.0),
        ("single", ["B"], "C", 2, True, 0.0),
        ("judge", [False], "错", 1, False, 1.0),
        ("multiple", ["A", "B", "D"], ["A", "B", "D"], 4, False, 4.0),
        ("multiple", ["A", "B", "D"], ["A", "B"], 4, False, 0.0),
        ("multiple", ["A", "B", "D"], ["A", "B"], 4, True, 2.0),
        ("multiple", ["A", "B", "D"], ["A", "B"], 4, "half", 2.0),
        ("multiple", ["A", "B", "D"], ["A"], 3, "proportional", 1.0),
        ("multiple", ["A", "B", "D"], ["A", "C"], 4, True, 0.0),  # a wrong pick earns nothing
        ("multiple", ["A", "B", "D"], [], 4, True, 0.0),
        ("blank", [["甲"], ["乙"]], ["甲", "丙"], 4, False, 0.0),
        ("blank", [["甲"], ["乙"]], ["甲", "丙"], 4, True, 2.0),
        ("blank", [["甲"], ["乙"]], ["甲", "乙"], 4, False, 4.0),
        ("short", RUBRIC, "应当制作笔录", 6, False, 2.0),
        ("short", RUBRIC, "告知陈述申辩，制作笔录", 6, False, 6.0),
        ("case", {"reference": "无评分要点"}, "任意", 5, False, 0.0),
    ],
)
def test_score(kind, answer, response, points, partial, expected):
    assert score(kind, answer, response, points, partial) == pytest.approx(expected)


def test_an_unknown_kind_is_refused():
    with pytest.raises(UnknownKind):
        is_correct("essay", ["A"], "A")
    with pytest.raises(ValueError):
        score("multiple", ["A"], "A", 1, "generous")


@pytest.mark.parametrize(
    "text, expected",
    [("ＡＢＣ　１２３", "abc123"), (" 行政\t处罚 ", "行政处罚"), ("听证。", "听证"), (None, "")],
)
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


labels = st.sets(st.sampled_from("ABCDEFGH"), min_size=1)


@given(answer=labels, response=st.sets(st.sampled_from("ABCDEFGH")), points=st.integers(1, 10))
def test_multiple_scores_stay_between_zero_and_full(answer, response, points):
    for mode in PartialCredit:
        earned = score("multiple", sorted(answer), sorted(response), points, mode.value)
        assert 0 <= earned <= points
        assert (earned == points) == (response == answer)
        if response - answer:
            assert earned == 0  # any wrong pick scores nothing, whatever the mode


@given(answer=labels, response=st.sets(st.sampled_from("ABCDEFGH")))
def test_partial_credit_never_lowers_a_score(answer, response):
    strict = score("multiple", sorted(answer), sorted(response), 4, False)
    assert score("multiple", sorted(answer), sorted(response), 4, True) >= strict


@given(st.lists(st.sampled_from("ABCDEFGH"), min_size=1))
def test_choice_order_and_repetition_do_not_matter(picks):
    assert choice_set(picks) == choice_set(list(reversed(picks))) == choice_set("".join(picks))


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["Lo", "Nd", "Lu"]), min_size=1, max_size=12))
def test_a_blank_matches_itself_in_full_width_and_with_spaces(text):
    if not normalise_text(text):
        return
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    spaced = " ".join(wide)
    assert is_correct("blank", [[text]], [spaced])


@given(
    st.one_of(
        st.none(), st.integers(), st.text(), st.lists(st.text()), st.booleans(), st.dictionaries(st.text(), st.text())
    )
)
def test_garbage_responses_never_raise(response):
    for kind, answer in [
        ("single", ["A"]),
        ("multiple", ["A", "B"]),
        ("judge", [True]),
        ("blank", [["x"]]),
        ("short", RUBRIC),
    ]:
        assert 0 <= score(kind, answer, response, 2, True) <= 2
        assert isinstance(is_correct(kind, answer, response), bool)
