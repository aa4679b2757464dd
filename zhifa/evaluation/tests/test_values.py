"""Entered and imported indicator values: evidence required, Excel dry run with row errors in Chinese, all or none."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zhifa.evaluation import services
from zhifa.evaluation.importing import COLUMNS
from zhifa.evaluation.models import IndicatorValue
from zhifa.evaluation.tests.conftest import leaf


def sheet(rows, header=COLUMNS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("复议纠错统计.xlsx", buffer.getvalue())


def test_a_value_without_evidence_is_refused(period, officer, unit_admin):
    with pytest.raises(services.EvaluationError, match="依据说明"):
        services.indicator_value_enter(
            indicator=leaf(period, "complaints"), officer=officer, by=unit_admin, events=1, evidence=""
        )
    with pytest.raises(services.EvaluationError, match="由平台计算"):
        services.indicator_value_enter(
            indicator=leaf(period, "hours"), officer=officer, by=unit_admin, value=1, evidence="x"
        )
    assert not IndicatorValue.objects.exists()


def test_a_manager_cannot_enter_values_for_an_officer_outside_his_subtree(period, outsider, unit_admin):
    with pytest.raises(services.NotPermitted):
        services.indicator_value_enter(
            indicator=leaf(period, "complaints"), officer=outsider, by=unit_admin, events=1, evidence="投诉"
        )


def test_the_dry_run_reports_every_bad_row_and_saves_nothing(client, period, officer, outsider, unit_admin):
    client.force_login(unit_admin)
    url = reverse("evaluation:values-import", args=[period.pk])
    upload = sheet(
        [
            [officer.certificate_number, "reversals", None, 1, "江复决字〔2026〕12号"],
            ["JB99999999", "reversals", None, 1, "x"],
            [outsider.certificate_number, "reversals", None, 1, "x"],
            [officer.certificate_number, "hours", None, 1, "x"],
            [officer.certificate_number, "reversals", "abc", 1, ""],
        ]
    )
    html = client.post(url, {"file": upload, "action": "import"}).content.decode()
    for message in (
        "第 3 行：执法证号“JB99999999”不存在，请核对",
        "第 4 行：执法证号“JB00000002”的人员不在您管理的单位内",
        "第 5 行：指标“hours”不是本年度可导入的指标",
        "第 6 行：数值“abc”不是数字；依据说明为空",
    ):
        assert message in html, message
    assert not IndicatorValue.objects.exists()


def test_a_clean_sheet_is_checked_then_imported_in_one_go(client, period, officer, unit_admin):
    client.force_login(unit_admin)
    url = reverse("evaluation:values-import", args=[period.pk])
    rows = [[officer.certificate_number, "reversals", None, 2, "江复决字〔2026〕12号、15号"]]
    html = client.post(url, {"file": sheet(rows), "action": "check"}).content.decode()
    assert "1 行可导入" in html and not IndicatorValue.objects.exists()
    client.post(url, {"file": sheet(rows), "action": "import"})
    value = IndicatorValue.objects.get()
    assert value.events == 2 and value.origin == "Excel 导入：复议纠错统计.xlsx 第 2 行"


def test_a_sheet_with_the_wrong_header_is_refused(client, period, unit_admin):
    client.force_login(unit_admin)
    url = reverse("evaluation:values-import", args=[period.pk])
    html = client.post(url, {"file": sheet([], header=["姓名", "分数"]), "action": "check"}).content.decode()
    assert "第 1 行须为表头" in html
    html = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not excel"), "action": "check"}).content.decode()
    assert "请上传 .xlsx 格式的 Excel 文件" in html
