"""Articles already fetched → extract → store → alert: the ingest flow's own code path without polling and fetching.

For backfills (an archive of articles) and the throughput benchmark. The articles come from a JSONL file (one
`ingest.articles.Article` per line), so the flow's parameters stay small: Prefect records them on the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path

from prefect import flow

from pantau.flows.extract import RunnerSpec
from pantau.flows.steps import RunResult, alert, extract_and_store_new, recorded_run, refresh
from pantau.settings import Settings
from pantau.types import Article

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
    runner = runner or RunnerSpec()
    with recorded_run(settings, "ingest", runner, run_id) as (con, result):
        result.status("articles")
        batches = _chunks(read_articles(articles_path), settings.extraction.batch_size)
        extract_and_store_new(con, settings, result, runner, batches)
        alert(con, settings, result)
        refresh(con, result)
    return result
