"""Console pages: results per unit subtree with trends and export, posters and links, act codes, moderation."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.people import access
from zhifa.people.models import Officer, User
from zhifa.surveys import conf, printing, queries, services, sheets
from zhifa.surveys.forms import ActUploadForm, ReasonForm
from zhifa.surveys.models import DIMENSIONS
from zhifa.surveys.scoring import MIN_SHOWN, PRIOR_WEIGHT
from zhifa.surveys.tokens import token_make

console_page = page_for(access.can_use_console)
manager_page = page_for(access.can_manage_people)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _unit(request: HttpRequest):
    raw = request.GET.get("unit") or request.POST.get("unit", "")
    return access.console_unit(_user(request), int(raw) if str(raw).isdigit() else None)


def public_url(kind: str, target_id: int) -> str:
    return conf.site_url() + reverse("surveys:respond", kwargs={"token": token_make(kind, target_id)})


@console_page
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    report = queries.unit_report(unit)
    return render(
        request,
        "surveys/console_results.html",
        {
            "unit": unit,
            "units": queries.units_for_console(_user(request)),
            "report": report,
            "dimensions": DIMENSIONS,
            "min_shown": MIN_SHOWN,
            "prior_weight": PRIOR_WEIGHT,
            "trend_max": max([row["count"] for row in report["trend"]] + [1]),
            "can_print": access.can_manage_people(_user(request)),  # posters: managers only, not an auditor
        },
    )


@console_page
@require_GET
def results_export(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    report = queries.unit_report(unit)
    rows = []
    for pk, s in sorted(report["officers"].items(), key=lambda kv: report["names"][kv[0]]):
        rows.append(
            [
                report["names"][pk],
                s.count,
                round(s.smoothed, 2) if s.shown else "不足5条不显示",
                round(s.mean, 2) if s.shown else "",
            ]
        )
    data = sheets.table_xlsx("满意度", ["执法人员", "有效评价数", "平滑得分（5分制）", "原始平均分"], rows)
    return excel.xlsx_response(data, f"surveys-{unit.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@manager_page
@require_GET
def posters(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    if not access.can_manage_unit(_user(request), unit):
        unit = queries.units_for_console(_user(request)).filter(pk__in=access.units_managed_by(_user(request))).first()
    officers = Officer.objects.filter(unit__path__startswith=unit.path, employment=Officer.Employment.ACTIVE)
    return render(
        request,
        "surveys/console_posters.html",
        {
            "unit": unit,
            "units": access.units_managed_by(_user(request)).order_by("path"),
            "officers": officers.select_related("unit").order_by("unit__path", "name")[:500],
            "open_url": public_url("w", unit.pk),
            "batches": queries.batches_for(unit)[:50],
            "upload": ActUploadForm(initial={"unit": unit.pk}),
            "short_url": conf.site_url() + reverse("surveys:short"),
        },
    )


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _size(request: HttpRequest) -> str:
    return "a6" if request.GET.get("size") == "a6" else "a4"


@manager_page
@require_GET
def officer_poster(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = queries.officer_for_manager(officer_id=officer_id, user=_user(request))
    poster = printing.Poster(
        heading=f"执法人员：{officer.name}",
        lines=[officer.unit.name, f"执法证号：{officer.certificate_number or '—'}"],
        url=public_url("o", officer.pk),
    )
    return _pdf(printing.poster_pdf(poster, size=_size(request)), f"poster-officer-{officer.pk}.pdf")


@manager_page
@require_GET
def unit_poster(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.console_unit(_user(request), unit_id)
    window = request.GET.get("window", "").strip()[:30]
    poster = printing.Poster(heading=unit.name, lines=[window] if window else [], url=public_url("u", unit.pk))
    return _pdf(printing.poster_pdf(poster, size=_size(request)), f"poster-unit-{unit.pk}.pdf")


@manager_page
@require_GET
def act_template(request: HttpRequest) -> HttpResponse:
    return excel.xlsx_response(sheets.template_xlsx(), "acts-template.xlsx")


@manager_page
@require_POST
def act_upload(request: HttpRequest) -> HttpResponse:
    form = ActUploadForm(request.POST, request.FILES)
    unit = _unit(request)
    back = reverse("surveys:posters") + f"?unit={unit.pk}"
    if not form.is_valid():
        messages.error(request, "请选择要上传的 Excel 文件。")
        return redirect(back)
    upload = form.cleaned_data["file"]
    if upload.size > settings.SPREADSHEET_MAX_BYTES:
        messages.error(request, "文件过大：请分批上传。")
        return redirect(back)
    try:
        lines = sheets.read_acts(upload.read(), max_rows=settings.SPREADSHEET_MAX_ROWS)
        officers = {
            o.certificate_number: o
            for o in Officer.objects.select_related("unit").filter(
                certificate_number__in=[line.certificate_number for line in lines if line.certificate_number]
            )
        }
        unknown = [f"第 {x.row} 行" for x in lines if x.certificate_number and x.certificate_number not in officers]
        if unknown:
            raise sheets.SheetError(f"{'、'.join(unknown[:10])}：执法证号不存在，请核对（可留空，表示评价单位）。")
        rows = [services.ActRow(x.act_number, x.acted_on, officers.get(x.certificate_number)) for x in lines]
        batch = services.act_batch_create(unit=unit, by=_user(request), rows=rows, filename=upload.name)
    except (sheets.SheetError, services.SurveyError) as error:
        messages.error(request, f"未导入：{error}")
        return redirect(back)
    messages.success(request, f"已生成 {len(rows)} 个一次性评价码（{services.act_link_expiry_days()} 天内有效）。")
    phones = {x.act_number: x.phone for x in lines if x.phone}  # in memory for this request only
    if phones:
        sms = services.act_sms_send(batch=batch, by=_user(request), phones=phones)
        messages.success(request, f"已向 {sms.sent} 位当事人发送评价短信（手机号仅用于本次发送，不保存）。")
        if sms.failed:
            messages.error(request, f"{sms.failed} 条短信发送失败：{sms.error} 可导出短信文本另行发送。")
    return redirect(back + f"#batch-{batch.pk}")


def _batch_cards(request: HttpRequest, batch_id: int):
    batch = queries.batch_for_manager(batch_id=batch_id, user=_user(request))
    links = batch.links.select_related("officer", "unit")
    return batch, [
        (
            link,
            printing.ActCard(
                link.act_number,
                link.officer.name if link.officer else link.unit.name,
                link.short_code,
                services.act_link_url(link),
            ),
        )
        for link in links
    ]


@manager_page
@require_GET
def act_sheet(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch, cards = _batch_cards(request, batch_id)
    expires = cards[0][0].expires_at if cards else timezone.now()
    data = printing.act_sheet_pdf(
        [c for _, c in cards],
        short_url=conf.site_url() + reverse("surveys:short"),
        expires=f"{timezone.localtime(expires):%Y-%m-%d}",
    )
    return _pdf(data, f"act-codes-{batch.pk}.pdf")


@manager_page
@require_GET
def act_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch, cards = _batch_cards(request, batch_id)
    rows = [
        [
            c.act_number,
            c.who,
            c.short_code,
            c.url,
            "已使用" if link.used_at else "",
            services.act_sms_text(link=link, unit_name=batch.unit.name),
        ]
        for link, c in cards
    ]
    data = sheets.table_xlsx("评价码", ["文书编号", "评价对象", "短码", "链接", "状态", "短信文本"], rows)
    return excel.xlsx_response(data, f"act-codes-{batch.pk}.xlsx")


@console_page
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    context = {**queries.moderation_queue(_user(request)), "can_print": access.can_manage_people(_user(request))}
    return render(request, "surveys/console_moderation.html", context)


def _decide(request: HttpRequest, action) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理方式。")
        return redirect("surveys:moderation")
    try:
        action(form.cleaned_data["decision"], form.cleaned_data["reason"])
    except services.SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已处理。")
    return redirect("surveys:moderation")


@console_page
@require_POST
def comment_moderate(request: HttpRequest, response_id: int) -> HttpResponse:
    response = queries.response_for_manager(response_id=response_id, user=_user(request))
    return _decide(
        request,
        lambda decision, reason: services.comment_moderate(
            response=response, by=_user(request), approve=decision == "approve", reason=reason
        ),
    )


@console_page
@require_POST
def held_review(request: HttpRequest, response_id: int) -> HttpResponse:
    response = queries.response_for_manager(response_id=response_id, user=_user(request))
    return _decide(
        request,
        lambda decision, reason: services.held_review(
            response=response, by=_user(request), count=decision == "count", reason=reason
        ),
    )


@console_page
@require_POST
def flag_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = queries.flag_for_manager(flag_id=flag_id, user=_user(request))
    try:
        services.flag_resolve(flag=flag, by=_user(request))
    except services.SurveyError as error:
        messages.error(request, str(error))
    return redirect("surveys:moderation")


@console_page
@require_POST
def contact_reveal(request: HttpRequest, response_id: int) -> HttpResponse:
    response = queries.response_for_manager(response_id=response_id, user=_user(request))
    try:
        contact = services.contact_reveal(response=response, by=_user(request))
    except services.SurveyError as error:
        messages.error(request, str(error))
        return redirect("surveys:moderation")
    return render(request, "surveys/console_contact.html", {"response": response, "contact": contact})
