"""The 63 real laws of ../shared/data/laws and their older versions import with the right article counts."""

import csv
import tarfile
from pathlib import Path, PurePosixPath

import pytest
from django.conf import settings

from zhifa.common.text import normalize_text
from zhifa.laws import services
from zhifa.laws.classify import folder_kind
from zhifa.laws.diff import RENUMBERED, compare_articles
from zhifa.laws.importing import SKIPPED, import_source, sources_from_paths
from zhifa.laws.models import Law, LawVersion
from zhifa.laws.parser import ParseError, parse_law, render
from zhifa.laws.queries import version_articles
from zhifa.laws.sources import file_text

LAWS_DIR = Path(settings.SHARED_DATA_DIR) / "laws"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (LAWS_DIR / "index.csv").is_file(), reason=f"共享数据目录 {LAWS_DIR} 不存在（真实法规文本只在开发机上提供）"
    ),
]


@pytest.fixture
def imported(db) -> list[dict]:
    return [import_source(source) for source in sources_from_paths([LAWS_DIR])]


def test_every_law_imports_with_the_article_count_of_the_index(imported):
    skipped = [row for row in imported if row["status"] == SKIPPED]
    assert skipped == []  # the folder's README.md is passed over like its index.csv
    rows = list(csv.DictReader((LAWS_DIR / "index.csv").open(encoding="utf-8")))
    current = [row for row in rows if row["is_current"] == "yes"]
    assert len(current) == 63 and Law.objects.count() == 63
    for row in rows:
        versions = LawVersion.objects.filter(law__title=row["title"])
        # 宪法 has no version date in the index: its only version is the one dated by its history lines.
        version = versions.get(version_date=row["version_date"]) if row["version_date"] else versions.get()
        assert version.article_count == int(row["n_articles"]), row["title"]
        assert version.is_current == (row["is_current"] == "yes"), row["title"]


def test_categories_follow_the_index_levels(imported):
    levels = {
        "法律": "law",
        "行政法规": "administrative_regulation",
        "部门规章": "departmental_rule",
        "司法解释": "judicial_interpretation",
        "宪法": "constitution",
    }
    for row in csv.DictReader((LAWS_DIR / "index.csv").open(encoding="utf-8")):
        assert Law.objects.get(title=row["title"]).category == levels[row["level"]], row["title"]
        assert Law.objects.get(title=row["title"]).region == ""


def test_older_versions_are_earlier_versions_of_the_same_laws(imported):
    for title in ["行政复议法", "立法法", "监察法", "国务院组织法", "突发事件应对法", "农产品质量安全法"]:
        law = Law.objects.get(short_title=title)
        old, new = law.versions.order_by("version_date")
        assert (old.status, old.is_current, new.is_current) == ("amended", False, True)


def test_the_2023_administrative_review_law_maps_back_onto_2017(imported):
    law = Law.objects.get(short_title="行政复议法")
    old, new = law.versions.order_by("version_date")
    changes = compare_articles(version_articles(version=old), version_articles(version=new))
    moved = {(c.old.label, c.new.label) for c in changes if c.kind == RENUMBERED}
    assert ("第九条", "第二十条") in moved  # 申请期限：六十日 moved from article 9 to article 20


def test_a_second_import_is_unchanged_and_articles_are_found(imported):
    again = [import_source(source) for source in sources_from_paths([LAWS_DIR])]
    assert {row["status"] for row in again} == {"unchanged"}
    article = services.article_get("行政处罚法#第三十二条")
    assert article.version.version_date.isoformat() == "2021-01-22" and "从轻或者减轻" in article.text
    assert services.article_get("刑法#第十七条之一").text.startswith("已满七十五周岁")


def test_every_real_text_renders_back_to_itself():
    files = sorted(LAWS_DIR.rglob("*.txt"))
    assert len(files) == 69
    for path in files:
        text = file_text(path.name, path.read_bytes())
        assert normalize_text(render(parse_law(text))) == normalize_text(text), path.name


CORPUS = Path(settings.SHARED_DATA_DIR) / "laws-corpus.tar.gz"


@pytest.mark.skipif(not CORPUS.is_file(), reason=f"法规语料 {CORPUS} 不存在")
def test_every_corpus_text_round_trips_or_is_refused_for_having_no_body():
    """Texts without numbered articles round-trip too: 102 decisions, amendments … and 53 court cases and a guide
    (read with their folder, as the import does), as paragraphs; refused are only the 4 with a title and history
    lines only."""
    parsed = refused = paragraphs = plain = 0
    with tarfile.open(CORPUS) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            text = file_text(member.name, tar.extractfile(member).read())
            try:
                law = parse_law(text, kind=folder_kind(PurePosixPath(member.name).parts[:-1]))
            except ParseError as exc:
                assert "没有正文" in exc.reason, member.name
                refused += 1
                continue
            assert normalize_text(render(law)) == normalize_text(text), member.name
            parsed += 1
            paragraphs += law.paragraphs_only and not law.document_kind
            plain += bool(law.document_kind)
    assert (parsed, paragraphs, plain, refused) == (3471, 102, 53, 4)
