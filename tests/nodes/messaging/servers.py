"""Real servers on loopback for the HTTP and email nodes: an HTTP API and an SMTP server."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ITEMS = [
    {"id": 1, "name": "Kim", "tier": "gold", "meta": {"city": "Seoul"}},
    {"id": 2, "name": "Lee", "tier": None, "meta": {"city": "Busan"}},
    {"id": 3, "name": "Ann", "tier": "silver", "meta": {}},
]


@dataclass
class Api:
    """What the test API received, and how it should misbehave."""

    base: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["path"] == path]


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> tuple[str, dict[str, list[str]], bytes]:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with api.lock:
                api.calls.append(
                    {"method": self.command, "path": parts.path, "query": parts.query,
                     "headers": dict(self.headers), "body": body}
                )  # fmt: skip
            return parts.path, parse_qs(parts.query), body

        def do_GET(self) -> None:
            self._route()

        def do_POST(self) -> None:
            self._route()

        def do_PUT(self) -> None:
            self._route()

        def _route(self) -> None:
            path, query, body = self._record()
            if path == "/records":
                self._reply(200, {"data": {"items": ITEMS}, "total": len(ITEMS)})
            elif path.startswith("/flaky/"):
                with api.lock:
                    api.failures[path] += 1
                    attempt = api.failures[path]
                wanted = int(query.get("fail", ["1"])[0])
                if attempt <= wanted:
                    self._reply(503, {"error": "busy"})
                else:
                    self._reply(200, {"items": ITEMS[:1], "attempt": attempt})
            elif path == "/slow":
                time.sleep(float(query.get("s", ["2"])[0]))
                self._reply(200, {"items": []})
            elif path == "/pages":
                page = int(query.get("page", ["1"])[0])
                items = [{"page": page, "n": i} for i in range(2)] if page <= 3 else []
                self._reply(200, {"items": items})
            elif path == "/linked":
                p = int(query.get("p", ["1"])[0])
                nxt = f"/linked?p={p + 1}" if p < 3 else None
                self._reply(200, {"items": [{"p": p}], "links": {"next": nxt}})
            elif path == "/link-header":
                p = int(query.get("p", ["1"])[0])
                link = {"Link": f'</link-header?p={p + 1}>; rel="next"'} if p < 2 else {}
                self._reply(200, [{"p": p}], link)
            elif path == "/redirect":
                self._reply(302, b"", {"Location": "/records"})
            elif path == "/big":
                self._reply(200, b"[" + b"1," * 600_000 + b"1]")
            elif path == "/fail":
                self._reply(500, {"error": "boom"})
            elif path == "/text":
                self._reply(200, b"not json")
            else:
                echo = {"ok": True, "received": body.decode() if body else None}
                self._reply(200, echo)

    return Handler


def start_api() -> tuple[Api, ThreadingHTTPServer]:
    api = Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return api, server


# -- SMTP -----------------------------------------------------------------------------------
@dataclass
class Mailbox:
    messages: list[dict[str, Any]] = field(default_factory=list)
    temporary_failures: int = 0  # answer 451 to this many DATA commands first

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 try again later"
        self.messages.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
             "raw": envelope.content,
             "login": getattr(session, "auth_data", None)}
        )  # fmt: skip
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"s3cret")
    return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def start_smtp(
    *, with_login: bool = False, tls: tuple[Path, Path] | None = None
) -> tuple[Mailbox, Controller]:
    mailbox = Mailbox()
    options: dict[str, Any] = {}
    if with_login:
        options = {"authenticator": _authenticate, "auth_require_tls": False, "auth_required": True}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        options = {**options, "tls_context": context, "require_starttls": True}
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return mailbox, controller
