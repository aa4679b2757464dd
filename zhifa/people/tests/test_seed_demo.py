import io

from django.core.management import call_command
from openpyxl import load_workbook

from zhifa.people import access, idcard, importing
from zhifa.people.demo import DEMO_PASSWORD
from zhifa.people.models import Officer, Unit, User


def _seed(tmp_path) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--sample", str(tmp_path / "sample.xlsx"), stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_organisation_and_prints_the_accounts(db, tmp_path):
    output = _seed(tmp_path)
    names = set(Unit.objects.values_list("name", flat=True))
    assert {"江北省", "江北市", "江北市司法局", "东城区", "西城区", "南湖县"} <= names
    kinds = set(Unit.objects.filter(level="unit").values_list("kind", flat=True))
    assert {"justice", "market", "comprehensive", "transport", "environment"} <= kinds
    assert Officer.objects.count() == 50
    for username in ("zhangming", "wangfang", "chenhong", "zhaoping", "sunshen", "admin"):
        assert username in output and User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output and "sample.xlsx" in output


def test_seed_demo_is_idempotent(db, tmp_path):
    _seed(tmp_path)
    counts = (Unit.objects.count(), Officer.objects.count(), User.objects.count())
    assert "新增执法人员 0 名" in _seed(tmp_path)
    assert (Unit.objects.count(), Officer.objects.count(), User.objects.count()) == counts


def test_demo_id_numbers_are_valid_and_stored_encrypted(db, tmp_path):
    _seed(tmp_path)
    for officer in Officer.objects.all():
        assert idcard.is_valid(officer.id_card_plain())
        assert officer.id_card_masked == idcard.mask(officer.id_card_plain())


def test_demo_roles_are_wired_to_access_rules(db, tmp_path):
    _seed(tmp_path)
    admin, wangfang, sunshen = (User.objects.get(username=u) for u in ("admin", "wangfang", "sunshen"))
    assert admin.is_superuser and access.is_system_admin(admin)
    assert not wangfang.is_staff and access.is_unit_admin(wangfang)
    assert access.is_auditor(sunshen) and not access.can_manage_people(sunshen)
    assert wangfang.role_grants.get().organisation == ""
    chen = User.objects.get(username="chenhong")
    assert chen.role_grants.get().organisation == "江北大学法学院" and access.officer_of(chen) is None


def test_the_sample_sheet_imports_cleanly_for_the_demo_unit_admin(db, tmp_path):
    _seed(tmp_path)
    content = (tmp_path / "sample.xlsx").read_bytes()
    assert load_workbook(io.BytesIO(content)).worksheets[0].max_row == 21
    wangfang = User.objects.get(username="wangfang")
    report = importing.officer_import(content=content, by=wangfang, dry_run=False)
    assert report.ok and report.created == 20


def test_officer_template_command_writes_the_sample(db, tmp_path):
    call_command("officer_template", str(tmp_path / "t.xlsx"), "--sample", stdout=io.StringIO())
    call_command("officer_template", str(tmp_path / "blank.xlsx"), stdout=io.StringIO())
    assert load_workbook(tmp_path / "t.xlsx").worksheets[0].max_row == 21
    assert load_workbook(tmp_path / "blank.xlsx").worksheets[0]["A2"].value is None
