"""gunicorn settings for one Zhifa Academy app server (deploy/systemd/zhifa-web.service starts it).

Every value can be overridden from the environment (the unit's EnvironmentFile), so the file itself is not edited.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("ZHIFA_BIND", "127.0.0.1:8001")
worker_class = "gthread"
# cores + 1 processes; threads cover the waits on PostgreSQL and Redis. gunicorn's rule of 2 × cores + 1 was the worst
# shape measured for the autosave on 2 cores (5×8: 311 saves/s against 513 for 3×8 in the same quarter hour, and 420
# against 513 for 4×2 in session 8): more processes than cores only contend for them (docs/performance.md).
workers = int(os.environ.get("ZHIFA_WORKERS", str((os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("ZHIFA_THREADS", "8"))
# Longer than nginx's proxy_read_timeout (60 s): nginx answers the client first, then gunicorn ends the worker.
timeout = int(os.environ.get("ZHIFA_WORKER_TIMEOUT", "75"))
graceful_timeout = 30
keepalive = 30  # nginx keeps upstream connections open (keepalive in the upstream block)
# Recycle workers to bound slow leaks, but rarely: a new worker imports Django again (≈ 1.5 s of a core), and at 5,000
# requests five workers on 2 cores restarted every 10 s under an exam's autosaves (p99 3.5 s; docs/performance.md).
max_requests = int(os.environ.get("ZHIFA_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 10
backlog = 2048
# nginx writes the access log of every request (deploy/nginx/zhifa.conf); a second line per request from each app
# server costs its CPU and the journal's for nothing new. ZHIFA_ACCESS_LOG=- turns it on (to stdout) for debugging.
accesslog = os.environ.get("ZHIFA_ACCESS_LOG") or None
errorlog = os.environ.get("ZHIFA_ERROR_LOG", "-")
loglevel = os.environ.get("ZHIFA_GUNICORN_LOG_LEVEL", "warning")
# No query strings in the access log: survey tokens and search words stay out of the logs.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s"'
forwarded_allow_ips = os.environ.get("ZHIFA_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = os.environ.get("ZHIFA_PROC_NAME", "zhifa")

# Prometheus: each worker writes its samples to files in this folder; /metrics sums them (zhifa/common/ops.py).
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", f"/tmp/zhifa-metrics-{bind.replace(':', '-').replace('/', '_')}"
)


def on_starting(server):
    """Start with an empty metrics folder: files of a previous run's workers would be counted again."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended no longer counts in live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
