"""`pantau sql`, `pantau search`, `pantau export`: the warehouse as users query it."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from pantau.cli.common import ConfigOpt, DbOpt, console, err, fail, guarded, print_table, settings_from


def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only unless --write).")],
    config: ConfigOpt = None, db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table",
    write: Annotated[bool, typer.Option("--write", help="Open the warehouse for writing (fails while a run holds it).")] = False,
) -> None:
    """Run SQL against the warehouse, read-only by default."""
    import duckdb

    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse import snapshot
    from pantau.warehouse.queries import refresh_views, run_query

    if fmt not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {fmt!r}")
    settings = settings_from(config, db)

    def answer(con) -> tuple[list[str], list[tuple]]:
        try:
            found = run_query(con, query)
            if write:  # the summary views are materialized: bring them up to date with the change
                refresh_views(con)
            return found
        except duckdb.Error as exc:
            fail(str(exc).splitlines()[0])

    def query_once() -> tuple[list[str], list[tuple]]:
        try:
            with warehouse_db.connect(settings.warehouse.path, read_only=not write) as con:
                return answer(con)
        except warehouse_db.WarehouseBusy:
            if write or not snapshot.snapshot_path(settings.warehouse.path).exists():
                raise
        # a run holds the warehouse: its last published state answers instead
        when = snapshot.published_at(settings.warehouse.path)
        err.print(f"(a run is writing {settings.warehouse.path}: answered from its read snapshot of "
                  f"{when:%Y-%m-%d %H:%M:%S} UTC)", highlight=False, soft_wrap=True)
        reader = snapshot.SnapshotReader(settings.warehouse.path)
        try:
            return answer(reader.cursor())
        finally:
            reader.close()

    columns, rows = guarded(query_once)
    if fmt == "table":
        print_table(columns, rows)
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        sys.stdout.write(out.getvalue())
    else:
        print(json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, default=str, indent=2))


def search(
    query: Annotated[str, typer.Argument(help="Words to look for in article titles and bodies (stemmed).")],
    config: ConfigOpt = None, db: DbOpt = None,
    limit: Annotated[int, typer.Option(help="How many articles, best first.")] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild the index first (needs the write lock).")] = False,
) -> None:
    """Full-text search over articles (BM25, Indonesian stemmer); the index is rebuilt after each run."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse import search as fts

    settings = settings_from(config, db)

    def run() -> tuple[str, list]:
        if rebuild:
            with warehouse_db.connect(settings.warehouse.path) as con:
                fts.rebuild(con)
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            try:
                return fts.search(con, query, limit)
            except fts.SearchUnavailable as exc:
                fail(str(exc))

    backend, hits = guarded(run)
    if backend == "fallback":  # say why, on stderr: the JSON on stdout stays clean
        import duckdb

        err.print(f"[dim]{escape(fts.fts_status(duckdb.connect()))}[/]", highlight=False)
    if fmt == "json":
        print(json.dumps([{"article_id": h.article_id, "score": round(h.score, 4), "title": h.title,
                           "published_at": h.published_at, "url": h.url, "snippet": h.snippet} for h in hits],
                         ensure_ascii=False, default=str, indent=2))
        return
    rows = [(f"{h.score:.2f}", h.published_at.date() if h.published_at else "", h.title, h.url, h.snippet)
            for h in hits]
    print_table(["score", "published", "title", "url", "snippet"], rows,
                title=f"{len(hits)} article(s) for {query!r} ({backend} index)")
    if not hits:
        console.print(f"[dim]no article matches {escape(query)!r}[/]", highlight=False)


def export(
    parquet: Annotated[Path, typer.Option("--parquet", help="Directory for the Parquet files.")],
    config: ConfigOpt = None, db: DbOpt = None,
) -> None:
    """Write the public tables as Parquet, partitioned by publication month (DIR/<table>/month=YYYY-MM/)."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.export import export_parquet

    settings = settings_from(config, db)

    def run() -> dict[str, int]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return export_parquet(con, parquet)

    written = guarded(run)
    print_table(["table", "rows"], sorted(written.items()), title=f"Parquet export in {parquet}")


def register(app: typer.Typer) -> None:
    app.command()(sql)
    app.command()(search)
    app.command()(export)
