"""Seeding the demo: the knowledge point tree and the sample bank (idempotent; pending citations are reported)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhifa.questions import citations, content, sample_bank, services
from zhifa.questions.models import KnowledgePoint, Question


@dataclass
class SeedReport:
    points: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pending_keys: list[str] = field(default_factory=list)


@transaction.atomic
def knowledge_tree_seed() -> int:
    """Create or update the demo knowledge point tree; returns the number of points."""
    points: dict[str, KnowledgePoint] = {}
    for position, (code, name, parent) in enumerate(sample_bank.TREE):
        points[code] = services.knowledge_point_ensure(
            code=code, name=name, parent=points[parent] if parent else None, position=position
        )
    return len(points)


@transaction.atomic
def sample_bank_seed(*, by=None) -> SeedReport:
    """The tree and the sample bank, published; a second run changes nothing. Unknown articles stay pending."""
    report = SeedReport(points=knowledge_tree_seed())
    for fields in sample_bank.QUESTIONS:
        data = services.question_data(**{"use": Question.Use.EXAM, **fields})  # the demo's exam bank (保密题)
        current = Question.objects.filter(external_id=data.external_id, is_latest=True, parent__isnull=True).first()
        if current is None:
            services.question_create(data=data, by=by, status=Question.Status.PUBLISHED, pending_citations=True)
            report.created += 1
            continue
        old = services.data_of(current)
        if current.content_hash == content.content_hash(data) and content.classification(old) == content.classification(
            data
        ):
            report.unchanged += 1
        else:
            services.question_update(question=current, by=by, data=data, pending_citations=True)
            report.updated += 1
    # The sample bank is the demo's exam bank: exam-only (保密题), so practice draws on practice questions only.
    Question.objects.filter(external_id__startswith="zhifa-sample-").exclude(use=Question.Use.EXAM).update(
        use=Question.Use.EXAM
    )
    services.question_citations_refresh(by=by)
    pending = set()
    for question in Question.objects.filter(external_id__startswith="zhifa-sample-", is_latest=True):
        pending.update(citations.pending_keys(question))
    report.pending_keys = sorted(pending)
    return report
