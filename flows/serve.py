"""Scheduled operation: the ingest deployment served against a Prefect server (`pantau serve`).

`serve` registers the deployment `pantau-ingest/scheduled` with a cron or interval schedule in Asia/Jakarta and
runs a Prefect runner in this process; the server's scheduler creates the runs, the runner executes each one in a
subprocess (`flows.ingest.scheduled_ingest`, which reads the config afresh), one at a time.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

TIMEZONE = "Asia/Jakarta"
DEPLOYMENT = "scheduled"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
START_HINT = "start one with `prefect server start` and `export PREFECT_API_URL=http://127.0.0.1:4200/api`"


class ServeError(ValueError):
    """A problem with `serve`'s arguments or its server, worded for the user (one line)."""


def parse_interval(text: str) -> timedelta:
    """`15m`, `30s`, `1h`, `1d`, `1h30m` or plain seconds (`900`) → timedelta."""
    text = text.strip().lower()
    if text.isdigit():
        seconds = int(text)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", text)
        if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([smhd])", "", text).strip():
            raise ServeError(f"--interval must look like 15m, 30s, 1h or 1h30m, not {text!r}")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < 1:
        raise ServeError("--interval must be at least 1 second")
    return timedelta(seconds=seconds)


def make_schedule(cron: str | None, interval: str | None) -> Any:
    """A Prefect schedule in Asia/Jakarta from exactly one of `cron` / `interval` (default: every 15 minutes)."""
    from prefect.schedules import Cron, Interval

    if cron and interval:
        raise ServeError("give --cron or --interval, not both")
    if interval:
        return Interval(parse_interval(interval), timezone=TIMEZONE)
    from prefect.client.schemas.schedules import CronSchedule

    cron = cron or "*/15 * * * *"
    try:
        CronSchedule(cron=cron, timezone=TIMEZONE)  # validates the expression
    except ValueError:
        raise ServeError(f"--cron is not a valid cron expression: {cron!r}") from None
    return Cron(cron, timezone=TIMEZONE)


def api_url() -> str | None:
    """The Prefect API this process talks to (PREFECT_API_URL from the environment or the Prefect profile)."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def check_server(url: str | None, timeout: float = 5.0) -> None:
    """Raise `ServeError` (one line: what is wrong and how to start a server) unless `url` answers /health."""
    if not url:
        raise ServeError(f"no Prefect server configured (PREFECT_API_URL is unset); {START_HINT}")
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
    except httpx.HTTPError:
        raise ServeError(f"no Prefect server reachable at {url}; {START_HINT}") from None
    if response.status_code != 200:
        raise ServeError(f"the Prefect server at {url} answered /health with HTTP {response.status_code}: "
                         f"{START_HINT}")


def serve(schedule: Any, parameters: dict[str, Any], name: str = DEPLOYMENT, limit: int = 1) -> None:
    """Register the deployment and run it until interrupted (blocks)."""
    from prefect.types.entrypoint import EntrypointType

    from pantau.flows.ingest import scheduled_ingest

    scheduled_ingest.serve(
        name=name,
        schedule=schedule,
        parameters=parameters,
        description="pantau: poll the feeds, fetch, extract, store and alert (pantau serve)",
        tags=["pantau"],
        limit=limit,  # runs of this deployment never overlap: one DuckDB writer
        entrypoint_type=EntrypointType.MODULE_PATH,  # the runner imports flows.ingest from the installed package
        print_starting_message=False,
    )
