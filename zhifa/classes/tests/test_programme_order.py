"""The organiser puts a programme's parts in order: move one up or down (htmx), and only his own programmes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhifa.classes import programmes
from zhifa.classes.tests.factories import make_class, make_course, make_exam
from zhifa.people.models import Role
from zhifa.people.testing import grant, make_user


@pytest.fixture
def parts(org, unit_admin):
    course, klass, exam = make_course(), make_class(org.market), make_exam(org.market)
    item = programmes.programme_save(by=unit_admin, title="新任执法人员混合式培训", organiser=org.market)
    for kind, target in (("course", course), ("class", klass), ("exam", exam)):
        programmes.programme_part_add(by=unit_admin, programme=item, kind=kind, target_id=target.pk)
    return item, list(item.parts.order_by("position"))


def _kinds(programme) -> list[str]:
    return list(programme.parts.order_by("position").values_list("kind", flat=True))


def test_the_organiser_moves_the_exam_before_the_class_and_the_list_comes_back_in_the_new_order(
    client, unit_admin, parts
):
    programme, (_, _, exam) = parts
    client.force_login(unit_admin)
    page = client.get(reverse("classes:programme-manage", args=[programme.pk])).content.decode()
    assert 'id="programme-parts"' in page and "上移" in page and "下移" in page
    response = client.post(
        reverse("classes:part-move", args=[exam.pk]), {"direction": "up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<ol id="programme-parts">') and "<html" not in html
    assert re.findall(r"(线上课程|线下培训班|考试)：", html) == ["线上课程", "考试", "线下培训班"]
    assert _kinds(programme) == ["course", "exam", "class"]
    assert list(programme.parts.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_without_javascript_a_move_returns_to_the_programme_page_and_the_ends_stay_put(client, unit_admin, parts):
    programme, (course, _, exam) = parts
    client.force_login(unit_admin)
    response = client.post(reverse("classes:part-move", args=[course.pk]), {"direction": "down"})
    assert response.status_code == 302
    assert response["Location"] == reverse("classes:programme-manage", args=[programme.pk])
    assert _kinds(programme) == ["class", "course", "exam"]
    client.post(reverse("classes:part-move", args=[exam.pk]), {"direction": "down"})  # already last
    assert _kinds(programme) == ["class", "course", "exam"]
    bad = client.post(reverse("classes:part-move", args=[exam.pk]), {"direction": "sideways"})
    assert bad.status_code == 400 and "只能上移" in bad.content.decode()


def test_an_auditor_and_another_units_administrator_cannot_reorder(client, auditor, org, parts):
    programme, (_, _, exam) = parts
    stranger = make_user("other_admin")
    grant(stranger, Role.UNIT_ADMIN, org.west_transport)
    for persona in (auditor, stranger):
        client.force_login(persona)
        response = client.post(reverse("classes:part-move", args=[exam.pk]), {"direction": "up"})
        assert response.status_code == 404
    assert _kinds(programme) == ["course", "class", "exam"]
