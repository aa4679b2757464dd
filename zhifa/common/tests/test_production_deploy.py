"""The shipped deployment files and the production settings: nginx config, systemd units, the app server launcher,
`check --deploy`, start-up refusals, readiness, metrics, rate limits, the replica router (no cluster needed)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from zhifa.common import dbrouter
from zhifa.common.ratelimits import parse_rate_rules

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(DEPLOY))
from render_nginx import render  # noqa: E402

PRODUCTION_ENV = {
    "ZHIFA_SECRET_KEY": "p7Qv-3xZ!kLm9#Rt2Yw@Nb6&Hc8^Jd4*Fs1%Gx5(Ve0)Ua_Ti+Op=Ek/Lq",
    "ZHIFA_FIELD_ENCRYPTION_KEY": "ab" * 32,
    "ZHIFA_SECURE_COOKIES": "true",
    "ZHIFA_ALLOWED_HOSTS": "zhifa.example.gov.cn",
    "ZHIFA_DEBUG": "false",
    "ZHIFA_TESTING": "0",
    "ZHIFA_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",  # console mail fails check --deploy
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Not the test process's own knobs (a browser test sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy refuses).
    dropped = {"PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHIFA_") and k not in dropped}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


# ---- deployment files -------------------------------------------------------------------------------------------


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx 未安装")
def test_the_shipped_nginx_config_passes_nginx_t(tmp_path):
    (tmp_path / "zhifa-app.conf").write_text(render(static_root="/srv/zhifa/static", media_root="/srv/zhifa/media"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {tmp_path};\n proxy_temp_path {tmp_path};\n"
        f" upstream zhifa_app {{ server 127.0.0.1:8001; keepalive 4; }}\n"
        f" server {{ listen 127.0.0.1:18080; include {tmp_path}/zhifa-app.conf; }}\n}}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx 未安装")
def test_the_production_server_block_with_tls_passes_nginx_t(tmp_path):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zhifa.example.gov.cn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "zhifa.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "zhifa.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (tmp_path / "zhifa-app.conf").write_text(render(static_root="/srv/zhifa/static", media_root="/srv/zhifa/media"))
    site = (DEPLOY / "nginx" / "zhifa.conf").read_text()
    for old, new in (
        ("/etc/zhifa/tls", str(tmp_path)),
        ("/etc/nginx/zhifa-app.conf", str(tmp_path / "zhifa-app.conf")),
        ("/var/log/nginx", str(tmp_path)),
        ("listen 80;", "listen 127.0.0.1:18081;"),
        ("listen 443 ssl http2;", "listen 127.0.0.1:18443 ssl http2;"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {tmp_path};\n proxy_temp_path {tmp_path};\n"
        f" include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_nginx_template_needs_absolute_folders():
    with pytest.raises(ValueError, match="STATIC_ROOT"):
        render(static_root="var/static", media_root="/srv/media")


def test_the_systemd_units_point_at_what_exists():
    commands = {p.stem for p in ROOT.glob("zhifa/*/management/commands/*.py")} | {"db_worker"}
    for unit in (DEPLOY / "systemd").iterdir():
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        assert parser.has_section("Unit"), unit.name
        if unit.suffix == ".service":
            start = parser["Service"]["ExecStart"]
            assert start.startswith("/srv/zhifa/app/.venv/bin/"), unit.name
            if "deploy/" in start:
                assert (ROOT / start.split("/srv/zhifa/app/")[-1]).exists(), unit.name
        else:  # a template for any job, or one job's own timer (zhifa-search-sync.timer: on every app server)
            job = parser["Timer"]["Unit"].removeprefix("zhifa-job@").removesuffix(".service")
            assert parser["Timer"]["Unit"].startswith("zhifa-job@") and job in commands | {"%i"}, unit.name
    documented = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for job in ("exams_autosubmit", "compute_mastery"):
        assert job in commands and "zhifa-" in documented and job in documented


def test_the_app_server_launcher_loads_the_app_with_production_settings():
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "serve.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            **PRODUCTION_ENV,
            "ZHIFA_BIND": "127.0.0.1:18001",
            "ZHIFA_WORKERS": "3",
            "PROMETHEUS_MULTIPROC_DIR": "/tmp/zhifa-metrics-check",
        },
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "granian wsgi 3×8" in result.stdout


def test_the_app_server_reads_its_shape_from_the_environment():
    sys.path.insert(0, str(DEPLOY))
    from serve import options

    tcp = options({"ZHIFA_BIND": "10.0.0.5:8001", "ZHIFA_WORKERS": "4", "ZHIFA_THREADS": "2"})
    assert (tcp["address"], tcp["port"], tcp["workers"], tcp["blocking_threads"]) == ("10.0.0.5", 8001, 4, 2)
    assert tcp["log_access"] is False  # nginx writes the access log
    assert options({"ZHIFA_BIND": "unix:/run/zhifa/web.sock"})["uds"] == Path("/run/zhifa/web.sock")
    assert "query" not in options({"ZHIFA_ACCESS_LOG": "1"})["log_access_format"]  # no survey tokens in logs
    with pytest.raises(SystemExit, match="ZHIFA_BIND"):
        options({"ZHIFA_BIND": "8001"})


# ---- settings -----------------------------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_names_each_weak_setting():
    weak = {
        **PRODUCTION_ENV,
        "ZHIFA_SECRET_KEY": "short",
        "ZHIFA_OTP_REQUIRED": "false",
        "ZHIFA_SESSION_IDLE_MINUTES": "120",
    }
    weak.pop("ZHIFA_FIELD_ENCRYPTION_KEY")
    result = run_manage("check", "--deploy", **weak)
    assert result.returncode != 0
    for code in ("zhifa.E001", "zhifa.E004", "zhifa.E005", "zhifa.E006"):
        assert code in result.stderr, code


@pytest.mark.parametrize(
    "variable, value, words",
    [
        ("ZHIFA_RATE_LIMITS", "POST /accounts/login/ many", "ZHIFA_RATE_LIMITS"),
        ("ZHIFA_DB_REPLICA_URL", "mysql://replica/zhifa", "ZHIFA_DB_REPLICA_URL"),
        ("ZHIFA_AUDIT_RETENTION_DAYS", "90", "180"),
        ("ZHIFA_OIDC_CLIENT_ID", "zhifa", "ZHIFA_OIDC_TOKEN_ENDPOINT"),
    ],
)
def test_a_bad_production_setting_stops_the_start(variable, value, words):
    result = run_manage("check", **{**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0 and words in result.stderr


# ---- readiness, metrics, rate limits ------------------------------------------------------------------------------


def test_readiness_reports_each_dependency(db, client):
    body = client.get("/readyz").json()
    assert set(body["checks"]) >= {"database", "cache", "storage", "migrations"}
    assert all(body["checks"][k]["ok"] for k in ("database", "cache", "storage")), body


def test_metrics_count_requests_and_stay_private(db, client):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'zhifa_http_requests_total{method="GET",route="common:healthz",status="200"}' in text
    assert 'zhifa_database_up{alias="default"} 1.0' in text
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404


def test_the_login_rate_limit_answers_429_per_client_ip(db, settings):
    settings.RATE_LIMITS = ["POST /accounts/login/ 3/60"]
    first, second = Client(HTTP_X_REAL_IP="10.0.0.1"), Client(HTTP_X_REAL_IP="10.0.0.2")
    statuses = [first.post("/accounts/login/", {"username": "x", "password": "y"}).status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    assert second.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200
    refused = first.post("/accounts/login/", {"username": "x", "password": "y"})
    assert refused["Retry-After"] == "60" and "请求过于频繁" in refused.content.decode()


def test_rate_rules_are_parsed_or_refused():
    rule = parse_rate_rules(["post /surveys/ 300/1"])[0]
    assert (rule.method, rule.prefix, rule.limit, rule.seconds) == ("POST", "/surveys/", 300, 1)
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="次数/秒数"):
        parse_rate_rules(["POST surveys 1/1"])


# ---- the replica router -------------------------------------------------------------------------------------------


class _Meta:
    def __init__(self, label: str):
        self.app_label = label.partition(".")[0]
        self.label_lower = label


class _Model:
    def __init__(self, label: str):
        self._meta = _Meta(label)


def test_the_router_sends_report_reads_to_the_replica_and_every_write_to_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    router = dbrouter.ReplicaRouter()
    records = _Model("records.hoursentry")
    assert router.db_for_read(records) is None  # outside a report: Django's default
    with dbrouter.replica_reads():
        assert router.db_for_read(records) == "replica"
        assert router.db_for_read(_Model("people.user")) == "default"  # who the request is: always the primary
        assert router.db_for_read(_Model("sessions.session")) == "default"
        assert router.db_for_write(records) == "default"
    assert router.allow_migrate("replica", "records") is False


def test_without_a_replica_the_router_changes_nothing(settings):
    router = dbrouter.ReplicaRouter()
    with dbrouter.replica_reads():
        assert router.db_for_read(_Model("records.hoursentry")) is None
