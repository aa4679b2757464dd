"""The instructor registry's phone: masked everywhere, shown in full only to an administrator who asks (audited)."""

from __future__ import annotations

from django.urls import reverse

from zhifa.classes.models import Instructor
from zhifa.common.models import AuditEvent


def _teacher(client, unit_admin, instructor_user=None) -> Instructor:
    client.force_login(unit_admin)
    client.post(reverse("classes:instructor-create"), {"name": "周律师", "kind": "external", "phone": "139-1234-5678"})
    teacher = Instructor.objects.get(name="周律师")
    if instructor_user is not None:
        Instructor.objects.filter(pk=teacher.pk).update(user=instructor_user)
    return teacher


def test_an_administrator_reveals_the_phone_with_a_reason_and_the_reveal_is_audited(client, unit_admin):
    teacher = _teacher(client, unit_admin)
    detail = client.get(reverse("classes:instructor-detail", args=[teacher.pk])).content.decode()
    assert "139****5678" in detail and "13912345678" not in detail
    assert "查看完整号码（记入审计日志）" in detail
    url = reverse("classes:instructor-phone", args=[teacher.pk])
    fragment = client.post(url, {"reason": "联系授课"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "no-store" in fragment["Cache-Control"]
    html = fragment.content.decode()
    assert "<mark>13912345678</mark>" in html and "已记入审计日志" in html and "<html" not in html
    event = AuditEvent.objects.get(action="classes.instructor.unmask")
    assert (event.actor_id, event.reason, event.object_id) == (unit_admin.pk, "联系授课", str(teacher.pk))
    # Without htmx (no JavaScript) the whole page comes back with the number.
    page = client.post(url, {"reason": ""}).content.decode()
    assert "13912345678" in page and "师资库" in page
    assert AuditEvent.objects.filter(action="classes.instructor.unmask").count() == 2
    # Reloading the page masks it again.
    assert "13912345678" not in client.get(reverse("classes:instructor-detail", args=[teacher.pk])).content.decode()


def test_an_auditor_and_the_instructor_himself_see_the_masked_phone_only(client, unit_admin, auditor, instructor):
    teacher = _teacher(client, unit_admin, instructor_user=instructor)
    url = reverse("classes:instructor-phone", args=[teacher.pk])
    for persona in (auditor, instructor):
        client.force_login(persona)
        page = client.get(reverse("classes:instructor-detail", args=[teacher.pk])).content.decode()
        assert "139****5678" in page and "查看完整号码" not in page
        assert client.post(url, {"reason": "好奇"}).status_code == 404
    assert not AuditEvent.objects.filter(action="classes.instructor.unmask").exists()
