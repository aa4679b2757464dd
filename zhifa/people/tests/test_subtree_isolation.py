"""A unit administrator cannot see or change anything outside his subtree (江北市市场监督管理局 and below)."""

import pytest

from zhifa.common.models import AuditEvent
from zhifa.people.models import Officer, OfficerImport
from zhifa.people.tests.sheets import officer_row, xlsx


@pytest.fixture
def admin_client(client, unit_admin):
    client.force_login(unit_admin)
    return client


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/people/officers/{pk}/"),
        ("get", "/people/officers/{pk}/edit/"),
        ("post", "/people/officers/{pk}/edit/"),
        ("post", "/people/officers/{pk}/unmask/"),
        ("post", "/people/officers/{pk}/password/"),
    ],
)
def test_an_officer_of_another_subtree_does_not_exist_for_him(admin_client, outsider, method, url):
    response = getattr(admin_client, method)(url.format(pk=outsider.pk), {"name": "改名"} if method == "post" else None)
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.name == "李强"
    assert not AuditEvent.objects.filter(object_id=str(outsider.pk), object_type="people.officer").exists()


def test_other_subtrees_are_missing_from_his_lists(admin_client, outsider, officer, org):
    assert "李强" not in admin_client.get("/people/officers/").content.decode()
    # a filter naming a unit outside the subtree is ignored, not obeyed
    assert "李强" not in admin_client.get(f"/people/officers/?unit={org.west_transport.pk}").content.decode()
    assert "西城区交通运输局" not in admin_client.get("/people/units/").content.decode()


def test_he_cannot_export_another_subtree(admin_client, outsider, org):
    assert admin_client.get(f"/people/officers/export.xlsx?unit={org.west_transport.pk}").status_code == 404


def test_he_cannot_choose_another_unit_as_import_target(admin_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("o.xlsx", xlsx([officer_row(1, org.west_transport.code)]))
    page = admin_client.post("/people/import/", {"file": upload, "unit": org.west_transport.pk}).content.decode()
    assert "只能导入到本人管辖的单位" in page and not OfficerImport.objects.exists()


def test_rows_for_another_subtree_are_refused_in_the_preview(admin_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("o.xlsx", xlsx([officer_row(1, org.west_transport.code)]))
    page = admin_client.post("/people/import/", {"file": upload}, follow=True).content.decode()
    assert "不在您可导入的范围内" in page
    assert not Officer.objects.filter(certificate_number="T00000001").exists()


def test_he_cannot_see_or_confirm_another_persons_import(client, sysadmin, unit_admin, org):
    batch = OfficerImport.objects.create(created_by=sysadmin, filename="x.xlsx", content=b"x")
    client.force_login(unit_admin)
    assert client.get(f"/people/import/{batch.pk}/").status_code == 404
    assert client.post(f"/people/import/{batch.pk}/confirm/").status_code == 404
    batch.refresh_from_db()
    assert batch.status == "previewed"
