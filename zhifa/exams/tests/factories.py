"""Small builders for exams tests: a published bank, a blueprint, an exam with papers, a running attempt."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from zhifa.exams import papers
from zhifa.exams.models import Blueprint, Exam
from zhifa.people.models import Audience
from zhifa.questions.models import KnowledgePoint, Option, Question

ANSWERS = {
    "single": ["B"],
    "multiple": ["A", "C"],
    "judge": [True],
    "blank": [["行政处罚", "处罚"]],
    "short": {
        "reference": "应当告知当事人陈述申辩的权利",
        "rubric": [{"point": "告知", "score": 2}, {"point": "陈述申辩", "score": 3}],
    },
}


def knowledge_point(code: str = "procedure", name: str = "行政处罚程序") -> KnowledgePoint:
    kp, created = KnowledgePoint.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        kp.path = f"/{kp.pk}/"
        kp.save(update_fields=["path"])
    return kp


def question(
    kind: str = "single",
    *,
    difficulty: int = 3,
    kp: KnowledgePoint | None = None,
    stem: str = "",
    status: str = Question.Status.PUBLISHED,
) -> Question:
    q = Question.objects.create(
        kind=kind,
        stem=stem or f"<p>{Question.Kind(kind).label}题干</p>",  # what an author writes: no internal codes on pages
        answer=ANSWERS[kind],
        explanation="依据行政处罚法第四十四条。",
        difficulty=difficulty,
        status=status,
    )
    q.lineage = q
    q.save(update_fields=["lineage"])
    if kind in ("single", "multiple"):
        Option.objects.bulk_create(
            [Option(question=q, label=label, text=f"选项{label}", position=i) for i, label in enumerate("ABCD")]
        )
    if kp is not None:
        q.knowledge_points.add(kp)
    return q


def bank(kinds=("single", "multiple", "judge", "blank"), per_kind: int = 3, kp=None) -> list[Question]:
    return [question(kind, kp=kp) for kind in kinds for _ in range(per_kind)]


def blueprint(unit, sections=None, enemy_groups=()) -> Blueprint:
    sections = sections or [
        {"kind": "single", "count": 2, "points": "10"},
        {"kind": "multiple", "count": 2, "points": "10"},
        {"kind": "judge", "count": 2, "points": "10"},
        {"kind": "blank", "count": 2, "points": "10"},
    ]
    return Blueprint.objects.create(
        name="执法资格考试组卷规则", unit=unit, sections=sections, enemy_groups=list(enemy_groups)
    )


def exam(org, *, by, bp=None, minutes: int = 20, build: bool = True, **fields) -> Exam:
    now = timezone.now()
    values = dict(
        title="2026年度执法资格考试",
        unit=org.market,
        blueprint=bp or blueprint(org.market),
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=1),
        duration_minutes=minutes,
        pass_mark=Decimal("48"),
        status=Exam.Status.PUBLISHED,
        created_by=by,
    )
    values.update(fields)
    e = Exam.objects.create(**values)
    e.audience = audience_for(units=[org.market])
    e.save(update_fields=["audience"])
    if build:
        papers.papers_build(exam=e, by=None, seed=7)
    return e


def audience_for(*, units=(), domains=(), roles=(), include=()) -> Audience:
    """An audience saved without the form's checks (a test may want one that selects nobody)."""
    audience = Audience.objects.create(roles=list(roles))
    audience.units.set(units)
    audience.domains.set(domains)
    audience.include.set(include)
    return audience
