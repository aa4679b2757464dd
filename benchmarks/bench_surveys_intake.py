"""Public survey intake: citizens' form POSTs to /surveys/r/<token>/ through the app server (deploy/serve.py),
PostgreSQL + Redis.

What is measured: many citizens (threads spread over two client processes, raw keep-alive sockets), each with the
CSRF cookie and form token of a page it loaded before the clock started, send responses about officers in turn, each
with the fill-time stamp that officer's page carries (older than the 3 s minimum: a person reads the form first) and
from its own address (X-Real-IP, as nginx sets it), so that neither the per-client limit nor duplicate suppression
refuses them. A POST is the whole intake: CSRF, the token's signature and expiry, the stamp (which names what the
page showed), the answers, the client counter, the device's first-today mark and the target counter in one Redis
round trip, the device key of the day, the INSERT, then the redirect to the thanks page (302 = counted). Counted
responses are checked against the database afterwards. The page GET is measured too, in a short phase of its own.
The load generator's own CPU per POST is printed beside the server's (both share the machine's two cores).

Target (DESIGN.md §7): ≥ 300 counted responses/s across many officers, p99 ≤ 200 ms; the page ≤ 50 KB (a test).

    .venv/bin/python benchmarks/bench_surveys_intake.py                # quick: 10 s, 2,000 officers, 300/s offered
    .venv/bin/python benchmarks/bench_surveys_intake.py --full         # 60 s, 4,000 officers
    .venv/bin/python benchmarks/bench_surveys_intake.py --rate 0       # closed loop: the capacity
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("ZHIFA_BENCH_PORT", "8161")  # the surveys engineer's port
REDIS_DB = 9  # a Redis database of its own, flushed before each run (counters would outlive a scratch database)

import bench_exams_autosave as shared  # noqa: E402  (the app server, the lock, the server's environment)

PORT = shared.PORT
RATINGS = "civility=5&integrity=4&efficiency=5&attitude=4"


def setup(officers: int) -> tuple[str, list[tuple[str, str]]]:
    """The scratch database and Redis; for every officer his poster token and the fill-time stamp his survey page
    carries (made here with the server's SECRET_KEY, as the page makes it: main() checks one against a real page)."""
    os.environ["ZHIFA_TESTING"] = "0"
    os.environ["ZHIFA_SECRET_KEY"] = shared.SECRET_KEY
    if not shared._redis_answers():
        print("surveys intake: skipped — Redis is not running on 127.0.0.1:6379 (the target is for PostgreSQL + Redis)")
        sys.exit(0)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=True, capture_output=True)
    from _setup import scratch_database

    label = scratch_database("surveys", postgres=True)
    from django.conf import settings

    settings.DEBUG = False
    from zhifa.people.models import Officer, User
    from zhifa.people.testing import build_org
    from zhifa.surveys.tokens import form_stamp, token_make

    org = build_org()
    users = User.objects.bulk_create(
        [User(username=f"s{n}", display_name=f"执法人员{n}", password="!") for n in range(officers)]
    )
    rows = Officer.objects.bulk_create(
        [
            Officer(user=u, name=u.display_name, unit=org.east_market, certificate_number=f"S{n:07d}")
            for n, u in enumerate(users)
        ]
    )
    return f"{label} + Redis", [(token_make("o", o.pk), form_stamp(f"o.{o.pk}.{o.unit_id}")) for o in rows]


