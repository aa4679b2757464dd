"""The public survey page (anonymous, phone-first, no JavaScript) and the officer's own results."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.common.middleware import client_ip
from zhifa.people import access
from zhifa.surveys import conf, queries, services
from zhifa.surveys.forms import SurveyForm, answers_if_plain
from zhifa.surveys.tokens import Stamp, TokenError, form_stamp, form_stamp_read, token_make


def _closed(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/closed.html", {"message": message}, status=status)


def _is_bot(data, stamp: Stamp | None) -> bool:
    """A filled honeypot, or a form sent back faster than a person can read it (or with a forged clock)."""
    return bool(data.get("website")) or stamp is None or stamp.age < conf.min_fill_seconds()


@functools.cache
def _thanks_url() -> str:
    return reverse("surveys:thanks")


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The survey: GET shows it; POST records a response (or says clearly why not) and goes to the thanks page."""
    stamp = form_stamp_read(request.POST.get("started", "")) if request.method == "POST" else None
    try:
        # A POST with its page's stamp takes what the page showed from the stamp (no read: the intake's hot path).
        subject = queries.subject_for_token(token, stamp=stamp)
    except TokenError as error:
        return _closed(request, error.message, 410)
    form = None
    if request.method == "POST":
        if _is_bot(request.POST, stamp):
            return render(request, "surveys/thanks.html")  # polite, and nothing recorded
        answers = answers_if_plain(request.POST)
        if answers is None:  # something to say about the input: the form says it
            form = SurveyForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                answers = services.Answers(ratings=form.ratings(), comment=data["comment"], contact=data["contact"])
        if answers is not None:
            try:
                services.response_submit(
                    subject=subject,
                    answers=answers,
                    ip=client_ip(request) or "",
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except services.SurveyRefused as refusal:
                return _closed(request, refusal.message, refusal.status)
            return HttpResponseRedirect(_thanks_url())
        if not subject.named:
            subject = queries.subject_for_token(token)  # the page again, with the names
    context = {
        "subject": subject,
        "form": form or SurveyForm(),
        "started": form_stamp(queries.subject_shown(subject)),
        "comment_max": services.COMMENT_MAX,
    }
    return render(request, "surveys/respond.html", context, status=400 if form is not None else 200)


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
