"""The unit administrator's side: posters, act codes from Excel, moderation, contact, results; the officer's view."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhifa.common.models import AuditEvent
from zhifa.people.testing import make_officer
from zhifa.surveys.models import ActLink, Response
from zhifa.surveys.tests import factories
from zhifa.surveys.tests.conftest import form_data

needs_poppler = pytest.mark.skipif(
    subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0, reason="poppler-utils 未安装"
)


def _pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.pdf"
        path.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(Path(tmp) / "page")], check=True)
        pngs = list(Path(tmp).glob("page*.png"))
        assert pngs and all(p.stat().st_size > 1000 for p in pngs)  # it renders, and not to a blank page
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@needs_poppler
@pytest.mark.parametrize("size", ["a4", "a6"])
def test_an_administrator_prints_an_officers_poster(client, unit_admin, officer, size):
    client.force_login(unit_admin)
    response = client.get(reverse("surveys:officer-poster", args=[officer.pk]) + f"?size={size}")
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in ("群众满意度评价", "张明", "JB00000001", "东城区市场监督管理局", "/surveys/r/"):
        assert expected in text, f"海报中缺少 {expected}"


@needs_poppler
def test_a_unit_poster_names_the_service_window(client, unit_admin, org):
    client.force_login(unit_admin)
    response = client.get(reverse("surveys:unit-poster", args=[org.east_market.pk]) + "?size=a6&window=3号窗口")
    text = _pdf_text(response.content)
    assert "东城区市场监督管理局" in text and "3号窗口" in text


def _acts_xlsx(rows, header=("文书编号", "执法日期", "执法证号")) -> io.BytesIO:
    wb = Workbook()
    wb.active.append(list(header))
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "acts.xlsx"
    return buffer


@needs_poppler
def test_act_codes_are_issued_in_bulk_from_an_excel_of_acts(client, citizen, unit_admin, officer, org):
    client.force_login(unit_admin)
    rows = [["罚〔2026〕1号", date(2026, 3, 1), "JB00000001"], ["罚〔2026〕2号", "2026-03-02", ""]]
    response = client.post(reverse("surveys:act-upload"), {"unit": org.market.pk, "file": _acts_xlsx(rows)})
    assert response.status_code == 302
    links = list(ActLink.objects.order_by("act_number"))
    assert [(x.act_number, x.officer) for x in links] == [("罚〔2026〕1号", officer), ("罚〔2026〕2号", None)]
    batch = links[0].batch
    text = _pdf_text(client.get(reverse("surveys:act-sheet", args=[batch.pk])).content)
    assert links[0].short_code in text and links[1].short_code in text and "仅限一次" in text
    sheet = load_workbook(io.BytesIO(client.get(reverse("surveys:act-export", args=[batch.pk])).content)).active
    assert sheet["C2"].value == links[0].short_code and "/surveys/r/" in sheet["F2"].value
    # A citizen types the short code from his receipt.
    survey = citizen.get(reverse("surveys:short") + f"?code={links[0].short_code.lower()}")
    assert survey.status_code == 302
    assert citizen.post(survey["Location"], form_data(citizen, survey["Location"])).status_code == 302
    assert Response.objects.get().act_link == links[0]


def test_act_links_go_out_as_sms_and_the_phone_numbers_are_kept_nowhere(client, unit_admin, officer, org, caplog):
    client.force_login(unit_admin)
    header = ("文书编号", "执法日期", "执法证号", "当事人手机号")
    rows = [["罚〔2026〕7号", date(2026, 3, 1), "JB00000001", 13912345678], ["罚〔2026〕8号", None, "", ""]]
    with caplog.at_level(logging.DEBUG):
        page = client.post(
            reverse("surveys:act-upload"), {"unit": org.market.pk, "file": _acts_xlsx(rows, header)}, follow=True
        ).content.decode()
    assert "已向 1 位当事人发送评价短信" in page
    assert "text via sms to 139****5678" in caplog.text  # the logging SMS adapter got it, masked
    assert "13912345678" not in caplog.text
    out = io.StringIO()
    call_command("dumpdata", "surveys", "common", "notices", stdout=out)
    assert "13912345678" not in out.getvalue()  # not in the links, the batch, the audit or any notice
    assert AuditEvent.objects.filter(action="surveys.act_sms_send", new__sent=1).exists()
    assert ActLink.objects.count() == 2


def test_a_bad_phone_in_the_act_sheet_names_the_row_and_sends_nothing(client, unit_admin, org, caplog):
    client.force_login(unit_admin)
    header = ("文书编号", "执法日期", "执法证号", "当事人手机号")
    rows = [["罚〔2026〕9号", None, "", "13912345678"], ["罚〔2026〕10号", None, "", "0571-1234"]]
    with caplog.at_level(logging.DEBUG):
        page = client.post(
            reverse("surveys:act-upload"), {"unit": org.market.pk, "file": _acts_xlsx(rows, header)}, follow=True
        ).content.decode()
    assert "第 3 行：手机号“0571-1234”无效" in page
    assert ActLink.objects.count() == 0 and "text via" not in caplog.text


def test_a_bad_act_sheet_imports_nothing_and_names_the_row(client, unit_admin, org, outsider):
    client.force_login(unit_admin)
    rows = [["罚〔2026〕1号", "2026-13-01", ""], ["", "2026-03-02", ""], ["罚〔2026〕3号", None, "NOSUCH"]]
    response = client.post(
        reverse("surveys:act-upload"), {"unit": org.market.pk, "file": _acts_xlsx(rows)}, follow=True
    )
    page = response.content.decode()
    assert "第 2 行：执法日期“2026-13-01”无法识别" in page and "第 3 行：缺少文书编号" in page
    rows = [["罚〔2026〕1号", None, "JB00000002"]]  # 李强 is not in the market bureau's subtree
    page = client.post(
        reverse("surveys:act-upload"), {"unit": org.market.pk, "file": _acts_xlsx(rows)}, follow=True
    ).content.decode()
    assert "李强 不属于" in page
    assert ActLink.objects.count() == 0


def test_a_comment_is_shown_to_the_officer_only_after_approval(client, unit_admin, officer, citizen, poster_url):
    citizen.post(poster_url, form_data(citizen, poster_url, comment="讲解耐心，值得表扬", contact="13900001111"))
    saved = Response.objects.get()
    client.force_login(officer.user)
    assert "讲解耐心" not in client.get(reverse("surveys:my-results")).content.decode()
    client.force_login(unit_admin)
    assert "讲解耐心" in client.get(reverse("surveys:moderation")).content.decode()
    refused = client.post(reverse("surveys:comment-moderate", args=[saved.pk]), {"decision": "hide"}, follow=True)
    assert "请填写原因" in refused.content.decode()
    client.post(reverse("surveys:comment-moderate", args=[saved.pk]), {"decision": "approve"})
    assert AuditEvent.objects.filter(action="surveys.comment_moderate", object_id=str(saved.pk)).exists()
    contact = client.post(reverse("surveys:contact-reveal", args=[saved.pk])).content.decode()
    assert "13900001111" in contact
    assert AuditEvent.objects.filter(action="surveys.contact_reveal").exists()
    client.force_login(officer.user)
    page = client.get(reverse("surveys:my-results")).content.decode()
    assert "讲解耐心，值得表扬" in page and "13900001111" not in page


def test_the_officer_sees_his_score_only_from_five_responses(client, officer):
    client.force_login(officer.user)
    factories.many(officer, 4, ratings=(5, 5, 5, 4))
    page = client.get(reverse("surveys:my-results")).content.decode()
    assert "近一年有 4 条评价，满 5 条后显示得分" in page
    factories.response(officer=officer, ratings=(5, 5, 5, 4))
    page = client.get(reverse("surveys:my-results")).content.decode()
    # Only his own responses in the unit: the unit mean is his mean, 4.75, and so is the smoothed score.
    assert "4.75 分" in page and "5 条评价" in page


def test_the_unit_results_rank_officers_and_hide_those_below_five(
    client, unit_admin, officer, org, django_assert_max_num_queries
):
    colleague = make_officer(org.east_market, name="刘洋")
    newcomer = make_officer(org.east_market, name="赵新")
    factories.many(officer, 6, ratings=(5, 5, 5, 5))
    factories.many(colleague, 5, ratings=(2, 2, 3, 3), comment="等待时间太长", comment_status="approved")
    factories.many(newcomer, 2, ratings=(1, 1, 1, 1))
    client.force_login(unit_admin)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("surveys:results") + f"?unit={org.market.pk}").content.decode()
    assert "已计入 13 条" in page
    lowest = page.split("得分最低的 10 人")[1].split("得分最高的 10 人")[0]
    assert (
        lowest.index("刘洋") < lowest.index("张明") and "赵新" not in page.split("留言关键词")[0].split("各项得分")[1]
    )
    assert "不足 5 条而未显示的人员 1 名" in page
    assert re.search(r"等待时间 × 5|等待 × 5", page)
    assert page.split("近期留言（已审核通过）")[1].count("等待时间太长") == 5
    export = load_workbook(io.BytesIO(client.get(reverse("surveys:results-export") + f"?unit={org.market.pk}").content))
    values = {row[0]: row[2] for row in export.active.iter_rows(min_row=2, values_only=True)}
    assert values["赵新"] == "不足5条不显示" and isinstance(values["张明"], float)
