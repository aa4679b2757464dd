"""Reads of the question bank for a user. Officers never see the bank or an answer key: everything is 404 for them.

Authors (instructors, unit training administrators, system administrators) read and write; auditors read only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404

from zhifa.people import access
from zhifa.people.models import RoleGrant
from zhifa.questions import duplicates
from zhifa.questions.content import fingerprint_text
from zhifa.questions.models import KnowledgePoint, Option, Question, QuestionBank, QuestionImport


def can_author_questions(user) -> bool:
    return access.is_system_admin(user) or access.is_unit_admin(user) or access.is_instructor(user)


def can_view_bank(user) -> bool:
    return can_author_questions(user) or access.is_auditor(user)


def require_bank_viewer(user) -> None:
    """Http404 for those who may not see the bank; loads the user's role grants once (access.py asks often)."""
    if user.is_authenticated and "role_grants" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], Prefetch("role_grants", queryset=RoleGrant.objects.select_related("unit")))
    if not can_view_bank(user):
        raise Http404


def require_author(user) -> None:
    """404 for those who may not see the bank; 403 for auditors, who read it but never change it."""
    require_bank_viewer(user)
    if not can_author_questions(user):
        raise PermissionDenied("只读账号不能修改题库。")


@dataclass(frozen=True)
class BankFilter:
    kind: str = ""
    status: str = ""
    knowledge_point: int | None = None
    difficulty: int | None = None
    domain: int | None = None
    text: str = ""
    latest_only: bool = True
    bank: int | None = None
    use: str = ""


def questions_for_user(*, user, filters: BankFilter | None = None) -> QuerySet[Question]:
    """Top-level questions the user may see, filtered; a knowledge point includes the points below it."""
    require_bank_viewer(user)
    filters = filters or BankFilter()
    rows = Question.objects.filter(parent__isnull=True)
    if filters.latest_only:
        rows = rows.filter(is_latest=True)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.difficulty:
        rows = rows.filter(difficulty=filters.difficulty)
    if filters.domain:
        rows = rows.filter(domains=filters.domain)
    if filters.bank:
        rows = rows.filter(bank=filters.bank)
    if filters.use:
        rows = rows.filter(use=filters.use)
    if filters.knowledge_point:
        point = KnowledgePoint.objects.filter(pk=filters.knowledge_point).first()
        path = point.path if point else "/-/"
        rows = rows.filter(pk__in=Question.objects.filter(knowledge_points__path__startswith=path).values("pk"))
    if filters.text:
        rows = rows.filter(
            Q(stem__icontains=filters.text) | Q(external_id=filters.text) | Q(explanation__icontains=filters.text)
        )
    return rows


def question_list_rows(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """The list page's rows with what each row shows loaded in a fixed number of queries."""
    return queryset.select_related("author", "bank").prefetch_related("knowledge_points", "domains").order_by("-pk")


def question_get_for_user(*, question_id: int, user) -> Question:
    """Any version or sub-question, with options; Http404 when the user may not see the bank."""
    require_bank_viewer(user)
    return get_object_or_404(
        Question.objects.select_related("author", "lineage", "parent", "bank").prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position")),
            "knowledge_points",
            "domains",
            Prefetch("sub_questions", queryset=Question.objects.order_by("position").prefetch_related("options")),
        ),
        pk=question_id,
    )


def question_versions(question: Question) -> QuerySet[Question]:
    return Question.objects.filter(lineage_id=question.lineage_id).order_by("-version").select_related("author")


def question_import_get_for_user(*, batch_id: int, user) -> QuestionImport:
    """An import batch of this user (system administrators see all); Http404 otherwise."""
    require_author(user)
    batch = get_object_or_404(QuestionImport, pk=batch_id)
    if batch.uploaded_by_id != user.pk and not access.is_system_admin(user):
        raise Http404
    return batch


def duplicate_groups_for_user(*, user, threshold: float, kind: str = "") -> list[list[Question]]:
    """Groups of near-identical latest questions (stem and options), largest first."""
    require_bank_viewer(user)
    rows = Question.objects.filter(is_latest=True, parent__isnull=True).exclude(status=Question.Status.RETIRED)
    if kind:
        rows = rows.filter(kind=kind)
    options: dict[int, list[str]] = {}
    for question_id, text in (
        Option.objects.filter(question__in=rows).order_by("position").values_list("question_id", "text")
    ):
        options.setdefault(question_id, []).append(text)
    texts = [(pk, fingerprint_text(stem + "".join(options.get(pk, [])))) for pk, stem in rows.values_list("pk", "stem")]
    groups = duplicates.duplicate_groups(duplicates.similar_pairs(texts, threshold=threshold))
    wanted = [cast(int, pk) for group in groups for pk in group]
    by_id = {q.pk: q for q in Question.objects.filter(pk__in=wanted).prefetch_related("options")}
    return [[by_id[cast(int, pk)] for pk in group] for group in groups]


def banks_for_user(*, user) -> QuerySet[QuestionBank]:
    """The banks with their count of latest top-level questions (for those who may see the bank)."""
    require_bank_viewer(user)
    latest = Q(questions__is_latest=True, questions__parent__isnull=True)
    return QuestionBank.objects.annotate(question_count=Count("questions", filter=latest)).order_by("name")


def bank_get_for_user(*, bank_id: int, user) -> QuestionBank:
    require_bank_viewer(user)
    return get_object_or_404(QuestionBank, pk=bank_id)
