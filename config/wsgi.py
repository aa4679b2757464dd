import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Load the URLconf — and with it every view and API module — as the worker starts, not in its first requests:
# Django does it lazily, and an exam's start burst that met freshly started workers waited 1–3 s on the imports
# (p95 3.3 s for 1,000 examinees against a p50 of 115 ms; benchmarks/bench_exams_start.py, docs/performance.md).
_ = get_resolver().url_patterns
# Everything loaded so far (Django, every app's modules, the URLconf) lives as long as the worker: move it out of the
# collector's reach. A full collection traversed those ≈ 180,000 objects in 110 ms idle and 200–220 ms under load,
# stopping all of the worker's threads — the survey intake's p99 was those pauses (docs/performance.md, session 11).
# Objects made later (requests, caches such as the search re-ranker) are collected as before.
gc.freeze()
