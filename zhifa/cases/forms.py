"""The case form of the console: plain input checks only; the service decides what is saved."""

from __future__ import annotations

from pathlib import Path

from django import forms

from zhifa.cases.models import Case
from zhifa.people.models import Domain
from zhifa.questions.models import KnowledgePoint

ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".mp4"}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CaseForm(forms.Form):
    title = forms.CharField(label="标题", max_length=300)
    kind = forms.ChoiceField(label="类型", choices=Case.Kind.choices)
    domain = forms.ModelChoiceField(label="执法领域", queryset=Domain.objects.all(), required=False)
    category = forms.CharField(label="分类", max_length=60, required=False)
    facts = forms.CharField(label="基本案情", widget=forms.Textarea(attrs={"rows": 6}))
    issues = forms.CharField(label="争议焦点 / 违纪违法问题", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    analysis = forms.CharField(label="分析", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    outcome = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    discussion = forms.CharField(label="讨论题（每行一题）", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    article_keys = forms.CharField(
        label="引用条文（每行一条，如 行政处罚法#第五十五条）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    knowledge_points = forms.ModelMultipleChoiceField(
        label="知识点", queryset=KnowledgePoint.objects.all(), required=False
    )
    source = forms.CharField(label="来源", max_length=300, required=False)
    attachment = forms.FileField(label="附件（PDF、图片、Word、MP4，20 MB 以内）", required=False)
    attachment_title = forms.CharField(label="附件名称", max_length=200, required=False)

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        return {
            "title": case.title,
            "kind": case.kind,
            "domain": case.domain,
            "category": case.category,
            "facts": case.facts,
            "issues": case.issues,
            "analysis": case.analysis,
            "outcome": case.outcome,
            "discussion": "\n".join(case.discussion),
            "article_keys": "\n".join(case.article_keys),
            "source": case.source,
            "knowledge_points": list(case.knowledge_points.all()),
        }

    def clean_article_keys(self) -> list[str]:
        keys = _lines(self.cleaned_data["article_keys"])
        bad = [k for k in keys if "#" not in k]
        if bad:
            raise forms.ValidationError(f"条文“{bad[0]}”格式不对：应写成“法规简称#第X条”")
        return keys

    def clean_discussion(self) -> list[str]:
        return _lines(self.cleaned_data["discussion"])

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload is None:
            return None
        if Path(upload.name).suffix.lower() not in ATTACHMENT_TYPES:
            raise forms.ValidationError(f"附件类型不支持：只接受 {'、'.join(sorted(ATTACHMENT_TYPES))}")
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError("附件超过 20 MB：请压缩后再上传")
        return upload
