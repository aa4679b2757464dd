"""Pages through the test client: 我的学习档案, evidence, the console report, review queue and requirements."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.people.testing import make_officer
from zhifa.records import services
from zhifa.records.models import HoursEntry, HoursMonthly, HoursRequirement
from zhifa.records.tests.conftest import pdf_upload
from zhifa.records.tests.factories import credit

NOW = datetime(2026, 7, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW)


def manual_entry(officer, **overrides):
    kwargs = {
        "officer": officer,
        "by": officer.user,
        "category": "skill",
        "hours": "6",
        "occurred_on": date(2026, 6, 20),
        "title": "全省执法规范化培训班",
        "evidence": "结业证书编号 123",
        "evidence_file": pdf_upload(),
    }
    return services.hours_entry_submit(**{**kwargs, **overrides})


def test_an_officer_sees_every_entry_with_its_evidence(client, officer, unit_admin):
    credit(officer, legal=4)
    entry = manual_entry(officer)
    services.hours_entry_review(entry=entry, by=unit_admin, approve=True)
    services.statement_record(
        officer=officer,
        verb="completed",
        object_type="lesson",
        object_id="1",
        object_name="行政处罚法精讲",
        dedupe_key="s1",
    )
    client.force_login(officer.user)
    html = client.get(reverse("records:my-record")).content.decode()
    for text in (
        "我的学习档案",
        "测试课程",
        "全省执法规范化培训班",
        "结业证书编号 123",
        "查看佐证材料",
        "行政处罚法精讲",
        "hours-ring",
        "认定人：王芳",
    ):
        assert text in html
    evidence = client.get(reverse("records:entry-evidence", args=[entry.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF")


def test_the_record_page_takes_a_fixed_number_of_queries(client, officer, django_assert_max_num_queries):
    credit(officer, legal=1, skill=1, ethics=1)
    for n in range(5):
        manual_entry(officer, title=f"培训{n}")
        services.statement_record(
            officer=officer,
            verb="experienced",
            object_type="lesson",
            object_id=str(n),
            object_name=f"课{n}",
            dedupe_key=f"s{n}",
        )
    client.force_login(officer.user)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("records:my-record")).status_code == 200


def test_evidence_is_visible_to_the_officer_and_his_administrators_only(client, officer, outsider, unit_admin, auditor):
    entry = manual_entry(officer)
    url = reverse("records:entry-evidence", args=[entry.pk])
    for user, status in ((officer.user, 200), (unit_admin, 200), (auditor, 200), (outsider.user, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_a_manual_entry_is_submitted_through_the_form(client, officer):
    client.force_login(officer.user)
    response = client.post(
        reverse("records:entry-submit"),
        {
            "title": "市局培训",
            "category": "ethics",
            "hours": "3.5",
            "occurred_on": "2026-06-30",
            "evidence": "",
            "evidence_file": pdf_upload("证书.pdf"),
        },
    )
    assert response.status_code == 302
    entry = HoursEntry.objects.get()
    assert (entry.status, entry.hours, entry.category) == ("pending", Decimal("3.50"), "ethics")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"evidence_file": None}, "请上传佐证材料"),
        ({"hours": "-2"}, "必须大于 0"),
        ({"hours": "9999"}, "不能超过"),
        ({"evidence_file": SimpleUploadedFile("virus.exe", b"MZ")}, "格式不受支持"),
    ],
)
def test_bad_form_input_shows_a_chinese_error_and_stores_nothing(client, officer, changes, message):
    client.force_login(officer.user)
    data = {
        "title": "市局培训",
        "category": "legal",
        "hours": "2",
        "occurred_on": "2026-06-30",
        "evidence": "",
        "evidence_file": pdf_upload(),
    }
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(reverse("records:entry-submit"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_an_account_without_an_officer_profile_gets_an_explanation(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("records:my-record"))
    assert "没有关联执法人员档案" in response.content.decode()


def test_the_hours_ring_fragment_renders_alone(client, officer):
    credit(officer, legal=3)
    client.force_login(officer.user)
    html = client.get(reverse("records:hours-ring")).content.decode()
    assert 'class="hours-ring"' in html and "<svg" in html and "法律知识 已认定 3 学时" in html
    assert "echarts" not in html  # the ring is drawn on the server: the learner home stays light


def test_the_compliance_report_page_drills_down_and_exports(
    client, org, officer, unit_admin, django_assert_max_num_queries
):
    credit(officer, legal=30, skill=20, ethics=10)
    for n in range(6):
        make_officer(org.east_market, name=f"人员{n}")
    client.force_login(unit_admin)
    # On PostgreSQL the report runs in its own savepoint with SET LOCAL work_mem: three statements more. The
    # console layout adds two since the bell (unread count) and the role-filtered menu.
    limit = 15 + (3 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(limit):
        html = client.get(reverse("records:compliance")).content.decode()
    assert "东城区市场监督管理局" in html and "compliance-chart-data" in html and "echarts.min.js" in html
    with django_assert_max_num_queries(limit):
        html = client.get(reverse("records:compliance-officers"), {"unit": org.east_market.pk}).content.decode()
    assert "共 7 人" in html and "张明" in html and "已完成" in html
    response = client.get(reverse("records:compliance-export"), {"unit": org.market.pk, "year": 2026})
    book = load_workbook(BytesIO(response.content))
    summary = [row for row in book["单位汇总"].iter_rows(values_only=True)]
    assert summary[2][:6] == ("江北市市场监督管理局", "本级", 1, 0, 0, 1)
    assert summary[3][:6] == ("东城区市场监督管理局", "含下级", 7, 1, 0, 6)
    names = [row[0] for row in book["人员明细"].iter_rows(min_row=2, values_only=True)]
    assert len(names) == 8 and "张明" in names


def test_the_console_officer_record_is_limited_to_the_subtree(client, officer, outsider, unit_admin):
    client.force_login(unit_admin)
    assert client.get(reverse("records:officer-record", args=[officer.pk])).status_code == 200
    assert client.get(reverse("records:officer-record", args=[outsider.pk])).status_code == 404
    assert client.get(reverse("records:officer-xapi", args=[outsider.pk])).status_code == 404


def test_the_review_queue_approves_and_rejects(client, officer, unit_admin, django_assert_max_num_queries):
    entries = [manual_entry(officer, title=f"培训{n}") for n in range(4)]
    client.force_login(unit_admin)
    with django_assert_max_num_queries(10):  # 9, and the layout's bell (unread count)
        html = client.get(reverse("records:review-list")).content.decode()
    assert html.count('action="/records/review/') == 4
    client.post(reverse("records:entry-review", args=[entries[0].pk]), {"decision": "approve", "reason": ""})
    response = client.post(reverse("records:entry-review", args=[entries[1].pk]), {"decision": "reject"}, follow=True)
    assert "退回申报时请填写原因" in response.content.decode()
    client.post(reverse("records:entry-review", args=[entries[2].pk]), {"decision": "reject", "reason": "材料不全"})
    statuses = dict(HoursEntry.objects.values_list("pk", "status"))
    assert [statuses[e.pk] for e in entries] == ["approved", "pending", "rejected", "pending"]
    assert HoursMonthly.objects.get().hours == Decimal("6.00")


def test_approving_outside_the_subtree_through_the_page_is_not_found(client, outsider, unit_admin):
    entry = manual_entry(outsider)
    client.force_login(unit_admin)
    response = client.post(reverse("records:entry-review", args=[entry.pk]), {"decision": "approve"})
    assert response.status_code == 404
    assert HoursEntry.objects.get().status == "pending" and not HoursMonthly.objects.exists()


def test_requirements_page_sets_a_unit_requirement(client, org, unit_admin):
    client.force_login(unit_admin)
    response = client.post(
        reverse("records:requirements"),
        {"year": 2026, "category": "legal", "hours": "36", "scope": "unit", "unit": org.east_market.pk},
    )
    assert response.status_code == 302
    assert HoursRequirement.objects.get().unit == org.east_market
    response = client.post(
        reverse("records:requirements"),
        {"year": 2026, "category": "legal", "hours": "-5", "scope": "unit", "unit": org.east_market.pk},
    )
    assert response.status_code == 400 and "0 到 1000" in response.content.decode()
    response = client.post(
        reverse("records:requirements"),
        {"year": 2026, "category": "legal", "hours": "30", "scope": "unit", "unit": org.west_transport.pk},
    )
    assert "请选择您管理的单位" in response.content.decode()
    html = client.get(reverse("records:requirements")).content.decode()
    assert "东城区市场监督管理局" in html and "36" in html


def test_evidence_goes_out_through_the_file_helper_checked_first(client, officer, outsider, settings):
    entry = manual_entry(officer)
    url = reverse("records:entry-evidence", args=[entry.pk])
    client.force_login(officer.user)
    response = client.get(url)
    assert quote(f"学时佐证材料-{entry.pk}.pdf") in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store" and response["Content-Security-Policy"].startswith(
        "sandbox"
    )
    settings.MEDIA_X_ACCEL_PREFIX = "/protected-media/"  # behind nginx: the helper hands the file over
    assert client.get(url)["X-Accel-Redirect"] == f"/protected-media/{entry.evidence_file.name}"
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404  # the check comes before the helper, with or without nginx
    client.logout()
    assert not client.get(url).has_header("X-Accel-Redirect")
