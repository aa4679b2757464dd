"""Console forms: officer edit, list and audit filters, import upload. Messages say what to fix, in Chinese."""

from __future__ import annotations

from django import forms
from django.conf import settings

from zhifa.people import access, idcard
from zhifa.people.models import Domain, Officer, Role, Unit
from zhifa.people.queries import AuditFilter, OfficerFilter

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _set_queryset(field: forms.Field, queryset) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth, 0) + f"{obj.name}（{obj.code}）"


class OfficerForm(forms.Form):
    """Create or edit an officer. ID-card and phone fields are write-only: blank keeps the stored value."""

    name = forms.CharField(label="姓名", max_length=60, error_messages={"required": "请填写姓名。"})
    username = forms.CharField(label="登录用户名", max_length=150, required=False, help_text="留空时使用执法证号。")
    unit = UnitChoiceField(
        label="单位",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择单位。", "invalid_choice": "只能选择本人管辖的单位。"},
    )
    position = forms.CharField(label="职务", max_length=60, required=False)
    domains = forms.ModelMultipleChoiceField(
        label="执法领域", queryset=Domain.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    certificate_number = forms.CharField(label="执法证号", max_length=40, required=False)
    certificate_issued = forms.DateField(
        label="发证日期", required=False, widget=DATE_INPUT, error_messages={"invalid": "发证日期格式应为 2024-03-01。"}
    )
    certificate_expires = forms.DateField(
        label="有效期至", required=False, widget=DATE_INPUT, error_messages={"invalid": "有效期至格式应为 2024-03-01。"}
    )
    certificate_status = forms.ChoiceField(
        label="执法证状态", choices=Officer.CertificateStatus.choices, initial=Officer.CertificateStatus.NONE
    )
    employment = forms.ChoiceField(
        label="在职状态", choices=Officer.Employment.choices, initial=Officer.Employment.ACTIVE
    )
    id_card = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args, user, officer: Officer | None = None, **kwargs):
        if officer is not None:
            kwargs.setdefault("initial", _initial(officer))
        super().__init__(*args, **kwargs)
        self.officer = officer
        _set_queryset(self.fields["unit"], access.units_managed_by(user).order_by("path"))
        if officer is not None:
            del self.fields["username"]
            self.fields["id_card"].help_text = f"当前：{officer.id_card_masked or '未登记'}；留空表示不修改。"
            self.fields["phone"].help_text = f"当前：{officer.phone_masked or '未登记'}；留空表示不修改。"

    def clean_id_card(self) -> str:
        raw = self.cleaned_data["id_card"]
        try:
            return idcard.validate(raw) if raw else ""
        except idcard.InvalidIdCard as exc:
            raise forms.ValidationError(f"身份证号{exc}") from None

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        try:
            return idcard.validate_phone(raw) if raw else ""
        except idcard.InvalidPhone as exc:
            raise forms.ValidationError(f"手机号{exc}") from None

    def clean(self):
        data = super().clean()
        issued, expires = data.get("certificate_issued"), data.get("certificate_expires")
        if issued and expires and expires < issued:
            self.add_error("certificate_expires", "有效期至不能早于发证日期，请核对两个日期。")
        return data

    def changes(self) -> dict:
        """The changed fields for services.officer_update (blank personal data means unchanged)."""
        result = {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}
        for name in ("id_card", "phone"):
            if not result.get(name):
                result.pop(name, None)
        result.pop("username", None)
        return result


def _initial(officer: Officer) -> dict:
    return {
        "name": officer.name,
        "unit": officer.unit,
        "position": officer.position,
        "domains": list(officer.domains.all()),
        "certificate_number": officer.certificate_number or "",
        "certificate_issued": officer.certificate_issued,
        "certificate_expires": officer.certificate_expires,
        "certificate_status": officer.certificate_status,
        "employment": officer.employment,
    }


class OfficerFilterForm(forms.Form):
    unit = UnitChoiceField(label="单位（含下级）", queryset=Unit.objects.none(), required=False, empty_label="全部单位")
    domain = forms.ModelChoiceField(label="执法领域", queryset=Domain.objects.all(), required=False, empty_label="全部")
    certificate_status = forms.ChoiceField(
        label="执法证状态", required=False, choices=[("", "全部"), *Officer.CertificateStatus.choices]
    )
    employment = forms.ChoiceField(
        label="在职状态", required=False, choices=[("", "全部"), *Officer.Employment.choices]
    )
    q = forms.CharField(label="姓名或证号", required=False, max_length=60)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _set_queryset(self.fields["unit"], access.units_viewable_by(user).order_by("path"))

    def filters(self) -> OfficerFilter:
        """The chosen filters; an invalid choice (e.g. a unit outside the user's tree) is ignored."""
        data = self.cleaned_data if self.is_valid() else {}
        return OfficerFilter(
            unit=data.get("unit"),
            domain=data.get("domain"),
            certificate_status=data.get("certificate_status", ""),
            employment=data.get("employment", ""),
            search=(data.get("q") or "").strip(),
        )


class AuditFilterForm(forms.Form):
    OBJECT_TYPES = [("", "全部"), ("people.officer", "执法人员"), ("people.unit", "单位"), ("people.user", "账号")]

    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.CharField(label="操作", required=False, max_length=80, help_text="如 officer.unmask")
    object_type = forms.CharField(
        label="对象类型", required=False, max_length=80, widget=forms.Select(choices=OBJECT_TYPES)
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=DATE_INPUT, error_messages={"invalid": "起始日期格式应为 2026-01-31。"}
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=DATE_INPUT, error_messages={"invalid": "截止日期格式应为 2026-01-31。"}
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "截止日期早于起始日期，请调换两个日期。")
        return data

    def filters(self) -> AuditFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(
            actor=(data.get("actor") or "").strip(),
            action=(data.get("action") or "").strip(),
            object_type=data.get("object_type") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class RoleGrantForm(forms.Form):
    """Grant an officer an administrative role; instructors and evaluators are external accounts, not granted here."""

    ROLES = [(r.value, r.label) for r in (Role.UNIT_ADMIN, Role.AUDITOR, Role.SYSTEM_ADMIN)]

    role = forms.ChoiceField(label="角色", choices=ROLES, error_messages={"invalid_choice": "请选择列表中的角色。"})
    unit = UnitChoiceField(
        label="管辖单位（含下级）",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="全部单位（仅审计员、系统管理员）",
        error_messages={"invalid_choice": "只能选择本人管辖的单位。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _set_queryset(self.fields["unit"], access.units_managed_by(user).order_by("path"))


class ImportForm(forms.Form):
    file = forms.FileField(label="人员表（.xlsx）", error_messages={"required": "请选择要上传的 Excel 文件。"})
    unit = UnitChoiceField(
        label="导入到（含下级）",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="本人管辖的全部单位",
        error_messages={"invalid_choice": "只能导入到本人管辖的单位。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _set_queryset(self.fields["unit"], access.units_managed_by(user).order_by("path"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只支持 .xlsx 格式，请在 Excel 中“另存为 Excel 工作簿 (.xlsx)”后上传。")
        if upload.size > settings.SPREADSHEET_MAX_BYTES:
            limit = settings.SPREADSHEET_MAX_BYTES // 1048576
            raise forms.ValidationError(f"文件超过 {limit} MB 上限，请拆分后分批导入。")
        return upload
