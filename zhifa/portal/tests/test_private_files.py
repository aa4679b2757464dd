"""Uploaded files are never public (issue 20 item 6): random names, no /media/, every file through a checked view;
the anonymous visitor and another unit's officer get the Chinese 404 page, the owner and his administrator the file.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import services as case_services
from zhifa.cases.models import CaseAttachment
from zhifa.common import files
from zhifa.records import services as records_services
from zhifa.records.tests.conftest import pdf_upload


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(getattr(user, "user", user))
    return client


def _refused(response) -> bool:
    return response.status_code in (403, 404) and "页面不存在" in response.content.decode()


@pytest.fixture
def evidence(officer):
    return records_services.hours_entry_submit(
        officer=officer, by=officer.user, category="legal", hours="8", occurred_on=date.today() - timedelta(days=3),
        title="全省行政执法人员轮训班", evidence="省司法厅主办", evidence_file=pdf_upload(),
    )  # fmt: skip


def test_hours_evidence_reaches_its_officer_and_his_administrator_only(evidence, officer, unit_admin, outsider):
    name = evidence.evidence_file.name
    assert name.startswith("records/evidence/") and name.endswith(".pdf")
    assert len(name.rsplit("/", 1)[-1]) >= 26  # a random name, not the uploaded one
    url = reverse("records:entry-evidence", kwargs={"entry_id": evidence.pk})
    for who in (officer, unit_admin):
        response = _client(who).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert _refused(_client(outsider).get(url))
    assert _client().get(url).status_code in (302, 404)  # anonymous: the log-in page, never the file
    for client in (_client(), _client(outsider), _client(officer)):
        assert client.get(f"/media/{name}").status_code == 404  # nothing is served by path


def test_a_case_attachment_link_works_for_whoever_the_page_was_shown_to_only(officer, outsider):
    case, _ = case_services.case_upsert(data={"title": "示例案例", "facts": "案情", "article_keys": []})
    attachment = CaseAttachment(case=case, title="现场照片")
    attachment.file.save("现场照片.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
    assert "现场照片" not in attachment.file.name
    page = _client(officer).get(reverse("cases:case-detail", kwargs={"case_id": case.pk})).content.decode()
    link = re.search(r'href="(/files/[^"]+)"', page).group(1)
    owner = _client(officer).get(link)
    assert owner.status_code == 200 and b"".join(owner.streaming_content) == b"%PDF-1.4 evidence"
    assert owner["Content-Security-Policy"].startswith("sandbox")
    assert _refused(_client(outsider).get(link))
    assert _refused(_client().get(link))


def test_a_forged_or_expired_link_is_refused(officer, time_machine):
    name = default_storage.save(files.random_name("cases/attachments/x.pdf"), ContentFile(b"%PDF-1.4"))
    token = files.link_token(name, officer.user.pk)
    assert _client(officer).get(reverse("common:file", kwargs={"token": token})).status_code == 200
    forged = files.link_token("records/evidence/other.pdf", officer.user.pk)[:-2] + "xx"
    assert _refused(_client(officer).get(reverse("common:file", kwargs={"token": forged})))
    time_machine.move_to(timezone.now() + timedelta(hours=9))
    assert _refused(_client(officer).get(reverse("common:file", kwargs={"token": token})))


def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(officer, settings):
    settings.MEDIA_X_ACCEL_PREFIX = "/protected-media/"
    name = default_storage.save(files.random_name("classes/documents/a.html"), ContentFile(b"<script>x</script>"))
    response = _client(officer).get(reverse("common:file", kwargs={"token": files.link_token(name, officer.user.pk)}))
    assert response["X-Accel-Redirect"] == f"/protected-media/{name}" and response.content == b""
    assert response["Content-Disposition"].startswith("attachment")  # active content is only ever a download


@pytest.mark.parametrize(
    "name, folder, ext",
    [("records/evidence/2026/05/结业证书.PDF", "records/evidence/2026/05", ".pdf"), ("a/noext", "a", ""),
     ("a/x.toolongextension", "a", ""), ("a/b.tar.gz", "a", ".gz")],
)  # fmt: skip
def test_random_names_keep_the_folder_and_a_plain_extension(name, folder, ext):
    new = files.random_name(name)
    assert new.rsplit("/", 1)[0] == folder and new.endswith(ext) and new != name
