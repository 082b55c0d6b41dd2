"""`pantau alerts …`: alerts raised on new regulation mentions, and their deliveries."""

from __future__ import annotations

from typing import Annotated

import typer

from pantau.cli_common import ConfigOpt, DbOpt, guarded, print_table, settings_from

alerts_app = typer.Typer(help="Alerts raised on new regulation mentions.", no_args_is_help=True)


@alerts_app.command("list")
def alerts_list(config: ConfigOpt = None, db: DbOpt = None,
                limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50) -> None:
    """List raised alerts and their delivery status per channel."""
    from warehouse import db as warehouse_db
    from warehouse.alerts import list_alerts

    settings = settings_from(config, db)

    def read() -> tuple[list[str], list[tuple]]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return list_alerts(con, limit)

    print_table(*guarded(read), title="Alerts")
