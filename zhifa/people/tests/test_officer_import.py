"""The officer import: every bad row reported with row, column and a Chinese reason; all or nothing."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import load_workbook

from zhifa.common.models import AuditEvent
from zhifa.people import importing
from zhifa.people.models import Officer
from zhifa.people.officer_sheet import COLUMNS, parse_date
from zhifa.people.tests.sheets import officer_row, valid_id, xlsx


def _errors(report) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.errors}


def _import(content, by, dry_run=False, unit=None):
    return importing.officer_import(content=content, by=by, unit=unit, dry_run=dry_run, filename="t.xlsx")


def test_a_clean_sheet_imports_every_officer_with_encrypted_personal_data(unit_admin, org):
    rows = [officer_row(n, org.east_market.code) for n in range(1, 4)]
    report = _import(xlsx(rows), unit_admin)
    assert report.ok and report.created == 3
    officer = Officer.objects.get(certificate_number="T00000001")
    assert officer.unit == org.east_market and officer.id_card_plain() == valid_id(1)
    assert officer.id_card_masked.startswith("110105****") and officer.phone_masked == "138****0001"
    assert [d.name for d in officer.domains.all()] == ["市场监管"]
    assert officer.certificate_issued == date(2024, 1, 1) and officer.user.username == "T00000001"
    assert not officer.user.has_usable_password()
    assert AuditEvent.objects.get(action="officer.import").new["count"] == 3


def test_a_dry_run_changes_nothing(unit_admin, org):
    report = _import(xlsx([officer_row(1, org.east_market.code)]), unit_admin, dry_run=True)
    assert report.ok and report.row_count == 1 and report.created == 0
    assert not Officer.objects.filter(certificate_number="T00000001").exists()


def test_one_bad_row_stops_the_whole_import(unit_admin, org):
    rows = [officer_row(1, org.east_market.code), officer_row(2, org.east_market.code, 姓名="")]
    report = _import(xlsx(rows), unit_admin)
    assert _errors(report) == {(3, "姓名")} and report.created == 0
    assert not Officer.objects.filter(certificate_number__startswith="T").exists()


def test_every_kind_of_bad_row_is_reported_with_its_row_and_column(unit_admin, org, officer, outsider):
    code = org.east_market.code
    bad_id = valid_id(9)[:-1] + ("0" if valid_id(9)[-1] != "0" else "1")
    rows = [
        officer_row(1, code, 姓名=None),  # row 2
        officer_row(2, code, 身份证号=bad_id),  # row 3
        officer_row(3, "NO-SUCH-UNIT"),  # row 4
        officer_row(4, org.west_transport.code),  # row 5: outside the admin's subtree
        officer_row(5, code, 执法证号="T00000006"),  # row 6 and row 7 share a certificate number
        officer_row(6, code),
        officer_row(7, code, 执法证号="JB00000001"),  # row 8: the officer persona's certificate
        officer_row(8, code, 发证日期="2024-13-45"),  # row 9
        officer_row(9, code, 发证日期="2025-01-02", 有效期至="2024-01-01"),  # row 10
        officer_row(10, code, 证件状态="正常"),  # row 11
        officer_row(11, code, 手机号="12345"),  # row 12
        officer_row(12, code, 执法领域="航天"),  # row 13
        officer_row(13, code, 身份证号=valid_id(14)),  # rows 14 and 15 share an ID card
        officer_row(14, code),
        officer_row(15, code, 单位代码=None, 单位名称="不存在的局"),  # row 16
        officer_row(16, code, 身份证号=123456789012345678.0),  # row 17: Excel turned it into a number
        officer_row(17, code, 执法证号="X" * 41),  # row 18
    ]
    report = _import(xlsx(rows), unit_admin)
    assert _errors(report) == {
        (2, "姓名"), (3, "身份证号"), (4, "单位代码"), (5, "单位代码"), (7, "执法证号"), (8, "执法证号"),
        (9, "发证日期"), (10, "有效期至"), (11, "证件状态"), (12, "手机号"), (13, "执法领域"), (15, "身份证号"),
        (16, "单位名称"), (17, "身份证号"), (18, "执法证号"),
    }  # fmt: skip
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "缺少姓名" in messages[(2, "姓名")]
    assert "校验码" in messages[(3, "身份证号")]
    assert "不存在" in messages[(4, "单位代码")]
    assert "范围" in messages[(5, "单位代码")]
    assert "第 6 行重复" in messages[(7, "执法证号")]
    assert "已登记" in messages[(8, "执法证号")]
    assert "第 14 行重复" in messages[(15, "身份证号")]
    assert Officer.objects.count() == 3  # the personas only: nothing was imported


def test_an_id_card_already_in_the_database_is_a_duplicate(unit_admin, org):
    _import(xlsx([officer_row(1, org.east_market.code)]), unit_admin)
    report = _import(xlsx([officer_row(2, org.east_market.code, 身份证号=valid_id(1).lower())]), unit_admin)
    assert _errors(report) == {(2, "身份证号")}


def test_units_can_be_named_instead_of_coded(unit_admin, org):
    report = _import(xlsx([officer_row(1, None, 单位名称="东城区市场监督管理局")]), unit_admin)
    assert report.ok and Officer.objects.get(certificate_number="T00000001").unit == org.east_market


def test_a_code_and_a_name_that_disagree_are_refused(unit_admin, org):
    report = _import(xlsx([officer_row(1, org.east_market.code, 单位名称="江北市司法局")]), unit_admin)
    assert _errors(report) == {(2, "单位名称")}


def test_formulas_are_refused_cell_by_cell(unit_admin, org):
    report = _import(xlsx([officer_row(1, org.east_market.code)], formula=(0, "职务")), unit_admin)
    assert _errors(report) == {(2, "职务")} and "公式" in report.errors[0].message


def test_merged_cells_refuse_the_file(unit_admin, org):
    report = _import(xlsx([officer_row(1, org.east_market.code)], merge="D2:E2"), unit_admin)
    assert _errors(report) == {(0, "文件")} and "D2:E2" in report.errors[0].message


@override_settings(SPREADSHEET_MAX_ROWS=2)
def test_too_many_rows_refuse_the_file(unit_admin, org):
    report = _import(xlsx([officer_row(n, org.east_market.code) for n in range(3)]), unit_admin)
    assert _errors(report) == {(0, "文件")} and "2 行" in report.errors[0].message


@override_settings(SPREADSHEET_MAX_BYTES=1024)
def test_too_many_bytes_refuse_the_file(unit_admin, org):
    report = _import(xlsx([officer_row(1, org.east_market.code)]), unit_admin)
    assert _errors(report) == {(0, "文件")} and "上限" in report.errors[0].message


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"name,unit\n", "不是 Excel"),
        (xlsx([], headers=["名字", "单位"]), "缺少表头"),
        (xlsx([]), "没有数据行"),
    ],
)
def test_unusable_files_are_refused_with_the_fix(unit_admin, org, content, reason):
    report = _import(content, unit_admin)
    assert _errors(report) == {(0, "文件")} and reason in report.errors[0].message


def test_an_import_limited_to_one_unit_refuses_rows_of_its_siblings(sysadmin, org):
    rows = [officer_row(1, org.east_market.code), officer_row(2, org.west_transport.code)]
    report = _import(xlsx(rows), sysadmin, unit=org.market)
    assert _errors(report) == {(3, "单位代码")}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        ("", None),
    ],
)
def test_dates_are_read_in_the_usual_chinese_forms(value, expected):
    assert parse_date(value) == expected


def test_the_template_round_trips_through_the_reader(unit_admin, org):
    content = importing.officer_template([[officer_row(1, org.east_market.code).get(c) for c in COLUMNS]])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert _import(content, unit_admin).ok


def test_the_export_lists_the_subtree_with_masked_personal_data(unit_admin, org, officer, outsider):
    _import(xlsx([officer_row(1, org.east_market.code)]), unit_admin)
    content = importing.officer_export(by=unit_admin, unit=None)
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    names = {row[0] for row in rows[1:]}
    assert {"张明", "测试1", "王芳"} <= names and "李强" not in names
    assert valid_id(1) not in str(rows) and "110105********" in str(rows)
    assert AuditEvent.objects.filter(action="officer.export").exists()


def test_the_command_reports_and_refuses_a_bad_sheet(tmp_path, org, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([officer_row(1, org.east_market.code, 身份证号="110105194912310021")]))
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_officers", str(path))
    assert "第 2 行\t身份证号\t校验码" in capsys.readouterr().out
    assert not Officer.objects.filter(certificate_number="T00000001").exists()


def test_the_command_dry_runs_then_imports(tmp_path, org, capsys):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx([officer_row(n, org.east_market.code) for n in range(1, 3)]))
    call_command("import_officers", str(path), "--dry-run", "--unit", org.market.code)
    assert "检查通过" in capsys.readouterr().out and not Officer.objects.filter(name="测试1").exists()
    call_command("import_officers", str(path), "--unit", org.market.code)
    assert "已导入 2 名" in capsys.readouterr().out and Officer.objects.filter(name__startswith="测试").count() == 2


def test_the_command_limits_rows_to_the_given_unit(tmp_path, org):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx([officer_row(1, org.west_transport.code)]))
    with pytest.raises(CommandError):
        call_command("import_officers", str(path), "--unit", org.market.code)
