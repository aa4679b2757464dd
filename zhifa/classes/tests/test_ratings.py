"""Class evaluation: attendees only, once each, anonymous, shown only from 5 responses."""

import pytest
from django.urls import reverse

from zhifa.classes import services
from zhifa.classes.models import RatingReceipt, RatingResponse
from zhifa.classes.tests.factories import attend, enrol, make_class, make_instructor, make_session
from zhifa.people.testing import make_officer


@pytest.fixture
def taught(org, instructor):
    klass = make_class(org.market)
    return make_session(klass, instructor=make_instructor(user=instructor), booking="accepted")


def _rate(session, officer, score=4, comment=""):
    services.rating_submit(
        officer=officer, session=session, content=score, usefulness=score, delivery=score, comment=comment
    )


def test_only_attendees_rate_and_only_once(client, org, officer, taught):
    enrol(taught.offline_class, officer)
    client.force_login(officer.user)
    assert client.get(reverse("classes:session-rate", args=[taught.pk])).status_code == 404  # not attended yet
    attend(taught, officer)
    response = client.post(
        reverse("classes:session-rate", args=[taught.pk]), {"content": 5, "usefulness": 4, "delivery": 3}
    )
    assert response.status_code == 302
    again = client.post(
        reverse("classes:session-rate", args=[taught.pk]), {"content": 1, "usefulness": 1, "delivery": 1}
    )
    assert again.status_code == 400 and "只能评价一次" in again.content.decode()
    assert RatingResponse.objects.count() == 1 and RatingReceipt.objects.count() == 1


def test_a_missing_score_is_refused_naming_the_field(client, officer, taught):
    attend(taught, officer)
    client.force_login(officer.user)
    response = client.post(reverse("classes:session-rate", args=[taught.pk]), {"content": 5, "usefulness": 4})
    assert response.status_code == 400 and "请为“讲授”选择 1 到 5 分" in response.content.decode()
    assert not RatingResponse.objects.exists() and not RatingReceipt.objects.exists()


def test_results_are_hidden_below_five_responses_and_shown_from_five(client, org, instructor, unit_admin, taught):
    officers = [make_officer(org.east_market) for _ in range(5)]
    for index, officer in enumerate(officers[:4]):
        attend(taught, officer)
        _rate(taught, officer, score=5, comment=f"意见{index}")
    report = reverse("classes:class-report", args=[taught.offline_class_id])
    client.force_login(unit_admin)
    page = client.get(report).content.decode()
    assert "评价不足 5 份" in page and "意见0" not in page and "均分" not in page
    client.force_login(instructor)
    assert "均分" not in client.get(reverse("classes:teaching")).content.decode()
    attend(taught, officers[4])
    _rate(taught, officers[4], score=3)
    client.force_login(unit_admin)
    page = client.get(report).content.decode()
    assert "均分 4.6" in page and "意见0" in page
    client.force_login(instructor)
    assert "均分 4.6" in client.get(reverse("classes:teaching")).content.decode()


def test_a_response_carries_nothing_that_names_who_answered(org, officer, taught):
    attend(taught, officer)
    _rate(taught, officer, comment="很好")
    fields = {f.name for f in RatingResponse._meta.get_fields()}
    assert fields == {"id", "session", "content", "usefulness", "delivery", "comment"}  # no officer, no time
    response = RatingResponse.objects.get()
    receipt = RatingReceipt.objects.get()
    assert str(response.pk) != str(receipt.pk)  # a random key, not a sequence the receipt shares
    assert {f.name for f in RatingReceipt._meta.get_fields()} == {"id", "session", "officer"}
