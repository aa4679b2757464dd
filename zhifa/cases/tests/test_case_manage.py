"""Writing cases in the console: warning cases with the rules broken, discussion questions and attachments."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.cases.models import Case
from zhifa.laws.models import Law

FORM = {
    "title": "执法人员收受购物卡案",
    "kind": "warning",
    "category": "收受礼品",
    "facts": "节前收受购物卡。",
    "issues": "收受礼品",
    "analysis": "分析",
    "outcome": "记大过",
    "discussion": "怎么拒收？\n\n如何留痕？",
    "article_keys": "公职人员政务处分法#第三十四条\n公职人员政务处分法#第三十四条",
    "source": "编写",
}


def test_an_editor_writes_a_warning_case_with_an_attachment(client, sysadmin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(sysadmin)
    upload = SimpleUploadedFile("通报.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("cases:case-new"), {**FORM, "attachment": upload, "attachment_title": "通报原文"})
    case = Case.objects.get()
    assert response.url == reverse("cases:case-edit", args=[case.pk])
    assert case.discussion == ["怎么拒收？", "如何留痕？"]
    assert case.article_keys == ["公职人员政务处分法#第三十四条"]
    assert case.pending_article_keys == ["公职人员政务处分法#第三十四条"]  # the law is not imported here
    assert case.attachments.get().title == "通报原文"
    detail = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "通报原文" in detail and "如何留痕？" in detail


def test_an_attachment_of_another_type_is_refused_and_nothing_saved(client, sysadmin):
    client.force_login(sysadmin)
    upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("cases:case-new"), {**FORM, "attachment": upload})
    assert response.status_code == 422 and "附件类型不支持" in response.content.decode()
    assert not Case.objects.exists()


def test_an_article_missing_from_an_imported_law_is_refused(client, sysadmin):
    Law.objects.create(title="中华人民共和国公职人员政务处分法", short_title="公职人员政务处分法")
    client.force_login(sysadmin)
    response = client.post(reverse("cases:case-new"), {**FORM, "article_keys": "公职人员政务处分法#第九百条"})
    assert response.status_code == 422 and "在法规库中找不到" in response.content.decode()
    assert not Case.objects.exists()


def test_a_malformed_article_key_names_the_fix(client, unit_admin):
    client.force_login(unit_admin)
    response = client.post(reverse("cases:case-new"), {**FORM, "article_keys": "政务处分法第三十四条"})
    assert "应写成“法规简称#第X条”" in response.content.decode()


def test_editing_keeps_one_row(client, sysadmin):
    client.force_login(sysadmin)
    client.post(reverse("cases:case-new"), FORM)
    case = Case.objects.get()
    client.post(reverse("cases:case-edit", args=[case.pk]), {**FORM, "title": "改过的标题"})
    assert Case.objects.get().title == "改过的标题"
    listed = client.get(reverse("cases:case-manage")).content.decode()
    assert "改过的标题" in listed
