"""Root URLconf: each app owns its urls.py (namespace = app label) and its api.py router under /api/v1/."""

from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from config.api import api

APPS_WITH_PAGES = [
    ("", "zhifa.common"),
    ("", "zhifa.portal"),
    ("accounts/", "zhifa.people"),
    ("people/", "zhifa.people.console_urls"),
    ("notices/", "zhifa.notices"),
    ("laws/", "zhifa.laws"),
    ("records/", "zhifa.records"),
    ("questions/", "zhifa.questions"),
    ("courses/", "zhifa.courses"),
    ("exams/", "zhifa.exams"),
    ("cases/", "zhifa.cases"),
    ("practice/", "zhifa.practice"),
    ("classes/", "zhifa.classes"),
    ("plans/", "zhifa.plans"),
    ("certificates/", "zhifa.certificates"),
    ("surveys/", "zhifa.surveys"),
    ("evaluation/", "zhifa.evaluation"),
    ("reports/", "zhifa.reports"),
    ("assistant/", "zhifa.assistant"),
    ("security/", "zhifa.security"),
]


def _app_urls(module: str) -> list:
    name = module if module.endswith("_urls") else f"{module}.urls"
    if find_spec(name) is None:
        return []
    return [import_module(name)]


handler500 = "zhifa.common.views.server_error"  # Chinese; 503 + Retry-After while the database is unreachable

urlpatterns: list[URLPattern | URLResolver] = [
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
for prefix, module in APPS_WITH_PAGES:
    for urls_module in _app_urls(module):
        urlpatterns.append(path(prefix, include(urls_module)))
# No public /media/: uploaded files go out only through access-checked views (zhifa/common/files.py), in the demo
# as in production.
