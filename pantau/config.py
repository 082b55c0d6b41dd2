"""Settings in one place: defaults here, overrides from one TOML file (`pantau.toml`).

A malformed file or an unknown/ill-typed key is a `ConfigError` naming the file and the line, never a traceback.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = Path("pantau.toml")


class ConfigError(ValueError):
    """A config problem, worded for the user: `pantau.toml:12: unknown key 'timout' in [http]`."""


@dataclass
class FeedConfig:
    url: str
    name: str | None = None
    region: str | None = None


@dataclass
class HttpSettings:
    user_agent: str = "pantau/0.1 (+https://github.com/pantau-id/pantau; regional news monitor)"
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = 5_000_000  # per response body
    max_redirects: int = 5
    retries: int = 2  # on timeouts and 5xx only
    per_host_concurrency: int = 2


@dataclass
class WarehouseSettings:
    path: str = "pantau.duckdb"


@dataclass
class ExtractionSettings:
    model: str = str(REPO_ROOT / "models" / "ner-id")
    batch_size: int = 16  # articles per extraction task
    max_fetch_attempts: int = 3  # a failed article page is retried on later runs up to this many times


@dataclass
class AlertRule:
    name: str
    kind: str = "new_regulation"
    channels: list[str] = field(default_factory=lambda: ["console", "jsonl"])


@dataclass
class AlertSettings:
    jsonl_path: str = "alerts.jsonl"
    rules: list[AlertRule] = field(default_factory=lambda: [AlertRule(name="new-regulation")])


@dataclass
class Settings:
    warehouse: WarehouseSettings = field(default_factory=WarehouseSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    feeds: list[FeedConfig] = field(default_factory=list)
    source: str | None = None  # the file these settings came from, for messages


ALERT_KINDS = {"new_regulation"}
ALERT_CHANNELS = {"console", "jsonl"}


def load_settings(path: str | Path | None = None) -> Settings:
    """Defaults, overridden by `path` (or ./pantau.toml when it exists)."""
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return Settings()
        path = DEFAULT_CONFIG
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise ConfigError(f"{where}: malformed TOML: {exc}") from None
    settings = _build(Settings, raw, path, text, section="")
    settings.source = str(path)
    _validate(settings, path, text)
    return settings


def _line_of(text: str, key: str) -> int | None:
    """The first line defining `key` (good enough to point a user at the mistake)."""
    pattern = re.compile(rf"^\s*(\[\[?\s*)?[\w.\"]*\b{re.escape(key)}\b")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _error(path: Path, text: str, key: str, message: str) -> ConfigError:
    line = _line_of(text, key)
    return ConfigError(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def _build(cls: type, raw: Any, path: Path, text: str, section: str) -> Any:
    if not isinstance(raw, dict):
        raise _error(path, text, section or "?", f"[{section}] must be a table")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls) if f.name != "source"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{section}.{key}" if section else key
        if key not in known:
            raise _error(path, text, key, f"unknown key '{key}'" + (f" in [{section}]" if section else ""))
        values[key] = _convert(hints[key], value, path, text, where, key)
    try:
        return cls(**values)
    except TypeError as exc:  # a required field is missing
        missing = re.findall(r"'(\w+)'", str(exc))
        raise _error(path, text, section.split(".")[-1] or "?", f"[{section}] is missing {', '.join(missing)}") from None


def _convert(hint: Any, value: Any, path: Path, text: str, where: str, key: str) -> Any:
    origin = get_origin(hint)
    if is_dataclass(hint):
        return _build(hint, value, path, text, where)
    if origin is list:
        (item,) = get_args(hint)
        if not isinstance(value, list):
            raise _error(path, text, key, f"'{where}' must be a list")
        return [_convert(item, v, path, text, where, key) for v in value]
    allowed = tuple(a for a in get_args(hint) if a is not type(None)) or (hint,)
    if value is None or isinstance(value, allowed) or (float in allowed and isinstance(value, int)):
        if isinstance(value, bool) and bool not in allowed:
            raise _error(path, text, key, f"'{where}' must be {allowed[0].__name__}, not a boolean")
        return value
    names = " or ".join(a.__name__ for a in allowed)
    raise _error(path, text, key, f"'{where}' must be {names}, not {type(value).__name__} {value!r}")


def _validate(settings: Settings, path: Path, text: str) -> None:
    for rule in settings.alerts.rules:
        if rule.kind not in ALERT_KINDS:
            raise _error(path, text, "kind", f"alert rule '{rule.name}': unknown kind '{rule.kind}' "
                         f"(known: {', '.join(sorted(ALERT_KINDS))})")
        for channel in rule.channels:
            if channel not in ALERT_CHANNELS:
                raise _error(path, text, "channels", f"alert rule '{rule.name}': unknown channel '{channel}' "
                             f"(known: {', '.join(sorted(ALERT_CHANNELS))})")
    for feed in settings.feeds:
        if not re.match(r"^https?://", feed.url):
            raise _error(path, text, "url", f"feed url must start with http:// or https://: {feed.url!r}")
