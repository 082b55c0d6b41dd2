"""The `pantau` command line (typer + rich). Heavy imports (Prefect, spaCy) happen inside the commands that need them."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from pantau.cli.alerts import alerts_app
from pantau.cli.common import (
    DEMO_DB,
    ConfigOpt,
    DbOpt,
    console,
    err,
    fail,
    guarded,
    print_table,
    quiet_prefect,
    settings_from,
)
from pantau.cli.feeds import feeds_app
from pantau.cli.flows import DaskAddressOpt, RunnerOpt, WorkersOpt, runner_spec
from pantau.cli.flows import register as register_flow_commands
from pantau.cli.model import app as model_app
from pantau.cli.ui import ui
from pantau.cli.warehouse import register as register_warehouse_commands
from pantau.settings import FeedConfig, Settings

app = typer.Typer(help="pantau — monitor Indonesian regional news for regulations, officials and figures.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(feeds_app, name="feeds")
app.add_typer(alerts_app, name="alerts")
register_flow_commands(app)  # serve, runs, reprocess, maintain (pantau/cli/flows.py)
register_warehouse_commands(app)  # sql, search, export (pantau/cli/warehouse.py)
app.command()(ui)  # the web page (pantau/cli/ui.py)


def _print_run(result: Any, db_path: str) -> None:
    from pantau.warehouse import db
    from pantau.warehouse.queries import latest_fetches, run_summary

    with db.connect(db_path, read_only=True) as con:
        summary = run_summary(con, result.run_id)
        fetch_columns, fetch_rows = latest_fetches(con, result.run_id)
    print_table(fetch_columns, fetch_rows, title="Feeds")
    rows = [
        ("feeds polled", summary["feeds_polled"]), ("feeds failed", summary["feeds_failed"]),
        ("articles stored (new)", summary["articles_new"]), ("article pages not fetched", len(result.failed_articles)),
        ("regulation mentions", summary["regulation_mentions"]), ("regulations first seen", summary["regulations_new"]),
        ("official mentions", summary["person_mentions"]), ("organization mentions", summary["organization_mentions"]),
        ("alerts raised", summary["alerts_raised"]),
    ]
    print_table(["run " + result.run_id, "count"], rows, title="Summary")
    for url, error in result.failed_articles:
        console.print(f"[yellow]article[/] {escape(url)}: {escape(error)}", highlight=False)
    for title, channel, error in result.deliveries.failed:
        console.print(f"[red]alert not delivered[/] via {channel}: {escape(title)}: {escape(error)}", highlight=False)
    for work in result.finishes:
        console.print(f"[yellow]finished the work of interrupted run {work['run_id']}[/] ({work['kind']}, "
                      f"started {str(work['started_at'])[:19]} UTC)", highlight=False)
    console.print(f"Warehouse: [bold]{db_path}[/]  ·  alert deliveries this run: {len(result.deliveries.delivered)}"
                  f" (alert × channel)")


def _run_flow(settings: Settings, runner: Any = None) -> Any:
    from pantau.extractors.pipeline import load_pipeline
    from pantau.flows.ingest import ingest_flow
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.feeds import enabled_feeds

    # What would fail the flow is a one-line error before Prefect starts (a failing flow logs a traceback first):
    # a warehouse held by another process (one writer), a missing model or registry (loaded once per process, so
    # the flow reuses it). A run without feeds says so.
    def check() -> int:
        with warehouse_db.connect(settings.warehouse.path) as con:
            known = len(enabled_feeds(con))
        load_pipeline(settings.extraction.model)
        return known

    if not guarded(check) and not settings.feeds:
        err.print(f"No feeds configured for {settings.warehouse.path}: add one with `pantau feeds add URL` "
                  "(or the default West Java list with `pantau feeds add-defaults`), or list them under [[feeds]] "
                  "in pantau.toml.", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    return guarded(lambda: ingest_flow(settings, runner=runner))


@app.command()
def run(config: ConfigOpt = None, db: DbOpt = None,
        runner: RunnerOpt = "threads", workers: WorkersOpt = None, dask_address: DaskAddressOpt = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False) -> None:
    """One ingestion pass over the configured feeds: poll, fetch, extract, store, alert."""
    settings = settings_from(config, db)
    spec = runner_spec(runner, workers, dask_address)
    quiet_prefect(verbose)
    result = _run_flow(settings, spec)
    _print_run(result, settings.warehouse.path)


@app.command()
def demo(db: Annotated[Path, typer.Option("--db", help="Warehouse file for the demo.")] = DEMO_DB,
         port: Annotated[int, typer.Option(help="Port of the local demo site (fixed, so re-runs see the same URLs).")] = 8765,
         verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Serve the bundled demo site on 127.0.0.1 and run the ingest flow against it."""
    from pantau.demo.server import feed_urls, serve_demo

    settings = Settings()
    settings.warehouse.path = str(db)
    settings.alerts.jsonl_path = str(db.with_suffix(".alerts.jsonl"))
    quiet_prefect(verbose)
    try:
        server = serve_demo(port=port)
        base_url = server.__enter__()
    except OSError as exc:
        fail(f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror}); pass --port with a free port")
    try:
        console.print(f"Demo site at [bold]{base_url}[/]; running the ingest flow …")
        settings.feeds = [FeedConfig(**feed) for feed in feed_urls(base_url)]
        result = _run_flow(settings)
    finally:
        server.__exit__(None, None, None)
    _print_run(result, settings.warehouse.path)
    command = sys.argv[0] if sys.argv[0].endswith("pantau") else "pantau"
    console.print(f"Alerts also written to {settings.alerts.jsonl_path}. Query the warehouse:\n"
                  f"  {command} sql --db {db} \"SELECT label, title, first_seen_at FROM regulations ORDER BY first_seen_at\"\n"
                  f"or open it in the browser:\n  {command} ui --db {db}",
                  highlight=False, soft_wrap=True)


@app.command("extract")
def extract_cmd(
    file: Annotated[str, typer.Argument(help="A text file, or - for standard input.")],
    published: Annotated[Optional[str], typer.Option("--date", help="Article date (YYYY-MM-DD), for offices valid then.")] = None,
    model: Annotated[Optional[str], typer.Option(
        help="default (the shipped pipeline), rules (the rule-based NER stand-in) or a pipeline folder.")] = None,
    engine: Annotated[str, typer.Option(help="spacy, or stanza (optional extra: offices from a dependency parse).")] = "spacy",
) -> None:
    """Print the extraction of one text as JSON (no database)."""
    from pantau.extractors.pipeline import extract_text, load_pipeline

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    try:
        day = date.fromisoformat(published) if published else None
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, not {published!r}")
    if engine not in ("spacy", "stanza"):
        fail(f"--engine must be spacy or stanza, not {engine!r}")
    nlp = guarded(lambda: load_pipeline(model or Settings().extraction.model))
    if engine == "stanza":
        from pantau.extractors.stanza_engine import StanzaUnavailable, extract_text_stanza

        try:
            facts = extract_text_stanza(nlp, text, day)
        except StanzaUnavailable as exc:
            fail(str(exc))
    else:
        facts = extract_text(nlp, text, day)
    print(json.dumps(facts.to_json(), ensure_ascii=False, indent=2))


app.add_typer(model_app, name="model", help="Train and evaluate the Indonesian NER model.")
