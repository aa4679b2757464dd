"""Writes of the cases app: importing cases, saving and publishing scenario versions, playing runs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhifa.cases import queries
from zhifa.cases.drill_engine import RunState, StepRefused, choice_take, decision_take, run_verdict, state_start
from zhifa.cases.models import Case, CaseAttachment, DrillRun, Scenario, ScenarioVersion
from zhifa.cases.scenario_format import scenario_parse
from zhifa.cases.scenario_types import Issue
from zhifa.common.audit import audit_record
from zhifa.people import access
from zhifa.people.models import Domain
from zhifa.questions.models import KnowledgePoint

__all__ = ["RunRefused", "ScenarioInvalid", "StepRefused"]


class ScenarioInvalid(Exception):
    """The YAML has problems; `issues` lists each with its line. Nothing was saved."""

    def __init__(self, issues: list[Issue]):
        super().__init__("；".join(str(i) for i in issues[:3]))
        self.issues = issues


class RunRefused(Exception):
    """A run that cannot take this step (finished, or not the user's); the message is Chinese."""


@dataclass
class ScenarioCheck:
    issues: list[Issue]
    pending: set[str] = field(default_factory=set)  # cited laws not yet in the library

    @property
    def ok(self) -> bool:
        return not self.issues


def scenario_check(*, source: str) -> ScenarioCheck:
    """Validate YAML against the format and the law library; keys of laws not imported yet are only noted."""
    pending: set[str] = set()

    def unknown(keys: set[str]) -> set[str]:
        _, missing, absent = queries.articles_resolve(keys)
        pending.update(absent)
        return missing

    result = scenario_parse(source, unknown_articles=unknown)
    return ScenarioCheck(result.issues, pending)


def _cite(obj, keys: list[str], by) -> list[str]:
    """Cite the keys the library knows; returns those it does not know yet (to keep as pending)."""
    from zhifa.laws import services as law_services

    known, unknown, pending = queries.articles_resolve(set(keys))
    law_services.citation_set(obj=obj, article_keys=[k for k in keys if k in known], by=by)
    return [k for k in keys if k in unknown | pending]


@transaction.atomic
def scenario_save(*, source: str, by, scenario: Scenario | None = None, unit=None) -> ScenarioVersion:
    """Save YAML as the scenario's draft (a new version when the latest is published); raises ScenarioInvalid."""
    check = scenario_check(source=source)
    if not check.ok:
        raise ScenarioInvalid(check.issues)
    parsed = scenario_parse(source).scenario
    assert parsed is not None  # checked above
    if scenario is None:
        scenario = Scenario.objects.filter(key=parsed.key).first()
        if scenario is None:
            scenario = Scenario.objects.create(key=parsed.key, title=parsed.title, unit=unit)
    elif scenario.key != parsed.key:
        raise ScenarioInvalid([Issue(1, f"id 不能修改（本演练为“{scenario.key}”）：如需新演练，请新建")])
    latest = scenario.versions.select_for_update().order_by("-number").first()
    fields = {
        "source": source,
        "checksum": hashlib.sha256(source.encode()).hexdigest(),
        "title": parsed.title,
        "role": parsed.role,
        "domain": parsed.domain,
        "summary": parsed.summary,
        "articles_unchecked": bool(check.pending),
    }
    if latest is not None and latest.status == ScenarioVersion.Status.DRAFT:
        for name, value in fields.items():
            setattr(latest, name, value)
        latest.created_by = by
        latest.save()
        return latest
    return ScenarioVersion.objects.create(
        scenario=scenario, number=(latest.number + 1) if latest else 1, created_by=by, **fields
    )


@transaction.atomic
def scenario_publish(*, version: ScenarioVersion, by) -> ScenarioVersion:
    """Publish a draft: it becomes the version new runs use; the previous one retires (its runs keep it)."""
    version = ScenarioVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ScenarioVersion.Status.DRAFT:
        raise ScenarioInvalid([Issue(1, "只有草稿可以发布：已发布的版本不可修改，请先编辑生成新草稿")])
    scenario = version.scenario
    previous = scenario.current
    ScenarioVersion.objects.filter(scenario=scenario, status=ScenarioVersion.Status.PUBLISHED).update(
        status=ScenarioVersion.Status.RETIRED
    )
    version.status = ScenarioVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    scenario.current, scenario.title = version, version.title
    scenario.save(update_fields=["current", "title", "updated_at"])
    _cite(version, queries.version_scenario(version).article_keys(), by)
    audit_record(
        actor=by,
        action="cases.scenario_publish",
        obj=scenario,
        old={"version": previous.number if previous else None},
        new={"version": version.number},
    )
    return version


def _record(run: DrillRun, verb: str, result: dict | None = None) -> None:
    if run.officer is None or run.is_preview:
        return
    from zhifa.records import services as records_services

    records_services.statement_record(
        officer=run.officer,
        verb=verb,
        object_type="cases.scenario",
        object_id=str(run.version.scenario_id),
        object_name=run.version.title,
        result=result,
        context={"version": run.version.number, "run": run.pk},
        dedupe_key=f"cases.run:{run.pk}:{verb}",
    )


@transaction.atomic
def run_start(*, version: ScenarioVersion, user, preview_scene: str = "", preset: dict | None = None) -> DrillRun:
    """Start a run of a version (a preview from any scene with preset variables for editors); raises StepRefused."""
    scenario = queries.version_scenario(version)
    is_preview = bool(preview_scene or preset) or version.status != ScenarioVersion.Status.PUBLISHED
    state = state_start(scenario, scene=preview_scene or None, preset=preset)
    run = DrillRun.objects.create(
        user=user, officer=access.officer_of(user), version=version, is_preview=is_preview, state=state.to_json()
    )
    _record(run, "experienced")
    return run


def _finish(run: DrillRun, state: RunState) -> None:
    scenario = queries.version_scenario(run.version)
    passed, reasons = run_verdict(scenario, state)
    run.status = DrillRun.Status.COMPLETED if passed else DrillRun.Status.FAILED
    run.finished_at = timezone.now()
    run.score_total = sum(state.scores.values())
    result = {"success": passed, "scores": state.scores, "vetoes": state.vetoes, "reasons": reasons}
    _record(run, "completed" if passed else "failed", result)
    if passed and scenario.credit_hours and run.officer is not None and not run.is_preview:
        from zhifa.records import services as records_services

        records_services.hours_credit(
            officer=run.officer,
            category=scenario.hours_category,
            hours=Decimal(scenario.credit_hours),
            source=f"模拟执法演练《{run.version.title}》",
            evidence=f"模拟执法演练《{run.version.title}》合格（记录 {run.pk}）",
            dedupe_key=f"cases.scenario:{run.version.scenario_id}:hours:{run.officer.pk}",
        )


@transaction.atomic
def run_step(
    *, run: DrillRun, user, choice: int | None = None, amount: str = "", measure: str = "", expected_scene: str = ""
) -> DrillRun:
    """Take a choice (or record a penalty decision) in the user's run; raises RunRefused or StepRefused.

    `expected_scene` makes a double submit harmless: a step posted from a scene the run has left is ignored.
    """
    run = DrillRun.objects.select_for_update(of=("self",)).select_related("version", "officer").get(pk=run.pk)
    if run.user_id != user.pk:
        raise RunRefused("这不是你的演练")
    if run.status != DrillRun.Status.IN_PROGRESS:
        raise RunRefused("演练已结束：请查看讲评或重新开始")
    state = RunState.from_json(run.state)
    if expected_scene and expected_scene != state.scene:
        return run  # the same form posted twice: the first post already moved on
    scenario = queries.version_scenario(run.version)
    if scenario.scenes[state.scene].decision is not None:
        state = decision_take(scenario, state, amount=amount, measure=measure)
        decision = state.decision or {}
        run.decision_amount = Decimal(decision["amount"])
        run.decision_measure = decision["measure"]
        run.decision_within = decision["within"]
    elif choice is not None:
        state = choice_take(scenario, state, choice)
    else:
        raise StepRefused("请选择一个选项")
    run.state = state.to_json()
    run.score_total = sum(state.scores.values())
    if scenario.scenes[state.scene].ending is not None:
        _finish(run, state)
    run.save()
    return run


def _knowledge_points(codes: list[str]) -> list[KnowledgePoint]:
    """The knowledge points with these codes; raises CaseInvalid naming the first unknown code."""
    points = {p.code: p for p in KnowledgePoint.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in points]
    if missing:
        raise CaseInvalid(f"知识点编码“{missing[0]}”不存在：请先在题库的知识点体系中建立，或改用已有编码")
    return [points[c] for c in codes]


def _domain(code: str) -> Domain | None:
    return Domain.objects.filter(code=code).first() if code else None


@transaction.atomic
def case_upsert(*, data: dict, by=None) -> tuple[Case, bool]:
    """Create or update a case by its external id (or title); cite known articles, keep the rest pending."""
    keys = list(dict.fromkeys(data.pop("article_keys", [])))
    points = _knowledge_points(data.pop("knowledge_points", []))
    domain = _domain(data.pop("domain", ""))
    lookup = {"external_id": data["external_id"]} if data.get("external_id") else {"title": data["title"]}
    case, created = Case.objects.update_or_create(**lookup, defaults={**data, "domain": domain, "article_keys": keys})
    case.pending_article_keys = _cite(case, keys, by)
    case.save(update_fields=["pending_article_keys"])
    case.knowledge_points.set(points)
    return case, created


@transaction.atomic
def case_cite_pending(*, by=None) -> int:
    """Cite the pending article keys of every case whose laws have been imported since; returns how many resolved."""
    resolved = 0
    for case in Case.objects.exclude(pending_article_keys=[]):
        before = len(case.pending_article_keys)
        case.pending_article_keys = _cite(case, case.article_keys, by)
        resolved += before - len(case.pending_article_keys)
        case.save(update_fields=["pending_article_keys"])
    return resolved


@transaction.atomic
def scenario_cite_pending(*, by=None) -> int:
    """Cite the articles of scenario versions saved before their laws were imported; returns versions now checked."""
    checked = 0
    for version in ScenarioVersion.objects.filter(articles_unchecked=True).exclude(
        status=ScenarioVersion.Status.RETIRED
    ):
        keys = queries.version_scenario(version).article_keys()
        still_missing = (
            _cite(version, keys, by)
            if version.status == ScenarioVersion.Status.PUBLISHED
            else [k for k in keys if k not in queries.articles_resolve(set(keys))[0]]
        )
        if not still_missing:
            version.articles_unchecked = False
            version.save(update_fields=["articles_unchecked"])
            checked += 1
    return checked


class CaseInvalid(Exception):
    """A case that cannot be saved as given; the message names the field and the fix."""


@transaction.atomic
def case_save(*, data: dict, by, case: Case | None = None, attachment=None, attachment_title: str = "") -> Case:
    """Create or edit a case from the console; cited articles must exist once their law is in the library.

    Raises CaseInvalid (nothing saved) for an article key whose law is imported but has no such article.
    """
    keys = list(dict.fromkeys(data.pop("article_keys", [])))
    points = list(data.pop("knowledge_points", []))
    _, unknown, _ = queries.articles_resolve(set(keys))
    if unknown:
        raise CaseInvalid(f"引用条文“{sorted(unknown)[0]}”在法规库中找不到：请核对条号")
    case = case or Case()
    for name, value in data.items():
        setattr(case, name, value)
    case.article_keys = keys
    case.save()
    case.pending_article_keys = _cite(case, keys, by)
    case.save(update_fields=["pending_article_keys"])
    case.knowledge_points.set(points)
    if attachment is not None:
        CaseAttachment.objects.create(case=case, title=attachment_title or attachment.name, file=attachment)
    return case
