"""The README's example queries ("Querying the warehouse") run against a warehouse: the README and the tests
cannot drift, because the SQL is read from the README itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import article, demo_settings, facts

from pantau.warehouse import db, store
from pantau.warehouse.queries import SUMMARY_VIEWS, refresh_views, run_query

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Querying the warehouse", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def question(sql: str) -> str:
    return sql.strip().splitlines()[0].lstrip("- ")


def test_readme_has_at_least_ten_example_questions():
    queries = readme_queries()
    assert len(queries) >= 10
    assert all(q.strip().startswith("--") for q in queries), "each example starts with its question as a comment"


def test_readme_mentions_every_view():
    text = README.read_text(encoding="utf-8")
    with db.connect(":memory:") as con:
        views = [v for (v,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()]
    assert views
    for view in [*views, *SUMMARY_VIEWS]:
        assert f"`{view}`" in text, view


@pytest.mark.parametrize("sql", readme_queries(), ids=question)
def test_readme_query_runs_on_a_small_warehouse(tmp_path, sql):
    with db.connect(tmp_path / "w.duckdb") as con:
        store.store_batch(con, "run1", [article()], [facts()])
        refresh_views(con)
        columns, _ = run_query(con, sql)
        assert columns


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory, prefect_harness) -> Path:
    """The demo warehouse, built as `pantau demo` builds it: the flow over the bundled demo site."""
    from pantau.demo.server import serve_demo
    from pantau.flows.ingest import ingest_flow

    tmp = tmp_path_factory.mktemp("readme")
    with serve_demo() as base_url:
        settings = demo_settings(tmp, base_url, "pantau-demo.duckdb")
        ingest_flow(settings)
    return Path(settings.warehouse.path)


@pytest.mark.slow
@pytest.mark.parametrize("sql", readme_queries(), ids=question)
def test_readme_query_answers_on_the_demo_warehouse(demo_warehouse, sql):
    with db.connect(demo_warehouse, read_only=True) as con:
        columns, rows = run_query(con, sql)
    assert columns and rows, f"no answer on the demo warehouse: {question(sql)}"
