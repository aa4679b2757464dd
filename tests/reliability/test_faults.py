"""Faults on the production cluster (zhifa/common/tests/cluster.py, started for this module): nothing acknowledged
is lost when PostgreSQL restarts, when Redis goes down (and nothing answers 5xx: the platform degrades), or when the
media volume is full (the refused file leaves nothing behind).

An examinee answers continuously through nginx while the fault happens (the cluster test's `answer_through`); he
keeps unacknowledged answers and resends them (as the exam page does). At the end every answer the server
acknowledged is stored, and none is still pending.
The SIGKILL of an app server and the backup → restore drill are the cluster test's own (`make reliability` runs
them: zhifa/common/tests/test_production_cluster.py -m slow). The media volume is a 1 MB tmpfs mounted over the
local-media folder (root may mount; otherwise the test is skipped with the reason).
"""

from __future__ import annotations

import errno
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.reliability.conftest import FIGURES
from zhifa.common.tests import test_production_cluster as production
from zhifa.common.tests.cluster import Cluster, missing_components, wait_port

# The cluster test's fixtures, instantiated again for this module (a cluster of its own), and its examinee who
# answers through a fault.
cluster = production.cluster
exam_id = production.exam_id
answer_through = production.answer_through

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing_components()), reason=f"缺少集群组件：{'、'.join(missing_components())}"),
]


def test_a_postgresql_restart_mid_exam_loses_no_acknowledged_answer(cluster: Cluster, exam_id: int):
    result = answer_through(cluster, exam_id, "examinee0", lambda: cluster.pg_ctl("primary", "restart"))
    FIGURES["PostgreSQL primary restarted mid-exam"] = result


def test_redis_down_mid_exam_degrades_without_a_server_error(cluster: Cluster, exam_id: int):
    """While Redis is down: the examinee's saves all succeed (his session is read from the database), a new log-in
    works and reaches a page, the log-in rate limit still counts (per process), readiness stays 200 and says the
    cache is down. No request answers 5xx."""
    during: dict[str, object] = {}

    def redis_down_for_five_seconds() -> None:
        proc = cluster.procs.pop("redis")
        proc.kill()
        proc.wait(timeout=10)
        began = time.perf_counter()
        newcomer = production.Visitor(cluster.url())
        during["log-in (status)"] = newcomer.login("examinee2").status_code
        during["a page after log-in (status)"] = newcomer.get("/", allow_redirects=False).status_code
        limited = [
            requests.post(
                cluster.app_url("app1", "/accounts/login/"), headers={"X-Real-IP": "10.9.9.9"}, timeout=10
            ).status_code
            for _ in range(30)
        ]
        during["30 log-in posts from one IP to app1 (2 processes, 12 a minute)"] = limited
        ready = requests.get(cluster.url("/readyz"), timeout=10)
        during["readiness"] = [ready.status_code, ready.json()["checks"]["cache"]["ok"]]
        time.sleep(max(0.0, 5 - (time.perf_counter() - began)))
        port = str(cluster.ports["redis"])
        argv = ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        cluster._spawn("redis", argv)
        wait_port(int(port), proc=cluster.procs["redis"])

    result = answer_through(cluster, exam_id, "examinee1", redis_down_for_five_seconds)
    FIGURES["Redis killed mid-exam, back after 5 s"] = {**result, **during}
    assert set(result["saves by status"]) == {200}, result  # every save acknowledged, none refused
    assert during["log-in (status)"] == 302 and during["a page after log-in (status)"] == 200, during
    # Counted per process while Redis is down: app1's 2 processes let at most 2 × 12 through, never all 30.
    limited = during["30 log-in posts from one IP to app1 (2 processes, 12 a minute)"]
    assert isinstance(limited, list) and not any(s >= 500 for s in limited), limited
    assert limited.count(429) >= 30 - 2 * 12, limited
    assert during["readiness"] == [200, False], during
    assert requests.get(cluster.url("/readyz"), timeout=10).json()["checks"]["cache"]["ok"]


SAVE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
try:
    print("saved", default_storage.save("evidence/{name}", ContentFile(b"x" * {size})))
except OSError as exc:
    print("refused", exc.errno)
"""


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


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
        stored = _files(media)
        refused = cluster.python(SAVE.format(name="after.txt", size=200_000), env=env).split()
        assert refused == ["refused", str(errno.ENOSPC)]
        assert (media / first[1]).read_bytes() == b"x" * 1000  # what was stored before is intact
        left = sorted(set(_files(media)) - set(stored))
        FIGURES["media volume full: files left by the refused save"] = left or "none"
        assert not left, f"写满时被拒绝的保存留下了文件：{left}"  # not even an empty one (common/files.py)

        def volume_full() -> None:  # the exam goes on while the media volume is full (answers live in PostgreSQL)
            assert requests.get(cluster.url("/healthz", local_media=True), timeout=10).status_code == 200

        FIGURES["media volume full (1 MB tmpfs)"] = answer_through(cluster, exam_id, "examinee3", volume_full)
        os.remove(filler)
        again = cluster.python(SAVE.format(name="after.txt", size=200_000), env=env).split()
        assert again[0] == "saved"
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)
