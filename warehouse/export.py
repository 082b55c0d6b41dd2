"""`pantau export --parquet DIR`: the public tables as Parquet, partitioned by publication month.

Layout: DIR/<table>/month=YYYY-MM/data_0.parquet (Hive partitioning, readable by DuckDB, Spark, pandas, Polars:
`SELECT * FROM read_parquet('DIR/articles/*/*.parquet', hive_partitioning = true)`). The month is the article's
publication month for articles and everything found in them; the first mention's month for `regulations`, the
start of the run for `runs` and `feed_fetches`, the creation of the alert for `alerts` and `alert_deliveries`.
Tables without a date (`feeds`, `people`, `organizations`) are written whole, as DIR/<table>.parquet.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

MONTH = "strftime({col} AT TIME ZONE 'UTC', '%Y-%m')"
_BY_ARTICLE = "coalesce((SELECT " + MONTH.format(col="a.published_at") + " FROM articles a WHERE a.article_id = t.article_id), 'unknown')"

# table -> the SQL expression of its partition month (None: one file)
PUBLIC_TABLES: dict[str, str | None] = {
    "articles": "coalesce(" + MONTH.format(col="t.published_at") + ", 'unknown')",
    "regulation_mentions": _BY_ARTICLE,
    "person_mentions": _BY_ARTICLE,
    "organization_mentions": _BY_ARTICLE,
    "figures": _BY_ARTICLE,
    "quotes": _BY_ARTICLE,
    "regulation_events": _BY_ARTICLE,
    "regulation_relations": _BY_ARTICLE,
    "regulations": MONTH.format(col="t.first_seen_at"),
    "drafts": MONTH.format(col="t.first_seen_at"),
    "runs": MONTH.format(col="t.started_at"),
    "feed_fetches": MONTH.format(col="t.fetched_at"),
    "alerts": MONTH.format(col="t.created_at"),
    "alert_deliveries": "coalesce((SELECT " + MONTH.format(col="x.created_at")
                        + " FROM alerts x WHERE x.alert_id = t.alert_id), 'unknown')",
    "feeds": None,
    "people": None,
    "organizations": None,
}


def export_parquet(con: duckdb.DuckDBPyConnection, directory: str | Path) -> dict[str, int]:
    """Write every public table under `directory` (replacing an earlier export); returns rows per table."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for table, month in PUBLIC_TABLES.items():
        target = out / table
        count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        written[table] = count
        if month is None:
            con.execute(f"COPY (SELECT * FROM {table}) TO '{_quote(out / (table + '.parquet'))}' (FORMAT parquet)")
            continue
        if count == 0:
            continue
        con.execute(
            f"""COPY (SELECT t.*, {month} AS month FROM {table} t) TO '{_quote(target)}'
                (FORMAT parquet, PARTITION_BY (month), OVERWRITE true)""")
    return written


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
