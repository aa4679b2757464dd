"""Certificates test set-up: 江北省's rules installed, time fixed late in 2026 (the review year's last month)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from zhifa.certificates import services

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW)


@pytest.fixture
def rule_set(db):
    return services.rule_set_install_default()
