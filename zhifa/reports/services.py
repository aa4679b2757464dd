"""Writes of the reports app: the nightly rollups and the officer's recommendations (shown, followed)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from zhifa.cases.models import DrillRun
from zhifa.common import cache as shared_cache
from zhifa.common import excel
from zhifa.courses.models import Course, Lesson, LessonProgress
from zhifa.evaluation.models import AssessmentResult
from zhifa.exams.models import Grade
from zhifa.laws.models import Citation, LawVersion
from zhifa.people.models import Officer, Unit, User
from zhifa.people.services import audience_save
from zhifa.plans import queries as plans_queries
from zhifa.plans import services as plans_services
from zhifa.plans.models import Assignment, PlanItem, TrainingPlan
from zhifa.plans.services import PlanError
from zhifa.practice.models import DailyActivity, Mastery, ReviewCard
from zhifa.questions.models import KnowledgePoint
from zhifa.records import ledger
from zhifa.records import queries as records_queries
from zhifa.records.models import HoursEntry
from zhifa.reports import queries
from zhifa.reports.models import ExportJob, OfficerRollup, Recommendation, UnitKnowledgeRollup, UnitRollup
from zhifa.surveys import queries as surveys_queries

COUNTED_EMPLOYMENT = ("active", "seconded")  # as the hours ledger: retired and departed officers owe nothing
WEAK_RECALL = 0.6  # below this expected recall a knowledge point is weak for an officer
CERTIFICATE_DUE_DAYS = 90
NEXT_STEPS_CACHE_SECONDS = 3600


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(date(year, 1, 1), time.min, tz), datetime.combine(date(year + 1, 1, 1), time.min, tz)


def _hours(year: int) -> dict[int, dict[str, float]]:
    rows = (
        HoursEntry.objects.filter(year=year, status=HoursEntry.Status.APPROVED)
        .values("officer_id", "category")
        .annotate(total=Sum("hours"))
    )
    result: dict[int, dict[str, float]] = defaultdict(dict)
    for r in rows:
        result[r["officer_id"]][r["category"]] = float(r["total"])
    return result


def _plans(year: int) -> dict[int, tuple[int, int, int]]:
    rows = (
        Assignment.objects.filter(item__plan__year=year, item__plan__status="published")
        .values("officer_id")
        .annotate(
            items=Count("id"),
            done=Count("id", filter=Q(status__in=["done", "exempted"])),
            overdue=Count("id", filter=Q(status="overdue")),
        )
    )
    return {r["officer_id"]: (r["items"], r["done"], r["overdue"]) for r in rows}


def _exams(since: datetime, until: datetime) -> dict[int, tuple[int, int, float | None]]:
    """Per officer: exams sat, exams passed (any attempt), mean score share of final grades."""
    rows = (
        Grade.objects.filter(status=Grade.Status.FINAL, attempt__started_at__gte=since, attempt__started_at__lt=until)
        .values("attempt__officer_id", "attempt__exam_id")
        .annotate(best=Max("total"), top=Max("max_score"), passed=Count("id", filter=Q(passed=True)))
    )
    per: dict[int, list[tuple[bool, float]]] = defaultdict(list)
    for r in rows:
        share = float(r["best"]) / float(r["top"]) if r["top"] else 0.0
        per[r["attempt__officer_id"]].append((r["passed"] > 0, share))
    return {
        o: (len(v), sum(1 for p, _ in v if p), sum(s for _, s in v) / len(v) if v else None) for o, v in per.items()
    }


def _drills(since: datetime, until: datetime) -> dict[int, tuple[int, int, int]]:
    rows = (
        DrillRun.objects.filter(is_preview=False, officer__isnull=False, finished_at__gte=since, finished_at__lt=until)
        .exclude(status=DrillRun.Status.IN_PROGRESS)
        .values("officer_id")
        .annotate(
            runs=Count("id"),
            failed=Count("id", filter=Q(status=DrillRun.Status.FAILED)),
            outside=Count("id", filter=Q(decision_within=False)),
        )
    )
    return {r["officer_id"]: (r["runs"], r["failed"], r["outside"]) for r in rows}


def _practice(year: int) -> dict[int, tuple[int, int, int]]:
    rows = (
        DailyActivity.objects.filter(day__year=year, reviews__gt=0)
        .values("officer_id")
        .annotate(days=Count("id"), reviews=Sum("reviews"), correct=Sum("correct"))
    )
    return {r["officer_id"]: (r["days"], r["reviews"], r["correct"]) for r in rows}


def _tiers(year: int) -> dict[int, str]:
    rows = AssessmentResult.objects.filter(assessment__period__year=year).values_list("officer_id", "tier")
    return dict(rows)


@transaction.atomic
def rollups_compute(*, year: int, today: date | None = None) -> int:
    """Rebuild the year's officer and knowledge-point rollups from the ledgers; returns the officers counted.

    Run nightly (`manage.py compute_rollups`) and after the demo seeds; the dashboard never reads raw logs.
    """
    today = today or timezone.localdate()
    since, until = _year_bounds(year)
    officers = list(
        Officer.objects.filter(employment__in=COUNTED_EMPLOYMENT).values_list(
            "pk", "unit_id", "unit__path", "unit__province", "certificate_status", "certificate_expires"
        )
    )
    ids = [o[0] for o in officers]
    hours, plans, exams = _hours(year), _plans(year), _exams(since, until)
    drills, practice, tiers = _drills(since, until), _practice(year), _tiers(year)
    mastery = dict(
        Mastery.objects.filter(officer__employment__in=COUNTED_EMPLOYMENT)  # a join, not 100,000 ids in an IN list
        .values("officer_id")
        .annotate(m=Avg("recall"))
        .values_list("officer_id", "m")
    )
    satisfaction = surveys_queries.satisfaction_by_officer(officer_ids=ids, since=since, until=until)
    requirement_rows = records_queries.requirement_rows(year)
    required_cache: dict[tuple[str, str], dict[str, float]] = {}
    now = timezone.now()
    rows = []
    for pk, unit_id, path, province, cert_status, cert_expires in officers:
        if (path, province) not in required_cache:
            by_category = ledger.effective_requirement(requirement_rows, year=year, unit_path=path, province=province)
            required_cache[(path, province)] = {c: float(h) for c, h in by_category.items()}
        required = required_cache[(path, province)]
        earned = hours.get(pk, {})
        sat = satisfaction.get(pk)
        plan_items, plan_done, plan_overdue = plans.get(pk, (0, 0, 0))
        exams_sat, exams_passed, exam_score = exams.get(pk, (0, 0, None))
        drills_run, drills_failed, drills_outside = drills.get(pk, (0, 0, 0))
        practice_days, practice_reviews, practice_correct = practice.get(pk, (0, 0, 0))
        rows.append(
            OfficerRollup(
                officer_id=pk,
                year=year,
                unit_id=unit_id,
                unit_path=path,
                hours_legal=earned.get("legal", 0.0),
                hours_skill=earned.get("skill", 0.0),
                hours_ethics=earned.get("ethics", 0.0),
                hours_required=sum(required.values()),
                hours_met=all(earned.get(c, 0.0) + 0.005 >= h for c, h in required.items()),
                plan_items=plan_items,
                plan_done=plan_done,
                plan_overdue=plan_overdue,
                exams_sat=exams_sat,
                exams_passed=exams_passed,
                exam_score=exam_score,
                drills_run=drills_run,
                drills_failed=drills_failed,
                drills_outside_standard=drills_outside,
                practice_days=practice_days,
                practice_reviews=practice_reviews,
                practice_correct=practice_correct,
                mastery=mastery.get(pk),
                certificate_status=cert_status,
                certificate_due=bool(
                    cert_expires and cert_status == "valid" and cert_expires <= today + timedelta(CERTIFICATE_DUE_DAYS)
                ),
                satisfaction=sat.smoothed if sat is not None and sat.shown else None,
                tier=tiers.get(pk, ""),
                computed_at=now,
            )
        )
    OfficerRollup.objects.filter(year=year).delete()
    OfficerRollup.objects.bulk_create(rows, batch_size=2000)
    _unit_rollup(year=year, now=now)
    _knowledge_rollup(year=year, now=now)
    return len(rows)


def _ancestors(path: str) -> list[int]:
    """The unit ids of a unit path, the unit itself last: /1/2/22/ → [1, 2, 22]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def _unit_rollup(*, year: int, now: datetime) -> None:
    """Per unit: the figures of its own officers (one GROUP BY over the officer rollups, with the figures'
    own conditions), then of its subtree, by adding each unit's own figures to every unit above it."""
    own: list[dict] = [
        dict(r)
        for r in OfficerRollup.objects.filter(year=year)
        .values("unit_id", "unit_path")
        .annotate(**queries.figure_annotations())
    ]
    subtree: dict[int, dict] = {}
    for r in own:
        for unit_id in _ancestors(r["unit_path"]):
            acc = subtree.setdefault(unit_id, defaultdict(float))
            for key, value in r.items():
                if key.startswith("m_"):
                    acc[key] += (value or 0.0) * r[f"k_{key[2:]}"]  # a weighted sum until the means are taken
                elif key not in ("unit_id", "unit_path"):
                    acc[key] += value or 0
    UnitRollup.objects.filter(year=year).delete()
    UnitRollup.objects.bulk_create(
        [_unit_row(year, r["unit_id"], False, r, now) for r in own]
        + [_unit_row(year, unit_id, True, _means_taken(acc), now) for unit_id, acc in subtree.items()],
        batch_size=2000,
    )


