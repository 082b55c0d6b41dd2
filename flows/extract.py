"""Extraction mapped over article batches on a Prefect task runner; the flow's own process stores the results.

`extract_task` runs wherever the runner puts it (a thread of the flow's process, or a Dask worker process) and
returns plain facts; `extract_and_store` submits batches with a bounded window and stores each finished batch,
in submission order, through `warehouse.store` — the flow's process is the single DuckDB writer.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from pantau.types import Article, ArticleContext, ArticleFacts
from pantau.warehouse.store import StoreResult

RUNNERS = ("threads", "dask")
NLP_BATCH = 16  # Docs per nlp.pipe batch inside a task: larger is not faster here and costs memory (64: ~1 GB)


@dataclass
class RunnerSpec:
    """Where extraction runs: `threads` (in the flow's process) or `dask` (a local cluster, or `address`)."""

    kind: str = "threads"
    # Threads, or local Dask worker processes; default 1 of either. One extraction thread, because spaCy holds the
    # GIL for most of its work: a second thread adds no throughput in one process and starves the flow's thread,
    # which stores finished batches meanwhile. More cores: the Dask runner (processes).
    workers: int | None = None
    address: str | None = None  # a running Dask scheduler (`tcp://host:8786`); a local cluster when None

    def __post_init__(self) -> None:
        if self.kind not in RUNNERS:
            raise ValueError(f"unknown runner {self.kind!r} (known: {', '.join(RUNNERS)})")
        if self.address and self.kind != "dask":
            raise ValueError("a Dask address needs the dask runner")

    def describe(self) -> str:
        if self.kind == "threads":
            return f"threads:{self.workers or 1}"
        return f"dask:{self.address}" if self.address else f"dask:local:{self.workers or 1}"


@contextmanager
def extraction_runner(spec: RunnerSpec | None) -> Iterator[Any]:
    """A started Prefect task runner for extraction batches."""
    spec = spec or RunnerSpec()
    if spec.kind == "threads":
        runner = ThreadPoolTaskRunner(max_workers=spec.workers or 1)
    else:
        from prefect_dask import DaskTaskRunner

        if spec.address:
            runner = DaskTaskRunner(address=spec.address)
        else:
            # One thread per worker process: spaCy is CPU-bound, so parallelism comes from processes.
            runner = DaskTaskRunner(cluster_kwargs={"n_workers": spec.workers or 1, "threads_per_worker": 1,
                                                    "processes": True, "dashboard_address": None})
    with runner:
        yield runner


@dataclass
class BatchFacts:
    """What a worker returns for one batch: facts per article (None without text), and where they were made."""

    facts: list[ArticleFacts | None]
    pid: int
    model_loads: int  # pipelines this worker process has loaded so far (1 when the per-process cache works)
    model_version: str
    seconds: float


_loads: dict[str, int] = {}  # model dir -> how many times this process saw a fresh pipeline object
_seen: dict[str, int] = {}


def _pipeline(model: str) -> Any:
    """`load_pipeline` (cached per process), counting how often this process got a new pipeline object."""
    from pantau.extractors.pipeline import load_pipeline

    nlp = load_pipeline(model)
    if _seen.get(model) != id(nlp):
        _seen[model] = id(nlp)
        _loads[model] = _loads.get(model, 0) + 1
    return nlp


def model_version(nlp: Any) -> str:
    """`id_ner_id-0.0.0` (the NER model's lang_name-version), `rule-ner` for the rule stand-in."""
    return nlp.meta["pantau_extractor_version"].split("+", 1)[1]


def load_model(model: str) -> tuple[str, str]:
    """Load the pipeline in the flow's process (fail fast on a missing model): (extractor version, model version)."""
    nlp = _pipeline(model)
    return nlp.meta["pantau_extractor_version"], model_version(nlp)


@task(name="extract-articles", cache_policy=NO_CACHE)
def extract_task(articles: list[Article], model: str, batch_size: int = NLP_BATCH,
                 regions: dict[str, str] | None = None) -> BatchFacts:
    """Facts of a batch; `regions` maps feed ids to their configured region (the articles' context)."""
    from pantau.extractors.pipeline import extract

    started = time.perf_counter()
    nlp = _pipeline(model)  # loaded once per worker process, never per batch
    has_text = [a for a in articles if a.body]
    contexts = [ArticleContext(a.published_at.date(), a.dateline, (regions or {}).get(a.feed_id)) for a in has_text]
    facts = extract(nlp, [a.body for a in has_text], [c.published for c in contexts], batch_size, contexts)
    by_id = {a.article_id: f for a, f in zip(has_text, facts, strict=True)}
    return BatchFacts(facts=[by_id.get(a.article_id) for a in articles], pid=os.getpid(),
                      model_loads=_loads[model], model_version=model_version(nlp),
                      seconds=time.perf_counter() - started)


@dataclass
class ExtractionReport:
    batches: int = 0
    articles: int = 0
    wall_seconds: float = 0.0  # from the first batch submitted to the last one stored
    extract_seconds: float = 0.0  # summed over batches, inside the workers
    store_seconds: float = 0.0  # in the flow's process
    model_loads: dict[int, int] = field(default_factory=dict)  # worker pid -> pipelines loaded there
    model_version: str | None = None


def extract_and_store(
    runner: Any,
    batches: Iterable[list[Article]],
    model: str,
    batch_size: int,
    store: Callable[[Sequence[Article], Sequence[ArticleFacts | None]], StoreResult],
    on_stored: Callable[[Sequence[Article], StoreResult], None],
    window: int = 4,
    regions: dict[str, str] | None = None,
) -> ExtractionReport:
    """Submit each batch to `runner`, keep at most `window` in flight, store finished batches in order.

    `store` writes one batch in one transaction (in this process); `on_stored` accumulates counts. Batches are
    the store's transactions (`[extraction] batch_size` articles: fewer, larger statements cost the flow's thread
    less); `batch_size` here is nlp.pipe's, inside each task.
    """
    report = ExtractionReport()
    started = time.perf_counter()
    pending: deque[tuple[list[Article], Any]] = deque()

    def drain_one() -> None:
        articles, future = pending.popleft()
        result: BatchFacts = future.result()
        started = time.perf_counter()
        stored = store(articles, result.facts)
        report.store_seconds += time.perf_counter() - started
        report.batches += 1
        report.articles += len(articles)
        report.extract_seconds += result.seconds
        report.model_loads[result.pid] = max(report.model_loads.get(result.pid, 0), result.model_loads)
        report.model_version = result.model_version
        on_stored(articles, stored)

    for articles in batches:
        if not articles:
            continue
        pending.append((articles, runner.submit(extract_task, {"articles": articles, "model": model,
                                                               "batch_size": batch_size, "regions": regions})))
        if len(pending) >= window:
            drain_one()
    while pending:
        drain_one()
    report.wall_seconds = time.perf_counter() - started
    return report
