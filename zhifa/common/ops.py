"""What operations watch and what protects the servers: readiness, Prometheus metrics, per-IP rate limits.

- `/healthz` (common.views) says the process answers and reaches the primary; `/readyz` says this app server can
  take traffic: primary, object storage, no unapplied migration; the replica (and its replay lag) and the cache
  are reported, not required.
- `/metrics` exposes Prometheus metrics through `prometheus_client` (the official exporter library). Each app
  server worker process writes its samples to `PROMETHEUS_MULTIPROC_DIR` (set by deploy/serve.py) and a scrape sums
  them. Only addresses in `METRICS_ALLOWED_IPS` may read it (nginx does not route it from outside either).
  django-prometheus was the first choice; its current release requires Django < 6.1, this project runs 6.1.
- `RateLimitMiddleware` counts requests per client IP and rule in the cache: with several app servers the cache is
  Redis, so a limit holds across all of them (a client cannot get twice the limit by being balanced over two).
  While Redis is down each process keeps counting for itself: a limit is never lifted (common/cache.py).
"""

from __future__ import annotations

import hashlib
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from zhifa.common import cache as shared_cache
from zhifa.common.middleware import client_ip
from zhifa.common.ratelimits import parse_rate_rules

REQUESTS = Counter("zhifa_http_requests", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "zhifa_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMITED = Counter("zhifa_rate_limited", "Requests refused by a rate limit", ["rule"])


# ---- rate limits ------------------------------------------------------------------------------------------------


def rate_limit_hit(*, key: str, limit: int, seconds: int) -> bool:
    """Count one request under `key`; True when it is over `limit` in the window opened by the key's first request
    (`seconds` long). Atomic on Redis; while Redis is down the limit still holds, per process (common/cache.py)."""
    bucket = f"ratelimit:{hashlib.blake2s(key.encode(), digest_size=12).hexdigest()}"  # any key is cache-safe
    return shared_cache.window_count(bucket, seconds=seconds, use="rate-limit") > limit


class RateLimitMiddleware:
    """429 with Retry-After once a client IP passes a rule's limit; the rules come from settings.RATE_LIMITS."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = parse_rate_rules(list(getattr(settings, "RATE_LIMITS", [])))

    def __call__(self, request: HttpRequest):
        for rule in self.rules:
            if request.method == rule.method and request.path.startswith(rule.prefix):
                ip = client_ip(request) or "unknown"
                if rate_limit_hit(key=f"{rule.name}:{ip}", limit=rule.limit, seconds=rule.seconds):
                    RATE_LIMITED.labels(rule=rule.name).inc()
                    response = HttpResponse(
                        "请求过于频繁，请稍后再试。", status=429, content_type="text/plain; charset=utf-8"
                    )
                    response["Retry-After"] = str(rule.seconds)
                    return response
        return self.get_response(request)


# ---- metrics ----------------------------------------------------------------------------------------------------


class MetricsMiddleware:
    """Count every request and time it, labelled by URL pattern (bounded label values), method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        began = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or match.route) if match else "-"
        LATENCY.labels(route=route).observe(time.perf_counter() - began)
        REQUESTS.labels(method=request.method, route=route, status=str(response.status_code)).inc()
        return response


class DatabaseCollector:
    """At scrape time: is each database reachable, and how far behind is the replica (seconds)."""

    def collect(self):
        up = GaugeMetricFamily("zhifa_database_up", "1 when the database answers", labels=["alias"])
        for alias in settings.DATABASES:
            up.add_metric([alias], 1.0 if check_database(alias)["ok"] else 0.0)
        yield up
        if "replica" in settings.DATABASES:
            lag = replica_lag_seconds()
            if lag is not None:
                yield GaugeMetricFamily("zhifa_replica_lag_seconds", "Replica replay lag", value=lag)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; 404 for addresses outside METRICS_ALLOWED_IPS (do not confirm it exists)."""
    if request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        return HttpResponse("页面不存在。", status=404, content_type="text/plain; charset=utf-8")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry)
    extra = CollectorRegistry()
    extra.register(DatabaseCollector())
    body += generate_latest(extra)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


# ---- readiness --------------------------------------------------------------------------------------------------


def check_database(alias: str) -> dict:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # any failure means "not ready"; the message helps the operator
        connections[alias].close_if_unusable_or_obsolete()
        return {"ok": False, "error": type(error).__name__}


def replica_lag_seconds() -> float | None:
    """Seconds since the replica last replayed a transaction (0 when it has nothing to replay); None if unknown."""
    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            value = cursor.fetchone()[0]
        return float(value) if value is not None else 0.0
    except Exception:
        return None


def check_cache() -> dict:
    try:
        key = f"readyz:{os.getpid()}"
        cache.set(key, "1", timeout=10)
        return {"ok": cache.get(key) == "1"}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


def check_storage() -> dict:
    from django.core.files.storage import default_storage

    try:
        default_storage.exists("readyz-probe")  # a HEAD on object storage; a stat on a local folder
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


_migrations_done = False


def check_migrations() -> dict:
    """No unapplied migration (checked until it is true once per process: it only becomes true after migrate)."""
    global _migrations_done
    if _migrations_done:
        return {"ok": True}
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections["default"])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    _migrations_done = not pending
    return {"ok": not pending, "pending": len(pending)}


def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this app server may take traffic, 503 (with each check's result) when it may not."""
    # The cache is reported, not required: without Redis the platform degrades (common/cache.py), and taking every
    # app server out of the balancer because Redis is down would turn a degradation into an outage.
    checks = {"database": check_database("default"), "cache": {**check_cache(), "required": False}}
    checks["storage"] = check_storage()
    checks["migrations"] = check_migrations() if checks["database"]["ok"] else {"ok": False}
    if "replica" in settings.DATABASES:
        # A replica that is down or far behind does not stop this server: reports then read stale figures, which
        # the lag metric shows. Reported, not required.
        checks["replica"] = {**check_database("replica"), "lag_seconds": replica_lag_seconds(), "required": False}
    ready = all(c["ok"] for c in checks.values() if c.get("required", True))
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
