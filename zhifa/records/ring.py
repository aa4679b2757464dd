"""The hours ring as SVG paths, drawn on the server: pure, no ORM.

The learner home must load in ≤ 150 KB; a charting library for one ring would be twice that, so the ring is a few
SVG arcs computed here. Each category gets a segment in proportion to its hours; its earned part is drawn in the
category's colour, the missing part in a pale shade of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

OUTER, INNER = 80.0, 56.0
COLORS = {"legal": ("#b3261e", "#f3d3d0"), "skill": ("#1d4f91", "#d2deef"), "ethics": ("#1f7a3a", "#d3eadb")}
DEFAULT_COLORS = ("#5b6675", "#dde3ea")


@dataclass(frozen=True)
class Segment:
    d: str
    color: str
    title: str


def _point(radius: float, angle: float) -> str:
    return f"{radius * math.cos(angle):.3f} {radius * math.sin(angle):.3f}"


def arc_path(start: float, end: float) -> str:
    """A ring segment from angle `start` to `end` (radians, clockwise from 12 o'clock), as an SVG path."""
    a0, a1 = start - math.pi / 2, end - math.pi / 2
    large = 1 if end - start > math.pi else 0
    return (
        f"M {_point(OUTER, a0)} A {OUTER} {OUTER} 0 {large} 1 {_point(OUTER, a1)} "
        f"L {_point(INNER, a1)} A {INNER} {INNER} 0 {large} 0 {_point(INNER, a0)} Z"
    )


def ring_segments(parts: list[tuple[str, str, float, float]]) -> list[Segment]:
    """Segments for [(category code, label, earned, missing)]; a full grey ring when there is nothing to show."""
    total = sum(max(earned, 0) + max(missing, 0) for _, _, earned, missing in parts)
    if total <= 0:
        return _full(DEFAULT_COLORS[1], "暂无学时要求")
    pieces = []
    for code, label, earned, missing in parts:
        strong, pale = COLORS.get(code, DEFAULT_COLORS)
        pieces.append((max(earned, 0), strong, f"{label} 已认定 {earned:g} 学时"))
        pieces.append((max(missing, 0), pale, f"{label} 未完成 {missing:g} 学时"))
    thin = 1e-4  # radians: a segment this thin is invisible, and one this close to a whole ring is drawn whole
    segments, angle = [], 0.0
    for value, color, title in pieces:
        sweep = 2 * math.pi * (value / total)
        if sweep < thin:
            continue
        if sweep >= 2 * math.pi - thin:
            return _full(color, title)
        segments.append(Segment(arc_path(angle, angle + sweep), color, title))
        angle += sweep
    return segments


def _full(color: str, title: str) -> list[Segment]:
    # One SVG arc cannot close on itself: a whole ring is two halves.
    return [Segment(arc_path(0, math.pi), color, title), Segment(arc_path(math.pi, 2 * math.pi), color, title)]
