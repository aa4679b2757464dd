"""Audiences are rules evaluated live: the SQL form and the in-memory form select the same officers."""

from datetime import date

import pytest

from zhifa.people.audiences import audience_contains, audience_describe, audience_officers
from zhifa.people.models import Audience, Officer, Role
from zhifa.people.testing import grant, make_officer

TODAY = date(2026, 12, 7)


def _both(audience: Audience) -> set[str]:
    """The names the audience selects, after checking the in-memory check agrees with the SQL."""
    selected = {o.name for o in audience_officers(audience, today=TODAY)}
    checked = {o.name for o in Officer.objects.all() if audience_contains(audience, o, today=TODAY)}
    assert selected == checked
    return selected


@pytest.fixture
def staff(org, officer, outsider, unit_admin):
    make_officer(org.justice, name="周律")
    return org


def test_a_unit_rule_selects_its_subtree_including_an_officer_created_afterwards(staff):
    audience = Audience.objects.create()
    audience.units.set([staff.market])
    assert _both(audience) == {"张明", "王芳"}
    make_officer(staff.east_market, name="新人")
    assert _both(audience) == {"张明", "王芳", "新人"}


def test_an_officer_moved_out_of_the_subtree_leaves_the_audience(staff, officer):
    audience = Audience.objects.create()
    audience.units.set([staff.market])
    officer.unit = staff.justice
    officer.save()
    assert _both(audience) == {"王芳"}


def test_rules_combine_and_include_exclude_override(staff, officer, outsider):
    audience = Audience.objects.create()
    audience.units.set([staff.city])
    audience.domains.set([staff.market_domain])
    assert _both(audience) == {"张明"}
    audience.include.set([outsider])
    audience.exclude.set([officer])
    assert _both(audience) == {"李强"}


def test_roles_positions_and_certificate_expiry(staff, officer, unit_admin):
    audience = Audience.objects.create(roles=[Role.UNIT_ADMIN])
    assert _both(audience) == {"王芳"}
    officer.certificate_expires = date(2027, 3, 1)
    officer.save()
    expiring = Audience.objects.create(certificate_expires_within_months=6)
    assert _both(expiring) == {"张明"}
    grant(officer.user, Role.INSTRUCTOR)
    assert _both(Audience.objects.create(positions=["科员"], roles=[Role.INSTRUCTOR])) == {"张明"}


def test_new_officers_are_those_joined_within_the_window(staff, officer, outsider):
    officer.joined_on = date(2026, 9, 1)
    officer.save()
    outsider.joined_on = date(2024, 1, 1)
    outsider.save()
    assert _both(Audience.objects.create(joined_within_months=12)) == {"张明"}


def test_an_audience_without_rules_selects_nobody(staff):
    audience = Audience.objects.create()
    assert _both(audience) == set()
    assert audience_describe(audience) == "未设置（不选中任何人）"


def test_the_description_reads_in_chinese(staff):
    audience = Audience.objects.create(joined_within_months=12)
    audience.units.set([staff.market])
    assert audience_describe(audience) == "江北市市场监督管理局（含下级）；新任人员（入职12个月内）"


def test_the_reverse_question_which_audiences_contain_an_officer_agrees_with_audience_contains(staff):
    from zhifa.people.audiences import audiences_containing

    officer = Officer.objects.get(name="张明")
    officer.position, officer.joined_on = "科长", date(2026, 6, 1)
    officer.save()
    grant(officer.user, Role.AUDITOR)
    specs = [
        {},
        {"units": [staff.market]},
        {"units": [staff.justice]},
        {"domains": [staff.market_domain]},
        {"domains": [staff.transport_domain]},
        {"units": [staff.city], "roles": [Role.AUDITOR]},
        {"units": [staff.city], "roles": [Role.UNIT_ADMIN]},
        {"units": [staff.city], "roles": [Role.OFFICER, Role.UNIT_ADMIN]},
        {"positions": ["科长"]},
        {"positions": ["队员"], "include": [officer]},
        {"units": [staff.market], "exclude": [officer]},
        {"joined": 12},
        {"joined": 3},
        {"cert": 6},
        {"employment": ["retired"]},
    ]
    audiences = []
    for spec in specs:
        audience = Audience.objects.create(
            roles=spec.get("roles", []),
            positions=spec.get("positions", []),
            employment=spec.get("employment", []),
            joined_within_months=spec.get("joined"),
            certificate_expires_within_months=spec.get("cert"),
        )
        audience.units.set(spec.get("units", []))
        audience.domains.set(spec.get("domains", []))
        audience.include.set(spec.get("include", []))
        audience.exclude.set(spec.get("exclude", []))
        audiences.append(audience)
    for person in Officer.objects.all():
        expected = {a.pk for a in audiences if audience_contains(a, person, today=TODAY)}
        assert set(audiences_containing(person, today=TODAY)) == expected, person.name
    assert audiences[1].pk in audiences_containing(officer, today=TODAY)
