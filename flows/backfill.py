"""Articles already fetched → extract → store → alert: the ingest flow's own code path without polling and fetching.

For backfills (an archive of articles) and the throughput benchmark. The articles come from a JSONL file (one
`ingest.articles.Article` per line), so the flow's parameters stay small: Prefect records them on the server.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path

from prefect import flow

from flows.extract import RunnerSpec
from flows.ingest import RunResult, _alert, _extract_and_store, begin_run, status_counts
from ingest.articles import Article
from pantau.config import Settings
from warehouse import db
from warehouse import runs as runs_db

_DATES = {"published_at", "fetched_at"}


def write_articles(articles: Iterable[Article], path: str | Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for a in articles:
            out.write(json.dumps(asdict(a), ensure_ascii=False, default=str) + "\n")
            n += 1
    return n


def read_articles(path: str | Path) -> Iterator[Article]:
    names = {f.name for f in fields(Article)}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                raw = {k: v for k, v in json.loads(line).items() if k in names}
                for key in _DATES & raw.keys():
                    raw[key] = datetime.fromisoformat(raw[key])
                yield Article(**raw)


def _chunks(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@flow(name="pantau-ingest-articles", validate_parameters=False)
def ingest_articles_flow(settings: Settings, articles_path: str, run_id: str | None = None,
                         runner: RunnerSpec | None = None) -> RunResult:
    """Store and extract the articles of a JSONL file (see `write_articles`), alerting on new regulations."""
    run_id = run_id or uuid.uuid4().hex[:12]
    runner = runner or RunnerSpec()
    started = time.perf_counter()
    con = db.connect(settings.warehouse.path)
    try:
        result = begin_run(con, settings, run_id, "ingest", runner)
        body_status: Counter[str] = Counter()
        try:
            batches = _chunks(read_articles(articles_path), settings.extraction.batch_size)
            new_regulations = _extract_and_store(con, settings, run_id, runner, batches, result, body_status)
            _alert(con, settings, run_id, new_regulations, result)
        except Exception as exc:
            runs_db.finish_run(con, run_id, result.counts, error=f"{type(exc).__name__}: {exc}",
                               status_counts=status_counts(result.counts, articles=body_status))
            raise
        result.status_counts = status_counts(result.counts, articles=body_status)
        runs_db.finish_run(con, run_id, result.counts, status_counts=result.status_counts)
    finally:
        con.close()
    result.duration_s = time.perf_counter() - started
    return result
