"""A client of an OpenAI-compatible chat-completions endpoint (vLLM, Ollama, …), standard library only.

Requests go to the one configured URL (`ZHIFA_LLM_URL`, e.g. http://10.0.0.5:8000/v1) and nowhere else; the
reply is read as a stream of server-sent events (`stream: true`) so a slow model is cut off at the deadline
rather than hanging the page. Every failure becomes `LLMError` with a Chinese message for the officer.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

MAX_REPLY_CHARS = 4000


class LLMError(Exception):
    """The endpoint could not give a usable reply (down, slow, or not speaking the protocol)."""


@dataclass(frozen=True)
class Endpoint:
    url: str  # base URL ending in /v1 (or the full …/chat/completions)
    model: str
    key: str = ""
    timeout: float = 20.0
    max_tokens: int = 600

    @property
    def completions_url(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def chat(endpoint: Endpoint, messages: list[dict]) -> str:
    """The model's whole reply to `messages`; raises LLMError."""
    body = json.dumps(
        {
            "model": endpoint.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": endpoint.max_tokens,
            "stream": True,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
    if endpoint.key:
        headers["Authorization"] = f"Bearer {endpoint.key}"
    request = urllib.request.Request(endpoint.completions_url, data=body, headers=headers, method="POST")
    deadline = time.monotonic() + endpoint.timeout
    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:
            if "text/event-stream" in (response.headers.get("Content-Type") or ""):
                return _read_stream(response, deadline)
            return _read_whole(response.read(MAX_REPLY_CHARS * 8))
    except LLMError:
        raise
    except urllib.error.HTTPError as exc:
        raise LLMError(f"模型服务返回错误（HTTP {exc.code}），本次只显示检索到的条文。") from exc
    except TimeoutError as exc:
        raise LLMError("模型服务响应超时，本次只显示检索到的条文。") from exc
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(getattr(exc, "reason", None), TimeoutError):
            raise LLMError("模型服务响应超时，本次只显示检索到的条文。") from exc
        raise LLMError("无法连接模型服务，本次只显示检索到的条文。") from exc


def _read_whole(raw: bytes) -> str:
    try:
        data = json.loads(raw.decode("utf-8"))
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError("模型服务的回复无法识别，本次只显示检索到的条文。") from exc
    if not isinstance(content, str):
        raise LLMError("模型服务的回复无法识别，本次只显示检索到的条文。")
    return content[:MAX_REPLY_CHARS]


def _read_stream(response, deadline: float) -> str:
    parts: list[str] = []
    size = 0
    for raw_line in response:
        if time.monotonic() > deadline:
            raise LLMError("模型服务响应超时，本次只显示检索到的条文。")
        line = raw_line.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        try:
            delta = json.loads(payload)["choices"][0].get("delta", {}).get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise LLMError("模型服务的回复无法识别，本次只显示检索到的条文。") from exc
        if not isinstance(delta, str):
            raise LLMError("模型服务的回复无法识别，本次只显示检索到的条文。")
        parts.append(delta)
        size += len(delta)
        if size > MAX_REPLY_CHARS:
            break
    return "".join(parts)
