"""Resident ID-card numbers (GB 11643-1999) and mobile numbers: normalising, validating, masking. No ORM.

An 18-character number is: a 6-digit region code (the first two digits a province code), the birth date YYYYMMDD,
a 3-digit sequence number (odd for men, even for women) and a check character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
# Province-level codes of GB/T 2260 (71 Taiwan, 81 Hong Kong, 82 Macao are valid first two digits, too).
_PROVINCES = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82"
PROVINCE_CODES = frozenset(_PROVINCES.split())
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")


class InvalidIdCard(ValueError):
    """The number is not a valid 18-character resident ID-card number; str() is a Chinese message with the fix."""


class InvalidPhone(ValueError):
    """The number is not an 11-digit mainland mobile number; str() is a Chinese message with the fix."""


def normalize(raw: str) -> str:
    """Full-width digits to ASCII, spaces and hyphens removed, a lower-case x upper-cased."""
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"[\s\-]", "", text).upper()


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def birth_date(number: str) -> date:
    """The birth date encoded in a (shape-checked) 18-character number; raises ValueError when it is no date."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate(raw: str, *, today: date | None = None) -> str:
    """The normalised number; raises InvalidIdCard naming what is wrong (length, region, birth date, check)."""
    number = normalize(raw)
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise InvalidIdCard("这是 15 位旧号码，请填写 18 位居民身份证号。")
    if len(number) != 18:
        raise InvalidIdCard(f"应为 18 位，实际 {len(number)} 位，请核对后重新填写。")
    if not _ID_SHAPE.match(number):
        raise InvalidIdCard("前 17 位必须是数字，最后一位是数字或 X，请核对。")
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdCard(f"地区码 {number[:6]} 不存在（前两位 {number[:2]} 不是省级代码），请核对前 6 位。")
    try:
        born = birth_date(number)
    except ValueError:
        raise InvalidIdCard(f"出生日期 {number[6:14]} 不是有效日期，请核对第 7–14 位。") from None
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidIdCard(f"出生日期 {born:%Y-%m-%d} 不合理，请核对第 7–14 位。")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdCard("校验码不正确（最后一位与前 17 位不符），请逐位核对号码。")
    return number


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidIdCard:
        return False
    return True


def build(region: str, born: date, sequence: int) -> str:
    """A valid number from its parts (for sample data and tests): region 6 digits, sequence 0..999."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def mask(number: str) -> str:
    """Keep the region code and the last four characters: 110105********002X. Short input is fully masked."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def validate_phone(raw: str) -> str:
    """The normalised 11-digit mobile number; raises InvalidPhone."""
    number = normalize(raw).removeprefix("+86")
    if not _MOBILE_SHAPE.match(number):
        raise InvalidPhone("应为 11 位手机号（以 13–19 开头），请核对。")
    return number


def mask_phone(number: str) -> str:
    """Keep the first three and last four digits: 138****5678. Short input is fully masked."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