def _means_taken(acc: dict) -> dict:
    for m in queries.MEANS:
        known = acc.get(f"k_{m}", 0)
        acc[f"m_{m}"] = acc.get(f"m_{m}", 0.0) / known if known else None
    return acc


def _unit_row(year: int, unit_id: int, subtree: bool, r: dict, now: datetime) -> UnitRollup:
    return UnitRollup(
        year=year,
        unit_id=unit_id,
        subtree=subtree,
        n=int(r["n"]),
        counts={f.key: int(r[f"c_{f.key}"]) for f in queries.FIGURES},
        sums={s: float(r[f"s_{s}"] or 0) for s in queries.SUMS},
        means={m: r[f"m_{m}"] for m in queries.MEANS},
        known={m: int(r[f"k_{m}"]) for m in queries.MEANS},
        computed_at=now,
    )


def _knowledge_rollup(*, year: int, now: datetime) -> None:
    """Per unit and knowledge point: officers with a mastery, how many are weak, and the sum of recall — over the
    unit's own officers, then over its subtree (each unit's own figures added to every unit above it)."""
    own = list(
        Mastery.objects.filter(officer__employment__in=COUNTED_EMPLOYMENT)
        .values("officer__unit_id", "officer__unit__path", "knowledge_point_id")
        .annotate(officers=Count("id"), weak=Count("id", filter=Q(recall__lt=WEAK_RECALL)), recall_sum=Sum("recall"))
    )
    subtree: dict[tuple[int, int], list] = defaultdict(lambda: [0, 0, 0.0])
    for r in own:
        for unit_id in _ancestors(r["officer__unit__path"]):
            acc = subtree[(unit_id, r["knowledge_point_id"])]
            acc[0] += r["officers"]
            acc[1] += r["weak"]
            acc[2] += r["recall_sum"] or 0.0

    def row(unit_id: int, kp: int, in_subtree: bool, officers: int, weak: int, recall: float) -> UnitKnowledgeRollup:
        return UnitKnowledgeRollup(
            year=year, unit_id=unit_id, knowledge_point_id=kp, subtree=in_subtree, officers=officers, weak=weak,
            recall_sum=recall, computed_at=now,
        )  # fmt: skip

    UnitKnowledgeRollup.objects.filter(year=year).delete()
    UnitKnowledgeRollup.objects.bulk_create(
        [
            row(r["officer__unit_id"], r["knowledge_point_id"], False, r["officers"], r["weak"], r["recall_sum"] or 0.0)
            for r in own
        ]
        + [row(unit_id, kp, True, *acc) for (unit_id, kp), acc in subtree.items()],
        batch_size=2000,
    )


