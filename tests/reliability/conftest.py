"""The reliability suite (`make reliability`, `make reliability-fast`): runs only with ZHIFA_RELIABILITY=1.

ZHIFA_RELIABILITY_FAST=1 shortens the bounded parts (a few seconds of fuzzing per importer, fewer API examples) for
CI. Figures go to stdout at the end of the session (terminal summary) and to docs/performance.md by hand.
"""

from __future__ import annotations

import os

import pytest

FAST = os.environ.get("ZHIFA_RELIABILITY_FAST") == "1"
FIGURES: dict[str, object] = {}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ZHIFA_RELIABILITY") == "1":
        return
    skip = pytest.mark.skip(
        reason="可靠性测试只在 make reliability / make reliability-fast 中运行（ZHIFA_RELIABILITY=1）"
    )
    for item in items:
        if "tests/reliability" in str(item.fspath):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("可靠性测试数据 (reliability figures)")
        for name, value in FIGURES.items():
            terminalreporter.line(f"{name}: {value}")
