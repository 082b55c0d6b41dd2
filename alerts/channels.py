"""Alert channels: each sends one alert payload or raises `DeliveryError`. Credentials never live in the config."""

from __future__ import annotations

import hashlib
import html
import json
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape


class DeliveryError(RuntimeError):
    pass


class Channel(Protocol):
    def send(self, title: str, payload: dict[str, Any]) -> None: ...


class ConsoleChannel:
    def __init__(self, console: Console | None = None):
        self.console = console or Console()

    def send(self, title: str, payload: dict[str, Any]) -> None:
        where = payload.get("article_title") or payload.get("article_url") or ""
        extra = f" — {payload['title']}" if payload.get("title") else ""
        self.console.print(f"[bold red]ALERT[/] {escape(title + extra)}\n"
                           f"        [dim]{escape(str(where))} ({escape(str(payload.get('article_url')))})[/]", highlight=False)


class JsonlChannel:
    """One JSON object per line; `alert_id` is the idempotency key a consumer deduplicates on."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, title: str, payload: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"title": title, **payload}, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc.strerror}") from exc


def _env(name: str | None, what: str) -> str | None:
    """A secret from the environment (the config names the variable, never holds the value)."""
    if not name:
        return None
    value = os.environ.get(name)
    if not value:
        raise DeliveryError(f"{what}: environment variable {name} is not set")
    return value


def slack_payload(title: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Slack incoming-webhook JSON (`text` plus Block Kit); the idempotency key rides in a context block."""
    link = payload.get("article_url")
    article = payload.get("article_title") or link or ""
    line = f"<{link}|{article}>" if link else article
    detail = f"\n_{payload['title']}_" if payload.get("title") else ""
    text = f"*{title}*{detail}\n{line}"
    return {
        "text": f"{title} — {article}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"pantau · alert_id `{payload['alert_id']}`"}]},
        ],
    }


class WebhookChannel:
    """HTTP POST of JSON per alert. The receiver deduplicates on `alert_id` (body) / `Idempotency-Key` (header)."""

    retries_with_backoff = True

    def __init__(self, url: str | None = None, url_env: str | None = None, token_env: str | None = None,
                 format: str = "json", timeout: float = 10.0, user_agent: str = "pantau"):
        self.url, self.url_env, self.token_env = url, url_env, token_env
        self.format, self.timeout, self.user_agent = format, timeout, user_agent

    def send(self, title: str, payload: dict[str, Any]) -> None:
        import httpx

        url = _env(self.url_env, "webhook url") or self.url
        if not url:
            raise DeliveryError("webhook url is not configured")
        headers = {"Idempotency-Key": payload["alert_id"], "X-Pantau-Alert-Id": payload["alert_id"],
                   "User-Agent": self.user_agent}
        token = _env(self.token_env, "webhook token")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = slack_payload(title, payload) if self.format == "slack" else {"title": title, **payload}
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code} {response.text[:200]!r}")


def digest_message_id(alert_ids: list[str]) -> str:
    return f"<pantau-{hashlib.sha1(','.join(sorted(alert_ids)).encode()).hexdigest()[:24]}@pantau.alerts>"


class EmailChannel:
    """One SMTP message per run holding every due alert (plain text and HTML).

    Idempotency: `Message-ID` derives from the alert ids it carries, and `X-Pantau-Alert-Ids` lists them, so a
    receiver (or a mail filter) can drop an alert it has seen; credentials come from environment variables.
    """

    retries_with_backoff = True

    def __init__(self, host: str, port: int = 587, security: str = "starttls", username_env: str | None = None,
                 password_env: str | None = None, sender: str = "pantau@localhost", to: list[str] | None = None,
                 subject_prefix: str = "[pantau]", timeout: float = 20.0, ca_file: str | None = None):
        self.host, self.port, self.security, self.ca_file = host, port, security, ca_file
        self.username_env, self.password_env = username_env, password_env
        self.sender, self.to, self.subject_prefix, self.timeout = sender, list(to or []), subject_prefix, timeout

    def send(self, title: str, payload: dict[str, Any]) -> None:
        self.send_digest([(title, payload)])

    def message(self, items: list[tuple[str, dict[str, Any]]]) -> EmailMessage:
        ids = [payload["alert_id"] for _, payload in items]
        msg = EmailMessage()
        subject = items[0][0] if len(items) == 1 else f"{len(items)} alerts: " + "; ".join(t for t, _ in items[:3])
        msg["Subject"] = f"{self.subject_prefix} {subject}".strip()[:200]
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = digest_message_id(ids)
        msg["X-Pantau-Alert-Ids"] = ", ".join(ids)
        plain, rows = [], []
        for title, p in items:
            plain.append(f"* {title}" + (f" — {p['title']}" if p.get("title") else "")
                         + f"\n  {p.get('article_title') or ''}\n  {p.get('article_url') or ''}\n  alert_id: {p['alert_id']}")
            link = html.escape(str(p.get("article_url") or ""), quote=True)
            rows.append(f"<li><b>{html.escape(title)}</b>"
                        + (f" — {html.escape(str(p['title']))}" if p.get("title") else "")
                        + f"<br><a href=\"{link}\">{html.escape(str(p.get('article_title') or link))}</a>"
                        + f"<br><small>alert_id {html.escape(p['alert_id'])}</small></li>")
        msg.set_content("pantau alerts\n\n" + "\n\n".join(plain) + "\n")
        msg.add_alternative(f"<html><body><h3>pantau alerts</h3><ul>{''.join(rows)}</ul></body></html>",
                            subtype="html")
        return msg

    def send_digest(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        if not items:
            return
        if not self.to:
            raise DeliveryError("email: no recipients configured")
        user = _env(self.username_env, "smtp username")
        password = _env(self.password_env, "smtp password")
        msg = self.message(items)
        try:
            # TLS verifies the server's certificate and host name (smtplib's own default does not).
            context = ssl.create_default_context(cafile=self.ca_file) if self.security != "none" else None
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=context)
                if user:
                    smtp.login(user, password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"email: {type(exc).__name__}: {exc}") from exc
