"""The ingest flow: poll feeds → fetch article pages → extract → store → alert. Orchestration only.

Tasks are coarse (one per `POLL_BATCH` feeds polled, one per batch of pages, one per batch of extraction) and
return plain data; the flow's own process is the single DuckDB writer. Network tasks run on the flow's thread pool
with retries and timeouts (per-host concurrency is enforced inside `ingest.http`); extraction runs on its own task
runner (`flows.extract`: threads by default, Dask when asked).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from alerts.deliver import DeliveryReport, channels_for, deliver_pending, raise_for_run
from extractors.pipeline import extractor_version
from flows.extract import NLP_BATCH, ExtractionReport, RunnerSpec, extract_and_store, extraction_runner, load_model
from ingest.articles import Article, fetch_many
from ingest.feeds import FeedEntry, FeedPoll, FeedState, poll_many
from pantau.config import HttpSettings, Settings
from warehouse import db, search, store
from warehouse.queries import refresh_views
from warehouse import feeds as feeds_db
from warehouse import runs as runs_db


@dataclass
class RunResult:
    run_id: str
    counts: dict[str, int]
    polls: list[tuple[str, str, str | None]] = field(default_factory=list)  # (feed url, status, error)
    failed_articles: list[tuple[str, str]] = field(default_factory=list)  # (url, error)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)
    status_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    extraction: ExtractionReport = field(default_factory=ExtractionReport)
    duration_s: float = 0.0


POLL_BATCH = 250  # feeds per poll task: a Prefect task per feed costs far more than an unchanged feed's poll
# (bench/poll_feeds.py --flow: 1,000 unchanged feeds take 3 s through the flow with 250, 7 s with 50)


@task(name="poll-feeds", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def poll_feeds_task(feeds: list[FeedState], http: HttpSettings) -> list[FeedPoll]:
    return poll_many(feeds, http)  # a thread pool; per-host limits are enforced inside ingest.http


@task(name="fetch-articles", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def fetch_articles_task(batch: list[tuple[str, FeedEntry]], http: HttpSettings) -> list[Article]:
    return fetch_many(batch, http)  # concurrently, within the per-host limits of ingest.http


def _request_budget(http: HttpSettings) -> float:
    """Worst case for one URL: every attempt hits its overall deadline, plus the backoff sleeps."""
    deadline = getattr(http, "total_timeout", http.connect_timeout + http.read_timeout)
    return (http.retries + 1) * (deadline + 8.0) + 5.0


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _flow_run_id() -> str | None:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return str(ctx.flow_run.id) if ctx and ctx.flow_run else None


def begin_run(con, settings: Settings, run_id: str, kind: str, runner: RunnerSpec) -> RunResult:
    """Load the model in this process (fail fast on a missing one, before any fetching) and record the run's start."""
    model_version = load_model(settings.extraction.model)
    runs_db.start_run(con, run_id, extractor_version(settings.extraction.model), kind=kind,
                      model_version=model_version, runner=runner.describe(), flow_run_id=_flow_run_id())
    return RunResult(run_id=run_id, counts={})


def add_mentions(counts: dict[str, int], stored: store.StoreResult) -> None:
    for kind, n in stored.mentions.items():
        counts[f"{kind}_mentions"] = counts.get(f"{kind}_mentions", 0) + n


@flow(name="pantau-ingest", task_runner=ThreadPoolTaskRunner(max_workers=4), validate_parameters=False)
def ingest_flow(settings: Settings, run_id: str | None = None, runner: RunnerSpec | None = None) -> RunResult:
    logger = get_run_logger()
    run_id = run_id or uuid.uuid4().hex[:12]
    con = db.connect(settings.warehouse.path)
    try:
        return _run(con, settings, run_id, runner or RunnerSpec(), logger)
    finally:
        con.close()


