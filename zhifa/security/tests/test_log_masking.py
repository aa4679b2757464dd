"""No ID-card or mobile number in a log line: masked at the source, whoever logs it; the suite's scan finds leaks."""

from __future__ import annotations

import logging

import pytest

from zhifa.people.demo import fake_id_card
from zhifa.security.logmask import find_personal_numbers, mask_text
from zhifa.security.logscan import LeakScanner

ID_CARD = fake_id_card(7)  # checksum-valid, obviously fake
BAD_CHECK = ID_CARD[:17] + ("0" if ID_CARD[17] != "0" else "1")


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"身份证号 {ID_CARD} 重复", f"身份证号 {ID_CARD[:6]}********{ID_CARD[14:]} 重复"),
        ("手机 13912345678，请核对", "手机 139****5678，请核对"),
        (f"id={ID_CARD};phone=13800138000", f"id={ID_CARD[:6]}********{ID_CARD[14:]};phone=138****8000"),
        (f"校验位不对的号码 {BAD_CHECK} 不是身份证号", f"校验位不对的号码 {BAD_CHECK} 不是身份证号"),
        ("订单 139123456789 是 12 位", "订单 139123456789 是 12 位"),
        ("时间戳 1733550000000", "时间戳 1733550000000"),
        ("座机 12012345678", "座机 12012345678"),
        ("", ""),
    ],
)
def test_numbers_are_masked_and_nothing_else(text, expected):
    assert mask_text(text) == expected


def test_a_log_call_anywhere_is_masked_before_any_handler_sees_it(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("zhifa.people.importing").warning("第 %d 行：身份证号 %s 已存在", 3, ID_CARD)
        logging.getLogger("some.library").info("sms to %(phone)s", {"phone": "13912345678"})
        try:
            raise ValueError(f"手机号 13912345678 与身份证号 {ID_CARD} 不符")
        except ValueError:
            logging.getLogger("django.request").exception("请求失败")
    assert ID_CARD not in caplog.text and "13912345678" not in caplog.text
    assert f"{ID_CARD[:6]}********" in caplog.text and "139****5678" in caplog.text
    assert not find_personal_numbers(caplog.text)


def test_the_suite_scan_reports_an_unmasked_line():
    scanner = LeakScanner()
    scanner.test = "zhifa/x/tests/test_y.py::test_z"
    # A record made directly (not through logging's factory) stands for a line the masking missed.
    scanner.handle(logging.LogRecord("zhifa.x", logging.INFO, __file__, 1, "发送到 %s", ("13912345678",), None))
    scanner.handle(logging.LogRecord("zhifa.x", logging.INFO, __file__, 1, "已脱敏 139****5678", (), None))
    assert len(scanner.leaks) == 1 and "test_z" in scanner.leaks[0] and "13912345678" not in scanner.leaks[0]
