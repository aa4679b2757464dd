"""Writes of exam set-up: blueprints, exams, papers (assembled before the exam opens) and publishing.

Services in the sense of DESIGN.md §3 (keyword-only, atomic, access-checked); split from services.py, which owns
the sitting itself, to keep both modules small.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.exams import assembly
from zhifa.exams.models import Blueprint, Exam, ExamPaper
from zhifa.people import access
from zhifa.people import services as people_services
from zhifa.people.models import Audience, Domain, Officer, Unit, User
from zhifa.questions.models import KnowledgePoint, Option, Question


class NotPermitted(PermissionError):
    """The user does not manage this unit or exam."""


class PapersLocked(ValueError):
    """Papers cannot be rebuilt once an examinee has started."""


def _require_manage(by: User, unit: Unit) -> None:
    if not access.can_manage_unit(by, unit):
        raise NotPermitted(f"您不是“{unit.name}”的管理员，不能管理它的考试。")


def knowledge_point_map() -> dict[str, tuple[str, str]]:
    return {code: (path, name) for code, path, name in KnowledgePoint.objects.values_list("code", "path", "name")}


def blueprint_parse(bp: Blueprint) -> assembly.Blueprint:
    """The pure blueprint of a stored one; raises assembly.BlueprintInvalid."""
    return assembly.parse_blueprint(bp.sections, bp.enemy_groups, knowledge_point_map())


@transaction.atomic
def blueprint_save(
    *, by: User, unit: Unit, name: str, sections: list, enemy_groups: list, blueprint: Blueprint | None = None
) -> Blueprint:
    """Create or change a blueprint after checking it reads; raises BlueprintInvalid, NotPermitted."""
    _require_manage(by, unit)
    assembly.parse_blueprint(sections, enemy_groups, knowledge_point_map())
    blueprint = blueprint or Blueprint(created_by=by)
    blueprint.unit, blueprint.name, blueprint.sections, blueprint.enemy_groups = unit, name, sections, enemy_groups
    blueprint.save()
    return blueprint


@transaction.atomic
def exam_save(
    *,
    by: User,
    exam: Exam,
    audience: Audience | None = None,
    audience_units: Iterable[Unit] | None = None,
    audience_domains: Iterable[Domain] | None = None,
    audience_officers: Iterable[Officer] | None = None,
    audience_roles: Iterable[str] | None = None,
) -> Exam:
    """Create or change an exam and who may sit it; raises NotPermitted, ValueError for a bad window.

    Who: an `audience` saved by people's AudienceForm, or (for seeds and scripts) units / domains / named officers /
    roles from which the exam's own audience is saved through people.services.audience_save. Neither given: the
    audience stays as it is."""
    _require_manage(by, exam.unit)
    if exam.closes_at <= exam.opens_at:
        raise ValueError("截止时间必须晚于开考时间，请修改考试时间。")
    if exam.paper_mode == Exam.PaperMode.PARALLEL and not 2 <= exam.form_count <= 20:
        raise ValueError("平行试卷的套数应为 2–20，请修改。")
    if exam.pk is None:
        exam.created_by = by
    if audience is not None:
        exam.audience = audience
    elif any(rule is not None for rule in (audience_units, audience_domains, audience_officers, audience_roles)):
        exam.audience = people_services.audience_save(
            by=by,
            audience=exam.audience,
            name=f"考试：{exam.title}"[:100],
            units=audience_units or (),
            domains=audience_domains or (),
            include=audience_officers or (),
            roles=audience_roles or (),
            allow_nobody=True,  # a seed's or script's rules may precede the officers they select
        )
    exam.save()
    return exam


def question_pool() -> list[assembly.Item]:
    """Every published latest question (not a sub-question) as assembly items, with knowledge point paths."""
    paths: dict[int, list[str]] = defaultdict(list)
    through = Question.knowledge_points.through
    for qid, path in through.objects.filter(
        question__status=Question.Status.PUBLISHED, question__is_latest=True
    ).values_list("question_id", "knowledgepoint__path"):
        paths[qid].append(path)
    rows = Question.objects.filter(status=Question.Status.PUBLISHED, is_latest=True, parent__isnull=True).exclude(
        use=Question.Use.PRACTICE
    )  # practice-only questions never go onto a paper
    return [
        assembly.Item(id=qid, kind=kind, difficulty=difficulty, knowledge_paths=tuple(paths.get(qid, ())))
        for qid, kind, difficulty in rows.values_list("id", "kind", "difficulty")
    ]


def _rows(exam: Exam, blueprint: assembly.Blueprint, paper: assembly.Paper, seed: int) -> list[dict]:
    ids = paper.question_ids
    kinds = dict(Question.objects.filter(pk__in=ids).values_list("id", "kind"))
    options: dict[int, list[str]] = defaultdict(list)
    for qid, label in Option.objects.filter(question_id__in=ids).values_list("question_id", "label"):
        options[qid].append(label)
    ordered = assembly.order_paper(
        blueprint,
        paper,
        seed=seed,
        kinds=kinds,
        options=options,
        shuffle_questions=exam.shuffle_questions,
        shuffle_options=exam.shuffle_options,
    )
    rows = [row.as_json() for row in ordered]
    cases = [r for r in rows if kinds.get(r["question"]) == "case"]
    if cases:
        _add_sub_questions(cases)
    return rows


def split_points(points: Decimal, parts: int) -> list[Decimal]:
    """`points` in `parts` shares of whole cents that add up exactly (the remainder on the last share)."""
    cents = int((points * 100).to_integral_value())
    share = cents // parts
    return [Decimal(share) / 100] * (parts - 1) + [Decimal(cents - share * (parts - 1)) / 100]


def _add_sub_questions(case_rows: list[dict]) -> None:
    """Freeze each case row's sub-questions (of that exact case version) with their options and a share of the
    row's points; a case question without sub-questions stays one manually graded answer."""
    subs: dict[int, list[int]] = defaultdict(list)
    for sub_id, parent_id in (
        Question.objects.filter(parent_id__in=[r["question"] for r in case_rows])
        .order_by("position", "id")
        .values_list("id", "parent_id")
    ):
        subs[parent_id].append(sub_id)
    labels: dict[int, list[str]] = defaultdict(list)
    all_subs = [q for ids in subs.values() for q in ids]
    for qid, label in (
        Option.objects.filter(question_id__in=all_subs)
        .order_by("position", "label")
        .values_list("question_id", "label")
    ):
        labels[qid].append(label)
    for row in case_rows:
        ids = subs.get(row["question"])
        if not ids:
            continue
        shares = split_points(Decimal(row["points"]), len(ids))
        row["subs"] = [
            {"question": qid, "points": str(points.quantize(Decimal("0.01"))), "options": labels.get(qid, [])}
            for qid, points in zip(ids, shares, strict=True)
        ]