@transaction.atomic
def weak_point_plan_add(
    *,
    by: User,
    unit: Unit,
    knowledge_point: KnowledgePoint,
    course: Course,
    own_only: bool = False,
    today: date | None = None,
) -> PlanItem:
    """Put a course that trains a weak knowledge point into the unit's plan for next year (a draft is created when
    there is none), for the officers weak on it, with the evidence as the item's reason. Raises PlanError (not the
    unit's manager, next year's plan already published, nobody weak); nothing is saved then."""
    today = today or timezone.localdate()
    year = today.year + 1
    weak = list(
        Officer.objects.filter(
            pk__in=queries.weak_officers(unit=unit, knowledge_point=knowledge_point, own_only=own_only).values(
                "officer_id"
            )
        )
    )
    if not weak:
        raise PlanError(f"“{unit.name}”没有「{knowledge_point.name}」掌握度低于60%的人员，无需加入培训计划。")
    plan = TrainingPlan.objects.filter(unit=unit, year=year).exclude(status=TrainingPlan.Status.WITHDRAWN).first()
    if plan is None:
        plan = plans_services.plan_create(by=by, unit=unit, year=year, title=f"{year}年度{unit.name}培训计划")
    if plan.items.filter(kind=PlanItem.Kind.COURSE, course=course).exists():
        raise PlanError(f"课程《{course.title}》已在《{plan.title}》中，无需重复加入。")
    audience = audience_save(by=by, name=f"「{knowledge_point.name}」薄弱人员（{today:%Y-%m-%d}）", include=weak)
    evidence = f"「{knowledge_point.name}」掌握度低于60%（{unit.name}数据看板 {today:%Y-%m-%d}：{len(weak)} 人）"
    data = plans_services.ItemIn(
        kind=PlanItem.Kind.COURSE,
        title=f"补强「{knowledge_point.name}」：{course.title}"[:120],
        course_id=course.pk,
        window_start=date(year, 1, 1),
        deadline=date(year, 6, 30),
        reason=evidence[:200],
    )
    return plans_services.item_add(by=by, plan=plan, data=data, audience=audience)


