"""Shared pieces of the `pantau` command modules: consoles, one-line errors, settings, tables."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pantau.settings import ConfigError, Settings, load_settings

console = Console()
err = Console(stderr=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config (default: ./pantau.toml if present).")]
DbOpt = Annotated[Optional[Path], typer.Option("--db", help="DuckDB warehouse file (default from config: pantau.duckdb).")]
DEMO_DB = Path("pantau-demo.duckdb")


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def settings_from(config: Path | None, db: Path | None) -> Settings:
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail(str(exc))
    if db is not None:
        settings.warehouse.path = str(db)
    return settings


def guarded(action: Callable[[], Any]) -> Any:
    """Run an action, turning the user-facing errors of config, model, registry and warehouse into one line."""
    from pantau.extractors.pipeline import ModelNotFound
    from pantau.extractors.registry import RegistryError
    from pantau.warehouse.db import WarehouseError

    try:
        return action()
    except (ConfigError, WarehouseError, ModelNotFound, RegistryError) as exc:
        fail(str(exc))


def quiet_prefect(verbose: bool) -> None:
    """Prefect as pantau uses it: no telemetry from the temporary server (its first start raced its own SQLite
    database and printed a traceback), and only warnings unless --verbose."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The temporary server's first start creates its database: on a busy 2-core machine that outlasts Prefect's
    # default 20 s and the run failed with a traceback.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def print_table(columns: list[str], rows: list[tuple], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else escape(str(v)) for v in row])
    console.print(table)
