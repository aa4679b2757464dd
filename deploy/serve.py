"""One Zhifa Academy app server: granian serving config.wsgi, configured from the environment.

deploy/systemd/zhifa-web.service runs `python deploy/serve.py`; the cluster test and the load benchmarks run the same
file, so they measure what a server runs. Every value comes from the environment (the unit's EnvironmentFile):

    ZHIFA_BIND            127.0.0.1:8001, or unix:/run/zhifa/web.sock
    ZHIFA_WORKERS         processes (default: one per core)
    ZHIFA_THREADS         threads per process running Django (default 8: they cover the waits on PostgreSQL and
                          Redis; 4 gave the survey intake p99 352–749 ms, docs/performance.md)
    ZHIFA_WORKER_MAX_RSS  MiB a worker may reach before it is replaced gracefully (default 2048: bounds slow leaks)
    ZHIFA_ACCESS_LOG      any value: an access-log line per request on stdout (off: nginx writes the access log)
    ZHIFA_LOG_LEVEL_SERVER  granian's own log level (default warning)
    ZHIFA_PROC_NAME       process title (default zhifa)

Why granian and not gunicorn (DESIGN.md names gunicorn gthread): its HTTP layer is native code, gunicorn's is Python
under the same GIL as Django. Side by side on 2 cores (docs/performance.md, "The app server"), a `/healthz` costs
≈ 0.3 ms and an exam autosave ≈ 0.3–0.4 ms less CPU, which is what the autosave target lacked.

`python deploy/serve.py --check` loads the app once and prints the shape without serving (the unit test runs it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def options(environ: dict[str, str]) -> dict:
    """granian's keyword arguments for this environment (pure: the tests read it)."""
    from granian.constants import Interfaces

    bind = environ.get("ZHIFA_BIND", "127.0.0.1:8001")
    host, _, port = bind.rpartition(":")
    if bind.startswith("unix:"):
        where: dict = {"uds": Path(bind.removeprefix("unix:"))}
    elif host and port.isdigit():
        where = {"address": host, "port": int(port)}
    else:
        raise SystemExit(f"ZHIFA_BIND={bind!r} 无法识别：请写成 地址:端口（如 127.0.0.1:8001）或 unix:/套接字路径。")
    access_log = bool(environ.get("ZHIFA_ACCESS_LOG"))
    return where | {
        "target": "config.wsgi:application",
        "interface": Interfaces.WSGI,
        "workers": int(environ.get("ZHIFA_WORKERS") or os.cpu_count() or 1),
        "blocking_threads": int(environ.get("ZHIFA_THREADS", "8")),
        "websockets": False,
        "backlog": 2048,
        # A crashed worker comes back, as under any process manager; a fat one is replaced after its requests end.
        "respawn_failed_workers": True,
        "workers_max_rss": int(environ.get("ZHIFA_WORKER_MAX_RSS", "2048")),
        "rss_samples": 3,
        "workers_kill_timeout": 30,
        "log_level": environ.get("ZHIFA_LOG_LEVEL_SERVER", "warning"),
        "log_access": access_log,
        # No query strings: survey tokens and search words stay out of the logs.
        "log_access_format": '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).1fms' if access_log else None,
        "process_name": environ.get("ZHIFA_PROC_NAME", "zhifa"),
        "working_dir": ROOT,
    }


def prepare_metrics(environ: dict[str, str], bind: str) -> None:
    """Prometheus: each worker writes its samples into one folder that /metrics sums (zhifa/common/ops.py). It starts
    empty: the files of a previous run's workers would be counted again."""
    folder = environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", f"/tmp/zhifa-metrics-{bind.replace(':', '-').replace('/', '_')}"
    )
    shutil.rmtree(folder, ignore_errors=True)
    Path(folder).mkdir(parents=True, exist_ok=True)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    settings = options(dict(os.environ))
    prepare_metrics(os.environ, os.environ.get("ZHIFA_BIND", "127.0.0.1:8001"))
    if "--check" in argv:
        from config.wsgi import application

        assert callable(application)
        print(f"granian wsgi {settings['workers']}×{settings['blocking_threads']}: config.wsgi loads")
        return
    from granian import Granian

    Granian(**settings).serve()


if __name__ == "__main__":
    main(sys.argv[1:])
