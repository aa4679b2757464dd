"""Watched-interval arithmetic and the heartbeat plausibility check. Pure: no ORM, no clock.

An interval is a pair [start, end] of media seconds with 0 ≤ start < end. The union of an officer's intervals is the
honest measure of what was watched: re-watching a part does not add to it, and skipping a part leaves a hole.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[float, float]

# Media seconds a heartbeat may be ahead of the wall clock (timer jitter, buffering, the first half-second).
WALL_CLOCK_SLACK = 3.0
# How far beyond the furthest point watched a new interval may start (timeupdate fires every ~250 ms).
SEEK_SLACK = 2.0


def normalise(intervals: Iterable[Sequence[float]]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals; drop empty ones."""
    items = sorted((float(s), float(e)) for s, e in intervals if float(e) > float(s))
    merged: list[Interval] = []
    for start, end in items:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def union(a: Iterable[Sequence[float]], b: Iterable[Sequence[float]]) -> list[Interval]:
    return normalise([*a, *b])


def total(intervals: Iterable[Sequence[float]]) -> float:
    """Seconds covered by the union of the intervals."""
    return sum(e - s for s, e in normalise(intervals))


def raw_length(intervals: Iterable[Sequence[float]]) -> float:
    """Seconds of playback claimed, counting re-watched parts each time (what the wall clock must allow)."""
    return sum(max(0.0, float(e) - float(s)) for s, e in intervals)


def furthest(intervals: Iterable[Sequence[float]]) -> float:
    return max((float(e) for _, e in intervals), default=0.0)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str = ""
    message: str = ""


ACCEPTED = Verdict(ok=True)


@dataclass(frozen=True)
class BeatClaim:
    """What a heartbeat claims, and what the server knows when it arrives."""

    intervals: Sequence[Sequence[float]]
    rate: float
    seq: int
    duration: float  # media length in seconds
    furthest: float  # furthest point watched before this beat
    completed: bool  # a completed lesson may be re-watched freely
    last_seq: int
    wall_seconds: float  # server time since the previous accepted beat (or the session start)
    rate_cap: float


def judge(claim: BeatClaim) -> Verdict:
    """Accept a heartbeat only if the wall clock and the player's rules could have produced it."""
    if claim.seq <= claim.last_seq:
        return Verdict(False, "replayed", "重复或过期的心跳（序号未递增），本次不计入学时。")
    if not 0 < claim.rate <= claim.rate_cap:
        return Verdict(False, "rate", f"播放倍速超过上限 {claim.rate_cap:g} 倍，本次不计入学时；请调回正常倍速。")
    for item in claim.intervals:
        if len(item) != 2:
            return Verdict(False, "malformed", "心跳数据格式错误：每个区间应为 [开始秒, 结束秒]。")
        start, end = float(item[0]), float(item[1])
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
            return Verdict(False, "malformed", "心跳数据格式错误：区间的结束时间必须晚于开始时间。")
        if end > claim.duration + 1:
            return Verdict(False, "future", "心跳中的播放位置超出了视频长度，本次不计入学时。")
    if not claim.completed:
        reach = claim.furthest
        for start, end in sorted((float(s), float(e)) for s, e in claim.intervals):
            if start > reach + SEEK_SLACK:
                return Verdict(False, "future", "心跳中包含尚未观看到的位置（疑似快进），本次不计入学时。")
            reach = max(reach, end)
    allowed = claim.wall_seconds * claim.rate_cap + WALL_CLOCK_SLACK
    if raw_length(claim.intervals) > allowed:
        return Verdict(False, "too_fast", "上报的观看时长超过了实际经过的时间，本次不计入学时。")
    return ACCEPTED


def share_watched(watched: Iterable[Sequence[float]], duration: float) -> float:
    """Share (0..1) of the media covered by the watched union, clipped to the media length."""
    if duration <= 0:
        return 0.0
    clipped = [(max(0.0, s), min(duration, e)) for s, e in normalise(watched)]
    return min(1.0, total(clipped) / duration)
