"""The API documentation page (Swagger UI) from the project's own static files, for logged-in staff only.

django-ninja's page loads Swagger UI from a CDN unless its app is installed; on a government intranet, and under
the site's CSP, that page is blank. This one serves the npm-built copy (`make assets` → static/vendor/swagger-ui)
with the CSP nonce, and sends the CSRF token from the page (the cookie is HttpOnly).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    template = "common/api_docs.html"

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": swagger_settings})


def staff_only(view: Callable) -> Callable:
    """The log-in page for the anonymous, 404 for a logged-in user who is not staff (the docs are not advertised)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
