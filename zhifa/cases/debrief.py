"""The debrief of a finished run: path, scores against the best reachable, mistakes with articles, the best path,
and for role reversal the officer's conduct set against how it felt to the party."""

from __future__ import annotations

from functools import lru_cache

from zhifa.cases import queries
from zhifa.cases.drill_engine import RunState, legality_failed, run_verdict
from zhifa.cases.models import DrillRun
from zhifa.cases.scenario_graph import best_path, explore, max_scores
from zhifa.cases.scenario_types import DIMENSIONS, ROLES


@lru_cache(maxsize=64)
def _analysis(checksum: str, source: str) -> tuple[dict, tuple | None]:
    scenario = queries._parsed(checksum, source)
    exploration = explore(scenario)
    found = best_path(scenario, exploration)
    return max_scores(scenario, exploration), (tuple(found[0]), found[1]) if found else None


def _articles(keys: list[str]) -> list[dict]:
    return [{"key": k, "url": queries.article_url(k)} for k in keys]


def debrief_build(run: DrillRun) -> dict:
    """Everything the debrief page shows, from the run's stored state and its scenario version."""
    scenario = queries.version_scenario(run.version)
    state = RunState.from_json(run.state)
    highest, best = _analysis(run.version.checksum, run.version.source)
    passed, reasons = run_verdict(scenario, state)
    steps = []
    for number, step in enumerate(state.steps, start=1):
        scene = scenario.scenes[step["scene"]]
        veto = scenario.vetoes.get(step.get("veto") or "")
        steps.append(
            {
                **step,
                "number": number,
                "speaker": scene.speaker,
                "articles": _articles(step["basis"]),
                "veto_title": veto.title if veto else "",
                "effects_list": [(DIMENSIONS[d], v) for d, v in step["effects"].items() if v],
            }
        )
    taken = [(s["scene"], s.get("choice")) for s in state.steps]
    best_steps = (
        []
        if best is None
        else [{"scene": p.scene, "label": p.label, "taken": (p.scene, p.choice_index) in taken} for p in best[0]]
    )
    return {
        "passed": passed,
        "reasons": reasons,
        "ending": scenario.scenes[state.scene].ending,
        "role": ROLES[scenario.role],
        "is_party": scenario.role == "party",
        "scores": [
            {
                "name": name,
                "score": state.scores.get(dim, 0),
                "max": highest[dim],
                "passing": scenario.passing.get(dim),
                "percent": round(100 * max(state.scores.get(dim, 0), 0) / highest[dim]) if highest[dim] else 0,
                "failed": dim == "legality" and legality_failed(state),
            }
            for dim, name in DIMENSIONS.items()
            if highest[dim] > 0  # a dimension this drill never scores is not listed
        ],
        "steps": steps,
        "mistakes": [s for s in steps if s.get("mistake")],
        "vetoes": [
            {"title": v.title, "explanation": v.explanation, "articles": _articles(v.basis)}
            for key in state.vetoes
            if (v := scenario.vetoes.get(key))
        ],
        "best": best_steps,
        "best_total": best[1] if best else None,
        "total": sum(state.scores.values()),
        "contrasts": [s for s in steps if s.get("contrast")],
        "decision": state.decision,
        "benchmark": scenario.benchmark,
    }
