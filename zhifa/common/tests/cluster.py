"""A production-shaped cluster on the loopback, started by the tests themselves in a private folder.

PostgreSQL primary + streaming replica (initdb, pg_basebackup -R, WAL archiving), Redis, an S3-compatible server
(MinIO when `minio` is on the PATH, otherwise moto's standalone server: the same protocol over HTTP), two app
servers (granian) started with deploy/serve.py, the task worker, and nginx running deploy/nginx/zhifa-app.conf.
Nothing outside the folder is touched and every process is stopped at the end (`Cluster.stop`). Used by
test_production_cluster.py (CI) and test_production_faults.py (`make cluster-test`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
BUCKET = "zhifa-media"
SECRET_KEY = "cluster-" + secrets.token_urlsafe(40)
FIELD_KEY = secrets.token_hex(32)


def pg_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def missing_components() -> list[str]:
    """What this machine lacks to run the cluster (empty when everything is there)."""
    missing = []
    if pg_bindir() is None:
        missing.append("PostgreSQL (/usr/lib/postgresql/*/bin)")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx")
    if not shutil.which("minio") and not (VENV_BIN / "moto_server").exists():
        missing.append("an S3 server (minio or moto_server)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser")
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"进程在端口 {port} 就绪前退出（返回码 {proc.returncode}）")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"端口 {port} 在 {timeout} 秒内未就绪")


def wait_http(url: str, timeout: float = 60) -> None:
    """Until the URL answers 200 (the app server binds its port before the workers have loaded Django)."""
    end = time.time() + timeout
    while time.time() < end:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} 在 {timeout} 秒内未返回 200")


@dataclass
class Cluster:
    dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    s3_kind: str = ""
    world: dict = field(default_factory=dict)  # what a test set up in the cluster (ids, names)

    # ---- helpers ------------------------------------------------------------------------------------------------

    def _pg(self, *cmd: str, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess:
        """A PostgreSQL binary, as the postgres user when we are root (initdb and postgres refuse root)."""
        bindir = pg_bindir()
        assert bindir is not None
        argv = [str(bindir / cmd[0]), *cmd[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, check=check, capture_output=capture, text=True, timeout=120)

    def psql(self, sql: str, *, node: str = "primary", db: str = "zhifa") -> str:
        out = self._pg(
            "psql", "-h", "127.0.0.1", "-p", str(self.ports[node]), "-U", "postgres", "-d", db, "-XAtqc", sql
        )
        return out.stdout.strip()

    def database_url(self, node: str = "primary") -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports[node]}/zhifa"

    def url(self, path: str = "/", *, local_media: bool = False) -> str:
        return f"http://127.0.0.1:{self.ports['nginx_local' if local_media else 'nginx']}{path}"

    def app_url(self, app: str, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.ports[app]}{path}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHIFA_", "DATABASE_URL", "REDIS_URL"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONPATH=str(ROOT),
            ZHIFA_SECRET_KEY=SECRET_KEY,
            ZHIFA_FIELD_ENCRYPTION_KEY=FIELD_KEY,
            ZHIFA_DEBUG="0",
            ZHIFA_TESTING="0",
            ZHIFA_LOG_LEVEL="WARNING",
            DATABASE_URL=self.database_url("primary"),
            ZHIFA_DB_REPLICA_URL=self.database_url("replica"),
            REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            ZHIFA_S3_BUCKET=BUCKET,
            ZHIFA_S3_ENDPOINT_URL=f"http://127.0.0.1:{self.ports['s3']}",
            ZHIFA_S3_ACCESS_KEY="zhifatest",
            ZHIFA_S3_SECRET_KEY="zhifatest-secret",
            ZHIFA_S3_REGION="us-east-1",
            ZHIFA_STATIC_ROOT=str(self.dir / "static"),
            ZHIFA_MEDIA_ROOT=str(self.dir / "media"),
            ZHIFA_COURSES_X_ACCEL_PREFIX="/protected-media/",
            ZHIFA_RATE_LIMITS="POST /accounts/login/ 12/60",
            ZHIFA_DB_CONN_MAX_AGE="60",
        )
        env.update(extra)
        return env

    def manage(self, *args: str, timeout: float = 300, **extra: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} 失败：\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
        return out.stdout

    def python(self, code: str, *, env: dict[str, str] | None = None, timeout: float = 300) -> str:
        """Run Python code with Django set up against the cluster (the primary); returns what it printed."""
        prelude = "import django; django.setup()\n"
        out = subprocess.run(
            [sys.executable, "-c", prelude + code],
            cwd=ROOT,
            env=self.env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"脚本失败：\n{out.stderr[-4000:]}")
        return out.stdout

    def _spawn(self, name: str, argv: list[str], **kw) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the process's life
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kw)
        self.procs[name] = proc
        return proc

    def _timed(self, label: str, began: float) -> None:
        self.timings[label] = round(time.perf_counter() - began, 2)

    # ---- components ---------------------------------------------------------------------------------------------

    def start_postgres(self) -> None:
        began = time.perf_counter()
        self.ports["primary"], self.ports["replica"] = free_port(), free_port()
        pgdir = self.dir / "pg"
        pgdir.mkdir()
        (pgdir / "archive").mkdir()
        if os.geteuid() == 0:
            shutil.chown(pgdir, "postgres", "postgres")
            shutil.chown(pgdir / "archive", "postgres", "postgres")
        primary, replica = pgdir / "primary", pgdir / "replica"
        self._pg(
            "initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"
        )
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# Zhifa test cluster (zhifa/common/tests/cluster.py)\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{pgdir}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nwal_keep_size = '64MB'\nhot_standby = on\n"
                "archive_mode = on\n"
                f"archive_command = 'test ! -f {pgdir}/archive/%f && cp %p {pgdir}/archive/%f'\n"
                "shared_buffers = '32MB'\nmax_connections = 120\njit = off\n"
                # A test cluster on a shared machine: no fsync (the faults here are process kills, not power cuts).
                "fsync = off\nfull_page_writes = off\n"
            )
        self._pg(
            "pg_ctl",
            "-D",
            str(primary),
            "-l",
            str(pgdir / "primary.log"),
            "-o",
            f"-p {self.ports['primary']}",
            "-w",
            "start",
        )
        self._pg(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._pg(
            "pg_ctl",
            "-D",
            str(replica),
            "-l",
            str(pgdir / "replica.log"),
            "-o",
            f"-p {self.ports['replica']}",
            "-w",
            "start",
        )
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres", "zhifa")
        self._timed("postgres primary + replica", began)

    def pg_ctl(self, node: str, action: str, mode: str = "fast") -> None:
        pgdir = self.dir / "pg"
        self._pg(
            "pg_ctl", "-D", str(pgdir / node), "-l", str(pgdir / f"{node}.log"),
            "-o", f"-p {self.ports[node]}", "-m", mode, "-w", action,
        )  # fmt: skip

    def start_redis(self) -> None:
        self.ports["redis"] = free_port()
        self._spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        wait_port(self.ports["redis"], proc=self.procs["redis"])

    def start_s3(self) -> None:
        began = time.perf_counter()
        port = self.ports["s3"] = free_port()
        if shutil.which("minio"):
            self.s3_kind = "MinIO"
            env = dict(os.environ, MINIO_ROOT_USER="zhifatest", MINIO_ROOT_PASSWORD="zhifatest-secret")
            self._spawn("s3", ["minio", "server", str(self.dir / "minio"), "--address", f"127.0.0.1:{port}"], env=env)
        else:
            self.s3_kind = "moto_server"
            self._spawn("s3", [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)])
        wait_port(port, proc=self.procs["s3"])
        self.s3_client().create_bucket(Bucket=BUCKET)
        self._timed(f"S3 ({self.s3_kind})", began)

    def s3_client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.ports['s3']}",
            aws_access_key_id="zhifatest",
            aws_secret_access_key="zhifatest-secret",
            region_name="us-east-1",
        )

    def prepare_database(self) -> None:
        began = time.perf_counter()
        self.manage("migrate", "--noinput", "-v", "0", timeout=600)
        self._timed("migrate", began)
        began = time.perf_counter()
        self.manage("collectstatic", "--noinput", "-v", "0")
        self._timed("collectstatic", began)

    def local_media_env(self) -> dict[str, str]:
        """The variant with media on a shared local folder, handed to nginx by X-Accel-Redirect (no S3)."""
        return {"ZHIFA_S3_BUCKET": ""}

    def start_app(self, name: str) -> None:
        """One app server (deploy/serve.py: granian), in its own process group. "local" serves local media."""
        port = self.ports.setdefault(name, free_port())
        metrics = self.dir / f"metrics-{name}"
        env = self.env(
            **(self.local_media_env() if name == "local" else {}),
            ZHIFA_BIND=f"127.0.0.1:{port}",
            ZHIFA_WORKERS="2",
            ZHIFA_THREADS="4",
            ZHIFA_PROC_NAME=f"zhifa-{name}",
            PROMETHEUS_MULTIPROC_DIR=str(metrics),
        )
        self._spawn(
            name,
            [sys.executable, str(ROOT / "deploy/serve.py")],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_port(port, timeout=120, proc=self.procs[name])
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
        except RuntimeError as error:  # say why: the app server's own log
            raise RuntimeError(f"{error}\n{name}.log:\n{self.log(name)}") from None

    def kill_app(self, name: str) -> None:
        """SIGKILL the whole app server (master and workers): no graceful shutdown."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def start_worker(self) -> None:
        self._spawn("worker", [sys.executable, "manage.py", "db_worker"], cwd=ROOT, env=self.env())

    def start_nginx(self) -> None:
        sys.path.insert(0, str(ROOT / "deploy"))
        from render_nginx import render

        port = self.ports["nginx"] = free_port()
        tmp = self.dir / "nginx-tmp"
        tmp.mkdir()
        tmp.chmod(0o777)
        (self.dir / "media").mkdir(exist_ok=True)
        app_conf = render(static_root=str(self.dir / "static"), media_root=str(self.dir / "media"))
        (self.dir / "zhifa-app.conf").write_text(app_conf)
        # The same file for the local-media variant: only the upstream's name differs.
        (self.dir / "zhifa-local.conf").write_text(app_conf.replace("http://zhifa_app;", "http://zhifa_local;"))
        self.ports["nginx_local"] = free_port()
        upstreams = "".join(
            f"        server 127.0.0.1:{self.ports[a]} max_fails=1 fail_timeout=10s;\n" for a in ("app1", "app2")
        )
        temp_paths = "".join(
            f"    {k}_temp_path {tmp}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.dir / "nginx.conf").write_text(
            f"worker_processes 1;\npid {self.dir}/nginx.pid;\nerror_log {self.dir}/nginx-error.log warn;\n"
            "events { worker_connections 512; }\n"
            "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    access_log {self.dir}/nginx-access.log;\n{temp_paths}"
            f"    upstream zhifa_app {{\n{upstreams}        keepalive 16;\n    }}\n"
            f"    server {{\n        listen 127.0.0.1:{port};\n        server_name 127.0.0.1;\n"
            f"        include {self.dir}/zhifa-app.conf;\n    }}\n"
            f"    upstream zhifa_local {{\n        server 127.0.0.1:{self.ports['local']};\n    }}\n"
            f"    server {{\n        listen 127.0.0.1:{self.ports['nginx_local']};\n        server_name 127.0.0.1;\n"
            f"        include {self.dir}/zhifa-local.conf;\n    }}\n}}\n"
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self._spawn("nginx", [nginx, "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir), "-g", "daemon off;"])
        wait_port(port, proc=self.procs["nginx"])

    # ---- life -----------------------------------------------------------------------------------------------------

    def start(self) -> Cluster:
        began = time.perf_counter()
        self.dir.chmod(0o755)  # nginx's workers (an unprivileged user) read static files and media under it
        self.start_postgres()
        self.start_redis()
        self.start_s3()
        self.prepare_database()
        t = time.perf_counter()
        self.start_app("app1")
        self.start_app("app2")
        self._timed("two app servers", t)
        self.start_app("local")
        self.start_worker()
        self.start_nginx()
        for port in ("nginx", "nginx_local"):  # the first requests load each worker's code: not a test's timeout
            for _ in range(4):
                wait_http(f"http://127.0.0.1:{self.ports[port]}/healthz", timeout=180)
        self._timed("whole cluster", began)
        return self

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        for node in ("replica", "primary"):
            if (self.dir / "pg" / node / "postmaster.pid").exists():
                self.pg_ctl(node, "stop", mode="immediate")

    def log(self, name: str, tail: int = 3000) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


@contextlib.contextmanager
def running_cluster(keep: bool = False):
    """A started cluster in a fresh temporary folder; stopped (and the folder removed unless `keep`) afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="zhifa-cluster-"))
    cluster = Cluster(dir=folder)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