EXPORT_LIMIT = 100_000  # rows answered within the request; a bigger export is a background task
EXPORT_HEADER = ["姓名", "单位", "法律知识学时", "业务技能学时", "职业道德学时", "应修学时", "学时达标", "逾期任务",
                 "参加考试", "通过考试", "完成演练", "超出裁量基准", "练习天数", "执法证状态", "考核等次"]  # fmt: skip
EXPORT_PROGRESS_EVERY = 5_000
TIERS = dict(AssessmentResult.Tier.choices)


def _officer_line(r: OfficerRollup) -> list:
    return [r.officer.name, r.unit.name, r.hours_legal, r.hours_skill, r.hours_ethics, r.hours_required,
            "是" if r.hours_met else "否", r.plan_overdue, r.exams_sat, r.exams_passed, r.drills_run,
            r.drills_outside_standard, r.practice_days, r.officer.get_certificate_status_display(),
            TIERS.get(r.tier, "")]  # fmt: skip


def officers_workbook(rows, *, title: str, progress=None):
    """A drill-down's officers as one sheet (a title line, the header, a row each), streamed (write-only);
    `progress(n)` is called every EXPORT_PROGRESS_EVERY rows."""
    book = excel.workbook(write_only=True)
    sheet = book.create_sheet("人员明细")
    sheet.append([title])
    sheet.append(EXPORT_HEADER)
    for n, r in enumerate(rows.iterator(chunk_size=2000), start=1):
        sheet.append(_officer_line(r))
        if progress is not None and n % EXPORT_PROGRESS_EVERY == 0:
            progress(n)
    return book


