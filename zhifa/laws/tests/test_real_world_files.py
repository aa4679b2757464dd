"""Law files as real offices and the corpus hold them (issue 20 item 4): texts without a version date, decisions
without numbered articles, gaps in the numbering; only empty or undecodable files stay refused.

The fixtures are small texts written here, one of each kind found among the 227 corpus files refused before.
"""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhifa.common.models import AuditEvent
from zhifa.laws import services
from zhifa.laws.models import LawVersion
from zhifa.laws.parser import ParseError, parse_law
from zhifa.laws.search.queries import SearchRequest, search_articles

DECISION = (
    "江北市人民代表大会常务委员会关于废止部分地方性法规的决定\n\n"
    "2021年9月24日 江北市第十五届人民代表大会常务委员会第三十三次会议通过\n\n"
    "江北市第十五届人民代表大会常务委员会第三十三次会议决定：\n\n"
    "一、废止《江北市社会治安综合治理条例》\n\n"
    "二、废止《江北市邮政通信条例》\n\n"
    "本决定自公布之日起施行。\n"
)
UNDATED = (
    "江北市养犬管理条例\n\n第一章 总则\n\n第一条 为了规范养犬行为，制定本条例。\n\n"
    "第二条 本市行政区域内犬只的饲养，适用本条例。\n\n第三条 本条例自2011年5月15日起施行。\n"
)
NO_DATE_AT_ALL = "江北市议事规则\n\n第一条 为了提高议事效率，制定本规则。\n\n第二条 本规则自通过之日起施行。\n"
GAP = (
    "江北市烟花爆竹安全管理条例\n\n2016年9月23日 江北市人民代表大会常务委员会通过\n\n"
    "第一条 为了加强管理，制定本条例。\n\n第二条 本条例适用于本市。\n\n第四条 本条例自公布之日起施行。\n"
)


@pytest.fixture
def folder(tmp_path):
    files = {
        "关于废止部分地方性法规的决定.txt": DECISION.encode("utf-8"),
        "江北市养犬管理条例.txt": UNDATED.encode("gbk"),
        "江北市议事规则.txt": NO_DATE_AT_ALL.encode("utf-8"),
        "江北市烟花爆竹安全管理条例.txt": GAP.encode("utf-8"),
        "空文件.txt": b"",
        "乱码.txt": b"\xff\xfe\x00\xd8",  # UTF-16 BOM, then half a surrogate pair: cannot be decoded
        "只有标题.txt": "江北市某某条例\n\n2022年5月30日 江北市人民代表大会常务委员会通过\n".encode(),
        "README.md": "# 说明\n\n本文件夹的说明。\n".encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_laws", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "text, expected",
    [
        (DECISION, {"paragraphs_only": True, "articles": 0, "version_date": dt.date(2021, 9, 24), "warnings": 0}),
        (UNDATED, {"paragraphs_only": False, "articles": 3, "version_date": None, "date_guess": dt.date(2011, 5, 15)}),
        (NO_DATE_AT_ALL, {"articles": 2, "version_date": None, "date_guess": None}),
        (GAP, {"articles": 3, "warnings": 1}),
    ],
)
def test_the_parser_reads_each_kind_of_real_file(text, expected):
    law = parse_law(text)
    found = {
        "paragraphs_only": law.paragraphs_only,
        "articles": len(law.articles()),
        "version_date": law.version_date,
        "date_guess": law.date_guess,
        "warnings": len(law.warnings),
    }
    assert {key: found[key] for key in expected} == expected


