"""Reads for users: cases, published drills, a user's own runs (404 for anyone else's), console views."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from zhifa.cases.models import Case, DrillRun, Scenario, ScenarioVersion
from zhifa.cases.scenario_format import scenario_parse
from zhifa.cases.scenario_types import Scenario as ParsedScenario
from zhifa.laws import services as law_services
from zhifa.laws.models import Citation, Law, Provision
from zhifa.people import access
from zhifa.questions.models import KnowledgePoint


def article_key_canonical(key: str) -> str:
    """行政处罚法#第32条 → 行政处罚法#第三十二条 (the laws app's canonical form); the key itself when malformed."""
    try:
        return law_services.article_key_normalize(key)
    except law_services.UnknownArticle:
        return key


def articles_resolve(keys: set[str]) -> tuple[set[str], set[str], set[str]]:
    """Split article keys into (known, unknown: the law is in the library but not the article, pending: no law).

    Keys are compared in canonical form; the sets hold the keys as given.
    """
    canonical = {k: article_key_canonical(k) for k in keys if k}
    found = set(
        Provision.objects.filter(
            key__in=set(canonical.values()), kind=Provision.Kind.ARTICLE, version__is_current=True
        ).values_list("key", flat=True)
    )
    known = {k for k, c in canonical.items() if c in found}
    rest = set(canonical) - known
    laws = {canonical[k].split("#")[0] for k in rest}
    present = set(Law.objects.filter(short_title__in=laws).values_list("short_title", flat=True))
    unknown = {k for k in rest if canonical[k].split("#")[0] in present}
    return known, unknown, rest - unknown


def article_url(key: str) -> str:
    """The law library page of an article key: /laws/<short title>/<第X条>/."""
    law, _, article = key.partition("#")
    return f"/laws/{law}/{article}/"


@lru_cache(maxsize=64)
def _parsed(checksum: str, source: str) -> ParsedScenario:
    result = scenario_parse(source)
    if result.scenario is None:
        raise ValueError(f"已保存的演练无法解析：{result.issues[0]}")
    return result.scenario


def version_scenario(version: ScenarioVersion) -> ParsedScenario:
    """The parsed scenario of a stored version (validated when saved; cached by checksum)."""
    return _parsed(version.checksum, version.source)


def cases_browse(
    *, domain: str = "", kind: str = "", article: str = "", q: str = "", point: str = ""
) -> QuerySet[Case]:
    """Cases filtered by domain code, kind, cited article key, knowledge point code (with its sub-points), words."""
    cases = Case.objects.select_related("domain").order_by("kind", "title")
    if point:
        node = KnowledgePoint.objects.filter(code=point).first()
        if node is None:
            return cases.none()
        cases = cases.filter(knowledge_points__path__startswith=node.path or f"/{node.pk}/").distinct()
    if domain:
        cases = cases.filter(domain__code=domain)
    if kind:
        cases = cases.filter(kind=kind)
    if q:
        cases = cases.filter(Q(title__icontains=q) | Q(facts__icontains=q))
    if article:
        cited = Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), article_key=article_key_canonical(article)
        )
        cases = cases.filter(pk__in=cited.values("object_id"))
    return cases


def case_get(*, case_id: int) -> Case:
    return get_object_or_404(Case.objects.select_related("domain").prefetch_related("attachments"), pk=case_id)


def case_cited_keys(case: Case) -> set[str]:
    ct = ContentType.objects.get_for_model(Case)
    return set(Citation.objects.filter(content_type=ct, object_id=case.pk).values_list("article_key", flat=True))


def scenarios_published() -> QuerySet[Scenario]:
    return Scenario.objects.filter(current__isnull=False).select_related("current").order_by("title")


def scenario_get_published(*, key: str) -> tuple[Scenario, ScenarioVersion]:
    """A published scenario and its current version; Http404 when there is none."""
    scenario = get_object_or_404(Scenario.objects.select_related("current"), key=key, current__isnull=False)
    assert scenario.current is not None  # filtered above
    return scenario, scenario.current


def run_get_for_user(*, run_id: int, user) -> DrillRun:
    """The run if it is the user's own; Http404 otherwise (runs are personal, even for administrators)."""
    run = get_object_or_404(DrillRun.objects.select_related("version__scenario", "officer"), pk=run_id)
    if run.user_id != user.pk:
        raise Http404
    return run


def run_in_progress(*, scenario: Scenario, user) -> DrillRun | None:
    return (
        DrillRun.objects.filter(
            user=user, version__scenario=scenario, is_preview=False, status=DrillRun.Status.IN_PROGRESS
        )
        .select_related("version")
        .first()
    )


def runs_of_user(*, user) -> QuerySet[DrillRun]:
    return DrillRun.objects.filter(user=user, is_preview=False).select_related("version").order_by("-created_at")


def can_edit_scenario(user, scenario: Scenario | None) -> bool:
    """System administrators edit every scenario; unit administrators those of units they manage (and new ones)."""
    if access.is_system_admin(user):
        return True
    if not access.is_unit_admin(user):
        return False
    return scenario is None or (scenario.unit is not None and access.can_manage_unit(user, scenario.unit))


def scenarios_for_console(*, user) -> QuerySet[Scenario]:
    if not access.can_use_console(user):
        raise Http404
    return (
        Scenario.objects.select_related("current", "unit")
        .annotate(run_count=Count("versions__runs", filter=Q(versions__runs__is_preview=False)))
        .order_by("title")
    )


def scenario_get_for_console(*, scenario_id: int, user, edit: bool = False) -> Scenario:
    """A scenario for the console (any console user may look; editing needs can_edit_scenario); Http404."""
    if not access.can_use_console(user):
        raise Http404
    scenario = get_object_or_404(Scenario.objects.select_related("current", "unit"), pk=scenario_id)
    if edit and not can_edit_scenario(user, scenario):
        raise Http404
    return scenario


def version_get_for_console(*, version_id: int, user, edit: bool = False) -> ScenarioVersion:
    version = get_object_or_404(ScenarioVersion.objects.select_related("scenario__unit"), pk=version_id)
    scenario_get_for_console(scenario_id=version.scenario_id, user=user, edit=edit)
    return version


def version_latest(scenario: Scenario) -> ScenarioVersion | None:
    return scenario.versions.order_by("-number").first()


def decisions_for_admin(*, scenario: Scenario, user) -> list[dict]:
    """Finished, non-preview penalty decisions on this scenario by officers the user may see, with their unit."""
    officers = access.officers_viewable_by(user)
    rows = (
        DrillRun.objects.filter(
            version__scenario=scenario, is_preview=False, decision_amount__isnull=False, officer__in=officers
        )
        .exclude(status=DrillRun.Status.IN_PROGRESS)
        .values("decision_amount", "decision_measure", "officer__unit__name", "version__number")
    )
    return [
        {
            "amount": float(r["decision_amount"] or 0),
            "measure": r["decision_measure"],
            "unit": r["officer__unit__name"],
            "version": r["version__number"],
        }
        for r in rows
    ]


def knowledge_points_used() -> QuerySet[KnowledgePoint]:
    """Knowledge points some case is tagged with, for the browse filter."""
    return KnowledgePoint.objects.filter(cases__isnull=False).distinct().order_by("path")
