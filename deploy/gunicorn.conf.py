"""gunicorn settings for one Zhifa Academy app server (deploy/systemd/zhifa-web.service starts it).

Every value can be overridden from the environment (the unit's EnvironmentFile), so the file itself is not edited.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("ZHIFA_BIND", "127.0.0.1:8001")
worker_class = "gthread"
# 2 × cores + 1 processes is gunicorn's rule for CPU-bound work; threads cover the waits on PostgreSQL and Redis.
workers = int(os.environ.get("ZHIFA_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("ZHIFA_THREADS", "8"))
# Longer than nginx's proxy_read_timeout (60 s): nginx answers the client first, then gunicorn ends the worker.
timeout = int(os.environ.get("ZHIFA_WORKER_TIMEOUT", "75"))
graceful_timeout = 30
keepalive = 30  # nginx keeps upstream connections open (keepalive in the upstream block)
max_requests = int(os.environ.get("ZHIFA_MAX_REQUESTS", "5000"))  # recycle workers: bounds slow leaks
max_requests_jitter = 500
backlog = 2048
accesslog = os.environ.get("ZHIFA_ACCESS_LOG", "-")
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
