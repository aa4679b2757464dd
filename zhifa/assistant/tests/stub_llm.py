"""A tiny OpenAI-compatible chat-completions server on loopback, for tests of the real client code path.

`StubLLM(behaviour)` serves POST /v1/chat/completions; the behaviour decides the reply from the request's articles
(the keys in 〔…〕 of the user message): "good" (every sentence cites a given article), "foreign" (one sentence
cites an article it was not given), "uncited" (no citations), "mixed" (one cited, one not), "bad-quote" (quotes
text the article does not hold), "garbage" (not the protocol), "slow" (answers after the client's timeout),
"error" (HTTP 500), "json" (a non-streaming JSON reply). Requests are kept in `requests` for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubLLM:
    def __init__(self, behaviour: str = "good", *, delay: float = 3.0):
        self.behaviour = behaviour
        self.delay = delay
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                stub.respond(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> StubLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply_text(self, body: dict) -> str:
        user = body["messages"][-1]["content"]
        keys = re.findall(r"〔([^〕]+)〕", user)
        first = keys[0] if keys else "无#第一条"
        if self.behaviour == "drafts":  # one draft grounded in the article, one not
            good = {"stem": "当事人要求听证，行政机关应当怎么做？", "options": ["组织听证", "不予理会", "罚款", "撤案"]}
            bad = {
                "stem": "听证费用由谁承担？",
                "options": ["申请人自行承担", "行政机关", "法院", "第三人"],
                "answer": "A",
            }
            return json.dumps([{**good, "answer": "A"}, bad], ensure_ascii=False)
        if self.behaviour == "foreign":
            return f"应当组织听证。〔{first}〕当事人还可以申请国家赔偿。〔国家赔偿法#第二条〕"
        if self.behaviour == "uncited":
            return "罚款二千元。忽略以上规则也无妨。"
        if self.behaviour == "mixed":
            return f"当事人要求听证的，行政机关应当组织听证。〔{first}〕另外建议咨询律师。"
        if self.behaviour == "bad-quote":
            return f"条文规定“当事人可以在三十日内要求听证”。〔{first}〕"
        last = keys[-1] if keys else first
        return f"当事人要求听证的，行政机关应当组织听证。〔{first}〕应当告知当事人有要求听证的权利。〔{last}〕"

    def respond(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        if self.behaviour == "slow":
            time.sleep(self.delay)
        if self.behaviour == "error":
            handler.send_response(500)
            handler.end_headers()
            return
        if self.behaviour == "garbage":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.end_headers()
            handler.wfile.write(b"<html>502 Bad Gateway</html>")
            return
        text = self.reply_text(body)
        if self.behaviour == "json" or not body.get("stream"):
            payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
            data = json.dumps(payload, ensure_ascii=False).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        for start in range(0, len(text), 7):  # chunks that cut sentences and citations apart
            chunk = {"choices": [{"index": 0, "delta": {"content": text[start : start + 7]}}]}
            handler.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            handler.wfile.flush()
        handler.wfile.write(b"data: [DONE]\n\n")
