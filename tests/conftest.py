"""Shared fixtures: a temporary PREFECT_HOME, ../shared lookup, a loopback HTTP server for feeds and pages."""

from __future__ import annotations

import os
import tempfile

# Prefect reads PREFECT_HOME at import: set it before anything imports prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="pantau-prefect-")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): corpora and the reference article live there")
    return SHARED


@pytest.fixture(scope="session")
def reference_article(shared_dir: Path) -> Path:
    path = shared_dir / "examples" / "jabar-bpjs-ketenagakerjaan.txt"
    if not path.exists():
        pytest.skip(f"reference article missing: {path}")
    return path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect server for the flows under test (started once per session)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


Route = Callable[["RecordingHandler"], tuple[int, dict[str, str], bytes]]


@dataclass
class LocalSite:
    """A real HTTP server on 127.0.0.1 whose routes tests define: path -> handler or (status, headers, body)."""

    base_url: str
    routes: dict[str, Route | tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


class RecordingHandler(BaseHTTPRequestHandler):
    site: LocalSite

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        site = self.server.site  # type: ignore[attr-defined]
        site.hits[self.path] = site.hits.get(self.path, 0) + 1
        site.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        route = site.routes.get(self.path)
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        elif callable(route):
            status, headers, body = route(self)
        else:
            status, headers, body = route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.daemon_threads = True
    site = LocalSite(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    server.site = site  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()
