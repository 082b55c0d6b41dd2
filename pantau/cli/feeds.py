"""`pantau feeds …`: the feed list lives in the warehouse (plus `[[feeds]]` from the config)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape

from pantau.cli.common import ConfigOpt, DbOpt, console, fail, guarded, print_table, settings_from
from pantau.settings import FeedConfig

feeds_app = typer.Typer(help="Manage the feeds pantau polls.", no_args_is_help=True)


@feeds_app.command("add")
def feeds_add(url: str, name: Annotated[Optional[str], typer.Option()] = None,
              region: Annotated[Optional[str], typer.Option()] = None, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Add a feed to the warehouse's feed list."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.feeds import upsert_feeds

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
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.queries import list_feeds

    settings = settings_from(config, db)

    def read() -> tuple[list[str], list[tuple]]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return list_feeds(con)

    print_table(*guarded(read), title="Feeds")


@feeds_app.command("remove")
def feeds_remove(url: str, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Stop polling a feed (its history stays)."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.feeds import remove_feed

    settings = settings_from(config, db)

    def remove() -> bool:
        with warehouse_db.connect(settings.warehouse.path) as con:
            return remove_feed(con, url)

    if not guarded(remove):
        fail(f"no feed {url}")
    console.print(f"removed {url}")


@feeds_app.command("add-defaults")
def feeds_add_defaults(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Add the default list of West Java regional outlets (README "Feeds and ingestion")."""
    from pantau.ingest.defaults import DEFAULT_FEEDS
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.feeds import upsert_feeds

    settings = settings_from(config, db)

    def add() -> None:
        with warehouse_db.connect(settings.warehouse.path) as con:
            upsert_feeds(con, DEFAULT_FEEDS, source="defaults")

    guarded(add)
    for feed in DEFAULT_FEEDS:
        console.print(f"added {escape(feed.name or '')}: {escape(feed.url)}", highlight=False)


@feeds_app.command("status")
def feeds_status(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Each feed's last status, failure score, backoff and its last five polls."""
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.feeds import feed_status

    settings = settings_from(config, db)

    def read() -> tuple[list[str], list[tuple]]:
        with warehouse_db.connect(settings.warehouse.path, read_only=True) as con:
            return feed_status(con)

    columns, rows = guarded(read)
    keep = ("feed", "status", "score", "next_poll", "polls", "new_articles", "last_polls", "last_error")
    index = [columns.index(c) for c in keep]
    print_table(list(keep), [tuple(row[i] for i in index) for row in rows], title="Feed status")


@feeds_app.command("check")
def feeds_check(url: Annotated[Optional[str], typer.Argument(help="Only this feed (default: every enabled feed).")] = None,
                config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Poll feeds now (no article pages, no extraction) and record each one's status."""
    import uuid

    from pantau.ingest.feeds import poll_many
    from pantau.warehouse import db as warehouse_db
    from pantau.warehouse.feeds import enabled_feeds, feed_id_for, record_polls, upsert_feeds

    settings = settings_from(config, db)

    def check() -> list:
        with warehouse_db.connect(settings.warehouse.path) as con:
            upsert_feeds(con, settings.feeds, source="config")
            feeds = [f for f in enabled_feeds(con) if url is None or f.feed_id == feed_id_for(url)]
            polls = poll_many(feeds, settings.http)
            # validators are not saved: the next `pantau run` still reads changed feeds in full
            record_polls(con, "check-" + uuid.uuid4().hex[:8], [(p, 0) for p in polls], validators=False)
            return polls

    polls = guarded(check)
    if url is not None and not polls:
        fail(f"no enabled feed {url}")
    print_table(["feed", "status", "entries", "ms", "error"],
                [(p.url, p.status, len(p.entries), round(p.elapsed_ms), p.error or p.problem) for p in polls],
                title="Feed check")
