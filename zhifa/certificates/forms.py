"""Forms of the certificate pages (validation of shape only; the rules live in services)."""

from __future__ import annotations

from django import forms

ACTIONS = {
    "suspend": "暂扣",
    "reinstate": "恢复（解除暂扣）",
    "revoke": "吊销",
    "cancel": "注销",
    "renew": "换证",
    "issue": "发证",
}


class ActionForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    off_duty_training = forms.BooleanField(label="须脱岗培训", required=False)
    expires = forms.DateField(
        label="新的有效期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "“新的有效期至”格式应为 2031-12-31。"},
    )


class ExamLinkForm(forms.Form):
    exam = forms.IntegerField(label="考试", error_messages={"required": "请选择“考试”。"})
    rule_set = forms.IntegerField(label="证件规则", error_messages={"required": "请选择“证件规则”。"})
    purpose = forms.CharField(label="用途")
    part = forms.CharField(label="科目")


class ActCountForm(forms.Form):
    certificate_number = forms.CharField(label="执法证号", max_length=40)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    count = forms.IntegerField(
        label="执法行为数", min_value=0, error_messages={"min_value": "“执法行为数”不能为负数，请填写 0 或正整数。"}
    )
    explanation = forms.CharField(label="无执法行为的说明（可选）", max_length=300, required=False)


class ActImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
