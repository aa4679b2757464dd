"""Drills: validator time per scenario (with the full state-graph checks) and the player's server time per step.

Quick by default (≤ ~60 s); --full validates a larger synthetic scenario and plays more runs.
Run: .venv/bin/python benchmarks/bench_cases_drills.py [--full] [--pg]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ZHIFA_AXES_ENABLED", "0")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def synthetic(levels: int, width: int) -> str:
    """A layered scenario: `levels` rows of `width` scenes, each scene with 3 choices to the next row, 3 flags."""
    lines = [
        "id: synthetic",
        "title: 合成",
        "variables:",
        "  a: false",
        "  b: false",
        "  c: false",
        "vetoes:",
        "  v: {title: 否决, basis: [行政处罚法#第五十五条]}",
        "start: s0_0",
        "scenes:",
    ]
    for level in range(levels):
        for col in range(1 if level == 0 else width):  # one start scene, then full rows
            lines += [f"  s{level}_{col}:", "    narrative: 场景", "    choices:"]
            for k, flag in enumerate("abc"):
                target = f"s{level + 1}_{(col + k) % width}" if level + 1 < levels else "end"
                veto = "\n        veto: v" if k == 2 else ""
                lines.append(
                    f"      - text: 选项{k}\n        goto: {target}\n        set: {{{flag}: true}}\n"
                    f"        effects: {{legality: {k - 1}}}{veto}"
                )
    lines += ["  end:", "    narrative: 完", "    ending: {outcome: success, title: 完, debrief: 完}"]
    return "\n".join(lines)


def bench_validator(full: bool) -> list[tuple]:
    from zhifa.cases.scenario_format import scenario_parse
    from zhifa.cases.scenario_graph import explore

    rows = []
    sources = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "zhifa/cases/scenarios").glob("*.yaml"))}
    sources["synthetic 40×3"] = synthetic(40, 3)
    if full:
        sources["synthetic 66×3 (≈200 场景)"] = synthetic(66, 3)
    for name, text in sources.items():
        times = []
        for _ in range(5 if full else 3):
            started = time.perf_counter()
            result = scenario_parse(text)
            times.append((time.perf_counter() - started) * 1000)
        assert result.ok, result.issues[:3]
        states = len(explore(result.scenario).edges)
        rows.append((name, len(result.scenario.scenes), states, statistics.median(times)))
    return rows


def bench_player(full: bool, postgres: bool) -> tuple[float, float, float, float, int]:
    from _setup import scratch_database

    scratch_database("cases", postgres=postgres)
    from django.test import Client
    from django.urls import reverse

    from zhifa.cases import services
    from zhifa.people.testing import build_org, make_officer

    source = (ROOT / "zhifa/cases/scenarios/counterfeit-inspection.yaml").read_text(encoding="utf-8")
    version = services.scenario_publish(version=services.scenario_save(source=source, by=None), by=None)
    org = build_org()
    gets, posts = [], []
    runs = 30 if full else 5
    for _ in range(runs):
        officer = make_officer(org.east_market)
        client = Client()
        client.force_login(officer.user)
        client.post(reverse("cases:run-start", args=[version.scenario.key]))
        run = officer.drill_runs.get()
        url = reverse("cases:run-play", args=[run.pk])
        for step in range(11):
            started = time.perf_counter()
            client.get(url)
            gets.append((time.perf_counter() - started) * 1000)
            data = {"amount": "800", "measure": "没收违法产品和违法所得，并处罚款"} if step == 9 else {"choice": "0"}
            started = time.perf_counter()
            client.post(url, data)
            posts.append((time.perf_counter() - started) * 1000)
    return (
        statistics.median(gets),
        percentile(gets, 0.95),
        statistics.median(posts),
        percentile(posts, 0.95),
        len(gets) + len(posts),
    )


def main() -> None:
    from _setup import machine

    full, postgres = "--full" in sys.argv, "--pg" in sys.argv
    print(machine())
    print("校验器（含状态图检查，无法规库查询）")
    print(f"{'演练':<28}{'场景':>6}{'状态':>8}{'耗时 ms (中位数)':>18}")
    for name, scenes, states, ms in bench_validator(full):
        print(f"{name:<28}{scenes:>6}{states:>8}{ms:>18.1f}")
    get50, get95, post50, post95, n = bench_player(full, postgres)
    print(f"\n演练页面服务端耗时（{'PostgreSQL' if postgres else 'SQLite'}，{n} 个请求）")
    print(f"GET  场景页  p50 {get50:6.1f} ms  p95 {get95:6.1f} ms   目标 p95 ≤ 50 ms")
    print(f"POST 选择    p50 {post50:6.1f} ms  p95 {post95:6.1f} ms")


if __name__ == "__main__":
    main()
