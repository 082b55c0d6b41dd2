"""What every flow shares: one way to run recorded in `runs`, and the steps that write facts and what derives from them.

`recorded_run` opens the warehouse (the flow's process is the single writer), loads the model first when the run
extracts (a missing model fails before any fetching), records the run's start, and closes the run as completed or
failed with its counts and counts per status. Every path that writes facts ends with `refresh_derived`, so the
summary views and the full-text index never lag behind the facts.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb

from pantau.alerts.deliver import DeliveryReport, channels_for, deliver_pending, raise_for_run
from pantau.flows.extract import (
    NLP_BATCH,
    ExtractionReport,
    RunnerSpec,
    extract_and_store,
    extraction_runner,
    load_model,
)
from pantau.settings import Settings
from pantau.types import Article
from pantau.warehouse import db, snapshot, store
from pantau.warehouse import feeds as feeds_db
from pantau.warehouse import runs as runs_db
from pantau.warehouse.queries import refresh_derived
from pantau.warehouse.transactions import transaction


@dataclass
class RunResult:
    run_id: str
    kind: str = "ingest"
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)  # "feeds"/"articles" → status → count
    steps: dict[str, str] = field(default_factory=dict)  # maintain: step → outcome
    polls: list[tuple[str, str, str | None]] = field(default_factory=list)  # (feed url, status, error)
    failed_articles: list[tuple[str, str]] = field(default_factory=list)  # (url, error)
    new_regulations: list[str] = field(default_factory=list)  # regulation ids first seen in this run
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)
    extraction: ExtractionReport = field(default_factory=ExtractionReport)
    finishes: list[dict[str, Any]] = field(default_factory=list)  # interrupted runs this run finishes
    duration_s: float = 0.0

    def count(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def status(self, group: str) -> Counter[str]:
        return self.statuses.setdefault(group, Counter())

    @property
    def status_counts(self) -> dict[str, dict[str, int]]:
        """The run summary stored in `runs.status_counts`: per status, mentions and alerts, or maintain's steps."""
        summary: dict[str, Any] = {name: dict(sorted(c.items())) for name, c in self.statuses.items()}
        if self.kind == "maintain":
            return {**summary, "steps": self.steps}
        summary["mentions"] = {k.removesuffix("_mentions"): v for k, v in self.counts.items() if k.endswith("_mentions")}
        summary["alerts"] = {k.removeprefix("alerts_"): v for k, v in self.counts.items() if k.startswith("alerts_")}
        return summary


def finishing_note(work: dict[str, Any]) -> str:
    """What a run says about an interrupted run it found (`runs_db.interrupted_work`): what that run had done, and
    what this run does about the rest."""
    started = f"{work['started_at']:%Y-%m-%d %H:%M:%S}" if work.get("started_at") else "?"
    pending = work["deliveries_pending"]
    head = f"run {work['run_id']} ({work['kind']}, started {started} UTC) was interrupted"
    if work["kind"] == "ingest":
        return (f"{head} after storing {work['articles_stored']} articles and raising {work['alerts_raised']} alerts; "
                f"this run finishes its work: it reads its feeds again in full, fetches the articles it did not "
                f"store, delivers its {pending} undelivered alert deliveries and rebuilds the views and the search "
                f"index")
    if work["kind"] == "reprocess":
        return (f"{head}; the articles it had not re-extracted keep their earlier facts (run `pantau reprocess` "
                f"again to finish them); this run delivers its {pending} undelivered alert deliveries and rebuilds "
                f"the views and the search index")
    return f"{head}; this run rebuilds what it was rebuilding (run `pantau {work['kind']}` again to finish it)"


def step_logger():
    """The run's logger in a flow (Prefect shows it with --verbose), else pantau's own."""
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        import logging

        return logging.getLogger("pantau")


def _flow_run_id() -> str | None:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return str(ctx.flow_run.id) if ctx and ctx.flow_run else None


