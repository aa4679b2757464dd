"""The production path, over the wire on the loopback: nginx (deploy/nginx/zhifa-app.conf) in front of two app
servers (deploy/serve.py: granian), a PostgreSQL primary with a streaming replica, Redis, an S3 server.

The cluster is started by the test itself (zhifa/common/tests/cluster.py) and stopped at the end. It runs only
with ZHIFA_CLUSTER=1: `make cluster-test-fast` (CI: everything but the faults) and `make cluster-test` (all).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from zhifa.common.tests.cluster import Cluster, free_port, missing_components, running_cluster

requests = pytest.importorskip("requests")

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(os.environ.get("ZHIFA_CLUSTER") != "1", reason="集群测试：make cluster-test 运行"),
    pytest.mark.skipif(bool(missing_components()), reason=f"缺少组件：{', '.join(missing_components())}"),
]

PASSWORD = "Zhifa#2026test"
TOTP_KEY = "3132333435363738393031323334353637383930"  # the system administrator's authenticator (hex)
FIGURES: dict[str, object] = {}

WORLD = """
import json
from zhifa.people.testing import build_org, grant, make_officer, make_user
from zhifa.people.models import Role
org = build_org()
officers = [make_officer(org.east_market, name=f"考生{n}", username=f"examinee{n}", certificate_number=f"JB9{n:07d}",
                         domains=[org.market_domain]) for n in range(4)]
admin = make_user("sysadmin", display_name="系统管理员")
grant(admin, Role.SYSTEM_ADMIN)
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.create(user=admin, name="动态口令", confirmed=True, key="{TOTP_KEY}")
print(json.dumps({"examinees": [o.user.username for o in officers], "city": org.city.pk, "market": org.market.pk}))
"""

EXAM = """
from zhifa.exams.tests import factories
from zhifa.people.models import Unit
class Org:
    market = Unit.objects.get(pk={market})
factories.bank(kinds=("single",), per_kind=30)
bp = factories.blueprint(Org.market, sections=[{{"kind": "single", "count": 30, "points": "2"}}])
print(factories.exam(Org, by=None, bp=bp, minutes=60, attempts_allowed=1).pk)
"""


@pytest.fixture(scope="module")
def cluster(request):
    with running_cluster() as c:
        world = json.loads(c.python(WORLD.replace("{TOTP_KEY}", TOTP_KEY)).strip().splitlines()[-1])
        c.world = world
        FIGURES["cluster start (s)"] = c.timings
        yield c
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n== production cluster figures (also in var/cluster-test-figures.json)")
        for key, value in FIGURES.items():
            print(f"   {key}: {value}")
    out = Path(__file__).resolve().parents[3] / "var" / "cluster-test-figures.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(FIGURES, ensure_ascii=False, indent=1), encoding="utf-8")


class Visitor:
    """A browser-like client: cookies, the CSRF token from the cookie, pages and the JSON API."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.http = requests.Session()

    def get(self, path: str, **kw):
        return self.http.get(self.base + path, timeout=30, **kw)

    def post(self, path: str, data=None, json_body=None, **kw):
        headers = {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), **kw.pop("headers", {})}
        if json_body is not None:
            return self.http.post(self.base + path, json=json_body, headers=headers, timeout=30, **kw)
        return self.http.post(self.base + path, data=data, headers=headers, timeout=30, **kw)

    def second_factor(self, code: str):
        page = self.get("/security/otp/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:300]
        return self.post(
            "/security/otp/", data={"csrfmiddlewaretoken": token.group(1), "token": code}, allow_redirects=False
        )

    def login(self, username: str, password: str = PASSWORD):
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        return self.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password, "next": "/"},
            allow_redirects=False,
        )


UNIT = """
from zhifa.people import services
from zhifa.people.models import Unit
services.unit_create(name="{name}", code="{code}", level=Unit.Level.UNIT, kind=Unit.Kind.OTHER,
                     parent=Unit.objects.get(pk={parent}), province="")
"""


def totp_now() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY), step=30, t0=0, digits=6):06d}"


