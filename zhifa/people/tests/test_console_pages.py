"""The admin console through the test client, as the personas use it."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zhifa.common.models import AuditEvent
from zhifa.people import services
from zhifa.people.models import Officer, OfficerImport
from zhifa.people.testing import make_officer
from zhifa.people.tests.sheets import officer_row, valid_id, xlsx

ID = "11010519491231002X"


@pytest.fixture
def admin_client(client, unit_admin):
    client.force_login(unit_admin)
    return client


@pytest.fixture
def registered(unit_admin, org):
    return services.officer_create(by=unit_admin, unit=org.east_market, name="刘洋", certificate_number="JB77770001",
                                   id_card=ID, phone="13812345678")  # fmt: skip


def _list_queries(client, url="/people/officers/") -> int:
    client.get(url)  # the first request of a session also records its last activity
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_officer_list_costs_the_same_queries_for_5_or_40_officers(admin_client, org, officer):
    for _ in range(4):
        make_officer(org.east_market, domains=[org.market_domain])
    few = _list_queries(admin_client)
    for _ in range(35):
        make_officer(org.east_market, domains=[org.market_domain])
    assert _list_queries(admin_client) == few
    assert few <= 12


def test_the_officer_list_filters_by_subtree_domain_status_employment_and_name(admin_client, org, officer, sysadmin):
    other = make_officer(org.market, name="周伟")
    Officer.objects.filter(pk=other.pk).update(certificate_status="expired", employment="retired")
    page = admin_client.get(f"/people/officers/?unit={org.east_market.pk}").content.decode()
    assert "张明" in page and "周伟" not in page
    page = admin_client.get(f"/people/officers/?domain={org.market_domain.pk}").content.decode()
    assert "张明" in page and "周伟" not in page
    page = admin_client.get("/people/officers/?certificate_status=expired&employment=retired").content.decode()
    assert "周伟" in page and "张明" not in page
    page = admin_client.get("/people/officers/?q=张").content.decode()
    assert "张明" in page and "周伟" not in page and "李强" not in page  # 李强 is outside the subtree anyway


def test_the_officer_list_pages_by_fifty(admin_client, org):
    for n in range(55):
        make_officer(org.east_market, name=f"人员{n:02d}")
    first = admin_client.get("/people/officers/").content.decode()
    assert "第 1 / 2 页" in first and "人员00" in first and "人员54" not in first
    assert "人员54" in admin_client.get("/people/officers/?page=2").content.decode()


def test_the_detail_page_shows_masked_data_only(admin_client, registered):
    page = admin_client.get(f"/people/officers/{registered.pk}/").content.decode()
    assert "110105********002X" in page and "138****5678" in page
    assert ID not in page and "13812345678" not in page


def test_unmasking_shows_the_numbers_once_and_is_audited(admin_client, registered, unit_admin):
    response = admin_client.post(f"/people/officers/{registered.pk}/unmask/", {"reason": "核对证件"})
    assert response.status_code == 200 and ID in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="officer.unmask")
    assert event.actor == unit_admin and event.reason == "核对证件"
    assert ID not in admin_client.get(f"/people/officers/{registered.pk}/").content.decode()


def test_an_auditor_sees_the_officer_but_may_not_unmask_or_edit(client, auditor, registered):
    client.force_login(auditor)
    assert client.get(f"/people/officers/{registered.pk}/").status_code == 200
    assert client.post(f"/people/officers/{registered.pk}/unmask/").status_code == 403
    assert client.post(f"/people/officers/{registered.pk}/edit/", {"name": "改名"}).status_code == 403
    assert not AuditEvent.objects.filter(action="officer.unmask").exists()


def test_the_edit_form_explains_bad_input_in_chinese(admin_client, registered, org):
    data = {"name": "", "unit": org.east_market.pk, "certificate_status": "valid", "employment": "active",
            "id_card": "110105194912310021", "phone": "123", "certificate_issued": "2025-02-01",
            "certificate_expires": "2025-01-01"}  # fmt: skip
    page = admin_client.post(f"/people/officers/{registered.pk}/edit/", data).content.decode()
    for message in ("请填写姓名", "校验码不正确", "应为 11 位手机号", "有效期至不能早于发证日期"):
        assert message in page
    registered.refresh_from_db()
    assert registered.name == "刘洋"


def test_the_edit_form_saves_and_keeps_blank_personal_data(admin_client, registered, org):
    data = {"name": "刘洋", "unit": org.east_market.pk, "position": "科长", "certificate_number": "JB77770001",
            "certificate_status": "valid", "employment": "active", "id_card": "", "phone": ""}  # fmt: skip
    response = admin_client.post(f"/people/officers/{registered.pk}/edit/", data)
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.position == "科长" and registered.id_card_plain() == ID


def test_the_edit_form_refuses_a_certificate_number_of_somebody_else(admin_client, registered, officer, org):
    data = {"name": "刘洋", "unit": org.east_market.pk, "certificate_number": "JB00000001",
            "certificate_status": "valid", "employment": "active"}  # fmt: skip
    page = admin_client.post(f"/people/officers/{registered.pk}/edit/", data).content.decode()
    assert "已登记给其他人员" in page


def test_a_new_officer_can_be_created_from_the_console(admin_client, org):
    data = {"name": "吴敏", "unit": org.east_market.pk, "certificate_number": "JB55550001",
            "certificate_status": "valid", "employment": "active", "id_card": valid_id(3)}  # fmt: skip
    response = admin_client.post("/people/officers/new/", data)
    officer = Officer.objects.get(certificate_number="JB55550001")
    assert response.url == f"/people/officers/{officer.pk}/"


def test_the_import_page_previews_errors_then_nothing_is_imported(admin_client, org):
    content = xlsx([officer_row(1, org.east_market.code), officer_row(2, org.east_market.code, 身份证号="123")])
    response = admin_client.post("/people/import/", {"file": _upload(content)}, follow=True)
    page = response.content.decode()
    assert "第 3 行" in page and "身份证号" in page and "未导入任何人员" in page
    assert "确认导入" not in page and not Officer.objects.filter(certificate_number__startswith="T").exists()


def test_the_import_page_previews_then_imports_on_confirmation(admin_client, org):
    content = xlsx([officer_row(n, org.east_market.code) for n in range(1, 4)])
    response = admin_client.post("/people/import/", {"file": _upload(content), "unit": org.market.pk})
    batch = OfficerImport.objects.get()
    assert response.url == f"/people/import/{batch.pk}/"
    assert "确认导入 3 人" in admin_client.get(response.url).content.decode()
    assert not Officer.objects.filter(certificate_number__startswith="T").exists()
    page = admin_client.post(f"/people/import/{batch.pk}/confirm/", follow=True).content.decode()
    assert "已导入 3 名执法人员" in page
    batch.refresh_from_db()
    assert batch.status == "imported" and bytes(batch.content) == b""  # personal data not kept in the upload
    second = admin_client.post(f"/people/import/{batch.pk}/confirm/", follow=True).content.decode()
    assert "无需再次确认" in second and Officer.objects.filter(certificate_number__startswith="T").count() == 3


def test_the_import_page_refuses_other_file_types(admin_client):
    upload = _upload(b"a,b\n", name="officers.csv")
    page = admin_client.post("/people/import/", {"file": upload}).content.decode()
    assert "只支持 .xlsx" in page and not OfficerImport.objects.exists()


def test_the_template_downloads_as_xlsx(admin_client):
    response = admin_client.get("/people/import/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["A1"].value == "姓名"


def test_the_export_link_downloads_the_subtree(admin_client, org, officer):
    response = admin_client.get(f"/people/officers/export.xlsx?unit={org.east_market.pk}")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["张明"]


def test_the_unit_tree_lists_the_visible_units_only(admin_client, org):
    page = admin_client.get("/people/units/").content.decode()
    assert "东城区市场监督管理局" in page and "西城区交通运输局" not in page


def test_the_audit_log_filters_by_actor_action_type_and_date(client, audit_admin, registered, unit_admin):
    services.officer_unmask(officer=registered, by=unit_admin)
    client.force_login(audit_admin)
    page = client.get("/people/audit/?action=officer.unmask").content.decode()
    assert "officer.unmask" in page and "officer.create" not in page
    page = client.get("/people/audit/?actor=wangfang&object_type=people.officer").content.decode()
    assert "officer.create" in page
    assert "没有符合条件的记录" in client.get("/people/audit/?date_to=2000-01-01").content.decode()
    assert (
        "截止日期早于起始日期" in client.get("/people/audit/?date_from=2026-02-01&date_to=2026-01-01").content.decode()
    )


def test_a_unit_admin_sees_audit_events_of_his_subtree_only(admin_client, sysadmin, unit_admin, registered, outsider):
    services.officer_unmask(officer=registered, by=unit_admin)
    services.officer_unmask(officer=outsider, by=sysadmin)
    page = admin_client.get("/people/audit/?action=officer.unmask").content.decode()
    assert "刘洋" in page and "李强" not in page


def test_the_audit_log_costs_the_same_queries_for_few_or_many_events(client, audit_admin, sysadmin, registered):
    client.force_login(audit_admin)
    few = _list_queries(client, "/people/audit/")
    for _ in range(30):
        services.officer_unmask(officer=registered, by=sysadmin)
    assert _list_queries(client, "/people/audit/") == few


def _upload(content: bytes, name: str = "officers.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_django_admin_shows_officers_to_system_admins_without_personal_data(client, sysadmin, registered):
    client.force_login(sysadmin)
    page = client.get(f"/django-admin/people/officer/{registered.pk}/change/").content.decode()
    assert "刘洋" in page and ID not in page and registered.id_card_encrypted not in page
    assert client.get("/django-admin/people/officer/").status_code == 200


def test_the_import_page_lists_my_previews_to_come_back_to(admin_client, org, sysadmin):
    admin_client.post("/people/import/", {"file": _upload(xlsx([officer_row(1, org.east_market.code)]), "mine.xlsx")})
    OfficerImport.objects.create(created_by=sysadmin, filename="theirs.xlsx")
    page = admin_client.get("/people/import/").content.decode()
    assert "mine.xlsx" in page and "theirs.xlsx" not in page


def test_the_detail_page_lists_the_events_about_the_officer_and_his_account(admin_client, registered, unit_admin):
    services.officer_password_reset(officer=registered, by=unit_admin)
    page = admin_client.get(f"/people/officers/{registered.pk}/").content.decode()
    assert "officer.create" in page and "password.reset" in page


def test_unconfirmed_uploads_are_dropped_after_a_day(admin_client, org, sysadmin, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    time_machine.move_to(timezone.now() - timedelta(days=2), tick=False)
    stale = OfficerImport.objects.create(created_by=sysadmin, filename="old.xlsx", content=b"secret")
    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    admin_client.post("/people/import/", {"file": _upload(xlsx([officer_row(1, org.east_market.code)]))})
    assert not OfficerImport.objects.filter(pk=stale.pk).exists()


def test_a_unit_admin_grants_and_revokes_unit_admin_inside_his_subtree(admin_client, officer, org):
    url = f"/people/officers/{officer.pk}/roles/"
    admin_client.post(url, {"role": "unit_admin", "unit": org.east_market.pk})
    grant = officer.user.role_grants.get()
    assert grant.unit == org.east_market
    assert "撤销" in admin_client.get(f"/people/officers/{officer.pk}/").content.decode()
    page = admin_client.post(url, {"role": "system_admin"}, follow=True)
    assert page.status_code == 403 and officer.user.role_grants.count() == 1
    admin_client.post(f"/people/roles/{grant.pk}/revoke/")
    assert not officer.user.role_grants.exists()


def test_a_unit_admin_grant_outside_the_subtree_is_refused_in_chinese(admin_client, officer, org):
    page = admin_client.post(
        f"/people/officers/{officer.pk}/roles/", {"role": "unit_admin", "unit": org.west_transport.pk}, follow=True
    ).content.decode()
    assert "只能选择本人管辖的单位" in page and not officer.user.role_grants.exists()


def test_a_sysadmin_makes_an_officer_system_admin_from_the_console(client, sysadmin, officer):
    client.force_login(sysadmin)
    client.post(f"/people/officers/{officer.pk}/roles/", {"role": "system_admin"})
    officer.user.refresh_from_db()
    assert officer.user.is_superuser and officer.user.is_staff


def test_nobody_revokes_a_grant_he_cannot_see(client, unit_admin, sysadmin, outsider):
    grant = services.role_grant(user=outsider.user, role="auditor", by=sysadmin)
    client.force_login(unit_admin)
    assert client.post(f"/people/roles/{grant.pk}/revoke/").status_code == 404
    assert outsider.user.role_grants.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", '=HYPERLINK("http://evil.example/","点我")'),
        ("name", "@SUM(A1:A9)"),
        ("name", "\t=1+1"),  # a tab or a line break before the sign: still a formula once trimmed
        ("name", "\r-2+3"),
        ("position", "+cmd|' /C calc'!A0"),
        ("certificate_number", "＝1+1"),
    ],
)
def test_the_officer_form_refuses_formula_like_text_as_the_import_does(admin_client, registered, org, field, value):
    data = {"name": "刘洋", "unit": org.east_market.pk, "certificate_status": "valid", "employment": "active",
            "certificate_number": "JB77770001", field: value}  # fmt: skip
    before = Officer.objects.count()
    for url in ("/people/officers/new/", f"/people/officers/{registered.pk}/edit/"):
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert "以 = + - @ 等符号开头，表格软件会把它当作公式执行；请删去开头的符号" in response.content.decode()
    registered.refresh_from_db()
    assert (registered.name, registered.position) == ("刘洋", "") and Officer.objects.count() == before
