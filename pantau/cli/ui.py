"""`pantau ui`: serve the read-only web page over the warehouse's read snapshot."""

from __future__ import annotations

from typing import Annotated

import typer

from pantau.cli.common import ConfigOpt, DbOpt, console, fail, guarded, settings_from


def ui(config: ConfigOpt = None, db: DbOpt = None,
       host: Annotated[str, typer.Option(help="Interface to bind; loopback unless you mean to share it.")] = "127.0.0.1",
       port: Annotated[int, typer.Option(help="Port.")] = 8000) -> None:
    """Serve the analyst's web page (read-only) over the warehouse; it keeps answering while a run writes."""
    import uvicorn

    from pantau.warehouse.snapshot import ensure
    from pantau.web.app import create_app

    settings = settings_from(config, db)
    path = guarded(lambda: ensure(settings.warehouse.path))
    console.print(f"pantau ui: http://{host}:{port}/  (read snapshot {path}; Ctrl-C stops)", highlight=False,
                  soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]note:[/] bound to {host}: anyone who can reach it can read the warehouse",
                      highlight=False)
    try:
        uvicorn.run(create_app(settings.warehouse.path), host=host, port=port, log_level="warning")
    except OSError as exc:
        fail(f"cannot serve on {host}:{port} ({exc.strerror}); pass --port with a free port")
