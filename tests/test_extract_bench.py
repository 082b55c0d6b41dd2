"""The overhead benchmark runs (on a few corpus texts) and reports a ratio."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.extract_overhead import DEFAULT_CORPUS, component_times, read_texts  # noqa: E402
from pantau.extractors.pipeline import EXTRACTION_COMPONENTS, load_pipeline  # noqa: E402


@pytest.mark.shared
def test_component_times_on_corpus_sample(tmp_path):
    if not DEFAULT_CORPUS.exists():
        pytest.skip(f"corpus not found at {DEFAULT_CORPUS} (the shared data folder beside the repo)")
    texts = read_texts(DEFAULT_CORPUS, 5)
    assert len(texts) == 5 and all("SCROLL TO CONTINUE" not in t for t in texts)
    ner, own = component_times(load_pipeline(), texts)
    assert ner >= 0 and set(own) == set(EXTRACTION_COMPONENTS)
