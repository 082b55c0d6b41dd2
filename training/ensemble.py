"""The shipped NER model: several trained pipelines assembled into one voting pipeline (`models/ner-id`).

`train_ensemble` trains each member recipe (rows of the experiments table, `training/experiments.py`), in
parallel processes, pretraining the tok2vec once for the members that start from pretrained weights, then
`assemble`s them (see `extractors/ner_vote.py`) and evaluates the result on the test splits.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, replace
from pathlib import Path

import spacy
from spacy.language import Language

import pantau.extractors.ner_vote  # noqa: F401  (registers the pantau_ner_* factories)
from pantau.training.experiments import EXPERIMENTS, SECTIONS, config_for
from pantau.training.train import DEFAULT_CONFIG, WORK_DIR, PretrainSettings, pretrain, train, write_pipeline

#: Chosen on the validation splits: the best majority vote (union dev F1) of trained rows of the experiments
#: table that fits in 50 MB and finds `BPJS Ketenagakerjaan` in the reference article (models/README.md).
MEMBERS = ("orgs+pretrain", "lower+pretrain", "lower+charembed", "nerp-exclude+ws", "orgs+charembed")
VERSION = "0.3.0"


def member_key(name: str) -> str:
    """Component-name form of a recipe name (`orgs+pretrain` → `orgs_pretrain`)."""
    return "".join(c if c.isalnum() else "_" for c in name)


def assemble(members: Mapping[str, str | Path], min_votes: int | None = None) -> Language:
    """One pipeline: for each member its `ner` (with its own copy of the tok2vec) and a stash, then the vote."""
    if not members:
        raise ValueError("an ensemble needs at least one member")
    nlp = spacy.blank("id")
    keys, labels = [], set()
    for name, path in members.items():
        member = spacy.load(path)
        if "tok2vec" in member.pipe_names:  # make each ner self-contained: members never share doc.tensor
            member.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
        key = f"ner_{member_key(name)}"
        nlp.add_pipe("ner", name=key, source=member)
        nlp.add_pipe("pantau_ner_stash", name=f"stash_{member_key(name)}", config={"key": key})
        keys.append(key)
        labels.update(member.get_pipe("ner").labels)
    if min_votes is None:
        min_votes = len(keys) // 2 + 1
    nlp.add_pipe("pantau_ner_vote", name="ner_vote",
                 config={"keys": keys, "min_votes": min_votes, "labels": sorted(labels)})
    return nlp


@contextlib.contextmanager
def _log_to(path: Path):
    """Send a child process's output (spaCy's training table) to a file, so parallel members don't interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh), contextlib.redirect_stderr(fh):
        yield


def _pretrain_job(data_dir: Path, news_csv: Path | None, config: Path, work: Path, settings: PretrainSettings) -> str:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    with _log_to(work.with_suffix(".log")):
        return str(pretrain(data_dir, news_csv, config, work, settings))


def _member_job(name: str, data_dir: Path, news_csv: Path | None, base_config: Path, work: Path, settings,
                init_tok2vec: str | None) -> dict:
    with _log_to(work.with_suffix(".log")):
        summary = train(data_dir, work.with_name(work.name + "-model"), config=config_for(name, work, base_config),
                        work_dir=work, news_csv=news_csv, settings=settings, evaluate=False,
                        init_tok2vec=init_tok2vec)
    return summary


def train_ensemble(
    data_dir: str | Path,
    out: str | Path,
    config: str | Path = DEFAULT_CONFIG,
    work_dir: str | Path | None = None,
    news_csv: str | Path | None = None,
    members: Sequence[str] = MEMBERS,
    pretrain_epochs: int | None = None,
    seed: int = 0,
    jobs: int | None = None,
    evaluate: bool = True,
    log: Callable[[str], None] = print,
) -> dict:
    """Train the member recipes, assemble and write the voting pipeline to `out`; returns a summary."""
    unknown = [m for m in members if m not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown member recipe(s) {unknown}; known: {sorted(EXPERIMENTS)}")
    data_dir, out, config = Path(data_dir), Path(out), Path(config)
    news_csv = Path(news_csv) if news_csv else None
    work = Path(work_dir) if work_dir else WORK_DIR / "build"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    recipes = {}
    for name in members:
        settings = replace(EXPERIMENTS[name], seed=seed)
        if settings.pretrain is not None and pretrain_epochs is not None:
            settings = replace(settings, pretrain=PretrainSettings(epochs=pretrain_epochs) if pretrain_epochs else None)
        if settings.pretrain is not None and name in SECTIONS:
            raise ValueError(f"{name}: pretrained members share one pretraining and must use the base config")
        recipes[name] = settings
    pretrained = [n for n, s in recipes.items() if s.pretrain is not None]
    if len({json.dumps(asdict(recipes[n].pretrain)) for n in pretrained}) > 1:
        raise ValueError("pretrained members must share their pretraining settings")
    # Single-threaded BLAS in every process: parallel members would otherwise fight over the cores.
    os.environ["OMP_NUM_THREADS"] = "1"
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(recipes)))
    t0 = time.perf_counter()
    summaries: dict[str, dict] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures: dict[Future, str] = {}
        weights = None
        if pretrained:
            log(f"pretraining the tok2vec ({recipes[pretrained[0]].pretrain.epochs} epochs) for {', '.join(pretrained)}")
            weights = pool.submit(_pretrain_job, data_dir, news_csv, config, work / "pretrain", recipes[pretrained[0]].pretrain)
        for name in members:
            if name not in pretrained:
                futures[pool.submit(_member_job, name, data_dir, news_csv, config, work / name, recipes[name],
                                    None)] = name
        if weights is not None:
            init = weights.result()
            log(f"pretraining done ({time.perf_counter() - t0:.0f} s)")
            for name in pretrained:
                futures[pool.submit(_member_job, name, data_dir, news_csv, config, work / name, recipes[name],
                                    init)] = name
        for future in as_completed(futures):
            name = futures[future]
            summaries[name] = future.result()  # a failed member fails the build: its log is in work/<name>.log
            log(f"member {name}: dev F1 {summaries[name]['dev_ents_f']:.4f} "
                f"({summaries[name]['seconds_train']:.0f} s training; log {work / name}.log)")
    nlp = assemble({name: work / f"{name}-model" for name in members})
    nlp.meta.update({
        "name": "ner_id", "version": VERSION, "license": "Apache-2.0",
        "description": f"pantau Indonesian NER (PER, ORG, LOC): majority vote of {len(members)} spaCy NER models; "
                       "see models/README.md",
    })
    summary = {"members": {name: summaries[name] for name in members}, "min_votes": nlp.get_pipe("ner_vote").min_votes,
               "seed": seed, "jobs": jobs, "seconds_total": round(time.perf_counter() - t0, 1)}
    nlp.meta["pantau_training"] = summary
    write_pipeline(nlp, out)
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if evaluate:
        from pantau.training.evaluate import run_evaluate

        run_evaluate(out, data_dir, "test")
    return summary
