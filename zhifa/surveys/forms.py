"""The citizen's survey form and the console's upload form."""

from __future__ import annotations

from django import forms

from zhifa.surveys.models import DIMENSIONS, RATING_LABELS
from zhifa.surveys.services import COMMENT_MAX, CONTACT_MAX, Answers

RATING_CHOICES = [(str(v), f"{v} 分 {RATING_LABELS[v]}") for v in range(5, 0, -1)]


def _rating(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": f"请为“{label}”选择一个等级。", "invalid_choice": f"“{label}”的等级无效。"},
    )


class SurveyForm(forms.Form):
    """Four ratings, an optional comment and call-back contact; `website` is a honeypot, `started` the fill clock."""

    # The four ratings, in DIMENSIONS order (fields declared on the class: built once, not per request).
    civility = _rating(DIMENSIONS[0][1])
    integrity = _rating(DIMENSIONS[1][1])
    efficiency = _rating(DIMENSIONS[2][1])
    attitude = _rating(DIMENSIONS[3][1])
    comment = forms.CharField(
        label="留言（选填）",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        error_messages={"max_length": f"留言最多 {COMMENT_MAX} 字（当前 %(show_value)d 字），请删减后再提交。"},
    )
    contact = forms.CharField(
        label="回访联系方式（选填）",
        required=False,
        max_length=CONTACT_MAX,
        error_messages={"max_length": f"联系方式最多 {CONTACT_MAX} 字，请只填写一个电话号码或邮箱。"},
    )
    website = forms.CharField(required=False)  # hidden from people; a bot fills it
    started = forms.CharField(required=False)

    def dimension_fields(self):
        return [self[name] for name, _ in DIMENSIONS]

    def ratings(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _ in DIMENSIONS}


_RATING_VALUES = {str(v): v for v in range(1, 6)}


def answers_if_plain(data) -> Answers | None:
    """The answers of an ordinary complete submission, read without building the form (the intake's hot path: a
    bound form copies its eight fields first); None when anything is missing or unusual, and the form then says
    what. Accepts only what SurveyForm accepts: four ratings 1–5, comment and contact within their lengths once
    stripped, no NUL character."""
    ratings = {}
    for name, _ in DIMENSIONS:
        value = _RATING_VALUES.get(data.get(name, ""))
        if value is None:
            return None
        ratings[name] = value
    comment, contact = data.get("comment", "").strip(), data.get("contact", "").strip()
    if len(comment) > COMMENT_MAX or len(contact) > CONTACT_MAX or "\x00" in comment or "\x00" in contact:
        return None
    return Answers(ratings=ratings, comment=comment, contact=contact)


class ActUploadForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label="执法行为清单（Excel）", error_messages={"required": "请选择要上传的 Excel 文件。"})


class ReasonForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "通过"), ("hide", "隐藏"), ("count", "计入"), ("discard", "剔除")]
    )
    reason = forms.CharField(required=False, max_length=200)
