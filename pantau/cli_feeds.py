"""`pantau feeds …`: the feed list lives in the warehouse (plus `[[feeds]]` from the config)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from pantau.cli_common import ConfigOpt, DbOpt, console, fail, guarded, print_table, settings_from
from pantau.config import FeedConfig

feeds_app = typer.Typer(help="Manage the feeds pantau polls.", no_args_is_help=True)


@feeds_app.command("add")
def feeds_add(url: str, name: Annotated[Optional[str], typer.Option()] = None,
              region: Annotated[Optional[str], typer.Option()] = None, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Add a feed to the warehouse's feed list."""
    from warehouse import db as warehouse_db
    from warehouse.feeds import upsert_feeds

    if not url.startswith(("http://", "https://")):
        fail(f"a feed URL starts with http:// or https://, not {url!r}")
    settings = settings_from(config, db)

    def add() -> None:
        with warehouse_db.connect(settings.warehouse.path) as con:
            upsert_feeds(con, [FeedConfig(url=url, name=name, region=region)], source="cli")

    guarded(add)
    console.print(f"added {url}")


@feeds_app.command("list")
def feeds_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """List feeds with their last status."""
    from warehouse import db as warehouse_db
    from warehouse.queries import list_feeds

    settings = settings_from(config, db)

    def read() -> tuple[list[str], list[tuple]]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return list_feeds(con)

    print_table(*guarded(read), title="Feeds")


@feeds_app.command("remove")
def feeds_remove(url: str, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Stop polling a feed (its history stays)."""
    from warehouse import db as warehouse_db
    from warehouse.feeds import remove_feed

    settings = settings_from(config, db)

    def remove() -> bool:
        with warehouse_db.connect(settings.warehouse.path) as con:
            return remove_feed(con, url)

    if not guarded(remove):
        fail(f"no feed {url}")
    console.print(f"removed {url}")
