"""A citizen rates an officer from a poster: the page, the answers kept, and every kind of bad input."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from zhifa.surveys.models import Response
from zhifa.surveys.tests.conftest import form_data
from zhifa.surveys.tokens import token_make


def test_a_citizen_rates_an_officer_from_his_poster(citizen, officer, poster_url):
    page = citizen.get(poster_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "执法人员：张明" in html and "东城区市场监督管理局" in html and "JB00000001" in html
    for label in ("文明规范", "公正廉洁", "办事效率", "服务态度", "非常满意", "非常不满意", "我们保存什么、为什么"):
        assert label in html
    assert "<script" not in html  # works without JavaScript
    response = citizen.post(poster_url, form_data(citizen, poster_url, comment="态度很好，讲解清楚"))
    assert response.status_code == 302 and response["Location"] == reverse("surveys:thanks")
    saved = Response.objects.get()
    assert (saved.officer, saved.unit, saved.status) == (officer, officer.unit, Response.Status.COUNTED)
    assert (saved.civility, saved.integrity, saved.efficiency, saved.attitude, saved.score) == (5, 4, 5, 4, 4.5)
    assert saved.comment_status == Response.CommentStatus.PENDING


def test_the_form_works_with_csrf_checks_on_for_an_anonymous_visitor(officer, poster_url):
    browser = Client(enforce_csrf_checks=True)
    data = form_data(browser, poster_url)  # the GET sets the csrftoken cookie
    html = browser.get(poster_url).content.decode()
    data["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    # A browser sends its Origin with a form POST; the page must not set a no-referrer policy (Origin would be
    # "null" and Django's CSRF check refuses it — found by the Chromium test).
    assert browser.post(poster_url, data, HTTP_ORIGIN="http://testserver").status_code == 302
    assert Response.objects.count() == 1
    assert "no-referrer" not in html
    forged = Client(enforce_csrf_checks=True)  # another site's form: no cookie, no token
    assert forged.post(poster_url, form_data(Client(), poster_url)).status_code == 403
    assert Response.objects.count() == 1


def test_the_page_weighs_under_50_kb_with_its_stylesheet(citizen, poster_url):
    html = citizen.get(poster_url).content
    total = len(html)
    for asset in re.findall(rb'(?:src|href)="/static/([^"]+)"', html):
        with open(finders.find(asset.decode()), "rb") as handle:
            total += len(handle.read())
    assert total <= 50 * 1024, f"评价页 {total / 1024:.1f} KB，超过 50 KB"
    assert len(gzip.compress(html)) < 10 * 1024


def test_a_missing_rating_is_named_and_nothing_is_saved(citizen, poster_url):
    data = form_data(citizen, poster_url)
    del data["efficiency"]
    response = citizen.post(poster_url, data)
    assert response.status_code == 400
    assert "请为“办事效率”选择一个等级。" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_comment_over_500_characters_is_refused(citizen, poster_url):
    response = citizen.post(poster_url, form_data(citizen, poster_url, comment="好" * 501))
    assert response.status_code == 400
    assert "留言最多 500 字" in response.content.decode()
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "abc", lambda t: t.replace(":", "", 1)],
)
def test_a_tampered_token_is_refused_with_a_clear_message(citizen, officer, mangle):
    url = reverse("surveys:respond", kwargs={"token": mangle(token_make("o", officer.pk))})
    response = citizen.get(url)
    assert response.status_code == 410
    assert "评价链接无效" in response.content.decode()


def test_a_poster_expires_after_a_year(citizen, officer, time_machine):
    url = reverse("surveys:respond", kwargs={"token": token_make("o", officer.pk)})
    time_machine.move_to(timedelta(days=364))
    assert citizen.get(url).status_code == 200
    time_machine.move_to(timedelta(days=2))
    response = citizen.get(url)
    assert response.status_code == 410 and "已过期" in response.content.decode()


def test_a_bot_filling_the_honeypot_gets_a_polite_page_and_nothing_is_recorded(citizen, poster_url):
    response = citizen.post(poster_url, form_data(citizen, poster_url, website="http://spam.example"))
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_post_within_three_seconds_of_the_page_is_a_bots(citizen, poster_url, settings, time_machine):
    settings.SURVEYS_MIN_FILL_SECONDS = 3
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    data = form_data(citizen, poster_url)
    time_machine.move_to("2026-06-01 10:00:02+08:00", tick=False)
    assert "感谢您的评价" in citizen.post(poster_url, data).content.decode()
    assert Response.objects.count() == 0
    time_machine.move_to("2026-06-01 10:00:05+08:00", tick=False)
    assert citizen.post(poster_url, data).status_code == 302  # a person takes longer
    assert Response.objects.count() == 1


def test_personal_data_in_a_comment_is_masked_and_the_contact_is_encrypted(citizen, poster_url):
    comment = "我的电话13812345678，身份证110101199003071234，请回电"
    citizen.post(poster_url, form_data(citizen, poster_url, comment=comment, contact="13900001111"))
    saved = Response.objects.get()
    assert saved.comment == "我的电话138****5678，身份证110101********1234，请回电"
    assert "13900001111" not in saved.contact_encrypted and saved.contact_encrypted.startswith("sm4:")


def test_a_unit_poster_and_the_open_link_rate_the_unit_once_a_day_per_device(citizen, org):
    for kind, unit, channel in (("u", org.east_market, "poster"), ("w", org.west_transport, "open")):
        url = reverse("surveys:respond", kwargs={"token": token_make(kind, unit.pk)})
        assert unit.name in citizen.get(url).content.decode()
        assert citizen.post(url, form_data(citizen, url)).status_code == 302
        assert Response.objects.filter(officer=None, unit=unit, channel=channel).count() == 1
    # The website link of the same unit as the poster: the same target, so the same device is not counted twice.
    url = reverse("surveys:respond", kwargs={"token": token_make("w", org.east_market.pk)})
    assert citizen.post(url, form_data(citizen, url)).status_code == 409


def test_a_form_carried_to_another_officers_link_rates_the_officer_of_the_link(citizen, officer, org):
    """The form's stamp names what its page showed; posted on another officer's link, the link decides."""
    from zhifa.people.testing import make_officer

    other = make_officer(org.east_market, name="李强", username="liqiang", certificate_number="JB00000002")
    other_url = reverse("surveys:respond", kwargs={"token": token_make("o", other.pk)})
    mine = reverse("surveys:respond", kwargs={"token": token_make("o", officer.pk)})
    assert citizen.post(other_url, form_data(citizen, mine)).status_code == 302
    assert Response.objects.get().officer == other


def test_an_incomplete_form_shows_the_officers_name_again(citizen, officer, poster_url):
    data = form_data(citizen, poster_url)
    del data["attitude"]
    response = citizen.post(poster_url, data)
    assert response.status_code == 400
    assert "执法人员：张明" in response.content.decode() and "请为“服务态度”选择一个等级" in response.content.decode()
    assert Response.objects.count() == 0
