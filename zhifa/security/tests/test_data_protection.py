"""A person's data (PIPL): his own copy, an administrator's export at his request, erasure where the law allows, and
the retention register applied by one nightly purge."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.common.models import AuditEvent
from zhifa.people.models import Officer
from zhifa.people.services import officer_create
from zhifa.security.retention import purge_expired

pytestmark = pytest.mark.django_db
ChannelPreference = apps.get_model("notices", "ChannelPreference")
ID_CARD = "110101199003076712"  # checksum-valid, made up


@pytest.fixture
def registered(org, unit_admin) -> Officer:
    """An officer of 东城区市场监督管理局 with an ID-card and a phone number, and a notice channel."""
    officer = officer_create(
        by=unit_admin, unit=org.east_market, name="刘洋", certificate_number="JB00000099",
        id_card=ID_CARD, phone="13912345678",
    )  # fmt: skip
    ChannelPreference.objects.create(user=officer.user, channel="sms")
    return officer


def _unzip(response) -> dict:
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    person = json.loads(archive.read("person.json"))
    book = load_workbook(io.BytesIO(archive.read("person.xlsx")))
    return {"person": person, "sheets": book.sheetnames, "names": archive.namelist()}


def test_an_officer_downloads_a_copy_of_his_own_data(client, registered):
    client.force_login(registered.user)
    response = client.get("/security/my-data/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    export = _unzip(response)
    assert export["person"]["officer"]["name"] == "刘洋" and export["person"]["officer"]["id_card"] == ID_CARD
    assert export["person"]["records"]["notices.channelpreference"][0]["channel"] == "sms"
    assert "人员档案" in export["sheets"] and "README.txt" in export["names"]
    text = json.dumps(export["person"], ensure_ascii=False)
    assert "password" not in text and "id_card_encrypted" not in text and "pbkdf2" not in text
    assert AuditEvent.objects.filter(action="person.export", actor=registered.user).exists()


def test_administrators_export_an_officer_they_manage_and_nobody_else(
    client, registered, unit_admin, auditor, outsider
):
    client.force_login(unit_admin)
    assert client.get(f"/security/people/{registered.pk}/export/").status_code == 200
    assert client.get(f"/security/people/{outsider.pk}/export/").status_code == 404
    client.force_login(auditor)
    response = client.get(f"/security/people/{registered.pk}/export/")
    assert response.status_code == 403 and "只有本人或其所在单位的管理员" in response.content.decode()


def test_the_system_administrator_erases_a_departed_officer_and_keeps_the_training_record(
    client, registered, sysadmin, unit_admin
):
    client.force_login(sysadmin)
    url = f"/security/people/{registered.pk}/erase/"
    page = client.post(url, {"reason": "本人书面申请"}, follow=True).content.decode()
    assert "第十三条第一款第三项" in page  # still in service: refused, nothing changed
    assert Officer.objects.get(pk=registered.pk).id_card_encrypted
    Officer.objects.filter(pk=registered.pk).update(employment=Officer.Employment.LEFT)
    assert "请填写删除依据" in client.post(url, {"reason": " "}, follow=True).content.decode()
    page = client.post(url, {"reason": "本人书面申请，已离职"}, follow=True).content.decode()
    assert "依法保留" in page
    officer = Officer.objects.select_related("user").get(pk=registered.pk)
    assert (officer.id_card_encrypted, officer.id_card_masked, officer.phone_encrypted, officer.phone_masked) == (
        ("", "", "", "")
    )
    assert officer.name == "刘洋" and officer.certificate_number == "JB00000099"  # the training record's owner
    assert not officer.user.is_active and officer.user.username == f"erased-{officer.user_id}"
    assert not ChannelPreference.objects.filter(user=officer.user).exists()
    assert AuditEvent.objects.filter(action="officer.create", object_id=str(officer.pk)).exists()  # audit kept
    erase = AuditEvent.objects.get(action="person.erase")
    assert erase.actor == sysadmin and "审计日志" in json.dumps(erase.new, ensure_ascii=False)
    client.force_login(unit_admin)  # a unit administrator manages the officer but erasure is the system admin's
    assert "由系统管理员办理" in client.post(url, {"reason": "x"}).content.decode()


def test_the_security_administrator_neither_exports_nor_erases(client, registered, security_admin):
    client.force_login(security_admin)
    assert "三员分立" in client.get(f"/security/people/{registered.pk}/export/").content.decode()
    response = client.post(f"/security/people/{registered.pk}/erase/", {"reason": "x"})
    assert response.status_code == 403 and "三员分立" in response.content.decode()


def test_the_nightly_purge_applies_each_kind_s_retention(registered, time_machine):
    old = AccessAttempt.objects.create(
        username="liuyang", ip_address="10.0.0.9", user_agent="t", failures_since_start=5, get_data="",
        post_data="", http_accept="", path_info="/accounts/login/",
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=200))
    Officer.objects.filter(pk=registered.pk).update(
        employment=Officer.Employment.RETIRED, updated_at=timezone.now() - timedelta(days=4 * 365)
    )
    dry = {line.kind.key: line.purged for line in purge_expired(dry_run=True)}
    assert dry["login_records"] == 1 and dry["departed_officers"] == 1
    assert AccessAttempt.objects.exists() and Officer.objects.get(pk=registered.pk).phone_encrypted
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert not AccessAttempt.objects.exists()
    assert Officer.objects.get(pk=registered.pk).phone_encrypted == ""
    report = out.getvalue()
    assert "login_records" in report and "已清理 1 条" in report and "audit" in report and "heartbeats" in report
    assert AuditEvent.objects.filter(action="person.erase", actor=None).exists()


def test_a_retention_below_the_legal_minimum_stops_the_start():
    env = {**os.environ, "ZHIFA_RETENTION_LOGIN_RECORDS_DAYS": "30", "ZHIFA_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "不得少于 180" in result.stderr
