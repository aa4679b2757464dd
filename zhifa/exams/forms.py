"""Console forms: an exam with its audience, and the blueprint's sections as a formset."""

from __future__ import annotations

from django import forms

from zhifa.exams.assembly import KIND_LABELS
from zhifa.exams.models import Exam
from zhifa.questions.models import KnowledgePoint
from zhifa.records.models import Category

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ExamForm(forms.ModelForm):
    """The exam's settings; who may sit it is people's AudienceForm beside it (exam_edit, prefix "audience")."""

    credit_category = forms.ChoiceField(
        choices=Category.choices, initial=Category.LEGAL, label="学时类别", help_text="考试通过后计入的学时类别"
    )

    class Meta:
        model = Exam
        fields = [
            "title",
            "description",
            "unit",
            "paper_mode",
            "form_count",
            "shuffle_questions",
            "shuffle_options",
            "opens_at",
            "closes_at",
            "duration_minutes",
            "attempts_allowed",
            "pass_mark",
            "partial_credit",
            "results_release_at",
            "explanations_release_at",
            "is_qualification",
            "credit_hours",
            "credit_category",
        ]
        widgets = {
            "opens_at": DT,
            "closes_at": DT,
            "results_release_at": DT,
            "explanations_release_at": DT,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        for name in ("opens_at", "closes_at", "results_release_at", "explanations_release_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]


class SectionForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *KIND_LABELS.items()], required=False, label="题型")
    knowledge_point = forms.ChoiceField(required=False, label="知识点")
    difficulties = forms.MultipleChoiceField(
        choices=[(d, str(d)) for d in range(1, 6)], required=False, widget=forms.CheckboxSelectMultiple, label="难度"
    )
    count = forms.IntegerField(min_value=1, max_value=500, required=False, label="题数")
    points = forms.DecimalField(min_value=0.5, max_value=100, decimal_places=1, required=False, label="每题分值")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        points = KnowledgePoint.objects.values_list("code", "name")
        self.fields["knowledge_point"].choices = [("", "不限"), *points]

    def as_section(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        if not data.get("count") or not data.get("points"):
            raise forms.ValidationError("请填写该部分的题数和每题分值。")
        return {
            "kind": data["kind"],
            "knowledge_point": data.get("knowledge_point") or "",
            "difficulties": sorted(int(d) for d in data.get("difficulties") or []),
            "count": data["count"],
            "points": str(data["points"]),
        }


SectionFormSet = forms.formset_factory(SectionForm, extra=3, max_num=30)


def parse_enemy_groups(text: str) -> list[list[int]]:
    """ "12, 15\n30 31" → [[12, 15], [30, 31]]; raises ValidationError naming the line."""
    groups = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in line.replace("，", ",").replace(",", " ").split() if p]
        if not parts:
            continue
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(f"互斥组第 {n} 行应为试题编号（数字），用逗号或空格分隔。")
        groups.append([int(p) for p in parts])
    return groups
