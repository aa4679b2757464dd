"""Chinese numerals and whitespace (zhifa.common.text)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.common.text import (
    MAX_NUMERAL,
    article_label,
    canonical_article_label,
    chinese_to_int,
    int_to_chinese,
    normalize_text,
    normalize_whitespace,
    parse_article_label,
)


@pytest.mark.parametrize(
    "number, text",
    [
        (0, "零"),
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (32, "三十二"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1260, "一千二百六十"),
        (9999, "九千九百九十九"),
        (10000, "一万"),
        (100010, "十万零一十"),
    ],
)
def test_numerals_read_and_write_as_statutes_do(number, text):
    assert int_to_chinese(number) == text
    assert chinese_to_int(text) == number


@pytest.mark.parametrize(
    "text, number",
    [
        ("两百", 200),
        ("〇", 0),
        ("二〇二一", 2021),
        ("一九八二", 1982),
        ("32", 32),
        ("３２", 32),
        ("一十", 10),
    ],
)
def test_other_written_forms_are_read(text, number):
    assert chinese_to_int(text) == number


@pytest.mark.parametrize("text", ["", "条", "三三百", "一万万"])
def test_non_numerals_are_refused_with_a_chinese_message(text):
    with pytest.raises(ValueError):
        chinese_to_int(text)


@given(st.integers(min_value=0, max_value=MAX_NUMERAL))
def test_every_number_round_trips(number):
    assert chinese_to_int(int_to_chinese(number)) == number


@given(st.integers(min_value=1, max_value=2000), st.one_of(st.none(), st.integers(min_value=1, max_value=20)))
def test_article_labels_round_trip(number, sub):
    assert parse_article_label(article_label(number, sub)) == (number, sub)


@pytest.mark.parametrize(
    "label, canonical",
    [
        ("第32条", "第三十二条"),
        ("第 三十二 条", "第三十二条"),
        ("第十七条之一", "第十七条之一"),
        ("第一千零一十条", "第一千零一十条"),
    ],
)
def test_article_labels_are_canonicalised(label, canonical):
    assert canonical_article_label(label) == canonical


def test_a_bad_article_label_names_the_expected_form():
    with pytest.raises(ValueError, match="第三十二条"):
        parse_article_label("第三章")


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("第一章\u3000总则", "第一章 总则"),
        ("第一章\u2002\u2002总则", "第一章 总则"),
        ("a\u00a0 b", "a b"),
        ("\u200b  正文\t", "正文"),
        ("\ufeff标题", "标题"),
    ],
)
def test_whitespace_of_every_kind_collapses(raw, clean):
    assert normalize_whitespace(raw) == clean


def test_normalize_text_drops_blank_lines():
    assert normalize_text("标题\n\n\u3000第一条  正文\r\n\n") == "标题\n第一条 正文"
