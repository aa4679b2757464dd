"""A fresh clone's demo without ../shared/data (issue 22 item 8): `seed_laws --with-national` imports the public
national laws shipped in zhifa/laws/samples/national/, and every article the demo's sample content cites resolves."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from zhifa.laws.models import Law
from zhifa.laws.seeding import NATIONAL_DIR, national_folder
from zhifa.laws.services import UnknownArticle, article_get, article_key_normalize

ROOT = Path(__file__).resolve().parents[3]
KEY = re.compile(
    r"(?<![\u4e00-\u9fff〔])([\u4e00-\u9fff]{2,20}#第[一二三四五六七八九十百零〇0-9]+条"
    r"(?:之[一二三四五六七八九十]+)?)"
)
SAMPLE_SUFFIXES = {".py", ".yaml", ".yml", ".jsonl", ".json"}


def cited_keys() -> set[str]:
    """Every article key written in the apps' own content (seeds, sample banks, scenarios), tests excluded."""
    keys = set()
    for path in (ROOT / "zhifa").rglob("*"):
        if path.suffix not in SAMPLE_SUFFIXES or "tests" in path.parts or "migrations" in path.parts:
            continue
        for raw in KEY.findall(path.read_text(encoding="utf-8", errors="ignore")):
            try:
                keys.add(article_key_normalize(raw))
            except UnknownArticle:
                continue
    return keys


def test_without_shared_data_the_demo_uses_the_shipped_national_laws(db, settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path / "missing"
    out = io.StringIO()
    call_command("seed_laws", "--with-national", stdout=out)
    text = out.getvalue()
    assert "全国性法律法规：14 部，未找到共享数据" in text and "使用项目自带的公开文本" in text
    assert "新建 行政处罚法（2021-01-22）86 条" in text
    assert Law.objects.get(short_title="行政处罚法").category == "law"
    assert Law.objects.get(short_title="道路交通安全违法行为处理程序规定").category == "departmental_rule"
    again = io.StringIO()
    call_command("seed_laws", "--with-national", stdout=again)
    assert "新建" not in again.getvalue()  # idempotent


def test_every_article_the_sample_content_cites_is_in_the_shipped_laws(db, settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path / "missing"
    call_command("seed_laws", "--with-national", stdout=io.StringIO())
    keys = cited_keys()
    assert len(keys) > 60  # the scan finds the samples' citations (行政处罚法, 行政强制法, 公务员法 …)
    missing = []
    for key in sorted(keys):
        try:
            article_get(key)
        except UnknownArticle as exc:
            missing.append(str(exc))
    assert not missing, missing


@pytest.mark.parametrize("present", [True, False])
def test_the_shared_data_wins_when_it_is_there(tmp_path, present):
    if present:
        (tmp_path / "laws").mkdir()
    assert national_folder(tmp_path) == (tmp_path / "laws" if present else NATIONAL_DIR)
