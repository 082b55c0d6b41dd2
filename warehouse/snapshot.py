"""The read snapshot: a copy of the warehouse published at the end of every writing run, for readers.

DuckDB lets one process write a file, and while it writes no other process may even read it; a file opened
read-only by one process cannot be opened for writing by another. So readers that must answer while a run writes
(the web page, `pantau sql` during a run) read `<warehouse>.snapshot.duckdb` instead: the writer checkpoints (the
WAL is folded into the file, so the file alone is the whole warehouse) and copies the file to a temporary name
beside it, then renames it over the snapshot. Readers never touch the warehouse file, so they never block the next
run; the rename is atomic, so a reader sees the old snapshot or the new one, never half of one. A reader holding
the old one keeps reading it (its inode lives on) until it reopens (`SnapshotReader` does when the file changes).
"""

from __future__ import annotations

import os
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pantau.warehouse.db import WarehouseBusy, WarehouseError, connect

SCHEMA = "warehouse"  # the catalog name readers see the snapshot under


def snapshot_path(db_path: str | Path) -> Path:
    path = Path(db_path)
    return path.with_name(f"{path.stem}.snapshot.duckdb")


def publish(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> Path:
    """Publish the snapshot from the writer's connection `con` to the warehouse at `db_path`."""
    target = snapshot_path(db_path)
    con.execute("CHECKPOINT")  # everything committed is now in the file itself, and we are its only writer
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(db_path, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def ensure(db_path: str | Path) -> Path:
    """The snapshot, published now if there is none yet (needs the write lock for a moment)."""
    target = snapshot_path(db_path)
    if target.exists():
        return target
    if not Path(db_path).exists():
        raise WarehouseError(f"no warehouse at {db_path}: run `pantau run` or `pantau demo` first")
    try:
        with connect(db_path) as con:
            return publish(con, db_path)
    except WarehouseBusy as exc:
        raise WarehouseBusy(f"no read snapshot of {db_path} yet, and {exc}; the running job publishes one when it "
                            "ends") from None


def published_at(db_path: str | Path) -> datetime | None:
    target = snapshot_path(db_path)
    if not target.exists():
        return None
    return datetime.fromtimestamp(target.stat().st_mtime, tz=timezone.utc)


class SnapshotReader:
    """Read-only cursors on the newest snapshot, safe to hand to untrusted SQL.

    Each published file is attached, read-only, to its own in-memory DuckDB (a plain `duckdb.connect(path)` would
    reuse the process's cached instance of the replaced file); then file access is switched off for that instance,
    so a query can neither write nor read other files (`read_csv('/etc/passwd')`, `ATTACH`, `COPY … TO`) and cannot
    switch it back. `cursor()` reopens when the snapshot has been replaced since (another inode or mtime)."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.path = snapshot_path(db_path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None

    def _open(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        con.execute(f"ATTACH '{str(self.path).replace(chr(39), chr(39) * 2)}' AS {SCHEMA} (READ_ONLY)")
        try:
            con.execute("LOAD fts")  # the search's stemmer, loaded while files may still be read
        except duckdb.Error:
            pass
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con

    def _current(self) -> duckdb.DuckDBPyConnection:
        ensure(self.db_path)
        stat = self.path.stat()
        version = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._con is None or version != self._version:
                # the old one is not closed: cursors in use keep it, and it goes with them
                self._con, self._version = self._open(), version
            return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._current().cursor()
        cur.execute(f"USE {SCHEMA}")
        return cur

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
