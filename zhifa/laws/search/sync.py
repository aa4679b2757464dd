"""Keep this app server's index (ZHIFA_SEARCH_INDEX) equal to the stored terms in the database.

Each app server has its own copy (Tantivy: a local directory, one writer at a time). `sync()` applies the changes
logged since the one its copy last applied (store.py: `laws_search_change`), law by law: the law's articles are
removed and its stored documents added again, so applying a change twice is harmless. It rebuilds the copy from
all stored documents when it cannot trust it: no state file, another generation (everything re-tokenised), a
change number the database does not have (or has with another token: the copy applied a change whose
transaction then rolled back), or a directory Tantivy cannot open.

Who calls it: the importing process at once (indexing.index_law, inside the import's transaction: the import's
own server finds the new law immediately), `manage.py sync_search_index` from a timer every minute on every app
server (the others within a minute) and at start-up. Syncs of one server are serialised by a lock file beside
the index directory.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from zhifa.laws.search import store
from zhifa.laws.search.backends import IndexUnavailable, get_backend, tantivy

logger = logging.getLogger(__name__)
STATE_FILE = "zhifa-state.json"  # in the index directory: what the copy holds (generation, seq, token)


@dataclass(frozen=True)
class SyncResult:
    skipped: bool = False  # another sync of this server held the lock
    rebuilt: bool = False
    laws: int = 0  # laws re-applied (rebuilt: 0)
    documents: int = 0  # documents added
    seq: int = 0  # the change the copy now holds


@contextmanager
def _server_lock(path: Path, wait: float) -> Iterator[bool]:
    """This server's sync lock (a lock file beside the index directory); yields False if not had within `wait` s."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a")  # noqa: SIM115 (held across the yield)
    except OSError as exc:
        raise IndexUnavailable(
            f"无法创建法规检索索引的锁文件 {lock_path}（{exc}）：请确认 {lock_path.parent} 可由应用用户写入，"
            "或用 ZHIFA_SEARCH_INDEX 指定其他目录。"
        ) from exc
    with handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_state(path: Path) -> dict | None:
    try:
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and {"generation", "seq", "token"} <= set(state) else None


def _write_state(path: Path, generation: str, change: store.Change | None) -> None:
    """Written after the index's commit: a crash in between leaves the older state, whose changes are re-applied."""
    temporary = path / (STATE_FILE + ".tmp")
    state = {"generation": generation, "seq": change.seq if change else 0, "token": change.token if change else ""}
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, path / STATE_FILE)


def _trusted(state: dict | None, generation: str) -> bool:
    """Whether the copy's state names a change the database has, as it is now, in this generation."""
    if state is None or state["generation"] != generation:
        return False
    if state["seq"] == 0:
        return True
    change = store.change_at(state["seq"])
    return change is not None and change.token == state["token"]


def _open(path: Path) -> tantivy.TantivyBackend:
    """The backend of `path`; a directory that is an index Tantivy cannot open, or of another schema, is emptied."""
    try:
        backend = get_backend()
        if backend.schema == tantivy.schema():
            return backend
    except IndexUnavailable:
        if not (path / "meta.json").exists():  # not a broken index: not ours to delete (the message says what to do)
            raise
    logger.warning("法规检索索引 %s 无法使用，将从数据库重建", path)
    shutil.rmtree(path)
    return get_backend(reopen=True)


def sync(*, wait: float = 0.0) -> SyncResult:
    """Bring this server's copy up to date (see the module docstring); waits up to `wait` s for another sync of
    this server, else returns `skipped`. Raises IndexUnavailable when the directory cannot be used."""
    path = Path(settings.ZHIFA_SEARCH_INDEX)
    with _server_lock(path, wait) as locked:
        if not locked:
            return SyncResult(skipped=True)
        backend = _open(path)
        generation = store.generation()
        state = _read_state(path)
        if not _trusted(state, generation):
            return _rebuild(backend, path, generation)
        assert state is not None
        changes = store.changes_since(state["seq"])
        if not changes:
            return SyncResult(seq=state["seq"])
        law_ids = sorted({c.law_id for c in changes})
        added = _replace(backend, law_ids)
        _write_state(path, generation, changes[-1])
        return SyncResult(laws=len(law_ids), documents=added, seq=changes[-1].seq)


def _rebuild(backend: tantivy.TantivyBackend, path: Path, generation: str) -> SyncResult:
    """Replace the copy's content by every stored document (one commit: searches see the old copy until then)."""
    last = store.last_change()  # read before the documents: a change committed meanwhile is applied again later
    added = _replace(backend, None)
    _write_state(path, generation, last)
    return SyncResult(rebuilt=True, documents=added, seq=last.seq if last else 0)


def _replace(backend: tantivy.TantivyBackend, law_ids: list[int] | None) -> int:
    """Replace these laws' documents in the copy (None: every document) by the stored ones, in one commit (searches
    see the old copy until then); returns how many were added."""
    added = 0
    try:
        if law_ids is None:
            backend.clear()
        else:
            backend.remove_laws(law_ids)
        for batch in store.stored_documents(law_ids):
            backend.add(batch)
            added += len(batch)
        backend.commit()
    except BaseException:
        backend.rollback()
        raise
    return added
