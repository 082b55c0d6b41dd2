"""Settings in one place: defaults here, overrides from one TOML file (`pantau.toml`). Imports nothing of pantau.

A malformed file or an unknown/ill-typed key is a `ConfigError` naming the file and the line, never a traceback.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

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
    retry_backoff: float = 0.5  # seconds before the first retry, doubled for each further one (capped at 8 s)
    per_host_concurrency: int = 2  # requests in flight to one host at a time
    politeness_delay: float = 0.5  # seconds between the starts of two requests to one host
    total_timeout: float = 60.0  # a whole response (headers and body) must arrive within this


@dataclass
class WarehouseSettings:
    path: str = "pantau.duckdb"
    # publish `<path stem>.snapshot.duckdb` at the end of every run: what `pantau ui` reads, and `pantau sql` while
    # a run writes (a checkpoint and a copy of the file per run; off saves the disk space of a second copy)
    snapshot: bool = True


@dataclass
class ExtractionSettings:
    # `default`: the pipeline shipped in the package; `rules`: the rule-based NER stand-in; else a pipeline folder.
    model: str = "default"
    batch_size: int = 64  # articles per extraction task and per store transaction (nlp.pipe runs 16 at a time)
    max_fetch_attempts: int = 3  # a failed article page is retried on later runs up to this many times


@dataclass
class AlertRule:
    """`new_regulation`: a regulation never seen before. `watchlist`: a new article matching every filter given
    (regulation type/issuer/number/year, keyword in the article or regulation title, person, organization)."""

    name: str
    kind: str = "new_regulation"
    channels: list[str] = field(default_factory=lambda: ["console", "jsonl"])
    regulation_type: str | None = None  # "Peraturan Daerah" (canonical type; case-insensitive)
    issuer: str | None = None  # "Kota Bandung"
    number: str | None = None
    year: int | None = None
    keyword: str | None = None  # in the article title or a mentioned regulation's title
    person: str | None = None  # name or person_id
    organization: str | None = None  # canonical name, org_id or a surface form
    # `regulation_event`: what happened (done, not planned or negated) to a regulation matching the filters above
    # (regulation_type, issuer, number, year, keyword in its title) and these
    events: list[str] | None = None  # ["annulled", "revoked"]; None: every event
    regulation_ids: list[str] | None = None  # a watchlist of regulations


@dataclass
class WebhookSettings:
    """HTTP POST of JSON per alert; header `Idempotency-Key: <alert_id>`. Secrets come from the environment."""

    url: str | None = None
    url_env: str | None = None  # name of an environment variable holding the URL (Slack URLs are secrets)
    token_env: str | None = None  # name of an environment variable holding a bearer token
    format: str = "json"  # json | slack
    timeout: float = 10.0


@dataclass
class EmailSettings:
    """One SMTP digest per run (plain text and HTML). Credentials come from the environment."""

    host: str | None = None
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username_env: str | None = None
    password_env: str | None = None
    sender: str = "pantau@localhost"
    to: list[str] = field(default_factory=list)
    subject_prefix: str = "[pantau]"
    timeout: float = 20.0
    ca_file: str | None = None  # extra CA certificates (PEM) to trust for the server's TLS certificate


@dataclass
class RetrySettings:
    """Backoff for failed webhook/email deliveries: base * 2^(attempts-1), capped; retried on later runs."""

    base_seconds: float = 30.0
    max_seconds: float = 6 * 3600.0


@dataclass
class AlertSettings:
    jsonl_path: str = "alerts.jsonl"
    rules: list[AlertRule] = field(default_factory=lambda: [AlertRule(name="new-regulation")])
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    retry: RetrySettings = field(default_factory=RetrySettings)


@dataclass
class Settings:
    warehouse: WarehouseSettings = field(default_factory=WarehouseSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    feeds: list[FeedConfig] = field(default_factory=list)
    source: str | None = None  # the file these settings came from, for messages


ALERT_KINDS = {"new_regulation", "watchlist", "regulation_event"}
REGULATION_EVENTS = ("drafted", "passed", "signed", "in_force", "amended", "revoked", "annulled", "challenged")
EVENT_FILTERS = ("regulation_type", "issuer", "number", "year", "keyword", "events", "regulation_ids")
ALERT_CHANNELS = {"console", "jsonl", "webhook", "email"}
WATCH_FILTERS = ("regulation_type", "issuer", "number", "year", "keyword", "person", "organization")


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
        _validate_rule(rule, settings.alerts, path, text)
    if settings.alerts.webhook.format not in ("json", "slack"):
        raise _error(path, text, "format", "[alerts.webhook] format must be json or slack")
    if settings.alerts.email.security not in ("starttls", "ssl", "none"):
        raise _error(path, text, "security", "[alerts.email] security must be starttls, ssl or none")
    for feed in settings.feeds:
        if not re.match(r"^https?://", feed.url):
            raise _error(path, text, "url", f"feed url must start with http:// or https://: {feed.url!r}")


def _validate_rule(rule: AlertRule, alerts: AlertSettings, path: Path, text: str) -> None:
    for event in rule.events or []:
        if event not in REGULATION_EVENTS:
            raise _error(path, text, "events", f"alert rule '{rule.name}': unknown event '{event}' "
                         f"(known: {', '.join(REGULATION_EVENTS)})")
    if rule.kind == "regulation_event":
        stray = [name for name in ("person", "organization") if getattr(rule, name) is not None]
        if stray:
            raise _error(path, text, stray[0], f"alert rule '{rule.name}': '{stray[0]}' does not apply to "
                         "kind = \"regulation_event\"")
        return _validate_channels(rule, alerts, path, text)
    event_only = [name for name in ("events", "regulation_ids") if getattr(rule, name) is not None]
    if event_only:
        raise _error(path, text, event_only[0], f"alert rule '{rule.name}': '{event_only[0]}' only applies to "
                     "kind = \"regulation_event\"")
    filters = [name for name in WATCH_FILTERS if getattr(rule, name) is not None]
    if rule.kind == "watchlist" and not filters:
        raise _error(path, text, "kind", f"alert rule '{rule.name}': a watchlist needs at least one of "
                     f"{', '.join(WATCH_FILTERS)}")
    if rule.kind == "new_regulation" and filters:
        raise _error(path, text, filters[0], f"alert rule '{rule.name}': '{filters[0]}' only applies to "
                     "kind = \"watchlist\"")
    _validate_channels(rule, alerts, path, text)


def _validate_channels(rule: AlertRule, alerts: AlertSettings, path: Path, text: str) -> None:
    if "webhook" in rule.channels and not (alerts.webhook.url or alerts.webhook.url_env):
        raise _error(path, text, "channels", f"alert rule '{rule.name}' uses the webhook channel: set url or "
                     "url_env in [alerts.webhook]")
    if "email" in rule.channels and not (alerts.email.host and alerts.email.to):
        raise _error(path, text, "channels", f"alert rule '{rule.name}' uses the email channel: set host and to "
                     "in [alerts.email]")
