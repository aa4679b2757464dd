"""Item analysis statistics: tables of known values and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.exams.analysis import (
    analyse_items,
    cronbach_alpha,
    difficulty,
    distractor_shares,
    flag_for,
    kr20,
    point_biserial,
    reliability,
    score_histogram,
    upper_lower_index,
)


@pytest.mark.parametrize(
    "item, total, expected",
    [
        ([1, 1, 0, 0], [10, 9, 3, 2], pytest.approx(0.99, abs=0.01)),
        ([1, 1, 1, 1], [10, 9, 3, 2], None),
        ([0, 0, 1, 1], [10, 9, 3, 2], pytest.approx(-0.99, abs=0.01)),
        ([1, 0], [5, 5], None),
        ([1], [3], None),
    ],
)
def test_point_biserial(item, total, expected):
    assert point_biserial(item, total) == expected


@pytest.mark.parametrize(
    "item, total, expected",
    [
        # 10 examinees: 27 % → groups of 3; upper three all right, lower three all wrong
        ([0, 0, 0, 1, 0, 1, 1, 1, 1, 1], list(range(10)), 1.0),
        ([1] * 10, list(range(10)), 0.0),
        ([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], list(range(10)), -1.0),
        ([1, 0], [1, 2], None),
    ],
)
def test_upper_lower_index(item, total, expected):
    assert upper_lower_index(item, total) == expected


def test_difficulty_is_the_mean_share_of_points():
    assert difficulty([1, 0.5, 0, 1]) == 0.625
    assert difficulty([]) is None


def test_distractor_shares_count_every_pick_and_blanks():
    shares = distractor_shares([["A"], ["B"], ["A", "C"], None], ["A", "B", "C", "D"])
    assert shares == {"A": 0.5, "B": 0.25, "C": 0.25, "D": 0.0, "": 0.25}


def test_kr20_and_alpha_on_a_textbook_matrix():
    matrix = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    # A perfect Guttman pattern: KR-20 = α = 0.8 * (1 - Σpq / var(total)) with k=4
    assert kr20(matrix) == pytest.approx(cronbach_alpha(matrix))
    assert kr20(matrix) == pytest.approx(4 / 3 * (1 - (0.16 + 0.24 + 0.24 + 0.16) / 2.0))
    assert reliability(matrix)["kr20"] == pytest.approx(kr20(matrix))
    assert reliability([[1, 0.5], [0, 1], [1, 1]])["kr20"] is None
    with pytest.raises(ValueError, match="0/1"):
        kr20([[1, 0.5], [0, 1]])


def test_questions_with_low_or_negative_discrimination_are_flagged():
    assert flag_for(-0.3) == "negative" and flag_for(0.1) == "low" and flag_for(0.5) == "" and flag_for(None) == ""
    matrix = [[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 0]]
    stats = analyse_items(matrix, [11, 12, 13], [[["A"], ["A"], ["B"], ["B"]], [], []], [["A", "B"], [], []])
    assert stats[0].flag == "" and stats[1].flag == "negative"
    assert stats[0].distractors["A"] == 0.5


def test_score_histogram_puts_the_maximum_in_the_last_band():
    bands = score_histogram([0, 55, 100, 100], 100, bins=10)
    assert [b["count"] for b in bands] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]


@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 100)), min_size=2, max_size=60))
def test_point_biserial_is_a_correlation(pairs):
    r = point_biserial([p[0] for p in pairs], [p[1] for p in pairs])
    assert r is None or -1.0 - 1e-9 <= r <= 1.0 + 1e-9


@given(st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3), min_size=2, max_size=40))
def test_alpha_never_exceeds_one(matrix):
    alpha = cronbach_alpha(matrix)
    assert alpha is None or alpha <= 1.0 + 1e-9


@pytest.fixture
def two_exams_sat(org, unit_admin, officer):
    """Two exams on the same three questions, each sat four times: s1 and j go with the total, s2 against it."""
    from zhifa.exams import queries, services
    from zhifa.exams.tests import factories

    s1, s2 = factories.question("single"), factories.question("single")
    j = factories.question("judge")
    sections = [{"kind": "single", "count": 2, "points": "10"}, {"kind": "judge", "count": 1, "points": "10"}]
    exams = [
        factories.exam(org, by=unit_admin, bp=factories.blueprint(org.market, sections), attempts_allowed=4, title=t)
        for t in ("第一次模拟考试", "第二次模拟考试")
    ]
    strong = {s1.pk: ["B"], s2.pk: ["A"], j.pk: [True]}
    weak = {s1.pk: ["C"], s2.pk: ["B"], j.pk: [False]}
    for exam in exams:
        for pattern in (strong, strong, weak, weak):
            paper = queries.attempt_paper_for(exam=exam, officer=officer)
            attempt = services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="t")
            answers = [services.AnswerIn(question=q, response=r) for q, r in pattern.items()]
            services.attempt_save_answers(
                attempt_id=attempt.pk, by=officer.user, answers=answers, seq=1, device_token="t"
            )
            services.attempt_submit(attempt=attempt, by=officer.user)
    return exams, (s1, s2, j)


def test_questions_are_analysed_across_exams_and_flagged(two_exams_sat):
    from zhifa.exams import results
    from zhifa.exams.models import Exam

    exams, (s1, s2, j) = two_exams_sat
    data = results.item_analysis_across(Exam.objects.filter(pk__in=[e.pk for e in exams]))
    rows = {q.pk: (s, n) for q, s, n in data["rows"]}
    assert data["attempts"] == 8 and data["flagged"] == 1
    assert data["rows"][0][0] == s2  # the flagged question first
    stats, exams_n = rows[s2.pk]
    assert exams_n == 2 and stats.n == 8 and stats.p == 0.5 and stats.flag == "negative"
    assert stats.point_biserial == pytest.approx(-1.0) and stats.upper_lower == -1.0
    assert stats.distractors == {"A": 0.5, "B": 0.5, "C": 0.0, "D": 0.0, "": 0.0}
    assert rows[s1.pk][0].point_biserial == pytest.approx(1.0) and rows[s1.pk][0].flag == ""
    assert rows[j.pk][0].p == 0.5 and rows[j.pk][0].distractors == {}
    only = results.item_analysis_across(Exam.objects.all(), kind="judge")
    assert [q.pk for q, _, _ in only["rows"]] == [j.pk]
    assert [q.pk for q, _, _ in results.item_analysis_across(Exam.objects.all(), flagged_only=True)["rows"]] == [s2.pk]


def test_the_across_exams_page_charts_and_exports(client, two_exams_sat, unit_admin, officer):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(unit_admin)
    page = client.get("/exams/manage/items/?flagged=1")
    assert (
        page.status_code == 200 and "区分度为负" in page.content.decode() and 'id="item-chart"' in page.content.decode()
    )
    export = client.get("/exams/manage/items.xlsx?kind=single")
    sheet = load_workbook(BytesIO(export.content)).active
    table = list(sheet.values)
    assert table[0][:5] == ("试题编号", "版本", "题型", "考试数", "人数") and len(table) == 3
    assert table[1][9] == "区分度为负" and table[1][3] == 2 and table[1][4] == 8
    client.force_login(officer.user)
    assert client.get("/exams/manage/items/").status_code == 404
