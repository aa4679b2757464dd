"""Fixtures of the cases tests: scenario files, published scenarios, the law texts the content cites."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands

from zhifa.cases import services

HERE = Path(__file__).parent
SCENARIOS = HERE.parent / "scenarios"
SMALL = HERE / "scenarios" / "valid_small.yaml"

# The laws cited by the project's own scenarios and warning cases (files in ../shared/data/laws).
CITED_LAWS = [
    "中华人民共和国行政处罚法",
    "中华人民共和国行政强制法",
    "中华人民共和国产品质量法",
    "中华人民共和国消费者权益保护法",
    "市场监督管理投诉举报处理暂行办法",
    "中华人民共和国道路交通安全法",
    "道路交通安全违法行为处理程序规定",
    "中华人民共和国公职人员政务处分法",
    "行政机关公务员处分条例",
    "中华人民共和国公务员法",
    "中华人民共和国行政复议法",
]


def laws_dir() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "laws"


def laws_import(titles: list[str]) -> None:
    """Import law texts from the shared data with the laws app's `import_laws`; skip when either is missing."""
    if not laws_dir().is_dir():
        pytest.skip(f"共享数据目录 {laws_dir()} 不存在：跳过需要真实法规文本的测试")
    try:
        get_commands()["import_laws"]
    except KeyError:
        pytest.skip("法规导入命令 manage.py import_laws 尚不可用")
    call_command("import_laws", *[str(laws_dir() / f"{title}.txt") for title in titles], stdout=StringIO())


def publish(source: str, *, by=None):
    version = services.scenario_save(source=source, by=by)
    return services.scenario_publish(version=version, by=by)


@pytest.fixture
def small_source() -> str:
    return SMALL.read_text(encoding="utf-8")


@pytest.fixture
def small(db, small_source):
    """The small test scenario, published (its articles are pending: no laws in this database)."""
    return publish(small_source)


@pytest.fixture
def penalty_scenario(db):
    """The counterfeit-goods scenario, which ends in a penalty decision, published."""
    return publish((SCENARIOS / "counterfeit-inspection.yaml").read_text(encoding="utf-8"))
