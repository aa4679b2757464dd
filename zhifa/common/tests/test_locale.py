"""Issue 22 item 5: the project's locale gives Chinese for Django strings its zh_Hans catalogue lacks."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils import translation


class _Pick(models.TextChoices):
    A = "a", "甲"


def test_a_blank_choice_reads_in_chinese():
    field = models.CharField(max_length=1, choices=_Pick.choices, blank=True)
    with translation.override("zh-hans"):
        html = forms.Select(choices=field.get_choices()).render("pick", "")
        assert "- 请选择 -" in html and "Select an option" not in html
        assert translation.gettext("This field is required.") == "这个字段是必填项。"  # Django's own still apply
