"""Faults on the production cluster (zhifa/common/tests/cluster.py, started for this module): nothing acknowledged
is lost when PostgreSQL restarts, when Redis goes down, or when the media volume is full.

An examinee answers continuously through nginx while the fault happens; he keeps unacknowledged answers and resends
them (as the exam page does). At the end every answer the server acknowledged is stored, and none is still pending.
The SIGKILL of an app server and the backup → restore drill are the cluster test's own (`make reliability` runs
them: zhifa/common/tests/test_production_cluster.py -m slow). The media volume is a 1 MB tmpfs mounted over the
local-media folder (root may mount; otherwise the test is skipped with the reason).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable

import pytest
import requests

from tests.reliability.conftest import FIGURES
from zhifa.common.tests import test_production_cluster as production
from zhifa.common.tests.cluster import Cluster, missing_components, wait_port

# The cluster test's fixtures, instantiated again for this module (a cluster of its own).
cluster = production.cluster
exam_id = production.exam_id
_start_exam = production._start_exam

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing_components()), reason=f"缺少集群组件：{'、'.join(missing_components())}"),
]


def _answer_through(cluster: Cluster, exam_id: int, username: str, fault: Callable[[], None]) -> dict:
    """Answer continuously for a few seconds around `fault()`; then resend until everything is acknowledged."""
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
    time.sleep(3)
    began = time.perf_counter()
    fault()
    recovered = round(time.perf_counter() - began, 1)
    time.sleep(3)
    stop.set()
    worker.join(timeout=150)
    assert not pending, f"未送达的答案：{pending}"
    rows = cluster.psql(
        f"SELECT question_id, response::text FROM exams_answer WHERE attempt_id = {attempt['attempt_id']}"
    ).splitlines()
    stored = {int(q): json.loads(r)[0] for q, r in (row.split("|", 1) for row in rows)}
    assert stored == acked, "确认过的答案丢失"
    return {"fault (s)": recovered, "saves by status": statuses, "answers acknowledged": len(acked)}


def test_a_postgresql_restart_mid_exam_loses_no_acknowledged_answer(cluster: Cluster, exam_id: int):
    result = _answer_through(cluster, exam_id, "examinee0", lambda: cluster.pg_ctl("primary", "restart"))
    FIGURES["PostgreSQL primary restarted mid-exam"] = result


def test_redis_down_mid_exam_loses_no_acknowledged_answer(cluster: Cluster, exam_id: int):
    def redis_down_for_five_seconds() -> None:
        proc = cluster.procs.pop("redis")
        proc.kill()
        proc.wait(timeout=10)
        time.sleep(5)
        port = str(cluster.ports["redis"])
        argv = ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        cluster._spawn("redis", argv)
        wait_port(int(port), proc=cluster.procs["redis"])

    result = _answer_through(cluster, exam_id, "examinee1", redis_down_for_five_seconds)
    FIGURES["Redis killed mid-exam, back after 5 s"] = result
    assert requests.get(cluster.url("/readyz"), timeout=10).status_code == 200


SAVE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
try:
    print("saved", default_storage.save("evidence/{name}", ContentFile(b"x" * {size})))
except OSError as exc:
    print("refused", exc.errno)
"""


def test_a_full_media_volume_refuses_new_files_and_loses_nothing(cluster: Cluster, exam_id: int):
    media = cluster.dir / "media"
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(media)], check=False)
    if mounted.returncode != 0:
        pytest.skip("无法挂载 tmpfs（需要 root 权限）：磁盘写满测试跳过")
    try:
        env = cluster.local_media_env()
        first = cluster.python(SAVE.format(name="before.txt", size=1000), env=env).split()
        assert first[0] == "saved"
        filler = media / "filler.bin"
        with open(filler, "wb") as out:  # fill the volume to the last byte
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        refused = cluster.python(SAVE.format(name="after.txt", size=200_000), env=env).split()
        assert refused == ["refused", str(errno.ENOSPC)]
        assert (media / first[1]).read_bytes() == b"x" * 1000  # what was stored before is intact
        # Django's FileSystemStorage leaves the refused file half-written (reported; it was never acknowledged).
        partial = [p.stat().st_size for p in (media / "evidence").glob("after*")]
        FIGURES["media volume full: refused save left a partial file (bytes)"] = partial or "none"

        def volume_full() -> None:  # the exam goes on while the media volume is full (answers live in PostgreSQL)
            assert requests.get(cluster.url("/healthz", local_media=True), timeout=10).status_code == 200

        FIGURES["media volume full (1 MB tmpfs)"] = _answer_through(cluster, exam_id, "examinee3", volume_full)
        os.remove(filler)
        again = cluster.python(SAVE.format(name="after.txt", size=200_000), env=env).split()
        assert again[0] == "saved"
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)
