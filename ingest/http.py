"""HTTP for feeds and pages: httpx with timeouts, a body-size cap, a redirect limit and retries on transient faults.

Every outcome is a `Fetched` with a status from a fixed vocabulary, never an exception, so one bad host cannot stop
a run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from pantau.config import HttpSettings

TRANSIENT = {"timeout", "http_5xx"}


@dataclass
class Fetched:
    url: str
    status: str  # ok | not_modified | http_4xx | http_5xx | timeout | dns | tls | too_large | redirect_loop | error
    http_status: int | None = None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    attempts: int = 1


def make_client(settings: HttpSettings) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        limits=httpx.Limits(max_connections=8 * settings.per_host_concurrency,
                            max_keepalive_connections=4 * settings.per_host_concurrency),
    )


def fetch(client: httpx.Client, url: str, settings: HttpSettings, headers: dict[str, str] | None = None) -> Fetched:
    """GET with retries (exponential backoff) on timeouts and 5xx only."""
    started = time.monotonic()
    result = _fetch_once(client, url, settings, headers)
    for attempt in range(settings.retries):
        if result.status not in TRANSIENT:
            break
        time.sleep(min(0.5 * 2**attempt, 4.0))
        result = _fetch_once(client, url, settings, headers)
        result.attempts = attempt + 2
    result.elapsed_ms = (time.monotonic() - started) * 1000
    return result


def _fetch_once(client: httpx.Client, url: str, settings: HttpSettings, headers: dict[str, str] | None) -> Fetched:
    try:
        with client.stream("GET", url, headers=headers or {}) as response:
            code = response.status_code
            base = dict(url=url, http_status=code, headers=dict(response.headers), final_url=str(response.url))
            if code == 304:
                return Fetched(status="not_modified", **base)
            if code >= 500:
                return Fetched(status="http_5xx", error=f"HTTP {code}", **base)
            if code >= 400:
                return Fetched(status="http_4xx", error=f"HTTP {code}", **base)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > settings.max_bytes:
                return Fetched(status="too_large", error=f"Content-Length {declared} > {settings.max_bytes}", **base)
            body = bytearray()
            # iter_bytes decompresses: counting here also stops gzip bombs.
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > settings.max_bytes:
                    return Fetched(status="too_large", error=f"body over {settings.max_bytes} bytes", **base)
            return Fetched(status="ok", content=bytes(body), **base)
    except httpx.TooManyRedirects as exc:
        return Fetched(url=url, status="redirect_loop", error=str(exc))
    except httpx.TimeoutException as exc:
        return Fetched(url=url, status="timeout", error=f"{type(exc).__name__}: {exc}")
    except httpx.ConnectError as exc:
        text = str(exc)
        if "Name or service not known" in text or "getaddrinfo" in text or "nodename" in text:
            return Fetched(url=url, status="dns", error=text)
        if "SSL" in text or "certificate" in text:
            return Fetched(url=url, status="tls", error=text)
        return Fetched(url=url, status="error", error=f"connect: {text}")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        return Fetched(url=url, status="error", error=f"{type(exc).__name__}: {exc}")
