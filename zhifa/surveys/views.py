"""The public survey page (anonymous, phone-first, no JavaScript) and the officer's own results."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.common.middleware import client_ip
from zhifa.people import access
from zhifa.surveys import conf, queries, services
from zhifa.surveys.forms import SurveyForm
from zhifa.surveys.tokens import TokenError, form_age_seconds, form_stamp, token_make


def _closed(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/closed.html", {"message": message}, status=status)


def _is_bot(form: SurveyForm) -> bool:
    """A filled honeypot, or a form sent back faster than a person can read it (or with a forged clock)."""
    if form.data.get("website"):
        return True
    age = form_age_seconds(form.data.get("started", ""))
    return age is None or age < conf.min_fill_seconds()


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The survey: GET shows it; POST records a response (or says clearly why not) and goes to the thanks page."""
    try:
        subject = queries.subject_for_token(token)
    except TokenError as error:
        return _closed(request, error.message, 410)
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        if _is_bot(form):
            return render(request, "surveys/thanks.html")  # polite, and nothing recorded
        if form.is_valid():
            data = form.cleaned_data
            answers = services.Answers(ratings=form.ratings(), comment=data["comment"], contact=data["contact"])
            try:
                services.response_submit(
                    subject=subject,
                    answers=answers,
                    ip=client_ip(request) or "",
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except services.SurveyRefused as refusal:
                return _closed(request, refusal.message, refusal.status)
            return redirect("surveys:thanks")
    return render(
        request,
        "surveys/respond.html",
        {"subject": subject, "form": form, "started": form_stamp(), "comment_max": services.COMMENT_MAX},
        status=400 if form.is_bound else 200,
    )


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/thanks.html")


@never_cache
@require_GET
def short_code(request: HttpRequest, code: str = "") -> HttpResponse:
    """A short code typed from a receipt: to the act's survey, or the entry form again with a message."""
    code = (code or request.GET.get("code", "")).strip().upper()
    if not code:
        return render(request, "surveys/short_code.html")
    link = queries.act_link_by_short_code(code)
    if link is None:
        return render(
            request,
            "surveys/short_code.html",
            {"code": code, "error": "短码不存在：请核对后重新输入（8 位字母和数字）。"},
        )
    return redirect("surveys:respond", token=token_make("a", link.pk))


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    """The officer's own aggregate (shown from 5 responses), trend and approved comments."""
    officer = access.officer_of(request.user)
    if officer is None:
        return render(request, "surveys/my_results.html", {"officer": None})
    context = {"officer": officer, **queries.officer_own_results(officer)}
    context["poster_url"] = reverse("surveys:respond", kwargs={"token": token_make("o", officer.pk)})
    return render(request, "surveys/my_results.html", context)