@contextmanager
def recorded_run(settings: Settings, kind: str, runner: RunnerSpec | None = None, run_id: str | None = None,
                 extracts: bool = True) -> Iterator[tuple[Any, RunResult]]:
    """(connection, result) for one run of `kind`, recorded in `runs` from start to finish (or failure)."""
    run_id = run_id or uuid.uuid4().hex[:12]
    result = RunResult(run_id=run_id, kind=kind)
    started = time.perf_counter()
    con = db.connect(settings.warehouse.path)
    try:
        if extracts:
            version, model_version = load_model(settings.extraction.model)
            result.finishes = runs_db.start_run(con, run_id, version, kind=kind, model_version=model_version,
                                                runner=(runner or RunnerSpec()).describe(), flow_run_id=_flow_run_id())
        else:
            result.finishes = runs_db.start_run(con, run_id, None, kind=kind, flow_run_id=_flow_run_id())
        for work in result.finishes:
            step_logger().warning(finishing_note(work))
        try:
            yield con, result
        except Exception as exc:
            runs_db.finish_run(con, run_id, result.counts, error=f"{type(exc).__name__}: {exc}",
                               status_counts=result.status_counts)
            publish_snapshot(con, settings)
            raise
        runs_db.finish_run(con, run_id, result.counts, status_counts=result.status_counts)
        publish_snapshot(con, settings)
    finally:
        con.close()
        result.duration_s = time.perf_counter() - started


def publish_snapshot(con, settings: Settings) -> None:
    """The readers' copy (`warehouse.snapshot`), as the run leaves the warehouse; a failure to write it (a full
    disk) is logged and leaves the previous snapshot, never fails the run."""
    if not settings.warehouse.snapshot:
        return
    try:
        snapshot.publish(con, settings.warehouse.path)
    except (OSError, duckdb.Error) as exc:
        step_logger().warning("read snapshot not published: %s", exc)


def add_mentions(result: RunResult, stored: store.StoreResult) -> None:
    for kind, n in stored.mentions.items():
        result.count(f"{kind}_mentions", n)


def window(runner: RunnerSpec) -> int:
    """Batches in flight: enough to keep every worker busy while the flow stores, bounded for memory."""
    return 2 * (runner.workers or 1) + 2


def extract_and_store_new(con, settings: Settings, result: RunResult, runner: RunnerSpec,
                          batches: Iterable[list[Article]]) -> None:
    """Fetched articles → extraction on the runner → `store.store_batch` in this process (one transaction each)."""

    def on_stored(articles: Sequence[Article], stored: store.StoreResult) -> None:
        result.new_regulations.extend(stored.new_regulation_ids)
        result.count("articles_new", stored.articles_new)
        result.count("articles_failed", stored.articles_failed)
        add_mentions(result, stored)
        result.status("articles").update(a.body_status for a in articles)
        result.failed_articles.extend((a.url, a.fetch_error) for a in articles if a.fetch_error)

    log = step_logger()

    def logged(batches: Iterable[list[Article]]) -> Iterator[list[Article]]:
        for number, batch in enumerate(batches, 1):
            log.info("extracting batch %d (%d articles)", number, len(batch))
            yield batch

    def store_and_raise(articles: Sequence[Article], facts) -> store.StoreResult:
        log.info("storing %d articles with their facts and alerts", len(articles))
        # One transaction: the batch's facts and the alerts about them commit together, so a run killed at any
        # point leaves no stored fact without its alert (the rerun sees the regulation as known).
        with transaction(con):
            stored = store.store_batch(con, result.run_id, articles, facts)
            result.count("alerts_raised", raise_for_run(con, result.run_id, settings.alerts,
                                                        stored.new_regulation_ids, [a.article_id for a in articles]))
        return stored

    with extraction_runner(runner) as extractor:
        result.extraction = extract_and_store(
            extractor, logged(batches), settings.extraction.model, NLP_BATCH, store=store_and_raise,
            on_stored=on_stored, window=window(runner), regions=feeds_db.feed_regions(con))


def alert(con, settings: Settings, result: RunResult) -> None:
    """Every pending delivery of the outbox (alerts are raised with the facts they are about, batch by batch)."""
    result.counts.setdefault("alerts_raised", 0)
    step_logger().info("delivering the pending alert deliveries")
    result.deliveries = deliver_pending(con, channels_for(settings.alerts), settings.alerts.retry)
    result.count("alerts_delivered", len(result.deliveries.delivered))
    result.count("alerts_failed", len(result.deliveries.failed))


def refresh(con, result: RunResult) -> None:
    """The summary views and the full-text index, rebuilt from the facts (neither is incremental)."""
    log = step_logger()
    for name, outcome in refresh_derived(con, on_step=lambda step: log.info("rebuilding the %s", step)).items():
        result.steps[name] = outcome
