"""The reprocess flow: re-extract stored articles with the current model and registries. Orchestration only.

Articles are read from the warehouse in keyset pages, extracted on the task runner (threads or Dask, as for
ingest), and written back by `warehouse.store.replace_facts_batch`: one transaction per batch in which each
article's old mentions are deleted and the new ones inserted, every mention carrying the extractor version. A
regulation already in the warehouse keeps its first mention and raises no alert; only one never seen before does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prefect import flow, get_run_logger

from pantau.alerts.deliver import raise_for_run
from pantau.flows.extract import NLP_BATCH, RunnerSpec, extract_and_store, extraction_runner, load_model
from pantau.flows.steps import RunResult, add_mentions, alert, recorded_run, refresh, window
from pantau.settings import Settings
from pantau.types import Article
from pantau.warehouse import feeds as feeds_db
from pantau.warehouse import store
from pantau.warehouse.transactions import transaction


def _pages(con, size: int, skip_version: str | None) -> Iterator[list[Article]]:
    after = None
    while True:
        page = store.articles_to_reprocess(con, after, size, skip_version)
        if not page:
            return
        after = page[-1].article_id
        yield page


def store_and_raise(con, settings: Settings, result: RunResult, articles: Sequence[Article], facts,
                    alert_new: bool) -> store.StoreResult:
    """Re-extracted facts and the alerts about regulations never seen before, in one transaction."""
    with transaction(con):
        stored = store.replace_facts_batch(con, articles, facts)
        if alert_new:
            result.count("alerts_raised", raise_for_run(con, result.run_id, settings.alerts,
                                                        stored.new_regulation_ids, [a.article_id for a in articles]))
    return stored


@flow(name="pantau-reprocess", validate_parameters=False)
def reprocess_flow(settings: Settings, run_id: str | None = None, runner: RunnerSpec | None = None,
                   only_stale: bool = False, alert_new: bool = True) -> RunResult:
    """Re-extract every stored article (or, with `only_stale`, those extracted by another extractor version).
    `alert_new=False` raises no alerts for regulations first seen; the views and the index are refreshed anyway."""
    logger = get_run_logger()
    runner = runner or RunnerSpec()
    with recorded_run(settings, "reprocess", runner, run_id) as (con, result):
        version = load_model(settings.extraction.model)[0]
        outcome = result.status("articles")

        def on_stored(articles: Sequence[Article], stored: store.StoreResult) -> None:
            result.new_regulations.extend(stored.new_regulation_ids)
            result.count("articles_reprocessed", len(articles))
            add_mentions(result, stored)
            outcome["reprocessed"] += len(articles)

        with extraction_runner(runner) as extractor:
            result.extraction = extract_and_store(
                extractor, _pages(con, settings.extraction.batch_size, version if only_stale else None),
                settings.extraction.model, NLP_BATCH,
                store=lambda articles, facts: store_and_raise(con, settings, result, articles, facts, alert_new),
                on_stored=on_stored, window=window(runner), regions=feeds_db.feed_regions(con))
        result.counts["regulations_dropped"] = store.drop_unmentioned_regulations(con)  # e.g. now resolved
        result.counts["regulations_new"] = len(result.new_regulations)
        if alert_new:
            alert(con, settings, result)
        refresh(con, result)
    logger.info("reprocessed %d articles with %s in %.1f s", result.counts.get("articles_reprocessed", 0), version,
                result.duration_s)
    return result
