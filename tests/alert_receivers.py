"""Real alert receivers on 127.0.0.1 for the alert tests: an HTTP webhook receiver and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class WebhookReceiver:
    """Records every POST; fails the first `fail_next` requests with 503; can hold a request until released.

    `accepted` is what a receiver deduplicating on the idempotency key keeps: one entry per alert_id.
    """

    url: str = ""
    fail_next: int = 0
    requests: list[dict] = field(default_factory=list)
    accepted: dict[str, dict] = field(default_factory=dict)
    delay: float = 0.0  # seconds before each answer (a slow receiver)
    hold: threading.Event | None = None  # when set: the next request blocks until `release` is set
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def raw_keys(self) -> list[str]:
        return [r["headers"].get("idempotency-key") for r in self.requests]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        receiver: WebhookReceiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = {"path": self.path, "headers": headers, "json": json.loads(body or b"null")}
        with receiver.lock:
            receiver.requests.append(record)
            failing = receiver.fail_next > 0
            record["status"] = 503 if failing else 200
            if failing:
                receiver.fail_next -= 1
            else:
                key = headers.get("idempotency-key")
                receiver.accepted.setdefault(key, record)  # dedupe on the idempotency key
            hold = receiver.hold is not None and receiver.hold.is_set()
            if hold:
                receiver.hold.clear()
        if receiver.delay:
            time.sleep(receiver.delay)
        if hold:  # the sender has sent; it is killed while waiting for our answer
            receiver.holding.set()
            receiver.release.wait(30)
        status = 503 if failing else 200
        out = b"down" if failing else b"ok"
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


def start_webhook_receiver() -> tuple[WebhookReceiver, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    receiver = WebhookReceiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    server.receiver = receiver  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alert_ids(msg) -> list[str]:
    return [k for k in re.split(r"[\s,]+", str(msg["X-Pantau-Alert-Ids"])) if k]


class MailSink:
    """aiosmtpd handler keeping every message; `by_alert` dedupes on the X-Pantau-Alert-Ids header."""

    def __init__(self):
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    @property
    def by_alert(self) -> dict[str, object]:
        seen = {}
        for msg in self.messages:
            for key in alert_ids(msg):
                seen.setdefault(key, msg)
        return seen


def self_signed_cert(directory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 (and localhost) made with openssl: (cert.pem, key.pem)."""
    import subprocess

    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def start_smtp(auth: tuple[str, str] | None = None, port: int | None = None, tls: tuple[str, str] | None = None):
    """aiosmtpd on 127.0.0.1; `auth` requires that login; `tls` (cert, key) offers and requires STARTTLS."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    sink = MailSink()
    kwargs = {}
    if auth:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode(), auth_data.password.decode()) == auth
            return AuthResult(success=ok)
        kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": bool(tls)}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(sink, hostname="127.0.0.1", port=port or free_port(), **kwargs)
    controller.start()
    return sink, controller
