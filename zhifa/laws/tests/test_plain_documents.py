"""Court cases, guides and a second copy of a law: the last files of the corpus that were refused (issue 20).

A court case (a file of a 案例 folder, or a text with 基本案情 / 裁判要旨 … sections) and a guide (攻略, 指南, 问答)
are no law but are kept in the library as paragraphs under their own category, without a version date; a file
with a title only stays refused as empty; a second file of the same law and date whose articles are the same (only
history lines or layout differ) is reported unchanged with a warning, while other wording stays a conflict.
The texts are written here (not copied from the shared data).
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from zhifa.common.text import normalize_text
from zhifa.laws import services
from zhifa.laws.classify import COURT_CASE, classify, folder_kind
from zhifa.laws.models import Law, LawVersion
from zhifa.laws.parser import GUIDE, ParseError, parse_law, render

CASE = (
    "过期食品的惩罚性赔偿\n\n"
    "王某诉江北某超市买卖合同纠纷案\n\n"
    "基本案情\n\n"
    "2023年3月5日，王某在江北某超市购买已过保质期的牛奶十盒。\n\n"
    "第一条 本段不是条文，是引述时恰好写在行首的条号。\n\n"
    "裁判结果\n\n"
    "法院判决超市退还货款并支付十倍赔偿金。\n"
)
# Outside a 案例 folder: recognised by its sections, and without lines that look like articles.
CASE_ELSEWHERE = CASE.replace("第一条 本段不是条文，是引述时恰好写在行首的条号。\n\n", "")
GUIDE_TEXT = (
    "江北市行政执法证申领指南\n\n"
    "一、谁可以申领\n\n"
    "在编在岗并通过执法资格考试的人员。\n\n"
    "二、去哪里办理\n\n"
    "2024年1月起，一律在网上办理。\n"
)
AD_LAW = (
    "江北市户外广告管理条例\n\n"
    "2021年4月29日 江北市人民代表大会常务委员会修正\n\n"
    "第一章 总 则\n\n"
    "第一条 为了规范户外广告，制定本条例。\n\n"
    "第二条 本条例自公布之日起施行。\n"
)
# The same version again, as the corpus holds 广告法 twice: one more history line, a heading spaced otherwise.
AD_LAW_COPY = AD_LAW.replace("第一章 总 则", "2021年5月1日 施行\n\n第一章 总则")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_laws", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_case_folder_reads_every_line_as_a_paragraph_dates_and_article_like_lines_included():
    assert folder_kind(["法规", "案例", "消费购物"]) == COURT_CASE
    assert classify(title="王某诉江北某超市买卖合同纠纷案", folders=["案例", "消费购物"]).category == COURT_CASE
    case = parse_law(CASE, kind=COURT_CASE)
    assert (case.document_kind, case.paragraphs_only, case.articles(), case.history) == (COURT_CASE, True, [], [])
    assert case.preamble[2] == "2023年3月5日，王某在江北某超市购买已过保质期的牛奶十盒。"
    assert normalize_text(render(case)) == normalize_text(CASE)


@pytest.mark.parametrize(
    "text, kind",
    [
        (CASE_ELSEWHERE, COURT_CASE),
        (GUIDE_TEXT, GUIDE),
        ("李某诉某书店买卖合同纠纷案\n\n李某在书店买书。\n", COURT_CASE),
    ],
)
def test_a_case_or_a_guide_outside_a_case_folder_is_recognised_when_it_has_no_articles(text, kind):
    assert parse_law(text).document_kind == kind


@pytest.mark.parametrize(
    "text, reason",
    [
        ("王某诉江北某超市买卖合同纠纷案\n", "只有标题"),  # a case with a title only is empty
        ("这不是法规\n\n只是一段说明。\n", "也不像裁判案例"),  # nothing recognisable: still refused, saying why
    ],
)
def test_a_text_with_a_title_only_or_nothing_recognisable_stays_refused(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_law(text, kind=COURT_CASE if "诉" in text else "")


def test_cases_and_guides_import_as_paragraphs_under_their_category_without_a_date(tmp_path, client, officer):
    (tmp_path / "案例" / "消费购物").mkdir(parents=True)
    (tmp_path / "案例" / "消费购物" / "王某诉江北某超市买卖合同纠纷案.txt").write_text(CASE, encoding="utf-8")
    (tmp_path / "其他").mkdir()
    (tmp_path / "其他" / "江北市行政执法证申领指南.txt").write_text(GUIDE_TEXT, encoding="gbk")
    (tmp_path / "其他" / "标题.txt").write_text("江北市某某条例\n\n2022年5月30日 某某通过\n", encoding="utf-8")
    out, err = run(str(tmp_path))
    assert "新建 过期食品的惩罚性赔偿（裁判案例，无版本日期）0 条" in out
    assert "新建 江北市行政执法证申领指南（指南与问答，无版本日期）0 条" in out
    assert "跳过 其他/标题.txt：第3行：只有标题和沿革行，没有正文" in err
    assert "不是法规、按段落收录：指南与问答 1，裁判案例 1" in out and "日期待确认" not in out
    case = LawVersion.objects.get(law__category=Law.Category.COURT_CASE)
    assert case.date_confirmed and not case.dated and case.article_count == 0
    paragraphs = list(case.provisions.filter(parent=None).values_list("kind", flat=True))
    assert paragraphs == ["paragraph"] * 6 and not case.provisions.exclude(key="").exists()
    assert LawVersion.objects.get(law__category=Law.Category.GUIDE).provisions.count() == 4
    assert not LawVersion.objects.filter(date_confirmed=False).exists()  # nothing for the dates page

    client.force_login(officer.user)
    page = client.get(reverse("laws:law-detail", args=[case.law.short_title])).content.decode()
    assert "裁判案例，不分版本，无版本日期" in page and "2023年3月5日，王某在江北某超市购买" in page
    listing = client.get(reverse("laws:law-list"), {"category": "court_case"}).content.decode()
    assert "过期食品的惩罚性赔偿" in listing and "无版本日期" in listing and "1900" not in listing
    assert "现行有效" not in page and "某日有效" not in page  # a court case has no status or versions of a law


def test_a_second_copy_with_the_same_articles_is_unchanged_with_a_warning_other_wording_stays_a_conflict(db):
    first = services.law_import_text(text=AD_LAW, source_name="经济法/户外广告.txt")
    copy = services.law_import_text(text=AD_LAW_COPY, source_name="行政法/户外广告.txt")
    assert (first.status, copy.status, copy.version.pk) == ("created", "unchanged", first.version.pk)
    (warning,) = copy.warnings
    assert "已由“经济法/户外广告.txt”导入" in warning and "行政法/户外广告.txt" in warning
    assert LawVersion.objects.get().source_text == AD_LAW  # nothing overwritten
    with pytest.raises(services.ImportConflict, match="--replace"):
        services.law_import_text(text=AD_LAW.replace("规范户外广告", "管理户外广告"), source_name="第三份.txt")


def test_an_uploaded_archive_with_a_case_folder_reports_the_case_without_a_date(client, sysadmin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("案例/消费购物/王某诉江北某超市买卖合同纠纷案.txt", CASE.encode("utf-8"))
        zf.writestr("行政法/江北市户外广告管理条例.txt", AD_LAW.encode("utf-8"))
    client.force_login(sysadmin)
    upload = SimpleUploadedFile("法规.zip", archive.getvalue())
    response = client.post(reverse("laws:import-page"), {"upload": upload}, follow=True)
    page = response.content.decode()
    assert "裁判案例，无版本日期" in page and "1900" not in page and "2021-04-29" in page
    assert Law.objects.get(category=Law.Category.COURT_CASE).title == "过期食品的惩罚性赔偿"
