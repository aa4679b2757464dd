"""pytest plugin: the whole suite's log is scanned for ID-card and mobile numbers; any found fails the run.

At session start a handler on the root logger receives every record that reaches it (with the project's own
loggers at their production level, INFO) and looks for unmasked numbers in the formatted line; only the findings
are kept (a few, with the test that logged them). At the end of the session (on each xdist worker, then gathered
by the controller) a finding turns the exit status into a failure and is listed in the summary. The masking itself
is zhifa.security.logmask, installed in every process; this scan proves that it holds.
"""

from __future__ import annotations

import logging

import pytest

from zhifa.security.logmask import find_personal_numbers, mask_text

KEY = "zhifa_log_leaks"
KEEP = 20
_scanner: list[LeakScanner] = []  # this process's scanner (hooks without the config reach it here)


class LeakScanner(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.test = "(collection)"
        self.leaks: list[str] = []
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            line = self.format(record)
        except Exception:  # a record that cannot be formatted is logging's own error, not a leak
            return
        found = find_personal_numbers(line)
        if found and len(self.leaks) < KEEP:
            masked = ", ".join(n[:3] + "…" for n in found)
            self.leaks.append(
                f"{self.test}: {record.name} 记录了身份证号/手机号（{masked}）：{mask_text(line)[:160]!r}"
            )


class _XdistHooks:
    def __init__(self, leaks: list[str]) -> None:
        self.leaks = leaks

    @pytest.hookimpl
    def pytest_testnodedown(self, node, error) -> None:
        self.leaks += getattr(node, "workeroutput", {}).get(KEY, [])


def pytest_configure(config) -> None:
    config._zhifa_log_leaks = []
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_XdistHooks(config._zhifa_log_leaks), "zhifa-log-scan-xdist")


def pytest_sessionstart(session) -> None:
    scanner = LeakScanner()
    logging.getLogger().addHandler(scanner)
    project = logging.getLogger("zhifa")
    if project.getEffectiveLevel() > logging.INFO:
        project.setLevel(logging.INFO)  # what production logs (ZHIFA_LOG_LEVEL=INFO) is what is scanned
    session.config._zhifa_log_scanner = scanner
    _scanner[:] = [scanner]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logstart(nodeid, location) -> None:
    if _scanner:
        _scanner[0].test = nodeid


def pytest_sessionfinish(session) -> None:
    config = session.config
    scanner = getattr(config, "_zhifa_log_scanner", None)
    if scanner is None:
        return
    logging.getLogger().removeHandler(scanner)
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller reports
        config.workeroutput[KEY] = scanner.leaks
        return
    config._zhifa_log_leaks += scanner.leaks
    if config._zhifa_log_leaks and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    leaks = getattr(config, "_zhifa_log_leaks", [])
    if leaks:
        terminalreporter.section("日志中出现身份证号或手机号（须经 zhifa.security.logmask 脱敏）", red=True)
        for leak in leaks:
            terminalreporter.line(leak)
