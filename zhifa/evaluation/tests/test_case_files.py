"""Case-file review (案卷评查): upload, two reviewers, reconciliation, veto, the officer's indicator."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.certificates.models import ReviewFinding
from zhifa.evaluation import services
from zhifa.evaluation.models import CaseFile
from zhifa.evaluation.tests.conftest import pdf_upload
from zhifa.people.models import Role
from zhifa.people.testing import grant, make_user


@pytest.fixture
def second_admin(org):
    user = make_user("liuyang", display_name="刘洋")
    grant(user, Role.UNIT_ADMIN, org.market)
    return user


@pytest.fixture
def third_admin(org):
    user = make_user("zhouqi", display_name="周琪")
    grant(user, Role.UNIT_ADMIN, org.city)
    return user


@pytest.fixture
def case_file(period, org, officer, unit_admin):
    return services.case_file_upload(
        period=period,
        unit=org.east_market,
        number="东市监罚〔2026〕15号",
        title="销售过期食品案",
        officers=[officer],
        file=pdf_upload(),
        by=unit_admin,
    )


def review_page(client, user, case_file, data):
    client.force_login(user)
    return client.post(reverse("evaluation:casefile-detail", args=[case_file.pk]), data, follow=True)


def test_an_upload_that_is_not_a_pdf_or_image_is_refused_and_nothing_saved(client, period, org, officer, unit_admin):
    client.force_login(unit_admin)
    response = client.post(
        reverse("evaluation:casefile-upload"),
        {
            "period": period.pk,
            "unit": org.east_market.pk,
            "number": "X-1",
            "title": "案由",
            "officers": officer.certificate_number,
            "file": SimpleUploadedFile("案卷.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        },
        follow=True,
    )
    assert "须为 PDF 或图片" in response.content.decode()
    assert not CaseFile.objects.exists()


def test_close_scores_of_two_reviewers_give_the_mean(client, case_file, unit_admin, second_admin):
    review_page(client, unit_admin, case_file, {"item_form_wrong": "1"})  # 98
    response = review_page(client, second_admin, case_file, {"item_form_wrong": "1", "item_overdue": "1"})  # 93
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.FINAL
    assert float(case_file.final_score) == 95.5
    assert "已评定" in response.content.decode()


def test_diverging_scores_go_to_reconciliation_whose_review_decides(
    client, case_file, unit_admin, second_admin, third_admin
):
    review_page(client, unit_admin, case_file, {})  # 100
    response = review_page(client, second_admin, case_file, {"item_no_notice": "1", "item_no_hearing": "1"})  # 80
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.RECONCILE and case_file.final_score is None
    assert "须由第三人合议复核" in response.content.decode()
    # The same reviewer cannot decide the reconciliation.
    response = review_page(client, second_admin, case_file, {})
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.RECONCILE
    review_page(client, third_admin, case_file, {"item_no_notice": "1"})  # 90
    case_file.refresh_from_db()
    assert case_file.status == CaseFile.Status.FINAL and float(case_file.final_score) == 90


def test_a_veto_fails_the_file_whatever_the_points(client, case_file, unit_admin, second_admin):
    review_page(client, unit_admin, case_file, {"veto": ["fewer_than_two"]})
    review_page(client, second_admin, case_file, {"veto": ["wrong_law"]})
    case_file.refresh_from_db()
    assert case_file.failed and case_file.status == CaseFile.Status.FINAL
    assert float(case_file.final_score) == 0
    # The certificate lifecycle's annual review is told, once per officer of the file.
    finding = ReviewFinding.objects.get(officer=case_file.officers.get())
    assert not finding.passed and "评查不合格" in finding.summary and finding.year == 2026


def test_spot_check_marks_a_share_of_the_files(period, org, officer, unit_admin):
    for n in range(10):
        services.case_file_upload(
            period=period, unit=org.east_market, number=f"N{n}", title="案", officers=[officer], file=pdf_upload(),
            by=unit_admin,
        )  # fmt: skip
    assert services.case_files_sample(period=period, unit=org.market, share=0.3, by=unit_admin, seed=1) == 3
    assert CaseFile.objects.filter(sampled=True).count() == 3


def test_the_manager_opens_the_scan_and_an_outsider_cannot(client, case_file, unit_admin, outsider):
    client.force_login(unit_admin)
    response = client.get(reverse("evaluation:casefile-download", args=[case_file.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(outsider.user)
    assert client.get(reverse("evaluation:casefile-download", args=[case_file.pk])).status_code == 404


def test_an_evaluator_assigned_to_a_file_reviews_it(client, case_file, period, evaluator, sysadmin, now):
    from datetime import date

    services.assignment_create(
        period=period, evaluator=evaluator, units=[], case_files=[case_file], ends_on=date(2026, 8, 1), by=sysadmin
    )
    response = review_page(client, evaluator, case_file, {"item_form_wrong": "2"})
    assert "评查结果已提交" in response.content.decode()
    assert case_file.reviews.get().score == 96


def test_the_scan_goes_out_through_the_file_helper_checked_first(client, case_file, unit_admin, outsider, settings):
    url = reverse("evaluation:casefile-download", args=[case_file.pk])
    settings.MEDIA_X_ACCEL_PREFIX = "/protected-media/"
    client.force_login(unit_admin)
    response = client.get(url)
    assert response["X-Accel-Redirect"] == f"/protected-media/{case_file.file.name}"
    assert quote("案卷东市监罚〔2026〕15号.pdf") in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert not client.get(url).has_header("X-Accel-Redirect")
