"""The reprocess flow: re-extract stored articles with the current model and registries. Orchestration only.

Articles are read from the warehouse in keyset pages, extracted on the task runner (threads or Dask, as for
ingest), and written back by `warehouse.store.replace_facts_batch`: one transaction per batch in which each
article's old mentions are deleted and the new ones inserted, every mention carrying the extractor version. A
regulation already in the warehouse keeps its first mention and raises no alert; only one never seen before does.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence

from prefect import flow, get_run_logger

from extractors.pipeline import extractor_version
from flows.extract import NLP_BATCH, RunnerSpec, extract_and_store, extraction_runner
from flows.ingest import RunResult, _alert, _window, add_mentions, begin_run, status_counts
from ingest.articles import Article
from pantau.config import Settings
from warehouse import db, store
from warehouse import runs as runs_db


def _pages(con, size: int, skip_version: str | None) -> Iterator[list[Article]]:
    after = None
    while True:
        page = store.articles_to_reprocess(con, after, size, skip_version)
        if not page:
            return
        after = page[-1].article_id
        yield page


@flow(name="pantau-reprocess", validate_parameters=False)
def reprocess_flow(settings: Settings, run_id: str | None = None, runner: RunnerSpec | None = None,
                   only_stale: bool = False, alert: bool = True) -> RunResult:
    """Re-extract every stored article (or, with `only_stale`, those extracted by another extractor version)."""
    logger = get_run_logger()
    run_id = run_id or uuid.uuid4().hex[:12]
    runner = runner or RunnerSpec()
    started = time.perf_counter()
    con = db.connect(settings.warehouse.path)
    try:
        result = begin_run(con, settings, run_id, "reprocess", runner)
        version = extractor_version(settings.extraction.model)
        counts = result.counts
        outcome: Counter[str] = Counter()
        new_regulations: list[str] = []

        def on_stored(articles: Sequence[Article], stored: store.StoreResult) -> None:
            new_regulations.extend(stored.new_regulation_ids)
            counts["articles_reprocessed"] = counts.get("articles_reprocessed", 0) + len(articles)
            add_mentions(counts, stored)
            outcome["reprocessed"] += len(articles)

        try:
            with extraction_runner(runner) as extractor:
                result.extraction = extract_and_store(
                    extractor, _pages(con, settings.extraction.batch_size, version if only_stale else None),
                    settings.extraction.model, NLP_BATCH,
                    store=lambda articles, facts: store.replace_facts_batch(con, articles, facts),
                    on_stored=on_stored, window=_window(runner))
            counts["regulations_new"] = len(new_regulations)
            if alert:
                _alert(con, settings, run_id, new_regulations, result)
        except Exception as exc:
            runs_db.finish_run(con, run_id, counts, error=f"{type(exc).__name__}: {exc}",
                               status_counts=status_counts(counts, articles=outcome))
            raise
        result.status_counts = status_counts(counts, articles=outcome)
        runs_db.finish_run(con, run_id, counts, status_counts=result.status_counts)
    finally:
        con.close()
    result.duration_s = time.perf_counter() - started
    logger.info("reprocessed %d articles with %s in %.1f s", counts.get("articles_reprocessed", 0), version,
                result.duration_s)
    return result
