"""Pure rules of the ledger, tested with tables and properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.records import ledger
from zhifa.records.ledger import RequirementRow
from zhifa.records.xapi import iso_duration

D = Decimal


@pytest.mark.parametrize(
    "raw, expected",
    [("2", D("2.00")), ("1.5", D("1.50")), (" 0.25 ", D("0.25")), (D("200"), D("200.00")), (3, D("3.00"))],
)
def test_parse_hours_accepts(raw, expected):
    assert ledger.parse_hours(raw) == expected


@pytest.mark.parametrize(
    "raw, words",
    [
        ("abc", "不是数字"),
        ("", "不是数字"),
        ("-1", "大于 0"),
        ("0", "大于 0"),
        ("200.01", "不能超过"),
        ("1e9", "不能超过"),
        ("1.234", "两位小数"),
        ("NaN", "不是数字"),
        ("Infinity", "不是数字"),
    ],
)
def test_parse_hours_refuses_with_a_chinese_reason(raw, words):
    with pytest.raises(ledger.InvalidHours, match=words):
        ledger.parse_hours(raw)


@given(st.decimals(min_value=D("0.01"), max_value=D("200"), places=2))
def test_every_two_place_amount_in_range_is_accepted_unchanged(hours):
    assert ledger.parse_hours(hours) == hours


ROWS = [
    RequirementRow(year=2025, category="legal", hours=D("40")),  # national, older year
    RequirementRow(year=2026, category="legal", hours=D("36"), province="江北省"),
    RequirementRow(year=2026, category="skill", hours=D("24"), unit_path="/1/2/"),
    RequirementRow(year=2026, category="skill", hours=D("12"), unit_path="/1/2/5/"),
    RequirementRow(year=2027, category="ethics", hours=D("99")),  # a later year never applies backwards
]


@pytest.mark.parametrize(
    "unit_path, province, year, expected",
    [
        ("/1/2/5/9/", "江北省", 2026, {"legal": D("36"), "skill": D("12"), "ethics": D("10")}),  # deepest unit wins
        ("/1/2/7/", "江北省", 2026, {"legal": D("36"), "skill": D("24"), "ethics": D("10")}),
        ("/8/", "江南省", 2026, {"legal": D("40"), "skill": D("20"), "ethics": D("10")}),  # national 2025 carries on
        ("/8/", "江南省", 2024, {"legal": D("30"), "skill": D("20"), "ethics": D("10")}),  # nothing yet: defaults
        ("/8/", "江南省", 2027, {"legal": D("40"), "skill": D("20"), "ethics": D("99")}),
    ],
)
def test_the_most_specific_requirement_applies(unit_path, province, year, expected):
    assert ledger.effective_requirement(ROWS, year=year, unit_path=unit_path, province=province) == expected


def test_a_newer_year_beats_a_more_specific_older_one():
    rows = [
        RequirementRow(year=2025, category="legal", hours=D("50"), unit_path="/1/"),
        RequirementRow(year=2026, category="legal", hours=D("32")),
    ]
    assert ledger.effective_requirement(rows, year=2026, unit_path="/1/3/", province="")["legal"] == D("32")


@pytest.mark.parametrize(
    "year, today, expected",
    [
        (2026, date(2025, 12, 31), D("0")),
        (2026, date(2027, 1, 1), D("1")),
        (2026, date(2026, 12, 31), D("1")),
        (2026, date(2026, 7, 2), D("0.5014")),
    ],
)
def test_elapsed_share(year, today, expected):
    assert ledger.elapsed_share(year, today) == expected


REQ = {"legal": D("30"), "skill": D("20"), "ethics": D("10")}


@pytest.mark.parametrize(
    "earned, share, expected",
    [
        ({"legal": D("30"), "skill": D("20"), "ethics": D("10")}, D("0.1"), ledger.DONE),
        ({"legal": D("15"), "skill": D("10"), "ethics": D("5")}, D("0.5"), ledger.ON_TRACK),
        ({"legal": D("60"), "skill": D("9.99"), "ethics": D("5")}, D("0.5"), ledger.BEHIND),  # one category short
        ({}, D("0"), ledger.ON_TRACK),  # nothing due on 1 January
        ({}, D("0.01"), ledger.BEHIND),
    ],
)
def test_classify(earned, share, expected):
    assert ledger.classify(earned, REQ, share) == expected


@given(
    st.fixed_dictionaries({c: st.decimals(min_value=0, max_value=100, places=2) for c in ledger.CATEGORIES}),
    st.decimals(min_value=0, max_value=1, places=4),
)
def test_more_time_passed_never_improves_the_status(earned, share):
    order = [ledger.BEHIND, ledger.ON_TRACK, ledger.DONE]
    later = min(Decimal("1"), share + Decimal("0.1"))
    assert order.index(ledger.classify(earned, REQ, later)) <= order.index(ledger.classify(earned, REQ, share))


@pytest.mark.parametrize(
    "year, occurred_on, month",
    [(2026, date(2026, 5, 9), 5), (2026, date(2025, 12, 30), 1), (2025, date(2026, 1, 2), 12)],
)
def test_rollup_month(year, occurred_on, month):
    assert ledger.rollup_month(year=year, occurred_on=occurred_on) == month


@pytest.mark.parametrize(
    "name, size, head, words",
    [
        ("", 0, b"", "请上传佐证材料"),
        ("证书.docx", 10, b"PK\x03\x04", "格式不受支持"),
        ("证书.pdf", 11 * 1024 * 1024, b"%PDF-1.7", "超过 10 MB"),
        ("证书.pdf", 100, b"<html>", "内容与扩展名不符"),
        ("scan.JPG", 100, b"GIF89a", "内容与扩展名不符"),
    ],
)
def test_bad_evidence_files_are_refused(name, size, head, words):
    with pytest.raises(ledger.InvalidEvidence, match=words):
        ledger.check_evidence_file(name=name, size=size, head=head)


@pytest.mark.parametrize(
    "name, head", [("证书.pdf", b"%PDF-1.4"), ("scan.PNG", b"\x89PNG\r\n\x1a\n\0"), ("a.jpeg", b"\xff\xd8\xff\xe0")]
)
def test_good_evidence_files_pass(name, head):
    ledger.check_evidence_file(name=name, size=1000, head=head)


@pytest.mark.parametrize("seconds, expected", [(0, "PT0S"), (905.5, "PT15M5.5S"), (3600, "PT1H0S"), (3725, "PT1H2M5S")])
def test_iso_duration(seconds, expected):
    assert iso_duration(seconds) == expected
