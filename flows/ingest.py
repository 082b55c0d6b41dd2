"""The ingest flow: poll feeds → fetch article pages → extract → store → alert. Orchestration only.

Tasks are coarse (one per `POLL_BATCH` feeds polled, one per batch of pages, one per batch of extraction) and
return plain data; the flow's own process is the single DuckDB writer. Network tasks run on the flow's thread pool
with retries (deadlines and per-host concurrency are enforced inside `ingest.http`); extraction runs on its own task
runner (`flows.extract`: threads by default, Dask when asked).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from pantau.flows.extract import RunnerSpec
from pantau.flows.steps import RunResult, alert, extract_and_store_new, recorded_run, refresh
from pantau.ingest.articles import fetch_many
from pantau.ingest.feeds import poll_many
from pantau.settings import HttpSettings, Settings, load_settings
from pantau.types import GOOD_STATUSES, Article, FeedEntry, FeedPoll, FeedState
from pantau.warehouse import feeds as feeds_db
from pantau.warehouse import store

POLL_BATCH = 250  # feeds per poll task: a Prefect task per feed costs far more than an unchanged feed's poll
# (bench/poll_feeds.py --flow: 1,000 unchanged feeds take 3 s through the flow with 250, 7 s with 50)


@task(name="poll-feeds", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def poll_feeds_task(feeds: list[FeedState], http: HttpSettings) -> list[FeedPoll]:
    return poll_many(feeds, http)  # a thread pool; per-host limits are enforced inside ingest.http


@task(name="fetch-articles", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def fetch_articles_task(batch: list[tuple[str, FeedEntry]], http: HttpSettings) -> list[Article]:
    return fetch_many(batch, http)  # concurrently, within the per-host limits of ingest.http


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


@flow(name="pantau-run", task_runner=ThreadPoolTaskRunner(max_workers=4), validate_parameters=False)
def ingest_flow(settings: Settings, run_id: str | None = None, runner: RunnerSpec | None = None) -> RunResult:
    """One ingestion pass (`pantau run`): poll the due feeds, fetch new pages, extract, store, alert, refresh."""
    logger = get_run_logger()
    runner = runner or RunnerSpec()
    with recorded_run(settings, "ingest", runner, run_id) as (con, result):
        result.status("feeds"), result.status("articles")  # both reported, also when empty
        feeds_db.upsert_feeds(con, settings.feeds, source="config")
        feeds = feeds_db.due_feeds(con)  # enabled feeds, less those backing off after repeated failures
        logger.info("polling %d feeds", len(feeds))
        # No Prefect task timeouts: they cannot interrupt a worker thread, and every request already has its own
        # overall deadline (`[http] total_timeout`, enforced in ingest.http).
        polls = [poll for f in poll_feeds_task.map(_batches(feeds, POLL_BATCH), http=settings.http)
                 for poll in f.result()]
        todo = store.entries_to_fetch(con, polls, settings.extraction.max_fetch_attempts)
        new_per_feed: dict[str, int] = {}
        for feed_id, _ in todo:
            new_per_feed[feed_id] = new_per_feed.get(feed_id, 0) + 1
        # one transaction for all polls; validators wait until the articles are stored (save_validators below)
        feeds_db.record_polls(con, result.run_id, [(p, new_per_feed.get(p.feed_id, 0)) for p in polls],
                              validators=False)
        for poll in polls:
            result.polls.append((poll.url, poll.status, poll.error))
            result.status("feeds")[poll.status] += 1
            if poll.error:
                logger.warning("feed %s: %s (%s)", poll.url, poll.status, poll.error)
        result.counts["feeds_polled"] = len(polls)
        result.counts["feeds_failed"] = sum(p.status not in GOOD_STATUSES for p in polls)

        logger.info("fetching %d new article pages", len(todo))
        fetched = fetch_articles_task.map(_batches(todo, settings.extraction.batch_size), http=settings.http)
        extract_and_store_new(con, settings, result, runner, (f.result() for f in fetched))
        feeds_db.save_validators(con, polls)  # only now: a run killed before this re-reads the feeds in full
        alert(con, settings, result)
        refresh(con, result)
    return result


@flow(name="pantau-ingest", task_runner=ThreadPoolTaskRunner(max_workers=4), validate_parameters=False)
def scheduled_ingest(config: str | None = None, db_path: str | None = None, runner: str = "threads",
                     workers: int | None = None, dask_address: str | None = None) -> dict[str, Any]:
    """The deployment `pantau serve` registers: reads the config on every run, so edits apply to the next run."""
    settings = load_settings(config)
    if db_path:
        settings.warehouse.path = db_path
    result = ingest_flow.fn(settings, runner=RunnerSpec(kind=runner, workers=workers, address=dask_address))
    return {"run_id": result.run_id, **result.counts}