def export_job_start(*, by: User, unit: Unit, year: int, figure: str, own_only: bool, title: str) -> ExportJob:
    """Queue a drill-down export too big for one request; the task writes it (tasks.report_export_run)."""
    from zhifa.reports.tasks import report_export_run

    rows = queries.drilldown(unit=unit, year=year, figure=figure, own_only=own_only)
    job = ExportJob.objects.create(
        user=by, unit=unit, year=year, figure=figure, own_only=own_only, title=title, total=rows.count()
    )
    transaction.on_commit(lambda: report_export_run.enqueue(job.pk))
    return job


def export_job_run(*, job: ExportJob) -> ExportJob:
    """Write the job's workbook, recording progress as it goes; a failure is kept on the job with its reason."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    rows = queries.drilldown(unit=job.unit, year=job.year, figure=job.figure, own_only=job.own_only)
    try:
        book = officers_workbook(
            rows,
            title=job.title,
            progress=lambda n: ExportJob.objects.filter(pk=job.pk).update(done=n),
        )
        job.file.save("report-officers.xlsx", ContentFile(excel.workbook_bytes(book)), save=False)
    except Exception as exc:  # the page says what went wrong instead of spinning forever
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    job.status, job.done, job.finished_at = ExportJob.Status.DONE, job.total, timezone.now()
    job.save(update_fields=["file", "status", "done", "finished_at"])
    return job


def recommendation_follow(*, recommendation: Recommendation) -> Recommendation:
    """Record that the officer opened the recommendation (the first time only)."""
    if recommendation.followed_at is None:
        recommendation.followed_at = timezone.now()
        recommendation.save(update_fields=["followed_at"])
    return recommendation


def _item_url(item) -> str:
    if item.kind == "course" and item.course_id:
        return f"/courses/{item.course_id}/"
    return {"practice_target": "/practice/", "exam": "/exams/", "drill": "/cases/", "offline_class": "/classes/"}.get(
        item.kind, "/plans/my/"
    )


def _deadline_candidate(officer: Officer, today: date) -> dict | None:
    """The officer's most urgent open plan item due within 30 days (or overdue)."""
    for mine in plans_queries.my_plan(officer=officer, today=today):
        if mine.open and mine.item.required and mine.item.deadline <= today + timedelta(days=30):
            return {
                "kind": Recommendation.Kind.DEADLINE,
                "title": f"完成「{mine.item.title}」",
                "reason": f"培训计划事项{mine.due}（截止 {mine.item.deadline:%Y-%m-%d}）：{mine.why}",
                "url": _item_url(mine.item),
            }
    return None


def _weak_point_candidate(officer: Officer) -> dict | None:
    """His weakest knowledge point (recall below 60 %) and the shortest published lesson that teaches it."""
    weakest = (
        Mastery.objects.filter(officer=officer, recall__lt=WEAK_RECALL)
        .select_related("knowledge_point")
        .order_by("recall")
    )
    for m in weakest[:1]:
        lesson = (
            Lesson.objects.filter(knowledge_points=m.knowledge_point_id, chapter__course__status="published")
            .order_by("-is_micro", "minutes", "pk")
            .first()
        )
        share = round(100 * m.recall)
        if lesson is not None:
            what = "微课" if lesson.is_micro else "课时"
            title = f"学习{lesson.minutes}分钟{what}《{lesson.title}》"
            url = f"/courses/lessons/{lesson.pk}/"
        else:
            title = f"练习「{m.knowledge_point.name}」"
            url = f"/practice/play/?mode=scope&kp={m.knowledge_point_id}"
        return {
            "kind": Recommendation.Kind.WEAK_POINT,
            "title": title,
            "reason": f"你在「{m.knowledge_point.name}」的掌握度为 {share}%，低于 {round(100 * WEAK_RECALL)}%",
            "url": url,
            "knowledge_point_id": m.knowledge_point_id,
            "recall_before": m.recall,
        }
    return None


