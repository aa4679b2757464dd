"""Shared set-up for benchmarks: a scratch database (SQLite file or PostgreSQL), migrated, and Django configured.

Usage in a benchmark script, before importing any model:

    from _setup import scratch_database
    db = scratch_database("practice", postgres=args.pg)
"""

from __future__ import annotations

import io
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ZHIFA_BENCH_PG_PORT points the scratch databases at another cluster (the fault run restarts a private one).
PG_PORT = os.environ.get("ZHIFA_BENCH_PG_PORT", "5432")
PG_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/"


def machine() -> str:
    cpus = os.cpu_count()
    load = os.getloadavg()[0]
    return f"{platform.node()} · {cpus} cores · load {load:.1f} · Python {platform.python_version()}"


def wsgi_environ(path: str, *, body: bytes | None = None, **headers: str) -> dict:
    """A WSGI environ for calling Django's handler in-process: GET, or a JSON POST when `body` is given."""
    return {
        "REQUEST_METHOD": "POST" if body is not None else "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body or b"")),
        **headers,
    }


def scratch_database(name: str, *, postgres: bool, reuse: bool = False) -> str:
    """Point Django at a fresh scratch database named zhifa_bench_<name>, migrate it, and return its label.

    With reuse=True, point at the one an earlier run left (no drop, no migrate); exit if a SQLite one is missing.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ZHIFA_DEBUG"] = "1"
    os.environ["ZHIFA_TASKS_IMMEDIATE"] = "1"
    db = f"zhifa_bench_{name}"
    if postgres and reuse:
        os.environ["DATABASE_URL"] = PG_URL + db
    elif postgres:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {db}"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres", "-q", "-c", f"CREATE DATABASE {db}"],
            check=True,
            capture_output=True,
        )
        os.environ["DATABASE_URL"] = PG_URL + db
    else:
        path = ROOT / "var" / "bench" / f"{db}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if reuse and not path.exists():
            sys.exit(f"{path} does not exist: run with --prepare first")
        for suffix in ("", "-wal", "-shm") if not reuse else ():
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["ZHIFA_SQLITE_PATH"] = str(path)
    import django

    django.setup()
    from django.core.management import call_command

    if not reuse:
        call_command("migrate", verbosity=0)
    return f"PostgreSQL {db}" if postgres else f"SQLite {db}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * p / 100), len(ordered) - 1)]
