"""The JSON API: one NinjaAPI, each app adds its router from <app>/api.py (OpenAPI at /api/v1/openapi.json)."""

from importlib import import_module
from importlib.util import find_spec

from ninja import NinjaAPI
from ninja.security import django_auth

from zhifa.common.apidocs import LocalSwagger, staff_only

# The docs page (/api/v1/docs) and the schema: Swagger UI from our static files, for logged-in staff only.
api = NinjaAPI(
    title="智慧执法学院 API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs=LocalSwagger(),
    docs_decorator=staff_only,
)

ROUTERS = [
    ("people", "zhifa.people"),
    ("notices", "zhifa.notices"),
    ("laws", "zhifa.laws"),
    ("records", "zhifa.records"),
    ("questions", "zhifa.questions"),
    ("courses", "zhifa.courses"),
    ("exams", "zhifa.exams"),
    ("cases", "zhifa.cases"),
    ("practice", "zhifa.practice"),
    ("classes", "zhifa.classes"),
    ("plans", "zhifa.plans"),
    ("certificates", "zhifa.certificates"),
    ("surveys", "zhifa.surveys"),
    ("evaluation", "zhifa.evaluation"),
    ("reports", "zhifa.reports"),
    ("assistant", "zhifa.assistant"),
]
for prefix, app in ROUTERS:
    if find_spec(f"{app}.api") is not None:
        api.add_router(f"/{prefix}/", import_module(f"{app}.api").router)
