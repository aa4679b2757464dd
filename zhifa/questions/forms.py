"""Forms of the bank pages: filters, the question editor, bulk tagging, upload."""

from __future__ import annotations

from django import forms

from zhifa.people.models import Domain
from zhifa.questions import content, spreadsheet
from zhifa.questions.checking import CHOICE_LABELS
from zhifa.questions.models import KnowledgePoint, Question, QuestionBank

DIFFICULTY_CHOICES = [("", "全部")] + [(str(k), f"{k} {v}") for k, v in content.DIFFICULTY_LABELS.items()]


class PointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: KnowledgePoint) -> str:
        return "　" * obj.depth + obj.name


class PointMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: KnowledgePoint) -> str:
        return "　" * obj.depth + obj.name


class BankFilterForm(forms.Form):
    kind = forms.ChoiceField(label="题型", required=False, choices=[("", "全部"), *Question.Kind.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Question.Status.choices])
    knowledge_point = PointChoiceField(label="知识点", required=False, queryset=KnowledgePoint.objects.order_by("path"))
    difficulty = forms.TypedChoiceField(label="难度", required=False, choices=DIFFICULTY_CHOICES, coerce=int,
                                        empty_value=None)  # fmt: skip
    domain = forms.ModelChoiceField(label="执法领域", required=False, queryset=Domain.objects.all())
    bank = forms.ModelChoiceField(label="题库", required=False, queryset=QuestionBank.objects.all())
    use = forms.ChoiceField(label="用途", required=False, choices=[("", "全部"), *Question.Use.choices])
    q = forms.CharField(label="题干/编号", required=False, max_length=100)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=Question.Kind.choices)
    stem = forms.CharField(label="题干", widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="可使用加粗、列表、表格等格式（HTML）；脚本和样式会被清除。")  # fmt: skip
    answer = forms.CharField(label="答案", widget=forms.Textarea(attrs={"rows": 3}), help_text=(
        "选择题写字母（如 A 或 ACD）；判断题写“对”或“错”；填空题各空用“；”分隔、同一空的多种写法用“|”分隔；"
        "简答/案例题写参考答案，评分要点每行一条，如“要点：告知陈述申辩权（2分）”。"))  # fmt: skip
    explanation = forms.CharField(label="解析", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    difficulty = forms.TypedChoiceField(label="难度", choices=DIFFICULTY_CHOICES[1:], coerce=int, initial=3)
    knowledge_points = PointMultipleField(label="知识点", required=False,
                                          queryset=KnowledgePoint.objects.order_by("path"))  # fmt: skip
    domains = forms.ModelMultipleChoiceField(label="执法领域", required=False, queryset=Domain.objects.all())
    article_keys = forms.CharField(
        label="法条依据", required=False, help_text="如“行政处罚法#第四十四条”，多条用“；”分隔。"
    )
    bank = forms.ModelChoiceField(label="题库", required=False, queryset=QuestionBank.objects.all())
    use = forms.ChoiceField(
        label="用途", required=False, choices=[("", "取题库的默认用途"), *Question.Use.choices],
        help_text="仅考试的保密题不进入练习和错题本。",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for label in CHOICE_LABELS:
            self.fields[f"option_{label}"] = forms.CharField(label=f"选项{label}", required=False, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind or "answer" not in cleaned:
            return cleaned
        answer, errors = spreadsheet.answer_from_text(kind, cleaned["answer"])
        for message in errors:
            self.add_error("answer", message)
        keys = []
        for text in content.split_list(cleaned.get("article_keys", "")):
            key = content.article_key(text)
            if key is None:
                self.add_error("article_keys", f"“{text}”无法识别，请写成“行政处罚法#第四十四条”。")
            keys.append(key)
        cleaned["parsed_answer"], cleaned["parsed_keys"] = answer, keys
        return cleaned

    def question_fields(self) -> dict:
        """Arguments for services.question_data / question_update."""
        data = self.cleaned_data
        options = {label: data[f"option_{label}"].strip() for label in CHOICE_LABELS}
        last = max((i for i, label in enumerate(CHOICE_LABELS) if options[label]), default=-1)
        return {
            "kind": data["kind"], "stem": data["stem"], "answer": data["parsed_answer"],
            "options": {label: options[label] for label in CHOICE_LABELS[: last + 1]},
            "explanation": data["explanation"], "difficulty": data["difficulty"],
            "knowledge_points": list(data["knowledge_points"]), "domains": list(data["domains"]),
            "article_keys": data["parsed_keys"], "use": data["use"], "bank": data["bank"],
        }  # fmt: skip

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "kind": question.kind, "stem": question.stem, "explanation": question.explanation,
            "answer": spreadsheet.answer_text(question.kind, question.answer), "difficulty": question.difficulty,
            "knowledge_points": list(question.knowledge_points.all()), "domains": list(question.domains.all()),
            "article_keys": "；".join(question.article_keys), "use": question.use, "bank": question.bank_id,
        }  # fmt: skip
        initial.update({f"option_{o.label}": o.text for o in question.options.all()})
        return initial


class TagForm(forms.Form):
    questions = forms.ModelMultipleChoiceField(
        queryset=Question.objects.filter(is_latest=True, parent__isnull=True),
        error_messages={"required": "请先勾选要打标签的试题。"},
    )
    add_points = PointMultipleField(
        label="添加知识点", required=False, queryset=KnowledgePoint.objects.order_by("path")
    )
    remove_points = PointMultipleField(label="移除知识点", required=False,
                                       queryset=KnowledgePoint.objects.order_by("path"))  # fmt: skip
    add_domains = forms.ModelMultipleChoiceField(label="添加执法领域", required=False, queryset=Domain.objects.all())
    remove_domains = forms.ModelMultipleChoiceField(label="移除执法领域", required=False, queryset=Domain.objects.all())


class ImportForm(forms.Form):
    file = forms.FileField(
        label="试题文件",
        help_text="Excel（.xlsx，按模板填写）、Word（.docx，按样例排版）或 JSONL，单个文件不超过 32 MB。",
    )
    bank = forms.ModelChoiceField(
        label="导入到题库", required=False, queryset=QuestionBank.objects.all(), empty_label="不指定题库",
        help_text="新试题取该题库的默认用途（文件中“用途”列或“用途：”一行另有填写的除外）。",
    )  # fmt: skip
    pending_citations = forms.BooleanField(label="法规库中尚无的法条依据先记为待关联（不报错）", required=False)


class BankForm(forms.Form):
    name = forms.CharField(label="题库名称", max_length=100)
    default_use = forms.ChoiceField(
        label="默认用途", choices=Question.Use.choices, initial=Question.Use.BOTH,
        help_text="在本题库新建或导入的试题默认取此用途；改动不影响已有试题。",
    )  # fmt: skip
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
