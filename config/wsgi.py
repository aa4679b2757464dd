import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Load the URLconf — and with it every view and API module — as the worker starts, not in its first requests:
# Django does it lazily, and an exam's start burst that met freshly started workers waited 1–3 s on the imports
# (p95 3.3 s for 1,000 examinees against a p50 of 115 ms; benchmarks/bench_exams_start.py, docs/performance.md).
_ = get_resolver().url_patterns
