"""The audience form: an administrator sets who something is for, within his subtree; nobody selected is refused."""

import pytest
from django.urls import reverse

from zhifa.common.audit import AuditEvent
from zhifa.people.audiences import audience_officers
from zhifa.people.forms import AudienceForm
from zhifa.people.models import Audience, Officer
from zhifa.people.services import AUDIENCE_SELECTS_NOBODY
from zhifa.people.testing import make_officer


def _form(user, data: dict, audience=None) -> AudienceForm:
    return AudienceForm({f"audience-{k}": v for k, v in data.items()}, user=user, audience=audience)


def test_an_administrator_sets_his_bureau_and_saves_an_audited_audience(org, officer, outsider, unit_admin):
    form = _form(unit_admin, {"units": [org.market.pk], "domains": [org.market_domain.pk]})
    assert form.is_valid(), form.errors
    assert form.selected_count() == 1
    audience = form.save()
    assert {o.name for o in audience_officers(audience)} == {"张明"}
    event = AuditEvent.objects.get(action="audience.create")
    assert "江北市市场监督管理局（含下级）" in event.new["rules"]


def test_a_unit_outside_his_subtree_is_refused(org, officer, outsider, unit_admin):
    form = _form(unit_admin, {"units": [org.west_transport.pk]})
    assert not form.is_valid()
    assert "只能选择本人管辖的单位" in form.errors["units"][0]


def test_rules_that_select_nobody_are_refused_and_nothing_is_saved(org, officer, unit_admin):
    form = _form(unit_admin, {"units": [org.market.pk], "joined_within_months": "3"})
    assert not form.is_valid()
    assert form.non_field_errors() == [AUDIENCE_SELECTS_NOBODY]
    assert not _form(unit_admin, {}).is_valid()
    assert not Audience.objects.exists()


def test_officers_named_by_certificate_number_or_name_are_in_or_out(org, officer, outsider, unit_admin, sysadmin):
    form = _form(sysadmin, {"units": [org.market.pk], "include": "JB00000002", "exclude": "张明"})
    assert form.is_valid(), form.errors
    audience = form.save()
    assert {o.name for o in audience_officers(audience)} == {"王芳", "李强"}
    # the edit form shows the named officers by certificate number
    again = AudienceForm(user=sysadmin, audience=audience)
    assert again.initial["include"] == "JB00000002" and again.initial["exclude"] == "JB00000001"


def test_unknown_and_ambiguous_names_say_what_to_fix(org, officer, unit_admin):
    make_officer(org.market, name="张明", certificate_number="JB00000099")
    form = _form(unit_admin, {"units": [org.market.pk], "include": "张明、JB404"})
    assert not form.is_valid()
    assert "找不到：JB404" in form.errors["include"][0]
    form = _form(unit_admin, {"units": [org.market.pk], "include": "张明"})
    assert not form.is_valid()
    assert "同名" in form.errors["include"][0]


def test_an_officer_outside_his_subtree_cannot_be_named_by_an_administrator(org, officer, outsider, unit_admin):
    form = _form(unit_admin, {"units": [org.market.pk], "include": "李强"})
    assert not form.is_valid()
    assert "找不到：李强" in form.errors["include"][0]


def test_every_rule_round_trips_through_the_form(org, officer, unit_admin):
    officer.position = "科长"
    officer.save()
    data = {
        "units": [org.market.pk],
        "domains": [org.market_domain.pk],
        "roles": ["officer"],
        "positions": "科长，队员",
        "employment": ["active"],
        "certificate_expires_within_months": "",
        "joined_within_months": "",
    }
    form = _form(unit_admin, data)
    assert form.is_valid(), form.errors
    audience = form.save()
    assert audience.positions == ["科长", "队员"] and audience.employment == ["active"]
    form = AudienceForm(user=unit_admin, audience=audience)
    assert form.initial["positions"] == "科长、队员"
    # updating replaces the rules and records the old ones
    form = _form(unit_admin, {"units": [org.market.pk]}, audience=audience)
    assert form.is_valid(), form.errors
    form.save()
    audience.refresh_from_db()
    assert (
        audience.positions == []
        and audience_officers(audience).count()
        == Officer.objects.filter(unit__path__startswith=org.market.path).count()
    )
    assert AuditEvent.objects.filter(action="audience.update").count() == 1


def test_the_live_count_answers_as_fields_change(client, org, officer, outsider, unit_admin):
    client.force_login(unit_admin)
    url = reverse("console:audience-count")
    page = client.get(url, {"_prefix": "audience", "audience-units": [org.market.pk]})
    assert page.status_code == 200
    assert "将选中 <strong data-audience-count>2</strong>" in page.content.decode()
    page = client.get(url, {"_prefix": "audience"})
    assert AUDIENCE_SELECTS_NOBODY in page.content.decode()
    page = client.get(url, {"_prefix": "audience", "audience-joined_within_months": "x"})
    assert "请先改正" in page.content.decode()


@pytest.mark.parametrize("prefix", ["exam-audience"])
def test_the_fragment_renders_with_any_prefix(rf, org, unit_admin, prefix):
    from django.template.loader import render_to_string

    form = AudienceForm(user=unit_admin, prefix=prefix)
    html = render_to_string("people/_audience_fields.html", {"audience_form": form})
    assert f'id="{prefix}-fields"' in html and f"_prefix={prefix}" in html and f'name="{prefix}-units"' in html
