"""An assignment's status from the facts the ledgers hold (pure: no ORM; progress.py gathers the facts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NOT_STARTED, IN_PROGRESS, DONE, OVERDUE, EXEMPTED = "not_started", "in_progress", "done", "overdue", "exempted"
LABELS = {NOT_STARTED: "未开始", IN_PROGRESS: "进行中", DONE: "已完成", OVERDUE: "已逾期", EXEMPTED: "已免修"}
# Behind = what a training office chases: overdue, or not started with the deadline close.
BEHIND = (OVERDUE, NOT_STARTED, IN_PROGRESS)


@dataclass(frozen=True)
class Fact:
    """What the ledgers say about one officer and one item: done (and when), or some progress towards it."""

    done_on: date | None = None
    progress: Decimal = Decimal("0")
    started: bool = False


def assignment_status(*, fact: Fact, deadline: date, today: date, exempted: bool) -> str:
    """Exempted wins; done when the ledgers show completion by any date (late work still counts as done);
    overdue once the deadline passed; in progress when something was started; otherwise not started."""
    if exempted:
        return EXEMPTED
    if fact.done_on is not None:
        return DONE
    if today > deadline:
        return OVERDUE
    if fact.started or fact.progress > 0:
        return IN_PROGRESS
    return NOT_STARTED


def days_left(*, deadline: date, today: date) -> int:
    return (deadline - today).days


def due_phrase(*, deadline: date, today: date) -> str:
    """ "还剩3天" / "今天截止" / "已逾期5天" for the learner's list."""
    left = days_left(deadline=deadline, today=today)
    if left > 0:
        return f"还剩{left}天"
    if left == 0:
        return "今天截止"
    return f"已逾期{-left}天"


def reminder_stage(*, deadline: date, today: date) -> str | None:
    """Which deadline reminder is due today: "due-7" within a week, "due-1" on the last day or the day before,
    "overdue" after the deadline; None when none is."""
    left = days_left(deadline=deadline, today=today)
    if left < 0:
        return "overdue"
    if left <= 1:
        return "due-1"
    if left <= 7:
        return "due-7"
    return None
