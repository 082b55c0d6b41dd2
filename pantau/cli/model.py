"""``pantau model train|evaluate``: the Typer app of the NER model (mounted by ``pantau.cli``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Train and evaluate the Indonesian NER model (models/ner-id).", no_args_is_help=True)

DEFAULT_DATA = Path("../shared/data/ner")
DEFAULT_NEWS = Path("../shared/corpus/detik-2025.csv")


@app.command()
def train(
    data: Path = typer.Option(DEFAULT_DATA, "--data", help="Folder with nergrit/, idner-news-2k/, nerp/."),
    out: Path = typer.Option(Path("models/ner-id"), "--out", help="Where the trained pipeline is written."),
    config: Path = typer.Option(None, "--config", help="Base spaCy config (default: models/ner-id.cfg)."),
    news: Path = typer.Option(DEFAULT_NEWS, "--news", help="Raw news CSV (isi_berita) for pretraining, floret "
                              "vectors and the NERP truecaser; read in place."),
    member: Optional[list[str]] = typer.Option(None, "--member", help="Member recipe of the voting ensemble "
                                               "(repeatable; default: the shipped five, see models/README.md)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", help="Members trained in parallel (default: one per core)."),
    single: bool = typer.Option(False, "--single", help="Train one model from --nerp/--vectors/--pretrain-epochs "
                                "instead of the ensemble."),
    nerp: str = typer.Option("orgs", "--nerp", help="--single: how NERP is used: exclude, lower, truecase, "
                             "partial, reconciled or orgs."),
    vectors: bool = typer.Option(False, "--vectors/--no-vectors", help="--single: train floret static vectors "
                                 "first (measured: no gain on valid, see models/README.md)."),
    pretrain_epochs: int = typer.Option(8, "--pretrain-epochs", help="`spacy pretrain` the tok2vec on the raw "
                                        "text (corpora sentences + --news) for this many epochs first; 0: no."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Scratch folder (default training-runs/build)."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Convert the corpora, train the member models (or one with --single), write the pipeline, evaluate it."""
    from pantau.training.train import DEFAULT_CONFIG, PretrainSettings, TrainSettings, VectorSettings
    from pantau.training.train import train as run_train

    if not data.is_dir():
        raise typer.BadParameter(f"{data} is not a folder", param_hint="--data")
    news_csv = news if news and news.exists() else None
    if news_csv is None:
        typer.echo(f"warning: {news} not found, pretraining and vectors use the corpora sentences only", err=True)
    if single:
        settings = TrainSettings(nerp=nerp, vectors=VectorSettings(seed=seed) if vectors else None, seed=seed,
                                 pretrain=PretrainSettings(epochs=pretrain_epochs) if pretrain_epochs > 0 else None)
        summary = run_train(data, out, config=config or DEFAULT_CONFIG, work_dir=work_dir, news_csv=news_csv,
                            settings=settings)
        typer.echo(f"best dev F1 {summary['dev_ents_f']:.4f}; training {summary['seconds_train']:.0f} s; model in {out}")
        return
    from pantau.training.ensemble import MEMBERS, train_ensemble

    try:
        summary = train_ensemble(data, out, config=config or DEFAULT_CONFIG, work_dir=work_dir, news_csv=news_csv,
                                 members=member or MEMBERS, pretrain_epochs=pretrain_epochs, seed=seed, jobs=jobs,
                                 log=typer.echo)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--member") from exc
    typer.echo(f"{len(summary['members'])} members, vote of {summary['min_votes']}; "
               f"{summary['seconds_total']:.0f} s with {summary['jobs']} jobs; model in {out}")


@app.command()
def evaluate(
    model: str = typer.Option("default", "--model", help="Pipeline folder to evaluate (default: the shipped one)."),
    data: Path = typer.Option(DEFAULT_DATA, "--data", help="Folder with nergrit/ and idner-news-2k/."),
    split: str = typer.Option("test", "--split", help="test, or dev for the validation splits."),
    metrics: Optional[Path] = typer.Option(None, "--metrics", help="Output JSON (default MODEL/metrics.json; "
                                           "only written for the test split unless given)."),
    speed: bool = typer.Option(False, "--speed", help="Also measure words/s over the news CSV."),
    news: Path = typer.Option(DEFAULT_NEWS, "--news", help="News CSV used by --speed."),
) -> None:
    """Entity-level P/R/F1 overall and per label on NERGrit and idner-news-2k (test by default)."""
    from pantau.training.evaluate import run_evaluate

    if split not in ("test", "dev"):
        raise typer.BadParameter("split must be test or dev", param_hint="--split")
    metrics_path = metrics if metrics is not None else (None if split == "test" else "")
    if speed and not news.exists():
        raise typer.BadParameter(f"{news} not found", param_hint="--news")
    run_evaluate(model, data, split, metrics_path=metrics_path,
                 speed_csv=news if speed else None)


@app.command("update-registry")
def update_registry(
    model: Path = typer.Option(Path("models/ner-id"), "--model", help="Pipeline folder to update in place."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Registry folder (default: the shipped one)."),
) -> None:
    """Serialize the registry files into a saved pipeline (only its `pantau_registry` part is rewritten)."""
    import spacy

    from pantau.extractors.pipeline import EXTRACTION_COMPONENTS

    nlp = spacy.load(model, exclude=[n for n in EXTRACTION_COMPONENTS if n != "pantau_registry"])
    component = nlp.get_pipe("pantau_registry")
    component.initialize(registry_dir=str(registry) if registry else None)
    component.to_disk(model / "pantau_registry")
    typer.echo(f"registry of {model} updated from {registry or 'the shipped registry files'}")


if __name__ == "__main__":  # pragma: no cover
    app()
