"""The law library pages as officers and administrators use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.laws import services
from zhifa.laws.models import Citation, ImportJob, Law
from zhifa.laws.seeding import samples_seed
from zhifa.people.models import Domain

LAW = "江北市行政执法证件管理规定"


@pytest.fixture
def library(db):
    samples_seed()


def test_the_list_filters_by_category_and_region(client, officer, library, django_assert_max_num_queries):
    client.force_login(officer.user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("laws:law-list"), {"category": "normative_document"})
    body = response.content.decode()
    assert "江北市市场监管轻微违法行为不予处罚清单" in body and "培训管理办法" not in body
    assert (
        "江北市行政执法人员培训管理办法" in client.get(reverse("laws:law-list"), {"region": "江北省"}).content.decode()
    )
    assert "没有符合条件" in client.get(reverse("laws:law-list"), {"region": "national"}).content.decode()


def test_the_table_of_contents_links_every_article(client, officer, library):
    client.force_login(officer.user)
    response = client.get(reverse("laws:law-detail", args=["江北市行政执法人员培训管理办法"]))
    body = response.content.decode()
    assert "第二章 培训内容与学时" in body
    assert reverse("laws:article-detail", args=["江北市行政执法人员培训管理办法", "第十条"]) in body


def test_the_article_page_links_internal_references(client, officer, library):
    client.force_login(officer.user)
    response = client.get(reverse("laws:article-detail", args=["江北市行政执法人员培训管理办法", "第九条"]))
    body = response.content.decode()
    target = reverse("laws:article-detail", args=["江北市行政执法人员培训管理办法", "第五条"])
    assert f'href="{target}#p1">本办法第五条第一款</a>' in body
    checklist = "江北市市场监管轻微违法行为不予处罚清单"
    response = client.get(reverse("laws:article-detail", args=[checklist, "第三条"]))
    own = reverse("laws:article-detail", args=[checklist, "第三条"])
    assert f'href="{own}#p1">前款</a>' in response.content.decode()


def test_an_article_label_in_digits_redirects_to_the_permalink(client, officer, library):
    client.force_login(officer.user)
    response = client.get(reverse("laws:article-detail", args=[LAW, "第4条"]))
    assert response.status_code == 302 and response.url == reverse("laws:article-detail", args=[LAW, "第四条"])
    assert client.get(reverse("laws:article-detail", args=[LAW, "第九十九条"])).status_code == 404
    assert client.get(reverse("laws:article-detail", args=[LAW, "第三章"])).status_code == 404


def test_the_article_page_shows_versions_and_the_text_in_force_on_a_date(client, officer, library):
    client.force_login(officer.user)
    url = reverse("laws:article-detail", args=[LAW, "第四条"])
    assert "有效期为五年" in client.get(url).content.decode()
    old = client.get(url, {"on": "2022-01-01"}).content.decode()
    assert "有效期为三年" in old and "2021-06-15" in old
    before = client.get(url, {"on": "2000-01-01"}).content.decode()
    assert "没有该日期有效的版本" in before and "有效期为三年" in before
    assert client.get(url, {"version": "abc"}).status_code == 404


def test_the_article_page_lists_who_cites_it(client, officer, library):
    domain = Domain.objects.create(code="cite", name="引用示例")
    services.citation_set(obj=domain, article_keys=[f"{LAW}#第四条"])
    client.force_login(officer.user)
    body = client.get(reverse("laws:article-detail", args=[LAW, "第四条"])).content.decode()
    assert "引用示例" in body


def test_the_diff_page_highlights_changed_wording(client, officer, library):
    client.force_login(officer.user)
    body = client.get(reverse("laws:law-diff", args=[LAW])).content.decode()
    assert "<del>三</del><ins>五</ins>" in body
    assert "删除" in body and "新增" in body and "条序变动" in body
    single = client.get(reverse("laws:law-diff", args=["江北市行政执法人员培训管理办法"]))
    assert "只有一个版本" in single.content.decode()


def test_stale_content_is_listed_for_administrators(client, unit_admin, officer, db):
    old, new = samples_seed_versions()
    domain = Domain.objects.create(code="stale", name="过时内容")
    services.law_import_text(text=old, category="local_regulation", region="江北省")
    services.citation_set(obj=domain, article_keys=[f"{LAW}#第五条"])
    services.law_import_text(text=new, category="local_regulation", region="江北省")
    assert Citation.objects.get().needs_review
    client.force_login(unit_admin)
    body = client.get(reverse("laws:stale-list")).content.decode()
    assert "过时内容" in body and "已被删除" in body
    client.force_login(officer.user)
    assert client.get(reverse("laws:stale-list")).status_code == 404


def samples_seed_versions() -> tuple[str, str]:
    from zhifa.laws.seeding import SAMPLES_DIR

    return ((SAMPLES_DIR / f"{LAW}(2021-06-15).txt").read_text(), (SAMPLES_DIR / f"{LAW}(2024-09-20).txt").read_text())


def test_an_upload_imports_and_reports_progress(client, sysadmin, settings, tmp_path, with_search_hook):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(sysadmin)
    old, _ = samples_seed_versions()
    upload = SimpleUploadedFile("证件规定.txt", old.encode("gbk"))
    response = client.post(reverse("laws:import-page"), {"upload": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("laws:import-job-detail", args=[job.pk])
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    page = client.get(response.url).content.decode()
    assert "新建" in page and Law.objects.filter(short_title=LAW).exists()
    from zhifa.laws.search.backends import get_backend

    assert get_backend().word_stats(["证件"]).dfs[0] > 0  # the importing process's index has the law at once
    fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="import-job"' in fragment and "<html" not in fragment


def test_a_bad_upload_is_reported_and_imports_nothing(client, sysadmin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(sysadmin)
    upload = SimpleUploadedFile("坏文件.txt", "只有标题\n没有条文".encode())
    response = client.post(reverse("laws:import-page"), {"upload": upload}, follow=True)
    assert "未找到任何条文" in response.content.decode() and not Law.objects.exists()
    empty = client.post(reverse("laws:import-page"), {"upload": SimpleUploadedFile("空.txt", b"")})
    assert empty.status_code == 200 and ImportJob.objects.count() == 1  # refused by the form, no job
    wrong = client.post(reverse("laws:import-page"), {"upload": SimpleUploadedFile("表.xlsx", b"x")})
    assert "不支持的文件类型" in wrong.content.decode()


def test_only_system_administrators_may_import(client, unit_admin, db):
    client.force_login(unit_admin)
    assert client.get(reverse("laws:import-page")).status_code == 404


def test_the_date_form_rejects_bad_dates_without_error(client, officer, library):
    client.force_login(officer.user)
    response = client.get(reverse("laws:law-detail", args=[LAW]), {"on": "昨天"})
    assert response.status_code == 200 and "YYYY-MM-DD" in response.content.decode()


def test_a_reviewed_citation_leaves_the_stale_list(client, sysadmin, db):
    old, new = samples_seed_versions()
    domain = Domain.objects.create(code="review", name="待复核内容")
    services.law_import_text(text=old, category="local_regulation", region="江北省")
    services.citation_set(obj=domain, article_keys=[f"{LAW}#第四条"])
    services.law_import_text(text=new, category="local_regulation", region="江北省")
    citation = Citation.objects.get()
    client.force_login(sysadmin)
    response = client.post(reverse("laws:citation-review", args=[citation.pk]))
    assert response.status_code == 302
    citation.refresh_from_db()
    assert not citation.needs_review and citation.version.version_date.year == 2024
    assert "待复核内容" not in client.get(reverse("laws:stale-list")).content.decode()


def test_the_console_page_counts_the_library(client, unit_admin, library):
    client.force_login(unit_admin)
    body = client.get(reverse("laws:manage-home")).content.decode()
    assert "法规 3 部" in body and "现行条文 20 条" in body and "法规导入" not in body