def _practice_candidate(officer: Officer) -> dict | None:
    due = ReviewCard.objects.filter(officer=officer, due__lte=timezone.now()).count()
    if not due:
        return None
    return {
        "kind": Recommendation.Kind.PRACTICE,
        "title": f"复习今天到期的 {due} 道题",
        "reason": "按记忆曲线，这些题今天复习最不容易忘",
        "url": "/practice/",
    }


def _law_change_candidate(officer: Officer) -> dict | None:
    """An article he studied that a law amendment has changed since: a completed lesson citing it, where the
    citation is flagged for review (the article changed after the lesson was written) or cites a version newer than
    his completion (the lesson was revised for an amendment after he studied it). Once followed, not suggested again."""
    completed = dict(
        LessonProgress.objects.filter(officer=officer, completed_at__isnull=False).values_list(
            "lesson_id", "completed_at"
        )
    )
    if not completed:
        return None
    followed = set(
        Recommendation.objects.filter(
            officer=officer, kind=Recommendation.Kind.LAW_CHANGE, followed_at__isnull=False
        ).values_list("url", flat=True)
    )
    citations = (
        Citation.objects.filter(content_type=ContentType.objects.get_for_model(Lesson), object_id__in=completed)
        .select_related("version__law")
        .order_by("object_id", "article_key")
    )
    for c in citations:
        studied = timezone.localdate(completed[c.object_id])
        if not (c.needs_review or (c.version is not None and c.version.version_date > studied)):
            continue
        law_name, _, label = c.article_key.partition("#")
        url = f"/laws/{law_name}/{label}/"
        if url in followed:
            continue
        current = LawVersion.objects.filter(law__short_title=law_name, is_current=True).first()
        lesson = Lesson.objects.filter(pk=c.object_id).first()
        when = f"已于 {current.version_date:%Y-%m-%d} 修订" if current is not None else "已修订"
        return {
            "kind": Recommendation.Kind.LAW_CHANGE,
            "title": f"查看《{law_name}》{label}的新规定",
            "reason": f"你学过的「{lesson.title if lesson else '课时'}」引用的《{law_name}》{label}{when}",
            "url": url,
        }
    return None


def recommendations_for_today(*, officer: Officer, today: date | None = None) -> list[Recommendation]:
    """At most three explained suggestions for today, chosen once a day and kept (to measure whether they are
    followed): the most urgent plan deadline, an article he studied that an amendment changed, the weakest knowledge
    point, practice due."""
    today = today or timezone.localdate()
    # The day's choice is remembered (also when there is nothing to suggest), so the home page asks once a day.
    # The officer's creation time in the key: a key never outlives the officer it was made for (ids are reused).
    key = f"reports:next-steps:{officer.pk}:{officer.created_at.timestamp():.6f}:{today:%Y%m%d}"
    ids = shared_cache.get(key, use="next-steps")  # a miss while Redis is down: the database has the choice
    if ids is not None:
        return list(Recommendation.objects.filter(pk__in=ids, officer=officer).order_by("position")) if ids else []
    existing = list(Recommendation.objects.filter(officer=officer, day=today).order_by("position"))
    if existing:
        shared_cache.set(key, [r.pk for r in existing], NEXT_STEPS_CACHE_SECONDS, use="next-steps")
        return existing
    candidates = [
        c
        for c in (
            _deadline_candidate(officer, today),
            _law_change_candidate(officer),
            _weak_point_candidate(officer),
            _practice_candidate(officer),
        )
        if c
    ]
    recs = [Recommendation(officer=officer, day=today, position=i, **c) for i, c in enumerate(candidates[:3])]
    chosen: list[Recommendation] = []
    if recs:  # two requests at once: the unique (officer, day, position) keeps the first one's choice
        Recommendation.objects.bulk_create(recs, ignore_conflicts=True)
        chosen = list(Recommendation.objects.filter(officer=officer, day=today).order_by("position"))
    shared_cache.set(key, [r.pk for r in chosen], NEXT_STEPS_CACHE_SECONDS, use="next-steps")
    return chosen
