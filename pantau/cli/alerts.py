"""`pantau alerts …`: alerts raised on new regulation mentions, and their deliveries."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import typer
from rich.markup import escape

from pantau.cli.common import ConfigOpt, DbOpt, console, fail, guarded, print_table, settings_from

alerts_app = typer.Typer(help="Alerts raised on new regulation mentions.", no_args_is_help=True)


@alerts_app.command("list")
def alerts_list(config: ConfigOpt = None, db: DbOpt = None,
                limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50) -> None:
    """List raised alerts and their delivery status per channel."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.alerts import list_alerts

    settings = settings_from(config, db)

    def read() -> tuple[list[str], list[tuple]]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return list_alerts(con, limit)

    print_table(*guarded(read), title="Alerts")


@alerts_app.command("test")
def alerts_test(rule: Annotated[str, typer.Argument(help="Name of an alert rule in the config.")],
                config: ConfigOpt = None) -> None:
    """Send a sample alert through the rule's channels (outside the outbox; the warehouse is not touched)."""
    from pantau.alerts.deliver import send_sample

    settings = settings_from(config, None)
    try:
        results = send_sample(settings.alerts, rule)
    except KeyError as exc:
        fail(exc.args[0])
    print_table(["channel", "result"], [(c, "sent" if e is None else f"failed: {e}") for c, e in results],
                title=f"Sample alert for rule {rule}")
    if any(e for _, e in results):
        raise typer.Exit(1)


@alerts_app.command("replay")
def alerts_replay(
    since: Annotated[str, typer.Option("--since", help="Alerts raised on or after this date (YYYY-MM-DD).")],
    config: ConfigOpt = None, db: DbOpt = None,
    channel: Annotated[Optional[str], typer.Option(help="Only this channel (default: all).")] = None,
) -> None:
    """Send alerts raised since DATE again, with their original alert_id (receivers deduplicate on it)."""
    from pantau.alerts.deliver import channels_for, deliver_pending
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.alerts import replay

    try:
        day = date.fromisoformat(since)
    except ValueError:
        fail(f"--since must be YYYY-MM-DD, not {since!r}")
    settings = settings_from(config, db)

    def run():
        with warehouse_db.connect(settings.warehouse.path) as con:
            queued = replay(con, day, channel)
            return queued, deliver_pending(con, channels_for(settings.alerts), settings.alerts.retry)

    queued, report = guarded(run)
    for title, name, error in report.failed:
        console.print(f"[red]not delivered[/] via {name}: {escape(title)}: {escape(error)}", highlight=False)
    console.print(f"replayed {queued} deliveries: {len(report.delivered)} delivered, {len(report.failed)} failed "
                  "(failed ones are retried on later runs)")
    if report.failed:
        raise typer.Exit(1)
