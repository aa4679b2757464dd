"""Chinese text helpers without the ORM: Chinese numerals ↔ int, article labels, whitespace normalisation.

Numerals follow the usage of statute texts: 十 not 一十 at the start (第十条, 第十一条), 零 for gaps
(第一百零五条, 第一千零一十条), 两 accepted when reading (两百), 〇 read like 零, and digit strings without units
(二〇二一) read position by position as in dates.
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_DIGIT_VALUE = {c: i for i, c in enumerate(DIGITS)} | {"〇": 0, "两": 2, "○": 0, "O": 0}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MYRIAD = 10_000
MAX_NUMERAL = 99_999_999

# Every character that counts as whitespace in law texts: Python's own (ASCII, U+00A0, U+2002, U+3000, …) plus
# the zero-width space and byte-order mark that copy-pasted web texts carry.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_WHITESPACE_RUN = re.compile(rf"[\s{_INVISIBLE}]+")
NUMERAL_CHARS = "零〇○一二三四五六七八九十百千万两0123456789０１２３４５６７８９"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ARTICLE_LABEL = re.compile(rf"^第([{NUMERAL_CHARS}]+)条(?:之([{NUMERAL_CHARS}]+))?$")


def _below_myriad(n: int) -> str:
    """1..9999 in Chinese, with 零 for internal gaps; `n` must be in range."""
    parts: list[str] = []
    pending_zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(DIGITS[digit] + unit)
    return "".join(parts)


def int_to_chinese(n: int) -> str:
    """The Chinese numeral of 0 ≤ n ≤ 99,999,999 as statutes write it (十一, 一百一十, 一千零一); ValueError else."""
    if not 0 <= n <= MAX_NUMERAL:
        raise ValueError(f"数字超出范围：{n}")
    if n == 0:
        return "零"
    high, low = divmod(n, _MYRIAD)
    text = ""
    if high:
        text = _below_myriad(high) + "万"
        if low and low < 1000:
            text += "零"
    if low:
        text += _below_myriad(low)
    if text.startswith("一十"):
        text = text[1:]
    return text


def _read_below_myriad(text: str, original: str) -> int:
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT_VALUE:
            if digit is not None and _DIGIT_VALUE[ch] != 0 and digit != 0:
                raise ValueError(f"无法识别的中文数字：{original}")
            digit = _DIGIT_VALUE[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            raise ValueError(f"无法识别的中文数字：{original}")
    return total + (digit or 0)


def chinese_to_int(text: str) -> int:
    """Read a Chinese (or Arabic) numeral: 十一 → 11, 一千零一十 → 1010, 两百 → 200, 二〇二一 → 2021.

    Raises ValueError (with a Chinese message) when the text is not a numeral.
    """
    original = text
    text = text.strip().translate(_FULLWIDTH_DIGITS)
    if not text:
        raise ValueError("空的数字")
    if text.isdigit():
        return int(text)
    if all(ch in _DIGIT_VALUE for ch in text) and len(text) > 1:
        return int("".join(str(_DIGIT_VALUE[ch]) for ch in text))  # positional, as in 二〇二一年
    if text.count("万") > 1:
        raise ValueError(f"无法识别的中文数字：{original}")
    high, _, low = text.rpartition("万")
    value = (_read_below_myriad(high, original) if high else (1 if "万" in text else 0)) * _MYRIAD
    return value + _read_below_myriad(low, original)


def article_label(number: int, sub: int | None = None) -> str:
    """第十七条, or 第十七条之一 when `sub` is given."""
    label = f"第{int_to_chinese(number)}条"
    return f"{label}之{int_to_chinese(sub)}" if sub else label


def parse_article_label(label: str) -> tuple[int, int | None]:
    """(17, 1) for 第十七条之一, (32, None) for 第三十二条 or 第32条; ValueError when it is no article label."""
    match = _ARTICLE_LABEL.match(normalize_whitespace(label).replace(" ", ""))
    if not match:
        raise ValueError(f"不是条文编号：{label}（应形如“第三十二条”或“第十七条之一”）")
    number = chinese_to_int(match.group(1))
    sub = chinese_to_int(match.group(2)) if match.group(2) else None
    return number, sub


def canonical_article_label(label: str) -> str:
    """第32条 → 第三十二条; the form used in article keys. ValueError when it is no article label."""
    return article_label(*parse_article_label(label))


def normalize_whitespace(text: str) -> str:
    """Collapse every run of whitespace (ASCII, U+2002, U+3000, NBSP, zero-width) to one space and strip."""
    return _WHITESPACE_RUN.sub(" ", text).strip()


def normalize_text(text: str) -> str:
    """Each line whitespace-normalised, blank lines dropped, joined with newlines: the form round-trips compare."""
    lines = (normalize_whitespace(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def article_key_display(key: str) -> str:
    """A citation key for people: "行政处罚法#第四十二条" → "《行政处罚法》第四十二条" (a key without "#": the law)."""
    law, _, article = str(key).partition("#")
    law = law.strip().strip("《》")
    return f"《{law}》{article.strip()}" if law else article.strip()


def answer_display(value: object) -> str:
    """A stored answer for people: ["A", "C"] → "A、C"; [true] → "正确"; blanks [["甲", "乙"], ["丙"]] → "甲/乙；丙"."""
    if isinstance(value, bool):
        return "正确" if value else "错误"
    if isinstance(value, dict):
        return str(value.get("reference") or "；".join(f"{k}：{answer_display(v)}" for k, v in value.items()))
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, list | tuple) for v in value):
            return "；".join("/".join(str(x) for x in v) for v in value)
        return "、".join(answer_display(v) for v in value)
    return "" if value is None else str(value)