def test_a_gap_is_named_with_its_line_and_the_missing_articles():
    (warning,) = parse_law(GAP).warnings
    assert warning.startswith("第9行：条文编号从第二条跳到第四条，缺第三条")
    many = "某某条例\n\n第一条 甲。\n\n第五条 乙。\n"
    assert "缺第二条至第四条" in parse_law(many).warnings[0]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("这不是法规\n\n只是一段说明。\n", "标题也不是决定、决议、规定、办法等法规文件的名称"),
        ("江北市某某条例\n\n2022年5月30日 江北市人民代表大会常务委员会通过\n", "只有标题和沿革行，没有正文"),
    ],
)
def test_a_text_that_is_no_legal_document_is_still_refused(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_law(text)


def test_a_folder_of_real_world_files_imports_all_but_the_empty_and_undecodable_ones(db, folder):
    out, err = run(str(folder))
    assert "新建 江北市人民代表大会常务委员会关于废止部分地方性法规的决定（2021-09-24）0 条" in out
    assert "新建 江北市养犬管理条例（日期待确认，暂记 2011-05-15）3 条" in out
    assert "新建 江北市议事规则（日期待确认，暂记 1900-01-01）2 条" in out
    assert "新建 江北市烟花爆竹安全管理条例（2016-09-23）3 条" in out
    assert "注意 江北市烟花爆竹安全管理条例.txt：第9行：条文编号从第二条跳到第四条，缺第三条" in err
    assert "注意 江北市养犬管理条例.txt：版本日期待确认：原文无沿革行，按正文“自2011年5月15日起施行”推定" in err
    skipped = [line for line in err.splitlines() if line.startswith("跳过")]
    assert len(skipped) == 3, skipped
    assert "跳过 空文件.txt：第1行：文件为空" in err
    assert "跳过 乱码.txt：第1行：文件声明了 Unicode 编码但内容无法解码" in err
    assert "跳过 只有标题.txt：第3行：只有标题和沿革行，没有正文" in err
    assert "README" not in err + out  # the folder's description is passed over like its index.csv
    assert "2 个版本日期待确认（法规管理 → 日期待确认" in out
    decision = LawVersion.objects.get(law__title__endswith="废止部分地方性法规的决定")
    paragraphs = list(decision.provisions.filter(parent=None).values_list("kind", "text"))
    assert paragraphs == [
        ("paragraph", "江北市第十五届人民代表大会常务委员会第三十三次会议决定："),
        ("paragraph", "一、废止《江北市社会治安综合治理条例》"),
        ("paragraph", "二、废止《江北市邮政通信条例》"),
        ("paragraph", "本决定自公布之日起施行。"),
    ]


def test_json_lines_carry_the_pending_date_and_the_warnings(db, folder):
    out, _ = run(str(folder / "江北市养犬管理条例.txt"), "--json")
    row = json.loads(out)
    assert row["date_pending"] is True and row["version_date"] == "2011-05-15"
    assert row["warnings"][0].startswith("版本日期待确认")


def test_the_same_wording_with_a_date_confirms_the_pending_version(db, folder, tmp_path_factory):
    run(str(folder / "江北市养犬管理条例.txt"))
    again, _ = run(str(folder / "江北市养犬管理条例.txt"))
    assert "未变 江北市养犬管理条例" in again
    dated = tmp_path_factory.mktemp("dated") / "江北市养犬管理条例(2011-04-21).txt"
    dated.write_text(UNDATED, encoding="utf-8")
    out, _ = run(str(dated))
    assert "更新 江北市养犬管理条例（2011-04-21）3 条" in out
    version = LawVersion.objects.get(law__title="江北市养犬管理条例")
    assert version.date_confirmed and version.version_date == dt.date(2011, 4, 21) and version.is_current


def test_a_different_undated_text_of_the_same_law_is_a_conflict_that_says_what_to_do(db, folder, tmp_path_factory):
    run(str(folder / "江北市养犬管理条例.txt"))
    other = tmp_path_factory.mktemp("other") / "江北市养犬管理条例.txt"
    other.write_text(UNDATED.replace("饲养", "饲养和经营"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):  # a file named on the command line that fails: exit status 1
        call_command("import_laws", str(other), stdout=io.StringIO(), stderr=err)
    err = err.getvalue()
    assert "已有一个日期待确认的版本（暂记 2011-05-15），但内容与本文件不同" in err
    assert "请先在“法规管理 → 日期待确认”中确认该版本的日期" in err


def test_the_administrator_confirms_a_pending_date_on_its_page(client, sysadmin, db, folder):
    run(str(folder))
    client.force_login(sysadmin)
    home = client.get(reverse("laws:manage-home")).content.decode()
    assert "日期待确认：2 个版本" in home
    page = client.get(reverse("laws:date-pending-list")).content.decode()
    assert "江北市养犬管理条例" in page and "江北市议事规则" in page and "2011-05-15" in page
    version = LawVersion.objects.get(law__title="江北市议事规则")
    url = reverse("laws:version-date-confirm", args=[version.pk])
    refused = client.post(url, {f"{version.pk}-version_date": "二〇二二年"})
    assert refused.status_code == 400 and "日期格式应为 2021-01-22" in refused.content.decode()
    response = client.post(url, {f"{version.pk}-version_date": "2009-12-10"}, follow=True)
    assert "已确认《江北市议事规则》的版本日期：2009-12-10" in response.content.decode()
    version.refresh_from_db()
    assert version.date_confirmed and version.version_date == dt.date(2009, 12, 10) and version.is_current
    assert "江北市议事规则" not in client.get(reverse("laws:date-pending-list")).content.decode()
    event = AuditEvent.objects.get(action="laws.version_date_confirmed")
    assert event.old["version_date"] == "1900-01-01" and event.new["version_date"] == "2009-12-10"


def test_a_confirmed_date_that_another_version_holds_is_refused_in_chinese(client, sysadmin, db, folder, tmp_path):
    run(str(folder / "江北市养犬管理条例.txt"))
    older = tmp_path / "江北市养犬管理条例(2005-01-01).txt"
    older.write_text(UNDATED.replace("饲养", "饲养和经营"), encoding="utf-8")
    run(str(older))
    version = LawVersion.objects.get(law__title="江北市养犬管理条例", date_confirmed=False)
    client.force_login(sysadmin)
    response = client.post(
        reverse("laws:version-date-confirm", args=[version.pk]), {f"{version.pk}-version_date": "2005-01-01"}
    )
    assert response.status_code == 400
    assert "已有 2005-01-01 的版本；请核对日期" in response.content.decode()


def test_only_system_administrators_see_or_confirm_pending_dates(client, unit_admin, officer, db, folder):
    run(str(folder / "江北市议事规则.txt"))
    version = LawVersion.objects.get()
    for user in (unit_admin, officer.user):
        client.force_login(user)
        assert client.get(reverse("laws:date-pending-list")).status_code == 404
        url = reverse("laws:version-date-confirm", args=[version.pk])
        assert client.post(url, {f"{version.pk}-version_date": "2009-12-10"}).status_code == 404
    version.refresh_from_db()
    assert not version.date_confirmed
    with pytest.raises(PermissionDenied):
        services.version_date_confirm(version=version, version_date=dt.date(2009, 12, 10), by=unit_admin)


def test_law_pages_show_the_pending_date_and_a_decision_s_paragraphs(client, officer, db, folder):
    run(str(folder))
    client.force_login(officer.user)
    page = client.get(reverse("laws:law-detail", args=["江北市养犬管理条例"])).content.decode()
    assert "日期待确认" in page and "2011-05-15" in page
    decision = "江北市人民代表大会常务委员会关于废止部分地方性法规的决定"
    page = client.get(reverse("laws:law-detail", args=[decision])).content.decode()
    assert "二、废止《江北市邮政通信条例》" in page and "无条文编号，按段落收录" in page
    listing = client.get(reverse("laws:law-list")).content.decode()
    assert "日期待确认" in listing


def test_the_search_says_a_result_s_date_is_pending(db, folder, with_search_hook):
    run(str(folder / "江北市养犬管理条例.txt"), str(folder / "江北市烟花爆竹安全管理条例.txt"))
    results = search_articles(request=SearchRequest(q="养犬 饲养", scope="all"))
    assert results and results[0].law == "江北市养犬管理条例" and results[0].date_pending
    other = search_articles(request=SearchRequest(q="烟花爆竹", scope="all"))
    assert other and not other[0].date_pending


def test_the_search_page_labels_a_pending_result(client, officer, db, folder, with_search_hook):
    run(str(folder / "江北市养犬管理条例.txt"))
    client.force_login(officer.user)
    response = client.get(reverse("laws:laws_search:search"), {"q": "养犬", "scope": "all"})
    assert '<span class="badge warn" title="原文无日期，版本日期待管理员确认">日期待确认</span>' in (
        response.content.decode()
    )
