"""HTTP for feeds and pages, polite and bounded: httpx with connect/read timeouts and an overall deadline, a body-size
cap counted on the decompressed bytes (gzip bombs stop at the cap), a redirect limit, a real User-Agent, per-host
concurrency limits and a politeness delay, retries with exponential backoff on timeouts and 5xx only.

Every outcome is a `Fetched` with a status from a fixed vocabulary, never an exception, so one bad host cannot stop
a run:

    ok, not_modified, http_4xx, http_5xx, timeout, dns, tls, refused, too_large, redirect_loop, error

(`parse_error`, `html_not_feed` and `empty` are added by `ingest.feeds` once the body is read.)
"""

from __future__ import annotations

import errno
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from pantau.settings import HttpSettings

TRANSIENT = {"timeout", "http_5xx"}
BACKOFF_CAP = 8.0


@dataclass
class Fetched:
    url: str
    status: str  # see the module docstring
    http_status: int | None = None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    attempts: int = 1


def make_client(settings: HttpSettings) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate",
                 "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
                           "text/html;q=0.8, */*;q=0.5"},
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        limits=httpx.Limits(max_connections=max(16, 8 * settings.per_host_concurrency),
                            max_keepalive_connections=max(8, 4 * settings.per_host_concurrency)),
    )


# --- politeness: per-host concurrency and spacing, shared by every client and thread of the process -------------

class HostGate:
    """At most `limit` requests in flight to one host, and request starts spaced by `delay` seconds."""

    def __init__(self, limit: int, delay: float) -> None:
        self._slots = threading.BoundedSemaphore(max(1, limit))
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.delay = delay

    def __enter__(self) -> HostGate:
        self._slots.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            time.sleep(start - now)
        return self

    def __exit__(self, *exc) -> None:
        self._slots.release()


_gates: dict[tuple[str, int, float], HostGate] = {}
_gates_lock = threading.Lock()


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        return (parts.netloc or "").lower()
    except ValueError:
        return ""


def gate_for(url: str, settings: HttpSettings) -> HostGate:
    key = (host_of(url), settings.per_host_concurrency, settings.politeness_delay)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = HostGate(settings.per_host_concurrency, settings.politeness_delay)
        return gate


# --- fetching ----------------------------------------------------------------------------------------------------

def fetch(client: httpx.Client, url: str, settings: HttpSettings, headers: dict[str, str] | None = None) -> Fetched:
    """GET with retries (exponential backoff) on timeouts and 5xx only."""
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        with gate_for(url, settings):
            result = _fetch_once(client, url, settings, headers)
        if result.status not in TRANSIENT or attempts > settings.retries:
            break
        time.sleep(min(settings.retry_backoff * 2 ** (attempts - 1), BACKOFF_CAP))
    result.attempts = attempts
    result.elapsed_ms = (time.monotonic() - started) * 1000
    return result


class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass


def _fetch_once(client: httpx.Client, url: str, settings: HttpSettings, headers: dict[str, str] | None) -> Fetched:
    deadline = time.monotonic() + settings.total_timeout
    base: dict = {"url": url}
    try:
        with client.stream("GET", url, headers=headers or {}) as response:
            code = response.status_code
            base = dict(url=url, http_status=code, headers={k.lower(): v for k, v in response.headers.items()},
                        final_url=str(response.url))
            if code == 304:
                return Fetched(status="not_modified", **base)
            if code >= 500:
                return Fetched(status="http_5xx", error=f"HTTP {code}", **base)
            if code >= 400:
                return Fetched(status="http_4xx", error=f"HTTP {code}", **base)
            if 300 <= code < 400:  # a redirect without a usable Location
                return Fetched(status="error", error=f"HTTP {code} without a usable Location", **base)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.max_bytes:
                return Fetched(status="too_large", error=f"Content-Length {declared} > {settings.max_bytes}", **base)
            body = _read_body(response, settings.max_bytes, deadline)
            return Fetched(status="ok", content=body, **base)
    except _TooLarge as exc:
        return Fetched(status="too_large", error=str(exc), **base)
    except _Deadline:
        return Fetched(status="timeout", error=f"response not complete within {settings.total_timeout:g} s", **base)
    except zlib.error as exc:
        return Fetched(status="error", error=f"body could not be decompressed: {exc}", **base)
    except httpx.TooManyRedirects:
        return Fetched(url=url, status="redirect_loop", error=f"more than {settings.max_redirects} redirects")
    except httpx.TimeoutException as exc:
        return Fetched(url=url, status="timeout", error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    except httpx.HTTPError as exc:
        status, text = _classify(exc)
        return Fetched(url=url, status=status, error=text)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        return Fetched(url=url, status="error", error=f"{type(exc).__name__}: {exc}")


def _read_body(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """The body, decompressed here (not by httpx) so that no single chunk can expand past `limit`."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    body = bytearray()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        for chunk in response.iter_bytes():  # an encoding we did not ask for: httpx decodes, we still count
            body += chunk
            if len(body) > limit:
                raise _TooLarge(f"body over {limit} bytes")
            if time.monotonic() > deadline:
                raise _Deadline
        return bytes(body)
    decoder = None
    raw_seen = 0
    for chunk in response.iter_raw():
        raw_seen += len(chunk)
        if raw_seen > limit:
            raise _TooLarge(f"body over {limit} bytes")
        if time.monotonic() > deadline:
            raise _Deadline
        if encoding in ("", "identity"):
            body += chunk
        else:
            if decoder is None:
                decoder = _decoder(encoding, chunk)
            data = chunk
            while data:
                body += decoder.decompress(data, limit - len(body) + 1)
                if len(body) > limit:
                    raise _TooLarge(f"body over {limit} bytes once decompressed ({encoding})")
                data = decoder.unconsumed_tail
        if len(body) > limit:
            raise _TooLarge(f"body over {limit} bytes")
    return bytes(body)


def _decoder(encoding: str, first: bytes):
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate
    wrapped = len(first) >= 2 and (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0
    return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)


def _classify(exc: BaseException) -> tuple[str, str]:
    """dns / tls / refused / error from the exception chain of an httpx transport error."""
    text = f"{type(exc).__name__}: {exc}"
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return "dns", text
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return "tls", text
        if isinstance(seen, ConnectionRefusedError) or getattr(seen, "errno", None) == errno.ECONNREFUSED:
            return "refused", text
        seen = seen.__cause__ or seen.__context__
    lowered = str(exc).lower()
    if "name or service not known" in lowered or "name resolution" in lowered or "nodename nor servname" in lowered:
        return "dns", text
    if "ssl" in lowered or "certificate" in lowered:
        return "tls", text
    if "connection refused" in lowered or "errno 111" in lowered:
        return "refused", text
    return "error", text
