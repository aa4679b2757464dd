"""Feedback into training: a unit's weak indicators and rubric items become suggested courses, drills and cases for
next year's plan, each with the evidence that suggested it (reads only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from zhifa.cases.models import Case, Scenario
from zhifa.courses.models import Course
from zhifa.evaluation import rubric as rubric_rules
from zhifa.evaluation.models import AssessmentResult, CaseFile, Indicator

WEAK = 70.0  # a leaf whose mean points are below this is weak
# What each weak area is about: words looked up in course, drill and case titles (and a case's analysis).
TOPICS = {
    "hours": ["法", "执法"],
    "exams": ["行政处罚法", "行政许可法", "行政强制法"],
    "drills": ["现场", "检查", "程序"],
    "case_files": ["案卷", "文书", "证据"],
    "complaints": ["文明执法", "职业道德", "礼仪"],
    "conduct": ["职业道德", "廉政"],
    "satisfaction": ["文明执法", "沟通", "职业道德"],
    "third_party": ["公示", "全过程记录", "程序"],
    "reversals": ["复议", "诉讼", "法律适用"],
    "presentation": ["文书", "案卷"],
    "body": ["执法主体", "执法资格"],
    "evidence": ["证据", "调查取证"],
    "law": ["法律适用", "裁量"],
    "procedure": ["程序", "告知", "听证"],
}


@dataclass
class Suggestion:
    area: str
    evidence: str
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, title, url)


def _matching(words: list[str], limit: int = 4) -> list[tuple[str, str, str]]:
    q_course, q_case, q_drill = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for w in words:
        q_course |= Q(title__icontains=w)
        q_case |= Q(title__icontains=w) | Q(analysis__icontains=w)
        q_drill |= Q(title__icontains=w)
    found = [("课程", c.title, reverse("courses:course-detail", args=[c.pk]))
             for c in Course.objects.filter(q_course, status="published")[:limit]]  # fmt: skip
    found += [("演练", s.title, reverse("cases:scenario-detail", args=[s.key]))
              for s in Scenario.objects.filter(q_drill, current__isnull=False)[:limit]]  # fmt: skip
    found += [("案例", c.title, reverse("cases:case-detail", args=[c.pk])) for c in Case.objects.filter(q_case)[:limit]]
    return found


def suggestions(
    results: list[AssessmentResult], leaves: list[Indicator], case_files: list[CaseFile]
) -> list[Suggestion]:
    """Weak leaves (mean points below WEAK) and the rubric groups that lost most, with what to study."""
    out = []
    sums: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for leaf in leaves:
            row = r.detail.get("leaves", {}).get(str(leaf.pk))
            if row is not None:
                sums[str(leaf.pk)].append(float(row[2]))
    for leaf in leaves:
        points = sums.get(str(leaf.pk))
        if not points:
            continue
        mean = sum(points) / len(points)
        key = leaf.computed_key or leaf.code
        if mean < WEAK:
            evidence = f"“{leaf.name}”平均得分 {mean:.1f}（{len(points)} 人），低于 {WEAK:g}"
            out.append(Suggestion(leaf.name, evidence, _matching(TOPICS.get(key, [leaf.name]))))
    group_lost: dict[str, list[float]] = defaultdict(list)
    labels = {}
    for f in case_files:
        for review in f.reviews.all():
            if review.role in ("training", "expert"):
                continue
            scored = rubric_rules.score_file(f.rubric.content, review.marks, review.vetoes)
            for g in f.rubric.content["groups"]:
                labels[g["key"]] = (g["label"], g["points"])
                group_lost[g["key"]].append(g["points"] - scored.groups[g["key"]])
    for key, lost in group_lost.items():
        label, points = labels[key]
        mean = sum(lost) / len(lost)
        if mean >= 0.15 * points:
            evidence = f"案卷评查“{label}”平均失分 {mean:.1f} / {points} 分（{len(lost)} 份评查）"
            out.append(Suggestion(f"案卷评查：{label}", evidence, _matching(TOPICS.get(key, [label]))))
    return out
