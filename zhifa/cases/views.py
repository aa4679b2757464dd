"""Learner pages (mobile): the case library, the drills, playing a run one scene a screen, and its debrief."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.cases import debrief, queries, services
from zhifa.cases.drill_engine import RunState, choices_enabled
from zhifa.cases.models import Case, DrillRun
from zhifa.laws import queries as law_queries
from zhifa.people.models import Domain


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "").strip()[:120] for name in ("domain", "kind", "article", "q", "point")}
    page = Paginator(queries.cases_browse(**filters), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "domains": Domain.objects.all(),
            "kinds": Case.Kind.choices,
            "points": queries.knowledge_points_used(),
        },
    )


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.case_get(case_id=case_id)
    cited = queries.case_cited_keys(case)
    articles = [{"key": k, "url": queries.article_url(k), "cited": k in cited} for k in case.article_keys]
    revised = law_queries.revised_banner(user=request.user, objects=[case])
    return render(request, "cases/case_detail.html", {"case": case, "articles": articles, "revised": revised})


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/scenario_list.html",
        {
            "scenarios": queries.scenarios_published(),
            "runs": queries.runs_of_user(user=request.user)[:10],
        },
    )


@login_required
def scenario_detail(request: HttpRequest, key: str) -> HttpResponse:
    scenario, version = queries.scenario_get_published(key=key)
    return render(
        request,
        "cases/scenario_detail.html",
        {
            "scenario": scenario,
            "version": version,
            "parsed": queries.version_scenario(version),
            "running": queries.run_in_progress(scenario=scenario, user=request.user),
            "revised": law_queries.revised_banner(user=request.user, objects=[version]),
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest, key: str) -> HttpResponse:
    scenario, version = queries.scenario_get_published(key=key)
    running = queries.run_in_progress(scenario=scenario, user=request.user)
    if running is not None and request.POST.get("restart") != "1":
        return redirect("cases:run-play", run_id=running.pk)
    run = services.run_start(version=version, user=request.user)
    return redirect("cases:run-play", run_id=run.pk)


@login_required
def run_play(request: HttpRequest, run_id: int) -> HttpResponse:
    run = queries.run_get_for_user(run_id=run_id, user=request.user)
    if request.method == "POST":
        return _run_post(request, run)
    if run.status != DrillRun.Status.IN_PROGRESS:
        return redirect("cases:run-debrief", run_id=run.pk)
    parsed = queries.version_scenario(run.version)
    state = RunState.from_json(run.state)
    scene = parsed.scenes[state.scene]
    return render(
        request,
        "cases/run_play.html",
        {
            "run": run,
            "parsed": parsed,
            "scene": scene,
            "state": state,
            "choices": choices_enabled(scene, state.variables),
            "last": state.steps[-1] if state.steps else None,
            "step_number": len(state.steps) + 1,
        },
    )


def _run_post(request: HttpRequest, run: DrillRun) -> HttpResponse:
    choice = request.POST.get("choice", "")
    try:
        run = services.run_step(
            run=run,
            user=request.user,
            choice=int(choice) if choice.isdigit() else None,
            amount=request.POST.get("amount", "")[:20],
            measure=request.POST.get("measure", "")[:40],
            expected_scene=request.POST.get("scene", "")[:80],
        )
    except (services.StepRefused, services.RunRefused) as exc:
        messages.error(request, str(exc))
    if run.status != DrillRun.Status.IN_PROGRESS:
        return redirect("cases:run-debrief", run_id=run.pk)
    return redirect("cases:run-play", run_id=run.pk)


@login_required
def run_debrief(request: HttpRequest, run_id: int) -> HttpResponse:
    run = queries.run_get_for_user(run_id=run_id, user=request.user)
    if run.status == DrillRun.Status.IN_PROGRESS:
        return redirect("cases:run-play", run_id=run.pk)
    return render(request, "cases/run_debrief.html", {"run": run, "report": debrief.debrief_build(run)})
