"""Fault run: a simulated exam on the app server (deploy/serve.py) + PostgreSQL; the app server is SIGKILLed and
PostgreSQL restarted mid-way.

The script: examinees (threads in two client processes, each behaving like attempt.js: pending answers resent
with a new sequence number until acknowledged, back-off on failure) answer continuously. After KILL_AT seconds the
whole app server process group gets SIGKILL and a new one is started; STEADY seconds later (only with
--restart-postgres) PostgreSQL is restarted with `pg_ctlcluster --skip-systemctl-redirect 15 main restart`.
At the end the clients keep resending until nothing is pending (as a browser does when the network returns).
Checked: every answer the server ever acknowledged is stored, and every answer the clients held arrived
(stored == each client's final state).

The machine's PostgreSQL is shared, so --restart-postgres restarts a private cluster made for the run
(`pg_createcluster 15 zhifa_faults`, port 5439, trust on the loopback; created once, kept stopped between runs).

    .venv/bin/python benchmarks/bench_exams_faults.py                      # app server SIGKILL only (~60 s)
    .venv/bin/python benchmarks/bench_exams_faults.py --restart-postgres   # and one restart of the private cluster
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("ZHIFA_BENCH_PORT", "8132")
CLUSTER, CLUSTER_PORT = "zhifa_faults", "5439"

from bench_exams_autosave import (  # noqa: E402 - the shared helpers live in the autosave benchmark
    Examinee,
    make_exam,
    make_examinees,
    server_kill,
    server_start,
    setup_django,
    start_attempts,
)

KILL_AT = 10.0  # seconds of normal answering before the app server is killed
STEADY = 10.0  # seconds of answering after each recovery
DRAIN_SECONDS = 180.0


def client_process(plans: list[dict], t0: float, stop, out) -> None:
    results, lock = [], threading.Lock()

    def run(plan: dict, seed: int) -> None:
        examinee, statuses, backoff = Examinee(plan, seed), {}, 0.2
        while not stop.is_set():
            examinee.answer_something()
            status = examinee.flush()
            statuses[status] = statuses.get(status, 0) + 1
            backoff = 0.05 if status == 200 else min(backoff * 2, 2.0)
            time.sleep(backoff)
        drained_at = None
        drain_until = time.time() + DRAIN_SECONDS
        while examinee.pending and time.time() < drain_until:
            status = examinee.flush()
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200:
                time.sleep(1.0)
        if not examinee.pending:
            drained_at = time.time() - t0
        with lock:
            results.append(
                {
                    "attempt": plan["attempt"],
                    "acked": examinee.acked,
                    "pending": examinee.pending,
                    "statuses": statuses,
                    "drained_at": drained_at,
                }
            )

    threads = [threading.Thread(target=run, args=(p, i)) for i, p in enumerate(plans)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def private_cluster_start() -> None:
    """Create (once) and start the private cluster whose restart cannot disturb anyone else's databases."""
    listed = subprocess.run(["pg_lsclusters", "-h"], check=True, capture_output=True, text=True).stdout
    if not any(line.split()[1:2] == [CLUSTER] for line in listed.splitlines()):
        subprocess.run(
            ["pg_createcluster", "15", CLUSTER, "-p", CLUSTER_PORT, "--", "--auth-host=trust", "--auth-local=trust"],
            check=True,
            capture_output=True,
        )
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", CLUSTER, "start"], capture_output=True)


def private_cluster_stop() -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", CLUSTER, "stop"], capture_output=True)


def restart_postgres() -> float:
    began = time.time()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", CLUSTER, "restart"], check=True, capture_output=True
    )
    return time.time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restart-postgres", action="store_true", help="also restart PostgreSQL once (private)")
    parser.add_argument("--examinees", type=int, default=32)
    args = parser.parse_args()
    if args.restart_postgres:
        os.environ["ZHIFA_BENCH_PG_PORT"] = CLUSTER_PORT  # read when setup_django first imports _setup
        private_cluster_start()
    try:
        run(args)
    finally:
        if args.restart_postgres:
            private_cluster_stop()


def run(args) -> None:
    label = setup_django("exams_faults")
    exam, org = make_exam(questions=50)
    plans = start_attempts(exam, make_examinees(org, args.examinees))
    from django.db import connections

    connections.close_all()
    server = server_start(workers=2, threads=8)
    timeline = []
    ctx = multiprocessing.get_context("fork")
    queue, stop = ctx.Queue(), ctx.Event()
    t0 = time.time()
    procs = [ctx.Process(target=client_process, args=(plans[i::2], t0, stop, queue)) for i in range(2)]
    for p in procs:
        p.start()
    time.sleep(KILL_AT)
    server_kill(server)
    timeline.append(
        f"t={time.time() - t0:5.1f} s  SIGKILL the app server (main process and workers); clients keep answering"
    )
    server = server_start(workers=2, threads=8)
    timeline.append(f"t={time.time() - t0:5.1f} s  a new app server serves again")
    time.sleep(STEADY)
    if args.restart_postgres:
        took = restart_postgres()
        timeline.append(f"t={time.time() - t0:5.1f} s  PostgreSQL restarted ({took:.1f} s)")
        time.sleep(STEADY)
    stop.set()
    timeline.append(f"t={time.time() - t0:5.1f} s  exam over: clients resend whatever they still hold")
    results = [r for _ in procs for r in queue.get()]
    for p in procs:
        p.join()
    timeline.append(f"t={time.time() - t0:5.1f} s  every client drained")
    server_kill(server)
    connections.close_all()
    report(label, timeline, results)


def report(label: str, timeline: list[str], results: list[dict]) -> None:
    from zhifa.exams.models import Answer

    acked = lost = undelivered = 0
    statuses: dict[int, int] = {}
    for r in results:
        stored = dict(Answer.objects.filter(attempt_id=r["attempt"]).values_list("question_id", "response"))
        for qid, response in r["acked"].items():
            acked += 1
            lost += stored.get(qid) != r["pending"].get(qid, response)
        undelivered += len(r["pending"])
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    print(
        f"exam fault run · {label} · {len(results)} examinees · load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    for line in timeline:
        print("  " + line)
    print(f"save requests by status (0 = connection failed): {dict(sorted(statuses.items()))}")
    print(f"acknowledged answers: {acked}, lost: {lost}; answers still held by clients after recovery: {undelivered}")
    print(
        f"target 0 acknowledged answers lost, every held answer arrives → "
        f"{'met' if lost == 0 and undelivered == 0 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
