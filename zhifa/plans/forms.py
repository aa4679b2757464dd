"""Forms of the plan console pages (validation of meaning lives in the services; these parse input)."""

from __future__ import annotations

from django import forms

from zhifa.plans.models import PlanItem
from zhifa.records.models import Category

_DATE = {"invalid": "日期格式应为 年-月-日，如 2026-06-30。", "required": "请填写日期。"}


class PlanForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=120, error_messages={"required": "请填写计划名称。"})
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, error_messages={"invalid": "年度应为四位年份，如 2026。"}
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PlanItem.Kind.choices)
    title = forms.CharField(label="名称", max_length=120, error_messages={"required": "请填写事项名称。"})
    category = forms.ChoiceField(label="学时类别", choices=Category.choices, initial=Category.LEGAL)
    course = forms.IntegerField(label="课程", required=False, widget=forms.Select)
    exam = forms.IntegerField(label="考试", required=False, widget=forms.Select)
    scenario = forms.IntegerField(label="模拟演练", required=False, widget=forms.Select)
    offline_class = forms.IntegerField(label="线下培训班", required=False, widget=forms.Select)
    target = forms.DecimalField(
        label="目标值（天数或学时）",
        required=False,
        max_digits=6,
        decimal_places=1,
        error_messages={"invalid": "目标值应为数字，如 30。"},
    )
    window_start = forms.DateField(
        label="开始日期", error_messages=_DATE, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(label="截止日期", error_messages=_DATE, widget=forms.DateInput(attrs={"type": "date"}))
    required = forms.BooleanField(label="必修", required=False, initial=True)
    reason = forms.CharField(label="安排理由（学员可见）", max_length=200, required=False)
    limit_audience = forms.BooleanField(label="只面向部分人员（不勾选则面向本计划全部人员）", required=False)

    def __init__(self, *args, choices: dict[str, list[tuple[int, str]]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            self.fields[name].widget.choices = [("", "—"), *list(options)]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=200, error_messages={"required": "请填写撤回原因。"})


class ExemptForm(forms.Form):
    reason = forms.CharField(
        label="免修理由", max_length=200, error_messages={"required": "请填写免修理由，如“已参加省厅同类培训”。"}
    )


class RuleForm(forms.Form):
    name = forms.CharField(label="轮训名称", max_length=120, error_messages={"required": "请填写轮训名称。"})
    unit = forms.IntegerField(label="单位", widget=forms.Select)
    every_years = forms.IntegerField(
        label="轮训周期（年）",
        initial=3,
        min_value=1,
        max_value=10,
        error_messages={
            "invalid": "轮训周期应为整数，如 3。",
            "min_value": "轮训周期应在 1 到 10 年之间。",
            "max_value": "轮训周期应在 1 到 10 年之间。",
        },
    )
    certificate_months = forms.IntegerField(
        label="执法证到期提前（月）",
        initial=12,
        min_value=0,
        max_value=60,
        error_messages={"invalid": "请填写整数月数，如 12。"},
    )


class BatchForm(forms.Form):
    name = forms.CharField(label="批次名称", max_length=120, error_messages={"required": "请填写批次名称。"})
    capacity = forms.IntegerField(
        label="容量（人）",
        min_value=1,
        error_messages={"invalid": "容量应为正整数，如 40。", "min_value": "容量应为正整数。"},
    )
    starts_on = forms.DateField(label="开班日期", error_messages=_DATE, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结业日期", error_messages=_DATE, widget=forms.DateInput(attrs={"type": "date"}))


class ReviewForm(forms.Form):
    content_type = forms.IntegerField(widget=forms.HiddenInput)
    object_id = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="复核结论",
        choices=[("revised", "已修订"), ("confirmed", "确认仍有效"), ("retired", "停用")],
        error_messages={"invalid_choice": "请选择复核结论。"},
    )
    note = forms.CharField(label="复核说明", max_length=300, error_messages={"required": "请填写复核说明。"})
