"""seed_classes: a past class with attendance and ratings that show, an upcoming one 张明 is enrolled in, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from zhifa.classes.models import Attendance, ClassSession, Enrolment, OfflineClass, RatingResponse
from zhifa.people.models import User
from zhifa.records.models import HoursEntry

pytestmark = pytest.mark.django_db


def test_the_demo_classes_are_seeded_once_and_show_on_the_pages():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_classes", stdout=StringIO())
    counts = (Attendance.objects.count(), RatingResponse.objects.count(), HoursEntry.objects.count())
    call_command("seed_classes", stdout=StringIO())
    assert counts == (Attendance.objects.count(), RatingResponse.objects.count(), HoursEntry.objects.count())
    assert counts[0] > 10 and counts[1] >= 5 and counts[2] == counts[0]
    upcoming = OfflineClass.objects.get(title__startswith="执法文书")
    assert Enrolment.objects.filter(offline_class=upcoming, officer__user__username="zhangming").exists()
    booked = ClassSession.objects.filter(offline_class=upcoming, instructor__user__username="chenhong")
    assert booked.filter(booking="accepted").exists()
    client = Client()
    client.force_login(User.objects.get(username="wangfang"))
    past = OfflineClass.objects.get(title__contains="轮训班")
    assert "均分" in client.get(reverse("classes:class-report", args=[past.pk])).content.decode()
    client.force_login(User.objects.get(username="chenhong"))
    assert "行政处罚决定书的说理" in client.get(reverse("classes:teaching")).content.decode()
    client.force_login(User.objects.get(username="zhangming"))
    assert upcoming.title in client.get(reverse("classes:my-classes")).content.decode()
