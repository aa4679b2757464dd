"""Exports: the sign-in sheet as PDF (Chinese really rendered) and Excel, attendance per class, teaching record."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.classes.tests.factories import attend, enrol, make_instructor, make_session
from zhifa.people.testing import make_officer


@pytest.fixture
def roster(org, officer, running):
    absent = make_officer(org.east_market, name="赵缺席")
    enrol(running.offline_class, absent)
    attend(running, officer)
    return running


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装（apt-get install poppler-utils）")
def test_the_signin_sheet_pdf_lists_who_came(client, unit_admin, roster, tmp_path):
    client.force_login(unit_admin)
    response = client.get(reverse("classes:signin-pdf", args=[roster.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert (
        "签到表" in text.replace(" ", "")
        and "张明" in text
        and "赵缺席" in text
        and "未到" in text
        and "应到 2 人，实到 1 人" in text
    )


def test_the_signin_sheet_and_the_attendance_workbook(client, unit_admin, officer, roster):
    client.force_login(unit_admin)
    sheet = load_workbook(io.BytesIO(client.get(reverse("classes:signin-xlsx", args=[roster.pk])).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "姓名", "单位", "签到")
    assert {r[1]: r[3] for r in rows[1:]}["赵缺席"] == "未到"
    book = client.get(reverse("classes:attendance-export", args=[roster.offline_class_id])).content
    rows = list(load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["张明"][-2:] == ("1/1", 2.0) and by_name["赵缺席"][-2:] == ("0/1", 0)


def test_an_instructor_exports_his_own_teaching_record(client, org, instructor, officer):
    teacher = make_instructor(user=instructor)
    from zhifa.classes.tests.factories import make_class

    session = make_session(make_class(org.market), instructor=teacher, booking="accepted")
    attend(session, officer)
    client.force_login(instructor)
    year = timezone.localdate().year
    response = client.get(reverse("classes:instructor-record", args=[teacher.pk]), {"year": year})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][2] == session.topic and rows[1][6] == 1 and "不足5份" in rows[1][7]
    other = make_instructor("李老师")
    assert client.get(reverse("classes:instructor-record", args=[other.pk])).status_code == 404
