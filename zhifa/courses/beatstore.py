"""The heartbeat's hot path in plain SQL: one locking read, one insert, two updates.

Every watching officer sends a beat every 10–15 s, and the endpoint must take ≥ 1,000 beats/s on 2 cores. Building
these four statements with the ORM cost more CPU than the rest of the request (query compilation, model instances),
so they are written once here; everything they decide with lives in intervals.py (pure) and tracking.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from zhifa.courses.models import Heartbeat, Lesson, LessonProgress, VideoAsset, WatchSession
from zhifa.people.models import Officer


@dataclass
class BeatState:
    """What a heartbeat needs to know about its session, lesson and progress (rows locked until commit)."""

    session_id: int
    officer_id: int
    lesson_id: int
    progress_id: int
    status: str
    clock: float  # epoch seconds of the last accepted beat, or of the session start
    last_seq: int
    media_seconds: float
    kind: str
    duration: float
    completion_share: Decimal | None
    watched: list
    furthest: float
    unique_seconds: float
    completed: bool


def _tables() -> dict[str, str]:
    return {
        "session": WatchSession._meta.db_table,
        "progress": LessonProgress._meta.db_table,
        "officer": Officer._meta.db_table,
        "lesson": Lesson._meta.db_table,
        "video": VideoAsset._meta.db_table,
        "beat": Heartbeat._meta.db_table,
    }


def _json(value) -> list:
    return json.loads(value) if isinstance(value, str | bytes) else list(value or [])


def state_lock(*, session_id: int, user_id: int) -> BeatState | None:
    """The session's state, its session and progress rows locked (PostgreSQL); None when not the user's session."""
    t = _tables()
    lock = " FOR UPDATE OF s, p" if connection.features.has_select_for_update_of else ""
    sql = (
        "SELECT s.id, s.officer_id, s.lesson_id, s.progress_id, s.status, s.clock, s.last_seq, s.media_seconds, "
        "l.kind, v.duration, l.completion_share, p.watched, p.furthest, p.unique_seconds, "
        "CASE WHEN p.completed_at IS NULL THEN 0 ELSE 1 END "
        f"FROM {t['session']} s JOIN {t['progress']} p ON p.id = s.progress_id "
        f"JOIN {t['officer']} o ON o.id = p.officer_id JOIN {t['lesson']} l ON l.id = s.lesson_id "
        f"LEFT JOIN {t['video']} v ON v.id = l.video_id "
        f"WHERE s.id = %s AND o.user_id = %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_id, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    share = None if row[10] is None else Decimal(str(row[10]))
    session, officer, lesson, progress, status, clock, last_seq, media_seconds, kind = row[:9]
    return BeatState(
        session,
        officer,
        lesson,
        progress,
        status,
        clock,
        last_seq,
        media_seconds,
        kind,
        float(row[9] or 0),
        share,
        _json(row[11]),
        float(row[12]),
        float(row[13]),
        bool(row[14]),
    )


_BEAT_INSERT = "INSERT INTO {beat} (session_id, received_at, seq, intervals, position, rate, accepted, reason) "
_SESSION_UPDATE = "UPDATE {session} SET last_seq = %s, last_beat_at = %s, clock = %s, media_seconds = %s WHERE id = %s"
_PROGRESS_UPDATE = (
    "UPDATE {progress} SET watched = %s, unique_seconds = %s, furthest = %s, last_position = %s, updated_at = %s "
    "WHERE id = %s"
)


def _beat_params(
    state: BeatState, stamp, seq: int, spans: list, position: float, rate: float, accepted: bool, reason: str
) -> list[Any]:
    return [state.session_id, stamp, seq, json.dumps(spans), position, rate, accepted, reason]


def refused_store(
    *, state: BeatState, now: datetime, seq: int, spans: list, position: float, rate: float, reason: str
) -> None:
    """A refused beat's append-only evidence row; nothing else changes (an accepted beat: accepted_store)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            _BEAT_INSERT.format(**_tables()) + "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            _beat_params(state, stamp, seq, spans, position, rate, False, reason),
        )


def accepted_store(
    *, state: BeatState, now: datetime, seq: int, spans: list, position: float, rate: float, added_media: float
) -> None:
    """Write an accepted beat: its evidence row, the session's clock and sequence, the new union in the progress row.

    On PostgreSQL the three writes are one statement (data-modifying CTEs): with the lock and the commit, a beat is
    four round trips instead of six. SQLite has no data-modifying CTEs and no round trips to save.
    """
    t = _tables()
    stamp = connection.ops.adapt_datetimefield_value(now)
    beat = _beat_params(state, stamp, seq, spans, position, rate, True, "")
    session: list[Any] = [seq, stamp, now.timestamp(), state.media_seconds + added_media, state.session_id]
    progress: list[Any] = [
        json.dumps(state.watched),
        state.unique_seconds,
        state.furthest,
        max(0.0, float(position)),
        stamp,
        state.progress_id,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            writes = (
                f"WITH b AS ({_BEAT_INSERT.format(**t)}VALUES (%s, %s, %s, %s, %s, %s, %s, %s)), "
                f"s AS ({_SESSION_UPDATE.format(**t)}) {_PROGRESS_UPDATE.format(**t)}"
            )
            cursor.execute(writes, beat + session + progress)
            return
        cursor.execute(_BEAT_INSERT.format(**t) + "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", beat)
        cursor.execute(_SESSION_UPDATE.format(**t), session)
        cursor.execute(_PROGRESS_UPDATE.format(**t), progress)