def _store(
    exam: Exam,
    blueprint: assembly.Blueprint,
    paper: assembly.Paper,
    seed: int,
    *,
    form: int = 1,
    officer: Officer | None = None,
) -> ExamPaper:
    return ExamPaper.objects.create(
        exam=exam,
        form=form,
        officer=officer,
        seed=seed,
        rows=_rows(exam, blueprint, paper, seed),
        total_points=blueprint.total_points,
    )


@transaction.atomic
def papers_build(*, exam: Exam, by: User | None, officers: Iterable[Officer] = (), seed: int | None = None) -> int:
    """(Re)build the exam's papers from its blueprint; returns how many. Raises AssemblyError (Chinese, naming the
    section the bank cannot meet), BlueprintInvalid, PapersLocked once someone started, NotPermitted."""
    if by is not None:
        _require_manage(by, exam.unit)
    if exam.attempts.exists():
        raise PapersLocked("已有考生开始作答，试卷不能再重新生成。")
    if exam.blueprint is None:
        raise ValueError("请先为考试选择组卷规则，再生成试卷。")
    blueprint, pool = blueprint_parse(exam.blueprint), question_pool()
    seed = random.SystemRandom().randrange(1, 2**31) if seed is None else seed
    exam.papers.all().delete()
    if exam.paper_mode == Exam.PaperMode.PER_EXAMINEE:
        for n, officer in enumerate(officers):
            _store(exam, blueprint, assembly.assemble(blueprint, pool, seed=seed + n), seed + n, officer=officer)
        built = exam.papers.count()
    else:
        count = exam.form_count if exam.paper_mode == Exam.PaperMode.PARALLEL else 1
        for n, paper in enumerate(assembly.assemble_forms(blueprint, pool, count=count, seed=seed)):
            _store(exam, blueprint, paper, seed + n, form=n + 1)
        built = count
    if by is not None:
        audit_record(actor=by, action="exams.papers_build", obj=exam, new={"papers": built, "seed": seed})
    return built


def paper_for_late_examinee(*, exam: Exam, officer: Officer) -> ExamPaper:
    """One-paper-per-examinee for someone added after the papers were built (assembled now, once)."""
    existing = ExamPaper.objects.filter(exam=exam, officer=officer).first()
    if existing is not None:
        return existing
    if exam.blueprint is None:
        raise ValueError("考试没有组卷规则，无法为新增考生生成试卷。")
    blueprint = blueprint_parse(exam.blueprint)
    seed = random.SystemRandom().randrange(1, 2**31)
    with transaction.atomic():
        return _store(exam, blueprint, assembly.assemble(blueprint, question_pool(), seed=seed), seed, officer=officer)


@transaction.atomic
def exam_publish(*, exam: Exam, by: User) -> Exam:
    """Open the exam to its audience; raises ValueError when it has no paper yet, NotPermitted."""
    _require_manage(by, exam.unit)
    if not exam.papers.exists():
        raise ValueError("考试还没有试卷：请先按组卷规则生成试卷，再发布。")
    exam.status = Exam.Status.PUBLISHED
    exam.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="exams.exam_publish",
        obj=exam,
        new={"opens_at": exam.opens_at.isoformat(), "at": timezone.now().isoformat()},
    )
    return exam
