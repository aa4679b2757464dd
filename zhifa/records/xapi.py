"""xAPI 1.0.3 rendering of statements (no ORM queries: works on rows already loaded).

Apps write free-form `result` and `context` dicts; here the keys xAPI defines are kept when their values are valid
and everything else goes to `extensions` under an IRI of this site, so the export always validates.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

XAPI_VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
VERB_DISPLAY = {
    "completed": "完成",
    "passed": "通过",
    "failed": "未通过",
    "attended": "参加",
    "answered": "作答",
    "experienced": "学习",
}
ACTIVITY_TYPES = {
    "course": "course",
    "lesson": "lesson",
    "exam": "assessment",
    "attempt": "assessment",
    "paper": "assessment",
    "question": "cmi.interaction",
    "offline_session": "meeting",
    "session": "meeting",
    "scenario": "simulation",
    "drill": "simulation",
    "case": "simulation",
    "article": "media",
    "law": "media",
}
_SCORE_KEYS = ("scaled", "raw", "min", "max")
_RESULT_FLAGS = ("success", "completion")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


def _extension_key(site: str, key: str) -> str:
    return f"{site}/xapi/extensions/{quote(str(key), safe='')}"


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration for xAPI results, e.g. 905.5 → 'PT15M5.5S'."""
    seconds = max(0.0, float(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    secs_text = f"{secs:.2f}".rstrip("0").rstrip(".") or "0"
    return "PT" + (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "") + f"{secs_text}S"


def _score(value: Any) -> dict | None:
    if _number(value) is not None:
        return {"raw": value}
    if not isinstance(value, dict):
        return None
    score = {k: value[k] for k in _SCORE_KEYS if _number(value.get(k)) is not None}
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        score.pop("scaled")
    return score or None


def _fold_score_bounds(raw: dict) -> dict:
    """{"score": 86, "max": 100} → {"score": {"raw": 86, "max": 100, "scaled": 0.86}} (apps often write it so)."""
    score, low, high = _number(raw.get("score")), _number(raw.get("min", 0)), _number(raw.get("max"))
    if score is None or high is None or low is None or not low <= score <= high or high <= low:
        return raw
    folded = {k: v for k, v in raw.items() if k not in ("min", "max")}
    folded["score"] = {"raw": score, "min": low, "max": high, "scaled": round((score - low) / (high - low), 4)}
    return folded


def result_of(raw: dict | None, site: str) -> dict | None:
    """A valid xAPI Result from an app's free-form dict (score, success, completion, response, duration)."""
    if not raw:
        return None
    result: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    raw = _fold_score_bounds(raw)
    for key, value in raw.items():
        if key == "score" and _score(value) is not None:
            result["score"] = _score(value)
        elif key in _RESULT_FLAGS and isinstance(value, bool):
            result[key] = value
        elif key == "response" and isinstance(value, str):
            result["response"] = value
        elif key == "duration" and isinstance(value, str) and value.startswith("P"):
            result["duration"] = value
        elif key in ("duration_seconds", "seconds") and _number(value) is not None:
            result["duration"] = iso_duration(value)
        else:
            extensions[_extension_key(site, key)] = value
    if extensions:
        result["extensions"] = extensions
    return result


def context_of(raw: dict | None, site: str) -> dict:
    """A valid xAPI Context: platform and language always; registration when a UUID; the rest as extensions."""
    context: dict[str, Any] = {"platform": "智慧执法学院", "language": "zh-CN"}
    extensions: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        if key == "registration" and _is_uuid(value):
            context["registration"] = str(value)
        elif key == "revision" and isinstance(value, str):
            context["revision"] = value
        else:
            extensions[_extension_key(site, key)] = value
    if extensions:
        context["extensions"] = extensions
    return context


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def statement_json(statement: Any, *, site: str, account_name: str, actor_name: str) -> dict:
    """One statement as xAPI 1.0.3 JSON (the Statement row's fields, the actor as an account on this site)."""
    site = site.rstrip("/")
    activity: dict[str, Any] = {"name": {"zh-CN": statement.object_name}}
    object_path = f"{quote(statement.object_type, safe='')}/{quote(statement.object_id, safe='')}"
    if statement.object_type in ACTIVITY_TYPES:
        activity["type"] = ADL_ACTIVITIES + ACTIVITY_TYPES[statement.object_type]
    data: dict[str, Any] = {
        "id": str(statement.uuid),
        "actor": {"objectType": "Agent", "name": actor_name, "account": {"homePage": site, "name": account_name}},
        "verb": {
            "id": ADL_VERBS + statement.verb,
            "display": {"zh-CN": VERB_DISPLAY.get(statement.verb, statement.verb), "en-US": statement.verb},
        },
        "object": {
            "objectType": "Activity",
            "id": f"{site}/xapi/activities/{object_path}",
            "definition": activity,
        },
        "context": context_of(statement.context, site),
        "timestamp": _timestamp(statement.timestamp),
        "stored": _timestamp(statement.stored),
        "version": XAPI_VERSION,
    }
    result = result_of(statement.result, site)
    if result:
        data["result"] = result
    return data


def statement_result(statements: Iterable[Any], *, site: str, account_name: str, actor_name: str) -> dict:
    """An xAPI StatementResult document: {"statements": [...], "more": ""}."""
    return {
        "statements": [
            statement_json(s, site=site, account_name=account_name, actor_name=actor_name) for s in statements
        ],
        "more": "",
    }
