"""Authoring forms (console). They validate input; services do the writes."""

from __future__ import annotations

import re

from django import forms

from zhifa.courses.models import Course, Lesson, VideoAsset
from zhifa.people.models import Domain, Role, Unit, User
from zhifa.questions.models import KnowledgePoint, Question
from zhifa.records.models import Category as HoursCategory

CODE_RE = re.compile(r"^[a-z0-9-]+$")


class CourseForm(forms.Form):
    code = forms.SlugField(label="课程代码", max_length=60, help_text="小写字母、数字和连字符，例如 ethics-2026")
    title = forms.CharField(label="课程名称", max_length=120)
    summary = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    requirement = forms.ChoiceField(label="类型", choices=Course.Requirement.choices)
    domains = forms.ModelMultipleChoiceField(label="执法领域", queryset=Domain.objects.all(), required=False)
    instructors = forms.ModelMultipleChoiceField(
        label="讲师", queryset=User.objects.filter(role_grants__role=Role.INSTRUCTOR).distinct(), required=False
    )
    owner_unit = forms.ModelChoiceField(label="主办单位", queryset=Unit.objects.none(), required=False)
    cover = forms.FileField(label="封面图片", required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units if units is not None else Unit.objects.all()

    @classmethod
    def initial_for(cls, course: Course) -> dict:
        return {
            "code": course.code,
            "title": course.title,
            "summary": course.summary,
            "requirement": course.requirement,
            "domains": list(course.domains.all()),
            "instructors": list(course.instructors.all()),
            "owner_unit": course.owner_unit,
        }


class ChapterForm(forms.Form):
    title = forms.CharField(label="章名", max_length=120)


class LessonForm(forms.Form):
    title = forms.CharField(label="课时名称", max_length=120)
    kind = forms.ChoiceField(label="类型", choices=Lesson.Kind.choices)
    summary = forms.CharField(label="要点", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    hours_category = forms.ChoiceField(label="学时类别", choices=HoursCategory.choices)
    credit_hours = forms.DecimalField(label="学时", max_digits=5, decimal_places=2, min_value=0, initial=0.5)
    is_micro = forms.BooleanField(label="微课（≤5 分钟，进入“今日学习”）", required=False)
    minutes = forms.IntegerField(label="预计时长（分钟）", min_value=1, initial=5)
    body_html = forms.CharField(label="正文（图文课时）", widget=forms.Textarea(attrs={"rows": 10}), required=False)
    document = forms.FileField(label="PDF 文档（文档课时）", required=False)
    video = forms.ModelChoiceField(label="视频（视频课时）", queryset=VideoAsset.objects.none(), required=False)
    completion_share = forms.DecimalField(
        label="完成所需观看比例（留空为 95%）", min_value=0.5, max_value=1, decimal_places=2, required=False
    )
    min_seconds = forms.IntegerField(label="最短阅读时间（秒，文档/图文）", min_value=0, initial=60)
    pass_share = forms.DecimalField(label="测验及格比例", min_value=0, max_value=1, decimal_places=2, initial=0.6)
    knowledge_points = forms.ModelMultipleChoiceField(
        label="知识点", queryset=KnowledgePoint.objects.all(), required=False
    )
    quiz_questions = forms.ModelMultipleChoiceField(
        label="测验题目（已发布的单选、多选、判断题）",
        queryset=Question.objects.filter(status="published", is_latest=True, kind__in=["single", "multiple", "judge"]),
        required=False,
    )
    article_keys = forms.CharField(
        label="引用法条（每行一个，如 行政处罚法#第三十二条）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, videos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video"].queryset = videos if videos is not None else VideoAsset.objects.none()

    def clean_article_keys(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["article_keys"].splitlines() if line.strip()]


class CheckpointForm(forms.Form):
    at_seconds = forms.IntegerField(label="出现时间（秒）", min_value=0)
    prompt = forms.CharField(label="题目", max_length=300)
    options = forms.CharField(label="选项（每行一个，如 A. 依法履职）", widget=forms.Textarea(attrs={"rows": 4}))
    answer = forms.CharField(label="正确选项", max_length=1)
    explanation = forms.CharField(label="解析", required=False)

    def clean_options(self) -> list[dict]:
        options = []
        for line in self.cleaned_data["options"].splitlines():
            match = re.match(r"^\s*([A-Ha-h])[.、．:：\s]\s*(.+)$", line)
            if line.strip() and not match:
                raise forms.ValidationError(f"选项“{line.strip()}”格式不对：请写成“A. 选项内容”。")
            if match:
                options.append({"label": match.group(1).upper(), "text": match.group(2).strip()})
        return options

    def clean_answer(self) -> str:
        return self.cleaned_data["answer"].upper()
