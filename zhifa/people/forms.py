"""Console forms: officer edit, list and audit filters, import upload. Messages say what to fix, in Chinese."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from zhifa.common.excel import refuse_formula
from zhifa.people import access, idcard, services
from zhifa.people.audiences import AudienceRules, rules_officers
from zhifa.people.models import Audience, Domain, Officer, Role, Unit, User
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

    # Free text that comes back in exports: refused when a spreadsheet would run it (=HYPERLINK(…)), as on import.
    name = forms.CharField(
        label="姓名", max_length=60, error_messages={"required": "请填写姓名。"}, validators=[refuse_formula]
    )
    username = forms.CharField(
        label="登录用户名",
        max_length=150,
        required=False,
        help_text="留空时使用执法证号。",
        validators=[refuse_formula],
    )
    unit = UnitChoiceField(
        label="单位",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择单位。", "invalid_choice": "只能选择本人管辖的单位。"},
    )
    position = forms.CharField(label="职务", max_length=60, required=False, validators=[refuse_formula])
    domains = forms.ModelMultipleChoiceField(
        label="执法领域", queryset=Domain.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    certificate_number = forms.CharField(label="执法证号", max_length=40, required=False, validators=[refuse_formula])
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

    ROLES = [
        (r.value, r.label)
        for r in (Role.UNIT_ADMIN, Role.AUDITOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
    ]

    role = forms.ChoiceField(label="角色", choices=ROLES, error_messages={"invalid_choice": "请选择列表中的角色。"})
    unit = UnitChoiceField(
        label="管辖单位（含下级）",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="全部单位（审计员、三员管理员）",
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


OFFICER_TOKENS = re.compile(r"[\s,，、;；]+")


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


class AudienceForm(forms.Form):
    """Who something is for (培训对象), the one form for every console page that sets an audience.

    Embed it beside the page's own form with a prefix (default "audience") and render it with
    {% include "people/_audience_fields.html" with audience_form=form %}; after is_valid(), save() creates or updates
    the Audience through people.services.audience_save (audited). An audience that would select nobody is refused
    with AUDIENCE_SELECTS_NOBODY.
    """

    prefix = "audience"

    units = UnitMultipleChoiceField(
        label="单位（含下级）",
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": "只能选择本人管辖的单位。", "invalid_pk_value": "单位不存在。"},
    )
    domains = forms.ModelMultipleChoiceField(
        label="执法领域", queryset=Domain.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    roles = forms.MultipleChoiceField(
        label="角色",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "角色不存在，请从列表中选择。"},
    )
    positions = forms.CharField(
        label="职务", required=False, max_length=500, help_text="多个职务用逗号或顿号分隔，如：科长、执法队员。"
    )
    employment = forms.MultipleChoiceField(
        label="在职状态",
        choices=Officer.Employment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "在职状态不存在，请从列表中选择。"},
    )
    certificate_expires_within_months = forms.IntegerField(
        label="执法证在 N 个月内到期",
        required=False,
        min_value=1,
        max_value=120,
        error_messages={
            "invalid": "执法证到期月数应为整数，如 6。",
            "min_value": "执法证到期月数应在 1 到 120 之间。",
            "max_value": "执法证到期月数应在 1 到 120 之间。",
        },
    )
    joined_within_months = forms.IntegerField(
        label="入职 N 个月内（新任人员）",
        required=False,
        min_value=1,
        max_value=120,
        error_messages={
            "invalid": "入职月数应为整数，如 12。",
            "min_value": "入职月数应在 1 到 120 之间。",
            "max_value": "入职月数应在 1 到 120 之间。",
        },
    )
    include = forms.CharField(
        label="指定人员",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="执法证号或姓名，用逗号、顿号或换行分隔；无论上面的条件如何，这些人员都在内。",
    )
    exclude = forms.CharField(
        label="排除人员",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="执法证号或姓名；这些人员始终不在内。",
    )

    def __init__(self, *args, user: User, audience: Audience | None = None, optional: bool = False, **kwargs):
        """optional: nothing entered is allowed and means "no audience" (e.g. a course for every officer); then
        save() returns None."""
        if audience is not None and audience.pk:
            kwargs.setdefault("initial", audience_initial(audience))
        super().__init__(*args, **kwargs)
        self.user = user
        self.audience = audience
        self.optional = optional
        units = access.units_managed_by(user) if access.managed_unit_paths(user) != [] else Unit.objects.all()
        if audience is not None and audience.pk:  # units set by a higher administrator stay selectable
            units = units | Unit.objects.filter(pk__in=[u.pk for u in audience.units.all()])
        _set_queryset(self.fields["units"], units.order_by("path"))

    def _officers(self, name: str, label: str) -> list[Officer]:
        tokens = [t for t in OFFICER_TOKENS.split(self.cleaned_data.get(name) or "") if t]
        if not tokens:
            return []
        # Administrators name the officers they may see; an author without an administrator's grant (an instructor)
        # any officer.
        admin = access.managed_unit_paths(self.user) != []
        visible = access.officers_viewable_by(self.user) if admin else Officer.objects.all()
        by_number = {o.certificate_number: o for o in visible.filter(certificate_number__in=tokens)}
        by_name: dict[str, list[Officer]] = {}
        for o in visible.filter(name__in=[t for t in tokens if t not in by_number]).select_related("unit"):
            by_name.setdefault(o.name, []).append(o)
        found: dict[int, Officer] = {}
        missing, ambiguous = [], []
        for token in dict.fromkeys(tokens):
            if token in by_number:
                found[by_number[token].pk] = by_number[token]
            elif len(by_name.get(token, [])) == 1:
                found[by_name[token][0].pk] = by_name[token][0]
            elif token in by_name:
                ambiguous.append(f"{token}（{len(by_name[token])}人同名）")
            else:
                missing.append(token)
        if missing:
            raise forms.ValidationError(f"{label}中找不到：{'、'.join(missing)}，请核对执法证号或姓名。")
        if ambiguous:
            raise forms.ValidationError(f"{label}中有同名人员：{'、'.join(ambiguous)}，请改填执法证号。")
        return list(found.values())

    def clean_include(self) -> list[Officer]:
        return self._officers("include", "指定人员")

    def clean_exclude(self) -> list[Officer]:
        return self._officers("exclude", "排除人员")

    def clean_positions(self) -> list[str]:
        return [t for t in OFFICER_TOKENS.split(self.cleaned_data.get("positions") or "") if t]

    def clean(self):
        data = super().clean()
        if self.errors or self.is_empty():
            return data
        try:
            keep = self.audience.units.all() if self.audience is not None and self.audience.pk else ()
            services.audience_check(self.rules(), by=self.user, keep_units=keep)
        except ValidationError as exc:
            _add_validation_error(self, exc)
        return data

    def rules(self) -> AudienceRules:
        data = self.cleaned_data
        return AudienceRules(
            units=tuple(data.get("units") or ()),
            domains=tuple(data.get("domains") or ()),
            roles=tuple(data.get("roles") or ()),
            positions=tuple(data.get("positions") or ()),
            employment=tuple(data.get("employment") or ()),
            certificate_expires_within_months=data.get("certificate_expires_within_months"),
            joined_within_months=data.get("joined_within_months"),
            include=tuple(data.get("include") or ()),
            exclude=tuple(data.get("exclude") or ()),
        )

    def is_empty(self) -> bool:
        """Nothing entered, on a form where that is allowed (optional=True)."""
        rules = self.rules()
        return self.optional and not (rules.has_rules() or rules.include or rules.exclude)

    def selected_count(self) -> int | None:
        """How many officers the entered rules select today (None when the input has errors)."""
        if not self.is_valid() and any(name in self.errors for name in self.fields):
            return None
        return rules_officers(self.rules()).count()

    def save(self, audience: Audience | None = None, *, name: str = "") -> Audience | None:
        """Create or update the audience (the one given, else the one the form was built with); after is_valid().
        None when the form is optional and nothing was entered."""
        if not self.is_valid():
            raise ValueError("AudienceForm.save() on invalid input; check is_valid() first.")
        if self.is_empty():
            return None
        rules = self.rules()
        return services.audience_save(
            by=self.user,
            audience=audience if audience is not None else self.audience,
            name=name,
            units=rules.units,
            domains=rules.domains,
            roles=rules.roles,
            positions=rules.positions,
            employment=rules.employment,
            certificate_expires_within_months=rules.certificate_expires_within_months,
            joined_within_months=rules.joined_within_months,
            include=rules.include,
            exclude=rules.exclude,
        )


def _officer_token(officer: Officer) -> str:
    return officer.certificate_number or officer.name


def audience_initial(audience: Audience) -> dict:
    return {
        "units": list(audience.units.all()),
        "domains": list(audience.domains.all()),
        "roles": list(audience.roles or ()),
        "positions": "、".join(audience.positions or ()),
        "employment": list(audience.employment or ()),
        "certificate_expires_within_months": audience.certificate_expires_within_months,
        "joined_within_months": audience.joined_within_months,
        "include": "\n".join(_officer_token(o) for o in audience.include.all()),
        "exclude": "\n".join(_officer_token(o) for o in audience.exclude.all()),
    }


def _add_validation_error(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)
