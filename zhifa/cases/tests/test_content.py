"""The project's own drills and warning cases: complete, valid, and every article resolves against the real laws."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from zhifa.cases import queries
from zhifa.cases.models import Case, Scenario
from zhifa.cases.scenario_format import scenario_parse
from zhifa.cases.tests.conftest import CITED_LAWS, SCENARIOS, laws_import

FILES = sorted(SCENARIOS.glob("*.yaml"))
TOPICS = {
    "counterfeit-inspection",
    "consumer-complaint",
    "traffic-first-offence",
    "seizure-by-the-book",
    "hearing-notice",
    "integrity-test",
    "role-reversal-shopkeeper",
}


def test_the_seven_required_drills_exist():
    assert {path.stem for path in FILES} >= TOPICS


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_drill_is_complete(path):
    result = scenario_parse(path.read_text(encoding="utf-8"))
    assert result.ok, [str(i) for i in result.issues]
    scenario = result.scenario
    assert scenario.key == path.stem
    assert len(scenario.scenes) >= 12
    assert scenario.vetoes and all(v.basis for v in scenario.vetoes.values())
    assert any(c.veto for s in scenario.scenes.values() for c in s.choices)
    assert len(scenario.article_keys()) >= 5
    assert any(s.ending and s.ending.outcome == "success" for s in scenario.scenes.values())


def test_the_role_reversal_drill_is_played_as_the_party():
    assert scenario_parse((SCENARIOS / "role-reversal-shopkeeper.yaml").read_text()).scenario.role == "party"


def test_seeding_is_idempotent_and_notes_pending_articles(db):
    out = StringIO()
    call_command("seed_cases", stdout=out)
    assert Scenario.objects.filter(current__isnull=False).count() == len(FILES)
    assert "尚未导入" in out.getvalue()
    assert Case.objects.filter(kind=Case.Kind.WARNING).count() >= 4
    again = StringIO()
    call_command("seed_cases", stdout=again)
    assert "发布" not in again.getvalue()
    assert all(s.versions.count() == 1 for s in Scenario.objects.all())


@pytest.mark.shared_data
def test_every_article_cited_by_the_content_resolves_against_the_real_laws(db):
    call_command("seed_cases", stdout=StringIO())  # first without the laws: citations pending
    assert Scenario.objects.filter(versions__articles_unchecked=True).count() == len(FILES)
    laws_import(CITED_LAWS)
    keys = set()
    for path in FILES:
        keys |= set(scenario_parse(path.read_text(encoding="utf-8")).scenario.article_keys())
    cases = yaml.safe_load((SCENARIOS.parent / "content" / "cases.yaml").read_text(encoding="utf-8"))
    keys |= {k for case in cases for k in case["applied_articles"]}
    _known, unknown, pending = queries.articles_resolve(keys)
    assert (unknown, pending) == (set(), set())
    out = StringIO()
    call_command("seed_cases", stdout=out)  # again, once the laws are in: everything is cited now
    assert f"核验演练版本 {len(FILES)} 个" in out.getvalue()
    assert not Scenario.objects.filter(versions__articles_unchecked=True).exists()
    assert not Case.objects.exclude(pending_article_keys=[]).exists()
