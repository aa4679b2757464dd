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


def test_answers_read_as_plain_chinese_not_python_literals():
    from django.template import Context, Template

    render = Template("{% load zhifa_text %}{{ a|answer_text }}").render
    assert render(Context({"a": ["A", "C"]})) == "A、C"
    assert render(Context({"a": [True]})) == "正确"
    assert render(Context({"a": [["甲", "乙"], ["丙"]]})) == "甲/乙；丙"
    assert render(Context({"a": {"reference": "应当听证"}})) == "应当听证"
