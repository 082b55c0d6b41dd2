"""Serve the bundled demo news site (``demo/site``) on the loopback interface.

The site has two regional RSS feeds, one deliberately broken feed, and six article pages written for pantau
(fictional-enough West Java government news). Feed and page files contain the placeholder ``{{BASE}}``, which is
replaced on the fly by the server's base URL (``http://127.0.0.1:PORT``) so that feed links and guids are absolute.

    with serve_demo() as base:            # base == "http://127.0.0.1:54321"
        for feed in feed_urls(base):       # [{"url": ..., "name": ..., "region": "Jawa Barat"}, ...]
            ...

Run it by hand with ``python -m demo.server [--host H] [--port N]``. Standard library only.
"""

from __future__ import annotations

import argparse
import mimetypes
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_DIR = Path(__file__).parent / "site"
PLACEHOLDER = "{{BASE}}"
REGION = "Jawa Barat"
# Feed files in the order feed_urls() returns them.
FEED_FILES = ("jabar-pemerintahan.xml", "kota-bandung.xml", "rusak.xml")

_CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
_TEMPLATED = frozenset(_CONTENT_TYPES)
_NOT_FOUND_PAGE = (
    "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>404 - Halaman tidak ditemukan</title>"
    "</head>\n<body><h1>Halaman tidak ditemukan</h1><p>Berita yang Anda cari mungkin sudah dihapus atau dipindahkan."
    "</p></body></html>\n"
)
_TITLE_RE = re.compile(r"<channel>.*?<title>(.*?)</title>", re.S)


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site_dir: Path) -> None:
        super().__init__(address, _DemoHandler)
        self.site_dir = site_dir.resolve()
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        self.base_url = f"http://{host}:{port}"

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # Clients that hang up mid-response (scrapers with timeouts) are normal; stay quiet.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _DemoHandler(BaseHTTPRequestHandler):
    server: _DemoServer
    server_version = "pantau-demo/1.0"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: no request lines (or error lines) on stderr."""

    def _resolve(self) -> Path | None:
        raw = unquote(urlsplit(self.path).path)
        if "\x00" in raw:
            return None
        root = self.server.site_dir
        candidate = (root / raw.lstrip("/")).resolve()
        if candidate != root and root not in candidate.parents:
            return None  # path traversal
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _respond(self, *, send_body: bool) -> None:
        path = self._resolve()
        if path is None:
            status, ctype = HTTPStatus.NOT_FOUND, "text/html; charset=utf-8"
            body = _NOT_FOUND_PAGE.encode("utf-8")
        else:
            status = HTTPStatus.OK
            suffix = path.suffix.lower()
            if suffix in _TEMPLATED:
                ctype = _CONTENT_TYPES[suffix]
                text = path.read_text(encoding="utf-8").replace(PLACEHOLDER, self.server.base_url)
                body = text.encode("utf-8")
            else:
                ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                body = path.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


@contextmanager
def serve_demo(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``demo/site`` in a daemon thread; yield the base URL (``http://127.0.0.1:PORT``).

    ``port=0`` picks a free port. The server is shut down and its socket closed when the block exits.
    """
    server = _DemoServer((host, port), SITE_DIR)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="pantau-demo-server", daemon=True
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _feed_name(path: Path) -> str:
    match = _TITLE_RE.search(path.read_text(encoding="utf-8"))
    return match.group(1).strip() if match else path.stem


def feed_urls(base_url: str) -> list[dict]:
    """The demo's three feeds (two good, one broken) as ingest sources: ``{"url", "name", "region"}``."""
    base = base_url.rstrip("/")
    return [
        {"url": f"{base}/feeds/{name}", "name": _feed_name(SITE_DIR / "feeds" / name), "region": REGION}
        for name in FEED_FILES
    ]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.server", description="Serve the pantau demo news site.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765,
                        help="port (default: 8765, as `pantau demo`; 0 picks a free one)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops it as cleanly as Ctrl-C
    with serve_demo(args.host, args.port) as base:
        print(f"pantau demo site at {base}/  (Ctrl-C to stop)")
        for feed in feed_urls(base):
            print(f"  {feed['name']}: {feed['url']}")
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
