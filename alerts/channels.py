"""Alert channels: each sends one alert payload or raises `DeliveryError`. Credentials never live in the config."""

from __future__ import annotations

import json
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
