"""A class's documents and an instructor's photo go out through the one file helper (common.files.file_response):
to those the class or the instructor is visible to, behind nginx as an X-Accel-Redirect, under a readable name."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.classes.models import ClassDocument, Instructor
from zhifa.classes.tests.factories import enrol, make_class


@pytest.fixture
def document(org, officer):
    klass = make_class(org.market)
    enrol(klass, officer)
    document = ClassDocument(offline_class=klass, title="执法文书讲义")
    document.file.save("讲义.pdf", ContentFile(b"%PDF-1.4 handout"), save=True)
    return document


def test_a_class_document_reaches_the_enrolled_and_the_console_only(client, document, officer, unit_admin, outsider):
    url = reverse("classes:document", args=[document.pk])
    client.force_login(officer.user)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 handout"
    assert quote("执法文书讲义.pdf") in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(unit_admin)
    assert client.get(url).status_code == 200
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code != 200


def test_behind_nginx_documents_and_photos_are_x_accel_redirects(client, document, officer, unit_admin, settings):
    settings.MEDIA_X_ACCEL_PREFIX = "/protected-media/"
    client.force_login(officer.user)
    response = client.get(reverse("classes:document", args=[document.pk]))
    assert response["X-Accel-Redirect"] == f"/protected-media/{document.file.name}" and response.content == b""
    client.force_login(unit_admin)
    photo = SimpleUploadedFile("chen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    client.post(reverse("classes:instructor-create"), {"name": "陈红", "kind": "external", "photo": photo})
    teacher = Instructor.objects.get(name="陈红")
    photo = client.get(reverse("classes:instructor-photo", args=[teacher.pk]))
    assert photo["X-Accel-Redirect"] == f"/protected-media/{teacher.photo.name}"
    assert photo["Content-Type"] == "image/png" and "inline" in photo["Content-Disposition"]
