"""The scene graph of a scenario as an SVG drawing (server-side, no script): rows by distance from the start.

Pure. Green boxes are success endings, red ones failure endings, amber ones penalty decisions; red arrows are
choices that incur a veto, dashed arrows go back to an earlier row.
"""

from __future__ import annotations

from collections import deque
from html import escape

from zhifa.cases.scenario_types import Scenario

NODE_W, NODE_H, COL_W, ROW_H, PAD = 150, 46, 172, 78, 20


def _columns(scenario: Scenario) -> dict[str, int]:
    depth = {scenario.start: 0}
    queue = deque([scenario.start])
    while queue:
        scene = scenario.scenes[queue.popleft()]
        targets = [c.goto for c in scene.choices] + ([scene.decision.goto] if scene.decision else [])
        for target in targets:
            if target in scenario.scenes and target not in depth:
                depth[target] = depth[scene.id] + 1
                queue.append(target)
    last = max(depth.values(), default=0) + 1
    return {sid: depth.get(sid, last) for sid in scenario.scenes}  # unreachable scenes: a column of their own


def _node_style(scenario: Scenario, scene_id: str) -> tuple[str, str]:
    scene = scenario.scenes[scene_id]
    if scene.ending is not None:
        return ("#e8f3ea", "#1f7a3a") if scene.ending.outcome == "success" else ("#fbe9e7", "#b3261e")
    if scene.decision is not None:
        return "#fff3e0", "#a15c00"
    return "#ffffff", "#1d4f91"


def scenario_svg(scenario: Scenario, *, highlight: str = "") -> str:
    """An SVG document of the scene graph; `highlight` outlines one scene (e.g. the preview start)."""
    rows_of = _columns(scenario)  # distance from the start: one row per step, scenes of a row side by side
    used: dict[int, int] = {}
    place = {}
    for sid in scenario.scenes:
        row = rows_of[sid]
        place[sid] = (PAD + used.get(row, 0) * COL_W, PAD + row * ROW_H)
        used[row] = used.get(row, 0) + 1
    width = PAD * 2 + max(used.values(), default=1) * COL_W + 60
    height = PAD * 2 + (max(rows_of.values(), default=0) + 1) * ROW_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="scene-graph" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="场景关系图：{escape(scenario.title)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b6675"/></marker></defs>',
    ]
    for scene in scenario.scenes.values():
        links = [(c.goto, c.veto, c.text) for c in scene.choices]
        if scene.decision:
            links.append((scene.decision.goto, "", "裁量决定"))
        for target, veto, text in links:
            if target in place:
                parts.append(_edge(place[scene.id], place[target], veto, text))
    for sid, (x, y) in place.items():
        fill, stroke = _node_style(scenario, sid)
        width_px = 4 if sid == highlight else 1.5
        title = scenario.scenes[sid].label  # the scene's Chinese name; the YAML key stays in data-scene
        label = escape(title if len(title) <= 10 else title[:9] + "…")
        speaker = escape(scenario.scenes[sid].speaker[:10])
        parts.append(
            f'<g class="scene" data-scene="{escape(sid)}"><title>{escape(scenario.scenes[sid].narrative[:120])}</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width_px}"/><text x="{x + 8}" y="{y + 19}" font-size="13" fill="#1c2430">{label}</text>'
            f'<text x="{x + 8}" y="{y + 37}" font-size="11" fill="#5b6675">{speaker}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _edge(start: tuple[int, int], end: tuple[int, int], veto: str, text: str) -> str:
    x1, y1 = start[0] + NODE_W / 2, start[1] + NODE_H
    x2, y2 = end[0] + NODE_W / 2, end[1]
    colour = "#b3261e" if veto else "#5b6675"
    if y2 > y1:
        bend = (y2 - y1) / 2
        path = f"M{x1},{y1} C{x1},{y1 + bend} {x2},{y2 - bend} {x2},{y2}"
        dash = ""
    else:  # back to an earlier row: loop round the right-hand side of the boxes
        right = max(start[0], end[0]) + NODE_W + 50
        path = (
            f"M{start[0] + NODE_W},{start[1] + NODE_H / 2} C{right},{start[1]} {right},{end[1] + NODE_H} "
            f"{end[0] + NODE_W},{end[1] + NODE_H / 2}"
        )
        dash = ' stroke-dasharray="5,4"'
    return (
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.4"{dash} marker-end="url(#arrow)">'
        f"<title>{escape(text[:80])}</title></path>"
    )