def _run(con, settings: Settings, run_id: str, runner: RunnerSpec, logger) -> RunResult:
    started = time.perf_counter()
    result = begin_run(con, settings, run_id, "ingest", runner)
    feeds_db.upsert_feeds(con, settings.feeds, source="config")
    counts = result.counts
    feed_status: Counter[str] = Counter()
    body_status: Counter[str] = Counter()
    try:
        feeds = feeds_db.due_feeds(con)  # enabled feeds, less those backing off after repeated failures
        budget = _request_budget(settings.http)
        polls = [poll for f in poll_feeds_task.with_options(timeout_seconds=budget * POLL_BATCH)
                 .map(_batches(feeds, POLL_BATCH), http=settings.http) for poll in f.result()]
        todo = store.entries_to_fetch(con, polls, settings.extraction.max_fetch_attempts)
        new_per_feed: dict[str, int] = {}
        for feed_id, _ in todo:
            new_per_feed[feed_id] = new_per_feed.get(feed_id, 0) + 1
        # one transaction for all polls; validators wait until the articles are stored (save_validators below)
        feeds_db.record_polls(con, run_id, [(p, new_per_feed.get(p.feed_id, 0)) for p in polls], validators=False)
        for poll in polls:
            result.polls.append((poll.url, poll.status, poll.error))
            feed_status[poll.status] += 1
            if poll.error:
                logger.warning("feed %s: %s (%s)", poll.url, poll.status, poll.error)
        counts["feeds_polled"] = len(polls)
        counts["feeds_failed"] = sum(p.status not in ("ok", "not_modified", "empty") for p in polls)

        size = settings.extraction.batch_size
        fetch_task = fetch_articles_task.with_options(timeout_seconds=budget * size)
        fetched = fetch_task.map(_batches(todo, size), http=settings.http)
        new_regulations = _extract_and_store(con, settings, run_id, runner, (f.result() for f in fetched),
                                             result, body_status)
        feeds_db.save_validators(con, polls)  # only now: a run killed before this re-reads the feeds in full
        _alert(con, settings, run_id, new_regulations, result)
    except Exception as exc:
        result.status_counts = status_counts(counts, feeds=feed_status, articles=body_status)
        runs_db.finish_run(con, run_id, counts, error=f"{type(exc).__name__}: {exc}",
                           status_counts=result.status_counts)
        raise
    result.status_counts = status_counts(counts, feeds=feed_status, articles=body_status)
    runs_db.finish_run(con, run_id, counts, status_counts=result.status_counts)
    result.duration_s = time.perf_counter() - started
    return result


def _extract_and_store(con, settings: Settings, run_id: str, runner: RunnerSpec, batches: Iterable[list[Article]],
                       result: RunResult, body_status: Counter[str]) -> list[str]:
    """Fetched articles → extraction on the runner → `store.store_batch` here; the regulations seen first."""
    counts = result.counts
    new_regulations: list[str] = []

    def on_stored(articles: Sequence[Article], stored: store.StoreResult) -> None:
        new_regulations.extend(stored.new_regulation_ids)
        counts["articles_new"] = counts.get("articles_new", 0) + stored.articles_new
        counts["articles_failed"] = counts.get("articles_failed", 0) + stored.articles_failed
        add_mentions(counts, stored)
        body_status.update(a.body_status for a in articles)
        result.failed_articles.extend((a.url, a.fetch_error) for a in articles if a.fetch_error)

    with extraction_runner(runner) as extractor:
        result.extraction = extract_and_store(
            extractor, batches, settings.extraction.model, NLP_BATCH,
            store=lambda articles, facts: store.store_batch(con, run_id, articles, facts),
            on_stored=on_stored, window=_window(runner))
    return new_regulations


def _alert(con, settings: Settings, run_id: str, new_regulations: list[str], result: RunResult) -> None:
    """Alerts for the regulations first seen in this run, then every pending delivery (the outbox)."""
    result.counts["alerts_raised"] = raise_for_run(con, run_id, settings.alerts, new_regulations)
    result.deliveries = deliver_pending(con, channels_for(settings.alerts), settings.alerts.retry)
    result.counts["alerts_delivered"] = len(result.deliveries.delivered)
    result.counts["alerts_failed"] = len(result.deliveries.failed)
    refresh_views(con)  # the summary views (warehouse/views.sql), materialized: rebuilt after each run
    search.rebuild(con)  # the full-text index over articles is not incremental: rebuilt after each run


def _window(runner: RunnerSpec) -> int:
    """Batches in flight: enough to keep every worker busy while the flow stores, bounded for memory."""
    return 2 * (runner.workers or 1) + 2


def status_counts(counts: dict[str, int], **by_status: Counter[str]) -> dict[str, dict[str, int]]:
    """The run summary stored in `runs.status_counts`: feeds and articles per status, mentions, alerts."""
    summary = {name: dict(sorted(counter.items())) for name, counter in by_status.items()}
    summary["mentions"] = {k.removesuffix("_mentions"): v for k, v in counts.items() if k.endswith("_mentions")}
    summary["alerts"] = {k.removeprefix("alerts_"): v for k, v in counts.items() if k.startswith("alerts_")}
    return summary


@flow(name="pantau-ingest", task_runner=ThreadPoolTaskRunner(max_workers=4), validate_parameters=False)
def scheduled_ingest(config: str | None = None, db_path: str | None = None, runner: str = "threads",
                     workers: int | None = None, dask_address: str | None = None) -> dict[str, Any]:
    """The deployment `pantau serve` registers: reads the config on every run, so edits apply to the next run."""
    from pantau.config import load_settings

    settings = load_settings(config)
    if db_path:
        settings.warehouse.path = db_path
    result = ingest_flow.fn(settings, runner=RunnerSpec(kind=runner, workers=workers, address=dask_address))
    return {"run_id": result.run_id, **result.counts}
