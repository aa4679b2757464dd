"""A small provincial identity platform for the tests: OpenID Connect and CAS 3.0, over HTTP, in its own process.

    python zhifa/security/tests/idp.py PORT USERS.json

USERS.json: {"login": {"password": "...", "claims": {"sub": "...", "certificate_number": "...", ...}}}.

OIDC: discovery, /authorize (a log-in form; authorization code bound to client, redirect URI, nonce and the PKCE
S256 challenge, which is required), /token (client secret, one use per code, code_verifier checked), /jwks
(RS256 key made at start), /userinfo (bearer token). The ID token is a real signed JWT (PyJWT + cryptography).
CAS 3.0: /cas/login (form, then a redirect to the service with a one-use ticket), /cas/p3/serviceValidate and
/cas/serviceValidate (XML with the user and his attributes).
Only what these tests need, but each step is the protocol's: the app under test talks to it with its libraries.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "zhifa-test-idp"
CLIENTS = {"zhifa": "zhifa-client-secret"}
CODES: dict[str, dict] = {}
TOKENS: dict[str, dict] = {}
TICKETS: dict[str, dict] = {}
USERS: dict[str, dict] = {}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk() -> dict:
    numbers = KEY.public_key().public_numbers()
    as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")  # noqa: E731
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": KID,
        "n": b64url(as_bytes(numbers.n)),
        "e": b64url(as_bytes(numbers.e)),
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    @property
    def base(self) -> str:
        return f"http://{self.headers['Host']}"

    def send(self, status: int, body: str | bytes | dict, ctype: str = "application/json", headers: dict | None = None):
        data = json.dumps(body).encode() if isinstance(body, dict) else body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype if not isinstance(body, dict) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, url: str) -> None:
        self.send(302, "", "text/plain", {"Location": url})

    def form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def login_form(self, action: str, error: str = "") -> None:
        page = (
            f"<!doctype html><meta charset=utf-8><title>统一身份认证</title><p>{html.escape(error)}</p>"
            f'<form method=post action="{html.escape(action)}"><input name=username><input name=password type=password>'
            "<button>登录</button></form>"
        )
        self.send(200, page, "text/html; charset=utf-8")

    def check_user(self, form: dict) -> dict | None:
        user = USERS.get(form.get("username", ""))
        return user if user and secrets.compare_digest(user["password"], form.get("password", "")) else None

    # ---- routes ---------------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            return self.send(
                200,
                {
                    "issuer": self.base,
                    "authorization_endpoint": f"{self.base}/authorize",
                    "token_endpoint": f"{self.base}/token",
                    "userinfo_endpoint": f"{self.base}/userinfo",
                    "jwks_uri": f"{self.base}/jwks",
                    "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "subject_types_supported": ["public"],
                },
            )
        if url.path == "/jwks":
            return self.send(200, {"keys": [jwk()]})
        if url.path == "/authorize":
            if query.get("client_id") not in CLIENTS or query.get("response_type") != "code":
                return self.send(400, {"error": "invalid_request"})
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                return self.send(400, {"error": "invalid_request", "error_description": "PKCE S256 required"})
            return self.login_form(self.path)
        if url.path == "/userinfo":
            token = TOKENS.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
            if token is None or token["expires"] < time.time():
                return self.send(401, {"error": "invalid_token"})
            return self.send(200, token["claims"])
        if url.path == "/cas/login":
            return self.login_form(self.path)
        if url.path in {"/cas/p3/serviceValidate", "/cas/serviceValidate"}:
            return self.cas_validate(query)
        return self.send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/authorize":
            user = self.check_user(self.form())
            if user is None:
                return self.login_form(self.path, "用户名或密码错误")
            code = secrets.token_urlsafe(24)
            CODES[code] = {
                "client_id": query["client_id"],
                "redirect_uri": query["redirect_uri"],
                "nonce": query.get("nonce"),
                "challenge": query["code_challenge"],
                "claims": user["claims"],
                "expires": time.time() + 60,
            }
            return self.redirect(
                f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
            )
        if url.path == "/token":
            return self.token(self.form())
        if url.path == "/cas/login":
            user = self.check_user(self.form())
            if user is None:
                return self.login_form(self.path, "用户名或密码错误")
            ticket = "ST-" + secrets.token_urlsafe(24)
            TICKETS[ticket] = {"service": query["service"], "user": user, "expires": time.time() + 60}
            sep = "&" if "?" in query["service"] else "?"
            return self.redirect(f"{query['service']}{sep}ticket={ticket}")
        return self.send(404, {"error": "not_found"})

    def token(self, form: dict) -> None:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if CLIENTS.get(client_id) != secret:
            return self.send(401, {"error": "invalid_client"})
        grant = CODES.pop(form.get("code", ""), None)  # one use
        if grant is None or grant["expires"] < time.time() or grant["client_id"] != client_id:
            return self.send(400, {"error": "invalid_grant"})
        if grant["redirect_uri"] != form.get("redirect_uri"):
            return self.send(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self.send(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        now = int(time.time())
        claims = grant["claims"]
        id_token = jwt.encode(
            {"iss": self.base, "aud": client_id, "iat": now, "exp": now + 300, "nonce": grant["nonce"], **claims},
            KEY,
            algorithm="RS256",
            headers={"kid": KID},
        )
        access = secrets.token_urlsafe(24)
        TOKENS[access] = {"claims": claims, "expires": now + 300}
        return self.send(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token})

    def cas_validate(self, query: dict) -> None:
        grant = TICKETS.pop(query.get("ticket", ""), None)  # one use
        if grant is None or grant["expires"] < time.time() or grant["service"] != query.get("service"):
            body = (
                "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>"
                "<cas:authenticationFailure code='INVALID_TICKET'>票据无效</cas:authenticationFailure>"
                "</cas:serviceResponse>"
            )
            return self.send(200, body, "application/xml; charset=utf-8")
        claims = grant["user"]["claims"]
        attributes = "".join(f"<cas:{k}>{html.escape(str(v))}</cas:{k}>" for k, v in claims.items() if k != "sub")
        body = (
            "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'><cas:authenticationSuccess>"
            f"<cas:user>{html.escape(claims['sub'])}</cas:user><cas:attributes>{attributes}</cas:attributes>"
            "</cas:authenticationSuccess></cas:serviceResponse>"
        )
        return self.send(200, body, "application/xml; charset=utf-8")


def main() -> None:
    port, users = int(sys.argv[1]), sys.argv[2]
    with open(users, encoding="utf-8") as handle:
        USERS.update(json.load(handle))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
