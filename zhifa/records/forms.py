"""Forms parse input only; the rules (hours range, evidence, who may approve) live in services."""

from __future__ import annotations

from django import forms

from zhifa.records.models import Category


class ManualEntryForm(forms.Form):
    title = forms.CharField(
        label="培训名称",
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": "例如：2026 年全省行政执法人员轮训班"}),
    )
    category = forms.ChoiceField(label="学时类别", choices=Category.choices)
    # A text field on purpose: the service explains a bad number in Chinese instead of the browser refusing it.
    hours = forms.CharField(label="学时", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    occurred_on = forms.DateField(
        label="培训日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "培训日期格式不正确，请按 2026-03-01 的格式填写。"},
    )
    evidence = forms.CharField(
        label="说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "主办单位、地点、证书编号等"}),
    )
    evidence_file = forms.FileField(
        label="佐证材料（PDF/JPG/PNG，必填）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "认定"), ("reject", "退回")])
    reason = forms.CharField(label="审核意见", required=False, max_length=500)


class RequirementForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    hours = forms.CharField(label="要求学时", max_length=20)
    scope = forms.ChoiceField(
        label="范围", choices=[("unit", "单位（含下级）"), ("province", "省份"), ("national", "全国默认")]
    )
    unit = forms.IntegerField(label="单位", required=False)
    province = forms.CharField(label="省份", required=False, max_length=20)