# ---- nginx in front --------------------------------------------------------------------------------------------


def test_health_and_readiness_through_nginx(cluster: Cluster):
    assert requests.get(cluster.url("/healthz"), timeout=10).json() == {"status": "ok"}
    ready = requests.get(cluster.url("/readyz"), timeout=10)
    checks = ready.json()["checks"]
    assert ready.status_code == 200, ready.text
    assert all(checks[k]["ok"] for k in ("database", "cache", "storage", "migrations", "replica"))
    FIGURES["replica lag at rest (s)"] = checks["replica"]["lag_seconds"]


def test_nginx_serves_static_files_compressed_with_security_headers(cluster: Cluster):
    css = max((cluster.dir / "static").rglob("*.css"), key=lambda p: p.stat().st_size)
    path = "/static/" + css.relative_to(cluster.dir / "static").as_posix()
    response = requests.get(cluster.url(path), headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
    raw = response.raw.read()
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(raw) == css.read_bytes()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=604800" in response.headers["Cache-Control"]
    assert "Server" not in response.headers or "/" not in response.headers["Server"]  # no version number


def test_pages_carry_one_set_of_security_headers(cluster: Cluster):
    page = requests.get(cluster.url("/accounts/login/"), timeout=10)
    assert page.status_code == 200
    assert "script-src 'self' 'nonce-" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"  # once: nginx's copy replaces the app's
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"


def test_internal_locations_are_closed_from_outside(cluster: Cluster):
    assert requests.get(cluster.url("/protected-media/anything.mp4"), timeout=10).status_code == 404
    assert requests.get(cluster.url("/media/anything.pdf"), timeout=10).status_code == 404
    assert requests.get(cluster.url("/metrics"), timeout=10).status_code == 404


def test_an_oversized_upload_is_refused_by_nginx(cluster: Cluster):
    body = b"x" * (26 * 1024 * 1024)
    response = requests.post(cluster.url("/accounts/login/"), data=body, timeout=30)
    assert response.status_code == 413


def test_metrics_are_scraped_from_each_app_server(cluster: Cluster):
    requests.get(cluster.url("/healthz"), timeout=10)
    for app in ("app1", "app2"):
        text = requests.get(cluster.app_url(app, "/metrics"), timeout=10).text
        assert "zhifa_http_requests_total" in text
        assert 'zhifa_database_up{alias="replica"} 1.0' in text
        assert "zhifa_http_request_duration_seconds_bucket" in text


# ---- shared state across the two app servers -------------------------------------------------------------------


def test_a_session_made_on_one_app_server_works_on_the_other(cluster: Cluster):
    visitor = Visitor(cluster.app_url("app1"))
    assert visitor.login("examinee0").status_code == 302
    cookie = visitor.http.cookies.get("sessionid")
    for app in ("app1", "app2"):
        home = requests.get(cluster.app_url(app, "/"), cookies={"sessionid": cookie}, timeout=10, allow_redirects=False)
        assert home.status_code == 200, (app, home.status_code)


def test_the_login_rate_limit_holds_across_both_app_servers(cluster: Cluster):
    # 12 a minute per client IP (the cluster's ZHIFA_RATE_LIMITS): alternating servers does not double it.
    statuses = []
    for n in range(14):
        app = "app1" if n % 2 == 0 else "app2"
        response = requests.post(
            cluster.app_url(app, "/accounts/login/"),
            data={"username": "x"},
            headers={"X-Real-IP": "10.9.8.7"},
            timeout=10,
        )
        statuses.append(response.status_code)
    assert 429 not in statuses[:12] and statuses[12:] == [429, 429]
    assert (
        requests.post(
            cluster.app_url("app1", "/accounts/login/"), headers={"X-Real-IP": "10.9.8.6"}, timeout=10
        ).status_code
        != 429
    )


# ---- object storage --------------------------------------------------------------------------------------------


def test_uploaded_files_go_to_the_object_store(cluster: Cluster):
    name = cluster.python(
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "print(default_storage.save('evidence/test.txt', ContentFile('执法证据'.encode())))\n"
    ).strip()
    stored = cluster.s3_client().get_object(Bucket="zhifa-media", Key=name)["Body"].read()
    assert stored == "执法证据".encode()
    url = cluster.python(f"from django.core.files.storage import default_storage\nprint(default_storage.url({name!r}))")
    assert requests.get(url.strip(), timeout=10).content == "执法证据".encode()  # a signed URL the store honours
    FIGURES["S3 server"] = cluster.s3_kind


# ---- media: object storage, or a local folder through X-Accel-Redirect ------------------------------------------

VIDEO = """
from zhifa.courses.tests.conftest import add_lesson, make_course
from zhifa.people.models import Domain, Unit
course = make_course(owner=Unit.objects.get(pk={market}), audience_domains=[Domain.objects.get(code="market")])
print(add_lesson(course).video.pk)
"""


def test_a_video_in_object_storage_is_played_from_a_signed_url(cluster: Cluster):
    video = int(cluster.python(VIDEO.format(market=cluster.world["market"])).split()[-1])
    viewer = Visitor(cluster.url())
    assert viewer.login("examinee0").status_code == 302
    handed = viewer.get(f"/courses/videos/{video}/mp4", allow_redirects=False)
    assert handed.status_code == 302 and f":{cluster.ports['s3']}/" in handed.headers["Location"]
    part = requests.get(handed.headers["Location"], headers={"Range": "bytes=10-19"}, timeout=10)
    assert part.status_code == 206 and part.content == b"\0" * 10
    assert (
        requests.get(cluster.url(f"/courses/videos/{video}/mp4"), timeout=10, allow_redirects=False).status_code == 302
    )


def test_a_local_video_is_streamed_by_nginx_through_x_accel_redirect(cluster: Cluster):
    video = int(cluster.python(VIDEO.format(market=cluster.world["market"]), env=cluster.local_media_env()).split()[-1])
    viewer = Visitor(cluster.url(local_media=True))
    assert viewer.login("examinee0").status_code == 302
    part = viewer.get(f"/courses/videos/{video}/mp4", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206, part.text[:300]
    assert part.content == b"\0" * 10 and part.headers["Content-Range"] == "bytes 10-19/1000"
    assert "X-Accel-Redirect" not in part.headers  # nginx consumed it
    outsider = requests.get(
        cluster.url(f"/courses/videos/{video}/mp4", local_media=True), timeout=10, allow_redirects=False
    )
    assert outsider.status_code == 302  # not logged in: to the log-in page, no bytes


# ---- the replica -----------------------------------------------------------------------------------------------


def test_reports_read_the_replica_and_writes_go_to_the_primary(cluster: Cluster):
    admin = Visitor(cluster.url())
    assert admin.login("sysadmin").status_code == 302
    city = cluster.world["city"]
    report = f"/records/compliance/?unit={city}"
    refused = admin.get(report, allow_redirects=False)  # an administrator: the second factor first
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/security/otp/")
    assert admin.second_factor(totp_now()).status_code == 302
    assert admin.get(report, allow_redirects=False).status_code == 200
    cluster.psql("SELECT pg_wal_replay_pause()", node="replica")
    try:
        cluster.python(UNIT.format(name="复制延迟检验局", code="REPL01", parent=city))
        lagging = admin.get(report, allow_redirects=False)
        assert lagging.status_code == 200 and lagging.headers["X-Zhifa-Read-From"] == "replica"
        assert "复制延迟检验局" not in lagging.text  # the replica has not replayed it yet: the report reads the replica
        assert cluster.psql("SELECT count(*) FROM people_unit WHERE name = '复制延迟检验局'") == "1"
        # A write while the replica lags: a log-in (session, last_login) goes to the primary and works at once.
        again = Visitor(cluster.url())
        assert again.login("examinee1").status_code == 302
        assert again.get("/", allow_redirects=False).status_code == 200
    finally:
        cluster.psql("SELECT pg_wal_replay_resume()", node="replica")
    deadline = time.time() + 20
    while "复制延迟检验局" not in admin.get(report, allow_redirects=False).text:
        assert time.time() < deadline, "备库恢复回放后 20 秒内报表仍未出现新单位"
        time.sleep(0.2)


# ---- an exam through nginx -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exam_id(cluster: Cluster) -> int:
    return int(cluster.python(EXAM.format(market=cluster.world["market"])).strip().splitlines()[-1])


def _start_exam(cluster: Cluster, exam_id: int, username: str) -> tuple[Visitor, dict, list]:
    examinee = Visitor(cluster.url())
    assert examinee.login(username).status_code == 302
    started = examinee.post(f"/api/v1/exams/exams/{exam_id}/start", json_body={})
    assert started.status_code == 200, started.text
    attempt = started.json()
    paper = examinee.get(f"/api/v1/exams/attempts/{attempt['attempt_id']}/paper").json()
    return examinee, attempt, paper["questions"]


def test_an_exam_through_nginx_autosaves_over_both_servers_and_submits(cluster: Cluster, exam_id: int):
    examinee, attempt, questions = _start_exam(cluster, exam_id, "examinee2")
    headers = {"X-Device-Token": attempt["device_token"]}
    served_by = set()
    began = time.perf_counter()
    for seq, item in enumerate(questions, start=1):
        body = {"seq": seq, "answers": [{"question": item["question"], "response": [item["options"][0]["key"]]}]}
        saved = examinee.post(
            f"/api/v1/exams/attempts/{attempt['attempt_id']}/answers", json_body=body, headers=headers
        )
        assert saved.status_code == 200 and saved.json()["saved"] == 1, saved.text
    FIGURES["autosave through nginx, one examinee (ms per save)"] = round(
        (time.perf_counter() - began) * 1000 / len(questions), 1
    )
    for app in ("app1", "app2"):
        metrics = requests.get(cluster.app_url(app, "/metrics"), timeout=10).text
        saves = r'zhifa_http_requests_total\{method="POST",route="api:exams-attempt-save",status="200"\} [1-9]'
        if re.search(saves, metrics):
            served_by.add(app)
    assert served_by == {"app1", "app2"}  # nginx spread the saves over both app servers
    submitted = examinee.post(f"/api/v1/exams/attempts/{attempt['attempt_id']}/submit", json_body={})
    assert submitted.status_code == 200, submitted.text
    stored = cluster.psql(f"SELECT count(*) FROM exams_answer WHERE attempt_id = {attempt['attempt_id']}")
    assert int(stored) == len(questions)


# ---- faults (make cluster-test) --------------------------------------------------------------------------------


def stored_answers(cluster: Cluster, attempt_id: int) -> dict[int, str]:
    rows = cluster.psql(f"SELECT question_id, response::text FROM exams_answer WHERE attempt_id = {attempt_id}")
    return {int(q): json.loads(r)[0] for q, r in (row.split("|", 1) for row in rows.splitlines())}


def answer_through(cluster: Cluster, exam_id: int, username: str, fault: Callable[[], object]) -> dict:
    """One examinee answers continuously through nginx (a new answer every 20 ms) for 3 s before `fault()` and 3 s
    after it; he keeps what is not acknowledged and resends it (as the exam page does), for up to 90 s. Asserts that
    everything was acknowledged in the end and that every acknowledged answer is stored; returns the figures."""
    examinee, attempt, questions = _start_exam(cluster, exam_id, username)
    url = f"/api/v1/exams/attempts/{attempt['attempt_id']}/answers"
    headers = {"X-Device-Token": attempt["device_token"]}
    acked: dict[int, str] = {}
    pending: dict[int, str] = {}
    statuses: dict[int, int] = {}
    stop = threading.Event()

    def answer() -> None:
        seq, n, drain_until = 0, 0, None
        while True:
            if stop.is_set() and drain_until is None:
                drain_until = time.time() + 90
            if drain_until is not None and (not pending or time.time() > drain_until):
                return
            if drain_until is None:
                item = questions[n % len(questions)]
                pending[item["question"]] = item["options"][(n // len(questions)) % len(item["options"])]["key"]
                n += 1
            seq += 1
            batch = dict(pending)
            body = {"seq": seq, "answers": [{"question": q, "response": [k]} for q, k in batch.items()]}
            try:
                response = examinee.post(url, json_body=body, headers=headers)
                status = response.status_code
            except requests.RequestException:
                status = 0
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200 and not response.json()["replay"]:
                for q, k in batch.items():
                    acked[q] = k
                    if pending.get(q) == k:
                        del pending[q]
            time.sleep(0.02 if status == 200 else 0.5)

    worker = threading.Thread(target=answer)
    worker.start()
    try:
        time.sleep(3)
        began = time.perf_counter()
        fault()
        took = round(time.perf_counter() - began, 1)
        time.sleep(3)
    finally:
        stop.set()
        worker.join(timeout=150)
    assert not pending, f"未送达的答案：{pending}"
    assert stored_answers(cluster, attempt["attempt_id"]) == acked, "确认过的答案丢失"
    return {"fault (s)": took, "saves by status": statuses, "answers acknowledged": len(acked)}


@pytest.mark.slow
def test_an_app_server_killed_mid_exam_loses_no_acknowledged_answer(cluster: Cluster, exam_id: int):
    """app1 is SIGKILLed while an examinee answers through nginx, and started again 4 s later."""

    def kill_and_restart_app1() -> None:
        cluster.kill_app("app1")
        time.sleep(4)
        cluster.start_app("app1")

    result = answer_through(cluster, exam_id, "examinee3", kill_and_restart_app1)
    FIGURES["app1 killed with SIGKILL mid-exam, started again after 4 s"] = result


DRILL_TABLES = ("people_unit", "people_officer", "exams_answer", "common_auditevent", "django_session")


def _fingerprint(cluster: Cluster, node: str) -> dict[str, str]:
    return {
        table: cluster.psql(
            f"SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t",
            node=node,
        )
        for table in DRILL_TABLES
    }


@pytest.mark.slow
def test_backup_and_restore_drill(cluster: Cluster):
    """A base backup, writes after it, the WAL archive: a server restored from both holds exactly the primary's rows."""
    pgdir = cluster.dir / "pg"
    began = time.perf_counter()
    cluster._pg(
        "pg_basebackup", "-h", "127.0.0.1", "-p", str(cluster.ports["primary"]), "-U", "postgres",
        "-D", str(pgdir / "drill"), "-X", "fetch", "-c", "fast",
    )  # fmt: skip
    FIGURES["backup: pg_basebackup (s)"] = round(time.perf_counter() - began, 1)
    # Written after the base backup: only the WAL archive has it.
    cluster.python(UNIT.format(name="备份演练局", code="DRILL01", parent=cluster.world["city"]))
    segment = cluster.psql("SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.time() + 30
    while not (pgdir / "archive" / segment).exists():
        assert time.time() < deadline, "WAL 段未归档"
        time.sleep(0.2)
    expected = _fingerprint(cluster, "primary")
    with (pgdir / "drill" / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"restore_command = 'cp {pgdir}/archive/%f %p'\narchive_mode = off\n")
    (pgdir / "drill" / "recovery.signal").touch()
    if os.geteuid() == 0:
        import shutil

        shutil.chown(pgdir / "drill" / "recovery.signal", "postgres", "postgres")
    cluster.ports["drill"] = free_port()
    began = time.perf_counter()
    cluster.pg_ctl("drill", "start")
    try:
        deadline = time.time() + 120
        while cluster.psql("SELECT pg_is_in_recovery()", node="drill") != "f":
            assert time.time() < deadline, "恢复未在 120 秒内完成"
            time.sleep(0.2)
        FIGURES["restore: base backup + WAL replay to promotion (s)"] = round(time.perf_counter() - began, 1)
        restored = _fingerprint(cluster, "drill")
    finally:
        cluster.pg_ctl("drill", "stop", mode="immediate")
    assert restored == expected
    assert int(restored["people_unit"].split(":")[0]) > 0
    FIGURES["restore drill rows (table: count)"] = {t: v.split(":")[0] for t, v in restored.items()}
