"""`pantau serve | runs | reprocess | maintain`: scheduled operation, run summaries, re-extraction, upkeep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from pantau.cli.common import ConfigOpt, DbOpt, console, err, fail, guarded, print_table, quiet_prefect, settings_from
from pantau.settings import DEFAULT_CONFIG

RunnerOpt = Annotated[str, typer.Option("--runner", help="Where extraction runs: threads | dask.")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", help="Extraction threads, or local Dask worker processes.")]
DaskAddressOpt = Annotated[Optional[str], typer.Option(
    "--dask-address", help="A running Dask scheduler (tcp://host:8786); without it --runner dask starts a local cluster.")]


def runner_spec(runner: str, workers: int | None, dask_address: str | None) -> Any:
    from pantau.flows.extract import RunnerSpec

    if dask_address and runner == "threads":
        runner = "dask"  # --dask-address alone means the Dask runner
    try:
        return RunnerSpec(kind=runner, workers=workers, address=dask_address)
    except ValueError as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    """Mount these commands on the main `pantau` app."""
    app.command()(serve)
    app.command()(runs)
    app.command()(reprocess)
    app.command()(maintain)


def serve(
    cron: Annotated[Optional[str], typer.Option(help='Cron schedule in Asia/Jakarta, e.g. "*/15 * * * *" (the default).')] = None,
    interval: Annotated[Optional[str], typer.Option(help="Interval instead of cron: 15m, 30s, 1h, 1h30m.")] = None,
    config: ConfigOpt = None, db: DbOpt = None,
    runner: RunnerOpt = "threads", workers: WorkersOpt = None, dask_address: DaskAddressOpt = None,
    name: Annotated[str, typer.Option(help="Deployment name (pantau-ingest/NAME).")] = "scheduled",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
) -> None:
    """Register the ingest deployment on the Prefect server (PREFECT_API_URL) with a schedule, and run it."""
    from pantau.flows.serve import ServeError, api_url, check_server, make_schedule

    spec = runner_spec(runner, workers, dask_address)
    try:
        schedule = make_schedule(cron, interval)
        url = api_url()
        check_server(url)
    except ServeError as exc:  # one line, however narrow the terminal
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    settings = settings_from(config, db)  # validated now: a broken config fails here, not at 3 a.m.
    config_path = config or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    parameters = {
        "config": str(Path(config_path).resolve()) if config_path else None,
        "db_path": str(Path(settings.warehouse.path).resolve()),
        "runner": spec.kind, "workers": spec.workers, "dask_address": spec.address,
    }
    quiet_prefect(verbose)
    what = f"cron {schedule.cron!r}" if schedule.cron else f"every {schedule.interval}"
    console.print(f"Serving [bold]pantau-ingest/{name}[/] on {url} ({what}, Asia/Jakarta) into "
                  f"{parameters['db_path']}. Ctrl-C stops (and pauses the schedule).", highlight=False)
    from pantau.flows.serve import serve as serve_flow

    serve_flow(schedule, parameters, name=name)


def _status_text(counts: dict[str, int] | None) -> str:
    return " ".join(f"{k}:{v}" for k, v in (counts or {}).items())


def runs(
    config: ConfigOpt = None, db: DbOpt = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    kind: Annotated[Optional[str], typer.Option(help="Only ingest, reprocess or maintain runs.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
) -> None:
    """Run summaries: status, duration, counts per status, model version."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.runs import list_runs

    if fmt not in ("table", "json"):
        fail(f"--format must be table or json, not {fmt!r}")
    settings = settings_from(config, db)

    def read() -> list[dict[str, Any]]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return list_runs(con, limit=limit, kind=kind)

    rows = guarded(read)
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, default=str, indent=2))
        return
    table = []
    for r in rows:
        sc = r["status_counts"]
        duration = f"{r['duration_s']:.1f}s" if r["duration_s"] is not None else ""
        status = r["status"] + "".join(f" (finished interrupted run {done})" for done in r["finishes"])
        table.append((r["run_id"], r["kind"], str(r["started_at"])[:19], status, duration,
                      _status_text(sc.get("feeds")), _status_text(sc.get("articles")),
                      _status_text(sc.get("mentions")), r["alerts_raised"], r["model_version"], r["runner"],
                      r["error"]))
    print_table(["run", "kind", "started (UTC)", "status", "duration", "feeds", "articles", "mentions", "alerts",
                 "model", "runner", "error"], table, title="Runs")


def reprocess(
    config: ConfigOpt = None, db: DbOpt = None,
    only_stale: Annotated[bool, typer.Option("--only-stale", help="Only articles extracted by another extractor version.")] = False,
    alert: Annotated[bool, typer.Option("--alert/--no-alert", help="Alert on regulations never seen before.")] = True,
    runner: RunnerOpt = "threads", workers: WorkersOpt = None, dask_address: DaskAddressOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Re-extract stored articles with the current model and registries (old facts replaced per batch)."""
    settings = settings_from(config, db)
    spec = runner_spec(runner, workers, dask_address)
    quiet_prefect(verbose)
    from pantau.flows.reprocess import reprocess_flow

    result = guarded(lambda: reprocess_flow(settings, runner=spec, only_stale=only_stale, alert_new=alert))
    c = result.counts
    rows = [("articles re-extracted", c.get("articles_reprocessed", 0)),
            ("regulations never seen before", c.get("regulations_new", 0)),
            ("alerts raised", c.get("alerts_raised", 0))]
    rows += [(f"{kind} mentions (net change)", n) for kind, n in result.status_counts.get("mentions", {}).items()]
    print_table(["run " + result.run_id, "count"], rows, title=f"Reprocess ({result.duration_s:.1f} s)")


def maintain(
    config: ConfigOpt = None, db: DbOpt = None,
    export: Annotated[Optional[Path], typer.Option(help="Also export the public tables as Parquet into this directory.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Upkeep: rebuild the full-text index, checkpoint, optionally export Parquet."""
    settings = settings_from(config, db)
    quiet_prefect(verbose)
    from pantau.flows.maintain import maintain_flow

    done = guarded(lambda: maintain_flow(settings, export_dir=str(export) if export else None))
    print_table(["step", "result"], [(k, str(v)) for k, v in done.items()], title="Maintenance")
