"""One transaction, committed on success and rolled back on any error.

Nested uses join the outer transaction (DuckDB has no nested transactions): storing a batch's facts and raising
the alerts about them is one commit, whichever of the two a caller starts first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

import duckdb

_open: WeakKeyDictionary[duckdb.DuckDBPyConnection, int] = WeakKeyDictionary()  # connection → nesting depth


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    depth = _open.get(con, 0)
    if depth:  # inside an open transaction: its commit or rollback decides
        _open[con] = depth + 1
        try:
            yield con
        finally:
            _open[con] = depth
        return
    con.begin()
    _open[con] = 1
    try:
        yield con
    except BaseException:
        _open.pop(con, None)
        con.rollback()
        raise
    _open.pop(con, None)
    con.commit()