class Citizen:
    """One citizen's phone: a keep-alive connection over a raw socket, requests written as bytes and answers read by
    their Content-Length (http.client's header parsing cost more CPU per request than a survey POST's server side
    once that got cheaper, on the same two cores)."""

    def __init__(self, index: int):
        self.index, self.sent = index, 0
        self.sock: socket.socket | None = None
        self.cookie = self.csrf = self.started = ""
        self.post_head = ""

    def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> tuple[int, bytes, dict]:
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", PORT), timeout=15)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.buffer = b""
            self.sock.sendall(
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            return self._read()
        except (OSError, ValueError):
            if self.sock is not None:
                self.sock.close()
            self.sock = None
            return 0, b"", {}

    def _read(self) -> tuple[int, bytes, dict]:
        assert self.sock is not None
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ValueError("connection closed")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if "chunked" in fields.get("transfer-encoding", ""):
            raise ValueError("chunked answers are not read here")
        length = int(fields.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ValueError("connection closed")
            rest += chunk
        self.buffer = rest[length:]
        if fields.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return int(lines[0].split(" ", 2)[1]), rest[:length], fields

    def load_page(self, token: str) -> int:
        headers = f"Cookie: csrftoken={self.cookie}\r\n" if self.cookie else ""
        status, body, fields = self.request("GET", f"/surveys/r/{token}/", headers=headers)
        if status == 200 and not self.cookie:
            self.cookie = re.search(r"csrftoken=([^;]+)", fields.get("set-cookie", ""))[1]
            html = body.decode()
            self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
            self.started = re.search(r'name="started" value="([^"]+)"', html)[1]
            self.post_head = (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Cookie: csrftoken={self.cookie}\r\n"
                "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) bench\r\n"
            )
        return status

    def post(self, token: str, stamp: str) -> int:
        """The form as the officer's page served it: its fill-time stamp (which names what the page showed)."""
        self.sent += 1
        n = self.index * 100_000 + self.sent
        body = f"csrfmiddlewaretoken={self.csrf}&started={stamp}&website=&{RATINGS}".encode()
        headers = f"{self.post_head}X-Real-IP: 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}\r\n"
        return self.request("POST", f"/surveys/r/{token}/", body, headers)[0]


def client_process(indexes, tokens, seconds, interval, kind, out) -> None:
    results, lock = [], threading.Lock()

    def run(index: int) -> None:
        citizen = Citizen(index + int(os.environ.get("BENCH_INDEX_BASE", "0")))  # addresses of their own
        citizen.load_page(tokens[index % len(tokens)][0])
        time.sleep(max(0.0, start_at - time.time()))
        latencies, statuses = [], {}
        end = time.perf_counter() + seconds
        due = time.perf_counter() + (index % 97) / 97 * interval
        turn = index
        while time.perf_counter() < end:
            if interval:
                time.sleep(max(0.0, due - time.perf_counter()))
                began, due = due, due + interval
            else:
                began = time.perf_counter()
            turn += len(indexes_all)
            token, stamp = tokens[turn % len(tokens)]
            if kind == "post":
                status = citizen.post(token, stamp)
            elif kind == "healthz":
                status = citizen.request("GET", "/healthz")[0]
            else:
                status = citizen.load_page(token)
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
        with lock:
            results.append({"latencies": latencies, "statuses": statuses})

    indexes_all = range(int(os.environ["BENCH_CITIZENS"]))
    start_at = float(os.environ["BENCH_START_AT"])
    threads = [threading.Thread(target=run, args=(i,)) for i in indexes]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start_at - time.time()))
    cpu = time.process_time()  # the load generator's own CPU while the clock runs (page loads excluded)
    for t in threads:
        t.join()
    out.put((results, time.process_time() - cpu))


