"""The web page tests' shared parts: a demo warehouse with a planted hostile article, and `pantau ui`'s app served
by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from alert_receivers import free_port
from factories import article, demo_settings, facts

from pantau.types import ArticleFacts
from pantau.warehouse import db, snapshot, store
from pantau.warehouse.queries import refresh_derived

PLANTED_URL = "https://example.id/berita/skrip"
# Article text is untrusted: a page that injected this would change the title and set a global.
PLANTED_BODY = ("Pergub Jabar No. 158/2021 berlaku. <script>document.title = 'pwned'; window.__pwned = 1;</script> "
                "<img src=x onerror=\"window.__pwned = 2\"> Pemerintah Provinsi Jawa Barat menegaskan aturan itu.")


def build_demo_warehouse(directory: Path) -> Path:
    """The demo site ingested by the real flow, plus the planted article; snapshot published."""
    from pantau.demo.server import serve_demo
    from pantau.flows.ingest import ingest_flow

    with serve_demo() as base_url:
        settings = demo_settings(directory, base_url)
        ingest_flow(settings)
    path = Path(settings.warehouse.path)
    planted = article(url=PLANTED_URL, body=PLANTED_BODY)
    planted_facts = ArticleFacts(regulations=facts().regulations, extractor_version="test-1")
    with db.connect(path) as con:
        store.store_batch(con, "planted", [planted], [planted_facts])
        refresh_derived(con)
        snapshot.publish(con, path)
    return path


@contextmanager
def serve_ui(db_path: Path, **options) -> Iterator[str]:
    """`pantau ui`'s app on a free loopback port; yields its base URL."""
    from pantau.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db_path, **options), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
