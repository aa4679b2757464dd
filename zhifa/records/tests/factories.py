"""Helpers to put hours on officers through the public service."""

import itertools
from decimal import Decimal

from zhifa.records import services

_seq = itertools.count(1)


def credit(officer, *, year: int = 2026, **hours_by_category) -> None:
    """Credit approved hours per category, e.g. credit(officer, legal=30, skill=20)."""
    for category, hours in hours_by_category.items():
        services.hours_credit(
            officer=officer,
            category=category,
            hours=Decimal(str(hours)),
            source="测试课程",
            evidence="",
            dedupe_key=f"test:{next(_seq)}",
            year=year,
        )
