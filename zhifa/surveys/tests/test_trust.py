"""Trust: stuffing from one client, one-time links under concurrency, bursts held, no raw IP or user agent kept."""

from __future__ import annotations

import logging
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from zhifa.notices.models import Notice
from zhifa.people.models import Unit
from zhifa.surveys import services
from zhifa.surveys.models import AnomalyFlag, DeviceKey, Response
from zhifa.surveys.tests.conftest import GOOD, form_data
from zhifa.surveys.tokens import token_make

IP, AGENT = "203.0.113.77", "SurveyStuffer/9.9 (X11; Linux)"


def _database_text() -> str:
    out = StringIO()
    call_command("dumpdata", "surveys", "common", "notices", stdout=out)
    return out.getvalue()


def test_a_thousand_posts_from_one_client_count_at_most_the_allowance(
    citizen, officer, poster_url, settings, caplog, time_machine
):
    time_machine.move_to("2026-06-01 10:00:00+08:00")
    caplog.set_level(logging.DEBUG)
    data = form_data(citizen, poster_url)
    statuses: dict[int, int] = {}
    for n in range(1000):  # the worst case: a new user agent every time
        status = citizen.post(poster_url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=f"{AGENT} #{n}").status_code
        statuses[status] = statuses.get(status, 0) + 1
    counted = Response.objects.filter(status=Response.Status.COUNTED).count()
    held = Response.objects.filter(status=Response.Status.HELD).count()
    assert counted == 20  # the burst allowance for one officer (SURVEYS_BURST_ALLOWANCE); the rest held
    assert counted + held == 30  # the client's hourly allowance; the rest refused
    assert statuses[429] == 970
    assert AnomalyFlag.objects.filter(officer=officer).count() == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    stored = _database_text()
    for secret in (IP, AGENT, "SurveyStuffer"):
        assert secret not in stored, f"数据库中出现了原始的 {secret}"
        assert secret not in logged, f"日志中出现了原始的 {secret}"


def test_one_device_is_counted_once_a_day_per_officer(citizen, officer, poster_url, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00")
    data = form_data(citizen, poster_url)
    assert citizen.post(poster_url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT).status_code == 302
    again = citizen.post(poster_url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    assert again.status_code == 409 and "您今天已经评价过" in again.content.decode()
    time_machine.move_to("2026-06-02 09:00:00+08:00")  # a new day, a new key: yesterday's hash cannot be matched
    assert citizen.post(poster_url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT).status_code == 302
    assert Response.objects.filter(status=Response.Status.COUNTED).count() == 2
    time_machine.move_to("2026-06-04 09:00:00+08:00")
    data = form_data(citizen, poster_url)  # a page served today
    assert citizen.post(poster_url, data, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT).status_code == 302
    assert sorted(str(d) for d in DeviceKey.objects.values_list("day", flat=True)) == ["2026-06-04"]


def test_a_burst_against_one_officer_is_held_flagged_and_reviewed(
    citizen, officer, unit_admin, poster_url, settings, client
):
    settings.SURVEYS_BURST_ALLOWANCE = 3
    data = form_data(citizen, poster_url)
    for n in range(5):
        citizen.post(poster_url, data, REMOTE_ADDR=f"198.51.100.{n}")
    assert Response.objects.filter(status=Response.Status.COUNTED).count() == 3
    held = list(Response.objects.filter(status=Response.Status.HELD))
    assert len(held) == 2
    flag = AnomalyFlag.objects.get()
    assert flag.held == 2 and "张明" in flag.reason
    assert Notice.objects.filter(user=unit_admin, key=f"surveys:flag:{flag.pk}").exists()
    client.force_login(unit_admin)
    page = client.get(reverse("surveys:moderation")).content.decode()
    assert "待复核的评价" in page and "张明" in page
    client.post(reverse("surveys:held-review", args=[held[0].pk]), {"decision": "count", "reason": "核实为真实评价"})
    client.post(reverse("surveys:held-review", args=[held[1].pk]), {"decision": "discard", "reason": "同一时段刷分"})
    assert Response.objects.filter(status=Response.Status.COUNTED).count() == 4
    assert Response.objects.filter(status=Response.Status.DISCARDED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_one_time_link_works_exactly_once_under_ten_concurrent_posts(org, officer, unit_admin):
    rows = [services.ActRow("江北市监罚〔2026〕7号", None, officer)]
    link = services.act_batch_create(unit=org.market, by=unit_admin, rows=rows).links.get()
    from zhifa.surveys.queries import subject_for_token

    subject = subject_for_token(token_make("a", link.pk))
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def post(n: int) -> None:
        barrier.wait()
        try:
            services.response_submit(
                subject=subject, answers=services.Answers(ratings={k: int(v) for k, v in GOOD.items()}),
                ip=f"192.0.2.{n}", user_agent="phone",
            )  # fmt: skip
            outcomes.append("ok")
        except services.SurveyRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 9
    assert Response.objects.filter(act_link=link).count() == 1


def test_a_used_act_link_says_so(citizen, org, officer, unit_admin):
    link = services.act_batch_create(
        unit=org.market, by=unit_admin, rows=[services.ActRow("罚〔2026〕8号", None, officer)]
    ).links.get()
    url = reverse("surveys:respond", kwargs={"token": token_make("a", link.pk)})
    assert "罚〔2026〕8号" in citizen.get(url).content.decode()
    assert citizen.post(url, form_data(citizen, url)).status_code == 302
    again = citizen.get(url)
    assert again.status_code == 410 and "已经使用过" in again.content.decode()


def test_a_low_rating_with_a_comment_reaches_the_unit_administrator(citizen, officer, unit_admin, poster_url):
    low = {"civility": "1", "integrity": "2", "efficiency": "1", "attitude": "1"}
    citizen.post(poster_url, form_data(citizen, poster_url, comment="态度恶劣", **low))
    notice = Notice.objects.get(user=unit_admin)
    assert "低分评价" in notice.title and "张明" in notice.title
    assert Unit.objects.get(pk=officer.unit_id).path.startswith(Unit.objects.get(name="江北市市场监督管理局").path)
