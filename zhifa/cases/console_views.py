"""Console pages (desktop): scenarios and versions, the YAML editor with live validation and scene graph, previews,
and the spread of penalty decisions (同案不同罚) against the discretion benchmark."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.cases import discretion, queries, services
from zhifa.cases.drill_engine import StepRefused
from zhifa.cases.forms import CaseForm
from zhifa.cases.models import Case, Scenario
from zhifa.cases.scenario_format import MAX_BYTES, scenario_parse
from zhifa.cases.scenario_svg import scenario_svg
from zhifa.people import access

NEW_SCENARIO = """id: new-drill
title: 新演练
domain: market
role: officer
summary: 一句话说明演练目的。
variables:
  certificate_shown: false
vetoes:
  no_certificate:
    title: 未出示执法证件
    basis: [行政处罚法#第五十五条]
start: arrive
scenes:
  arrive:
    speaker: 旁白
    narrative: 你和同事到达现场。
    choices:
      - text: 出示执法证件，表明身份
        goto: done
        set: {certificate_shown: true}
        effects: {procedure: 2}
        basis: [行政处罚法#第五十五条]
      - text: 直接开始检查
        goto: done
        veto: no_certificate
  done:
    narrative: 检查结束。
    ending: {outcome: success, title: 完成, debrief: 讲评内容。}
"""


def _source(request: HttpRequest) -> str:
    source = request.POST.get("source", "")
    if len(source.encode("utf-8")) > MAX_BYTES:
        return source[: MAX_BYTES // 3]  # the validator reports the size; keep the page light
    return source.replace("\r\n", "\n")


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    scenarios = queries.scenarios_for_console(user=request.user)
    return render(
        request,
        "cases/manage.html",
        {
            "scenarios": scenarios,
            "can_create": queries.can_edit_scenario(request.user, None),
        },
    )


def _editor(request: HttpRequest, scenario: Scenario | None, source: str, issues=None, status: int = 200):
    versions = list(scenario.versions.all()) if scenario else []
    latest = versions[0] if versions else None
    parsed = scenario_parse(source).scenario
    return render(
        request,
        "cases/scenario_edit.html",
        {
            "scenario": scenario,
            "source": source,
            "issues": issues,
            "versions": versions,
            "latest": latest,
            "parsed": parsed,
            "svg": scenario_svg(parsed) if parsed else "",
            "can_edit": queries.can_edit_scenario(request.user, scenario),
        },
        status=status,
    )


@login_required
def scenario_new(request: HttpRequest) -> HttpResponse:
    if not queries.can_edit_scenario(request.user, None):
        raise Http404
    if request.method != "POST":
        return _editor(request, None, NEW_SCENARIO)
    source = _source(request)
    unit = (
        None if access.is_system_admin(request.user) else access.units_managed_by(request.user).order_by("path").first()
    )
    try:
        version = services.scenario_save(source=source, by=request.user, unit=unit)
    except services.ScenarioInvalid as exc:
        return _editor(request, None, source, exc.issues, status=422)
    messages.success(request, f"已保存草稿 v{version.number}")
    return redirect("cases:scenario-edit", scenario_id=version.scenario_id)


@login_required
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    editing = request.method == "POST"
    scenario = queries.scenario_get_for_console(scenario_id=scenario_id, user=request.user, edit=editing)
    if not editing:
        latest = queries.version_latest(scenario)
        return _editor(request, scenario, latest.source if latest else "")
    source = _source(request)
    try:
        version = services.scenario_save(source=source, by=request.user, scenario=scenario)
    except services.ScenarioInvalid as exc:
        return _editor(request, scenario, source, exc.issues, status=422)
    messages.success(request, f"已保存草稿 v{version.number}（已发布的版本保持不变）")
    return redirect("cases:scenario-edit", scenario_id=scenario.pk)


@login_required
@require_POST
def scenario_validate(request: HttpRequest) -> HttpResponse:
    """The htmx live check: the problems with their lines, and the scene graph when the text parses."""
    if not queries.can_edit_scenario(request.user, None) and not access.can_use_console(request.user):
        raise Http404
    check = services.scenario_check(source=_source(request))
    parsed = scenario_parse(_source(request)).scenario if check.ok else None
    return render(
        request,
        "cases/_check.html",
        {
            "issues": check.issues,
            "pending": sorted(check.pending),
            "svg": scenario_svg(parsed) if parsed else "",
        },
    )


@login_required
@require_POST
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    version = queries.version_get_for_console(version_id=version_id, user=request.user, edit=True)
    try:
        services.scenario_publish(version=version, by=request.user)
        messages.success(request, f"已发布 v{version.number}：新开始的演练使用此版本，进行中的演练不受影响")
    except services.ScenarioInvalid as exc:
        messages.error(request, str(exc))
    return redirect("cases:scenario-edit", scenario_id=version.scenario_id)


@login_required
def version_graph(request: HttpRequest, version_id: int) -> HttpResponse:
    version = queries.version_get_for_console(version_id=version_id, user=request.user)
    svg = scenario_svg(queries.version_scenario(version), highlight=request.GET.get("scene", "")[:80])
    return HttpResponse(svg, content_type="image/svg+xml")


def _preset(request: HttpRequest, variables: dict) -> dict:
    preset: dict[str, bool | int | str] = {}
    for name, initial in variables.items():
        raw = request.POST.get(f"var_{name}")
        if raw is None or raw == "":
            continue
        if isinstance(initial, bool):
            preset[name] = raw == "true"
        elif isinstance(initial, int):
            try:
                preset[name] = int(raw)
            except ValueError:
                raise StepRefused(f"变量“{name}”应是整数") from None
        else:
            preset[name] = raw[:200]
    return preset


@login_required
@require_POST
def version_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """Preview a version from any scene with preset variables (a preview run, not a learning record)."""
    version = queries.version_get_for_console(version_id=version_id, user=request.user, edit=True)
    parsed = queries.version_scenario(version)
    try:
        run = services.run_start(
            version=version,
            user=request.user,
            preview_scene=request.POST.get("scene", ""),
            preset=_preset(request, parsed.variables),
        )
    except StepRefused as exc:
        messages.error(request, str(exc))
        return redirect("cases:scenario-edit", scenario_id=version.scenario_id)
    return redirect("cases:run-play", run_id=run.pk)


@login_required
def scenario_discretion(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = queries.scenario_get_for_console(scenario_id=scenario_id, user=request.user)
    version = scenario.current or queries.version_latest(scenario)
    benchmark = queries.version_scenario(version).benchmark if version else None
    rows = queries.decisions_for_admin(scenario=scenario, user=request.user)
    context: dict[str, object] = {"scenario": scenario, "benchmark": benchmark, "rows": rows, "summary": None}
    if benchmark is not None and rows:
        low, high = float(benchmark.amount_min), float(benchmark.amount_max)
        summary = discretion.spread_summary(rows, low=low, high=high, measures=benchmark.measures)
        context["summary"] = summary
        context["chart"] = {
            "low": low,
            "high": high,
            "units": [u["unit"] for u in summary["units"]],
            "boxes": [u["box"] for u in summary["units"]],
            "points": [[r["unit"], r["amount"]] for r in rows],
            "histogram": summary["histogram"],
        }
    return render(request, "cases/discretion.html", context)


@login_required
def case_manage(request: HttpRequest) -> HttpResponse:
    if not access.can_use_console(request.user):
        raise Http404
    cases = queries.cases_browse(kind=request.GET.get("kind", "")[:20], q=request.GET.get("q", "").strip()[:100])
    return render(
        request,
        "cases/case_manage.html",
        {
            "cases": cases[:200],
            "can_edit": queries.can_edit_scenario(request.user, None),
            "kinds": Case.Kind.choices,
        },
    )


@login_required
def case_form(request: HttpRequest, case_id: int | None = None) -> HttpResponse:
    """Create (case_id None) or edit a case; editors only (system administrators and unit administrators)."""
    if not queries.can_edit_scenario(request.user, None):
        raise Http404
    case = queries.case_get(case_id=case_id) if case_id else None
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        initial=CaseForm.initial_for(case) if case else {"kind": Case.Kind.TYPICAL},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("attachment", "attachment_title")}
        try:
            case = services.case_save(
                data=data,
                by=request.user,
                case=case,
                attachment=form.cleaned_data["attachment"],
                attachment_title=form.cleaned_data["attachment_title"],
            )
        except services.CaseInvalid as exc:
            form.add_error("article_keys", str(exc))
        else:
            messages.success(request, "案例已保存")
            return redirect("cases:case-edit", case_id=case.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "cases/case_form.html", {"form": form, "case": case}, status=status)
