"""The ingest flow: poll feeds → fetch article pages → extract → store → alert. Orchestration only.

Tasks are coarse (one per feed poll, one per batch of pages, one per batch of extraction) and return plain data;
the flow's own process is the single DuckDB writer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from alerts.deliver import DeliveryReport, channels_for, deliver_pending, raise_for_run
from extractors.facts import ArticleFacts
from extractors.pipeline import EXTRACTOR_VERSION, extract, load_pipeline
from ingest.articles import Article, fetch_article
from ingest.feeds import FeedEntry, FeedPoll, FeedState, poll_feed
from ingest.http import make_client
from pantau.config import HttpSettings, Settings
from warehouse import db, store
from warehouse import feeds as feeds_db
from warehouse import runs as runs_db


@dataclass
class RunResult:
    run_id: str
    counts: dict[str, int]
    polls: list[tuple[str, str, str | None]] = field(default_factory=list)  # (feed url, status, error)
    failed_articles: list[tuple[str, str]] = field(default_factory=list)  # (url, error)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)


@task(name="poll-feed", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def poll_feed_task(feed: FeedState, http: HttpSettings) -> FeedPoll:
    with make_client(http) as client:
        return poll_feed(client, feed, http)


@task(name="fetch-articles", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def fetch_articles_task(batch: list[tuple[str, FeedEntry]], http: HttpSettings) -> list[Article]:
    with make_client(http) as client:
        return [fetch_article(client, entry, feed_id, http) for feed_id, entry in batch]


@task(name="extract-articles", cache_policy=NO_CACHE)
def extract_task(articles: list[Article], model: str, batch_size: int) -> list[ArticleFacts | None]:
    nlp = load_pipeline(model)  # cached: loaded once per worker process
    has_text = [a for a in articles if a.body]
    facts = extract(nlp, [a.body for a in has_text], [a.published_at.date() for a in has_text], batch_size)
    by_id = {a.article_id: f for a, f in zip(has_text, facts)}
    return [by_id.get(a.article_id) for a in articles]


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


@flow(name="pantau-ingest", task_runner=ThreadPoolTaskRunner(max_workers=4), validate_parameters=False)
def ingest_flow(settings: Settings, run_id: str | None = None) -> RunResult:
    logger = get_run_logger()
    run_id = run_id or uuid.uuid4().hex[:12]
    con = db.connect(settings.warehouse.path)
    try:
        return _run(con, settings, run_id, logger)
    finally:
        con.close()


def _run(con, settings: Settings, run_id: str, logger) -> RunResult:
    load_pipeline(settings.extraction.model)  # fail fast on a missing model, before any fetching
    version = EXTRACTOR_VERSION
    feeds_db.upsert_feeds(con, settings.feeds, source="config")
    runs_db.start_run(con, run_id, version)
    result = RunResult(run_id=run_id, counts={})
    counts = result.counts
    try:
        feeds = feeds_db.enabled_feeds(con)
        polls = [f.result() for f in poll_feed_task.map(feeds, http=settings.http)]
        todo = store.entries_to_fetch(con, polls, settings.extraction.max_fetch_attempts)
        new_per_feed: dict[str, int] = {}
        for feed_id, _ in todo:
            new_per_feed[feed_id] = new_per_feed.get(feed_id, 0) + 1
        for poll in polls:
            feeds_db.record_poll(con, run_id, poll, new_per_feed.get(poll.feed_id, 0))
            result.polls.append((poll.url, poll.status, poll.error))
            if poll.error:
                logger.warning("feed %s: %s (%s)", poll.url, poll.status, poll.error)
        counts["feeds_polled"] = len(polls)
        counts["feeds_failed"] = sum(p.status not in ("ok", "not_modified", "empty") for p in polls)

        size = settings.extraction.batch_size
        fetched = fetch_articles_task.map(_batches(todo, size), http=settings.http)
        extracted = [extract_task.submit(f, settings.extraction.model, size) for f in fetched]
        new_regulations: list[str] = []
        for fetch_future, extract_future in zip(fetched, extracted):
            articles, facts = fetch_future.result(), extract_future.result()
            stored = store.store_batch(con, run_id, articles, facts)
            new_regulations += stored.new_regulation_ids
            counts["articles_new"] = counts.get("articles_new", 0) + stored.articles_new
            counts["articles_failed"] = counts.get("articles_failed", 0) + stored.articles_failed
            for kind, n in stored.mentions.items():
                counts[f"{kind}_mentions"] = counts.get(f"{kind}_mentions", 0) + n
            result.failed_articles += [(a.url, a.fetch_error) for a in articles if a.fetch_error]

        counts["alerts_raised"] = raise_for_run(con, run_id, settings.alerts, new_regulations)
        result.deliveries = deliver_pending(con, channels_for(settings.alerts))
    except Exception as exc:
        runs_db.finish_run(con, run_id, counts, error=f"{type(exc).__name__}: {exc}")
        raise
    runs_db.finish_run(con, run_id, counts)
    return result
