"""Writing the bank out as JSONL or Excel, in the layouts the importer reads back unchanged."""

from __future__ import annotations

from django.db.models import QuerySet

from zhifa.people.models import Domain
from zhifa.questions import jsonl, services, spreadsheet
from zhifa.questions.content import QuestionData
from zhifa.questions.models import KnowledgePoint, Question

PREFETCH = (
    "options",
    "knowledge_points",
    "domains",
    "sub_questions__options",
    "sub_questions__knowledge_points",
    "sub_questions__domains",
)


def export_data(questions: QuerySet[Question]) -> list[QuestionData]:
    """The QuestionData of latest top-level questions, oldest first, with few queries."""
    rows = questions.filter(is_latest=True, parent__isnull=True).order_by("pk").prefetch_related(*PREFETCH)
    return [services.data_of(question) for question in rows.iterator(chunk_size=1000)]


def knowledge_point_labels() -> dict[str, str]:
    """code → the name when it is unique in the tree, else the path of names (法律知识/证据规则)."""
    points = list(KnowledgePoint.objects.all())
    by_id = {p.pk: p for p in points}
    counts: dict[str, int] = {}
    for point in points:
        counts[point.name] = counts.get(point.name, 0) + 1
    labels = {}
    for point in points:
        trail = [by_id[int(pk)].name for pk in point.path.strip("/").split("/") if pk and int(pk) in by_id]
        labels[point.code] = point.name if counts[point.name] == 1 else "/".join(trail)
    return labels


def export_jsonl(questions: QuerySet[Question]) -> bytes:
    return jsonl.write_lines(export_data(questions))


def export_xlsx(questions: QuerySet[Question]) -> bytes:
    return spreadsheet.write_workbook(
        export_data(questions),
        knowledge_point_labels=knowledge_point_labels(),
        domain_names=dict(Domain.objects.values_list("code", "name")),
    )
