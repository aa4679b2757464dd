"""Forms of the classes app: input checks with Chinese messages; the writes are services."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from zhifa.classes.models import ClassSession, Instructor, OfflineClass, ProgrammePart
from zhifa.courses.models import Course
from zhifa.exams.models import Exam
from zhifa.people.models import Domain, Unit
from zhifa.questions.models import KnowledgePoint
from zhifa.records.models import Category

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClassForm(forms.Form):
    title = forms.CharField(label="培训班名称", max_length=200)
    organiser = forms.ModelChoiceField(label="主办单位", queryset=Unit.objects.none())
    starts_on = forms.DateField(label="开班日期", widget=DATE)
    ends_on = forms.DateField(label="结业日期", widget=DATE)
    capacity = forms.IntegerField(
        label="容量（人）", min_value=1, max_value=5000, error_messages={"min_value": "容量至少为 1 人。"}
    )
    mode = forms.ChoiceField(label="报名方式", choices=OfflineClass.Mode.choices)
    summary = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    pre_course = forms.ModelChoiceField(
        label="课前学习课程", queryset=Course.objects.filter(status="published"), required=False
    )
    post_exam = forms.ModelChoiceField(label="结业考试", queryset=Exam.objects.all(), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        if units is not None:
            self.fields["post_exam"].queryset = Exam.objects.filter(  # type: ignore[attr-defined]
                unit__in=units
            ).order_by("-opens_at")

    def clean(self):
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结业日期不能早于开班日期。")
        return data


class SessionForm(forms.Form):
    topic = forms.CharField(label="专题", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    venue = forms.CharField(label="地点", max_length=200, required=False)
    online_url = forms.URLField(
        label="线上会议链接", required=False, error_messages={"invalid": "线上会议链接须以 http:// 或 https:// 开头。"}
    )
    instructor = forms.ModelChoiceField(label="讲师", queryset=Instructor.objects.filter(active=True), required=False)
    hours = forms.DecimalField(
        label="学时",
        min_value=Decimal("0.5"),
        max_value=Decimal("12"),
        decimal_places=1,
        initial=Decimal("2"),
        error_messages={"min_value": "学时应在 0.5 到 12 之间。", "max_value": "学时应在 0.5 到 12 之间。"},
    )
    category = forms.ChoiceField(label="学时类别", choices=Category.choices)
    group = forms.CharField(label="分组（留空：全体）", max_length=20, required=False)
    required = forms.BooleanField(label="必修课次", required=False, initial=True)
    checkout_required = forms.BooleanField(label="须扫码签退", required=False)
    step_seconds = forms.IntegerField(
        label="二维码刷新间隔（秒，留空为默认）", min_value=5, max_value=300, required=False
    )
    geofence_lat = forms.FloatField(label="场地纬度（定位签到）", min_value=-90, max_value=90, required=False)
    geofence_lng = forms.FloatField(label="场地经度", min_value=-180, max_value=180, required=False)
    geofence_radius_m = forms.IntegerField(label="签到范围（米）", min_value=20, max_value=5000, required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "结束时间须晚于开始时间。")
        return data

    @staticmethod
    def initial_for(session: ClassSession) -> dict:
        return {f: getattr(session, f) for f in SessionForm.base_fields}


class InstructorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    kind = forms.ChoiceField(label="类型", choices=Instructor.Kind.choices)
    organisation = forms.CharField(label="工作单位", max_length=100, required=False)
    title = forms.CharField(label="职称/职务", max_length=60, required=False)
    bio = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    phone = forms.CharField(label="联系电话（加密保存，留空不变）", max_length=20, required=False)
    username = forms.CharField(label="登录账号（可选，讲师本人用于确认邀请、查看评价）", max_length=150, required=False)
    domains = forms.ModelMultipleChoiceField(
        label="擅长执法领域", queryset=Domain.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    knowledge_points = forms.ModelMultipleChoiceField(
        label="擅长知识点", queryset=KnowledgePoint.objects.all(), required=False
    )
    photo = forms.FileField(label="照片", required=False)


class RatingForm(forms.Form):
    SCORES = [(i, f"{i} 分") for i in range(5, 0, -1)]
    content = forms.TypedChoiceField(label="内容", choices=SCORES, coerce=int, widget=forms.RadioSelect)
    usefulness = forms.TypedChoiceField(label="对执法工作的帮助", choices=SCORES, coerce=int, widget=forms.RadioSelect)
    delivery = forms.TypedChoiceField(label="讲授", choices=SCORES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见建议（选填）", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("content", "usefulness", "delivery"):
            self.fields[name].error_messages["required"] = f"请为“{self.fields[name].label}”选择 1 到 5 分。"


class ProgrammeForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=200)
    organiser = forms.ModelChoiceField(label="主办单位", queryset=Unit.objects.none())
    summary = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]


class PartForm(forms.Form):
    kind = forms.ChoiceField(label="环节类型", choices=ProgrammePart.Kind.choices)
    target_id = forms.IntegerField(label="编号", min_value=1, error_messages={"required": "请选择要加入的内容。"})
