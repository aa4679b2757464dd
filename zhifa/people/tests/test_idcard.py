from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.people import idcard

# The shared machine is busy: no per-example deadline, no "generation is slow" health check.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
regions = st.builds(
    lambda province, rest: f"{province}{rest:04d}", st.sampled_from(sorted(idcard.PROVINCE_CODES)), st.integers(0, 9999)
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),  # lower-case x is accepted and normalised
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width input
        (" 110105 1949 1231 002X ", "11010519491231002X"),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert idcard.validate(raw) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("110105194912310021", "校验码"),
        ("11010519491231002", "18 位"),
        ("110105491231002", "15 位"),
        ("1101051949123100XX", "前 17 位"),
        ("99010519491231002X", "地区码"),
        ("110105194902300020", "出生日期"),  # 30 February
        ("110105299901010020", "不合理"),  # born in the future
        ("110105189901010020", "不合理"),  # before 1900
    ],
)
def test_invalid_numbers_name_the_problem(raw, reason):
    with pytest.raises(idcard.InvalidIdCard) as exc:
        idcard.validate(raw, today=date(2026, 11, 27))
    assert reason in str(exc.value)


@relaxed
@given(regions, births, sequences)
def test_a_built_number_validates(region, born, sequence):
    number = idcard.build(region, born, sequence)
    assert idcard.validate(number, today=date(2026, 1, 1)) == number
    assert idcard.birth_date(number) == born


@relaxed
@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_error_breaks_the_checksum(region, born, sequence, position, delta):
    number = idcard.build(region, born, sequence)
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert idcard.check_character(wrong[:17]) != wrong[17]


@relaxed
@given(regions, births, sequences, st.integers(min_value=0, max_value=15))
def test_swapping_two_different_adjacent_digits_breaks_the_checksum(region, born, sequence, position):
    number = idcard.build(region, born, sequence)
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    assert (a == b) == (idcard.check_character(swapped[:17]) == swapped[17])


@relaxed
@given(regions, births, sequences)
def test_masking_hides_the_birth_date_and_keeps_both_ends(region, born, sequence):
    number = idcard.build(region, born, sequence)
    masked = idcard.mask(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "*" * 8
    assert f"{born:%Y%m%d}" not in masked


@relaxed
@given(st.text(max_size=30))
def test_masking_never_reveals_more_than_ten_characters(text):
    masked = idcard.mask(text)
    assert len(masked) == len(text)
    assert sum(c != "*" for c in masked) <= 10


def test_the_documented_mask():
    assert idcard.mask("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize(
    "raw, normalised, masked",
    [("13812345678", "13812345678", "138****5678"), ("+86 138-1234-5678", "13812345678", "138****5678")],
)
def test_phones_are_validated_and_masked(raw, normalised, masked):
    assert idcard.validate_phone(raw) == normalised
    assert idcard.mask_phone(normalised) == masked


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "1381234567a", "010-12345678"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(idcard.InvalidPhone):
        idcard.validate_phone(raw)


@relaxed
@given(st.integers(13_000_000_000, 19_999_999_999).map(str))
def test_phone_masking_keeps_three_and_four_digits(number):
    masked = idcard.mask_phone(number)
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:] and masked[3:7] == "****"