def load(
    tokens: list[tuple[str, str]],
    citizens: int,
    seconds: float,
    rate: float,
    kind: str,
    processes: int = 2,
    server=None,
) -> dict:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    os.environ["BENCH_CITIZENS"] = str(citizens)
    # Pages are loaded first; the clock starts once every form is older than the 3 s minimum fill time.
    os.environ["BENCH_START_AT"] = str(time.time() + (5 if kind == "post" else 1))
    interval = citizens / rate if rate else 0.0
    procs = [
        ctx.Process(
            target=client_process, args=(list(range(i, citizens, processes)), tokens, seconds, interval, kind, queue)
        )
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    cpu = None
    if server is not None:  # server CPU from the moment the clock starts (page loads and warm-up excluded)
        time.sleep(max(0.0, float(os.environ["BENCH_START_AT"]) - time.time()))
        cpu = shared.server_cpu(server, "zhifa_bench_surveys")
    parts = [queue.get() for _ in procs]
    results = [r for part, _ in parts for r in part]
    client_cpu = sum(cpu for _, cpu in parts)
    if cpu is not None:
        after = shared.server_cpu(server, "zhifa_bench_surveys")
        cpu = (after[0] - cpu[0], after[1] - cpu[1])
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    pct = lambda p: latencies[min(int(len(latencies) * p / 100), len(latencies) - 1)] * 1000  # noqa: E731
    return {
        "cpu": cpu,
        "client_cpu": client_cpu,
        "n": len(latencies),
        "statuses": statuses,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
    }


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="60 s, 4,000 officers")
    parser.add_argument("--rate", type=float, default=300.0, help="responses/s offered on a schedule; 0 = closed loop")
    parser.add_argument("--citizens", type=int, default=64)
    args = parser.parse_args()
    seconds, officers = (60, 4000) if args.full else (10, 2000)
    from _setup import machine

    with shared.bench_lock(exclusive=False):
        label, tokens = setup(officers)
        server = shared.server_start()
    try:
        from zhifa.surveys.models import Response

        with shared.bench_lock(exclusive=True):
            # Warm the workers (imports, templates, connections, the POST path) with addresses of their own.
            os.environ["BENCH_INDEX_BASE"] = "100"
            load(tokens[-500:], 16, 3, 0, "post")
            os.environ["BENCH_INDEX_BASE"] = "0"
            probe = Citizen(99_999)  # the stamps made in setup() are the ones the pages carry
            if probe.load_page(tokens[0][0]) != 200 or probe.started.split(":")[0] != tokens[0][1].split(":")[0]:
                sys.exit(f"surveys intake: the page's stamp {probe.started!r} is not the one made for it")
            from django.utils import timezone

            measured_from = timezone.now()
            posts = load(tokens, args.citizens, seconds, args.rate, "post", server=server)
            pages = load(tokens, 16, 3, 0, "get")
            # The cheapest request (one SELECT 1) with the same clients: the ratio is steadier than absolute figures
            # on a busy shared machine.
            health = load(tokens, args.citizens, 5, 0, "healthz", server=server)
            load_avg = os.getloadavg()[0]
        warm = Response.objects.filter(created_at__lt=measured_from).count()
        counted = Response.objects.filter(status=Response.Status.COUNTED, created_at__gte=measured_from).count()
        held = Response.objects.filter(status=Response.Status.HELD).count()
    finally:
        shared.server_kill(server)
    acked = posts["statuses"].get(302, 0)
    print(f"surveys intake · {label} · {shared.deployed_shape()} · {machine()}")
    print(
        f"  {seconds} s, {args.citizens} citizens, {len(tokens)} officers, offered "
        f"{'closed loop' if not args.rate else f'{args.rate:.0f}/s'}, load {load_avg:.1f}"
    )
    print(f"  POST: {posts['n']} sent, statuses {posts['statuses']}; {acked / seconds:.0f} counted/s acknowledged")
    print(f"  POST latency p50 {posts['p50']:.1f} / p95 {posts['p95']:.1f} / p99 {posts['p99']:.1f} ms")
    app_ms = posts["cpu"][0] / max(posts["n"], 1) * 1000
    pg_ms = posts["cpu"][1] / max(posts["n"], 1) * 1000
    print(
        f"  server CPU per POST: {app_ms:.2f} ms app + {pg_ms:.2f} ms PostgreSQL "
        f"(2 idle cores would serve ≈ {2000 / (app_ms + pg_ms):.0f}/s)"
    )
    client_ms = posts["client_cpu"] / max(posts["n"], 1) * 1000
    print(f"  load generator CPU per POST: {client_ms:.2f} ms (raw sockets, keep-alive, 2 processes)")
    health_ms = sum(health["cpu"]) / max(health["n"], 1) * 1000
    print(
        f"  /healthz side by side (closed loop, 5 s): {health['n'] / 5:.0f}/s, {health_ms:.2f} ms server CPU each; "
        f"a POST costs {(app_ms + pg_ms) / health_ms:.1f}× a /healthz"
    )
    print(f"  database: {counted} counted (after {warm} warm-up responses), {held} held (acknowledged 302: {acked})")
    print(f"  page GET (closed loop, 16 clients, 3 s): {pages['n'] / 3:.0f}/s, p99 {pages['p99']:.1f} ms")
    ok = counted == acked and acked / seconds >= 300 and posts["p99"] <= 200
    print("  target ≥ 300 counted/s, p99 ≤ 200 ms: " + ("met" if ok else "NOT met"))
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)  # a missed target fails `make reliability`
