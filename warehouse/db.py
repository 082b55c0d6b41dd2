"""Opening the DuckDB file: one writer per file, migrations applied on open.

DuckDB takes an OS lock on the file; a second process (writer or reader) cannot open it while a writer holds it.
We turn that into `WarehouseBusy`, a one-line error naming the holder, instead of a traceback or a hang.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import duckdb

from pantau.warehouse.queries import SUMMARY_VIEWS, refresh_views
from pantau.warehouse.transactions import transaction

MIGRATIONS = "migrations"


class WarehouseError(RuntimeError):
    """A warehouse problem worded for the user."""


class WarehouseBusy(WarehouseError):
    pass


def _holder(message: str) -> str:
    """'PID 123 (pantau run)' from DuckDB's lock message, with the holder's command line when we can read it."""
    pid = re.search(r"PID (\d+)", message)
    if not pid:
        return "another process"
    try:
        raw = Path(f"/proc/{pid.group(1)}/cmdline").read_bytes().decode(errors="replace")
        cmdline = " ".join(raw.replace("\x00", " ").split())  # arguments are NUL-separated
    except OSError:
        cmdline = ""
    return f"PID {pid.group(1)}" + (f" ({cmdline[:120]})" if cmdline else "")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer also brings the schema up to date."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `pantau run` or `pantau demo` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"{path} is locked by {_holder(str(exc))}: DuckDB allows one writer per file; "
                "wait for it to finish or stop it"
            ) from None
        raise WarehouseError(f"cannot open {path}: {exc}") from None
    if not read_only:
        migrate(con)
    return con


def available_migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files(__package__).joinpath(MIGRATIONS).iterdir():
        match = re.match(r"(\d+)_(\w+)\.sql$", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration not yet recorded in `schema_version`, each in its own transaction; then (re)build the
    summary views when the schema changed or they are missing."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    applied = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    current = max(applied, default=0)
    changed = False
    for version, name, sql in available_migrations():
        if version in applied:  # a set, not a high-water mark: a migration added below the newest still applies
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
        current = max(current, version)
        applied.add(version)
        changed = True
    if changed or not _has_summary_views(con):
        refresh_views(con)  # the summary tables follow the schema they are built on
    return current


def _has_summary_views(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name IN (SELECT unnest(?))",
                        [list(SUMMARY_VIEWS)]).fetchone()[0]
    return found == len(SUMMARY_VIEWS)
