"""The voting components of the NER ensemble (extractors/ner_vote.py), on hand-made members."""

from __future__ import annotations

import pytest
import spacy

from pantau.extractors.ner_vote import vote


def test_vote_keeps_spans_with_enough_votes_and_never_overlaps():
    a = [(0, 2, "PER"), (5, 6, "LOC"), (8, 10, "ORG")]
    b = [(0, 2, "PER"), (5, 7, "LOC"), (8, 10, "ORG")]
    c = [(0, 1, "PER"), (5, 7, "LOC"), (9, 10, "LOC")]
    assert vote([a, b, c], 2) == [(0, 2, "PER"), (5, 7, "LOC"), (8, 10, "ORG")]
    assert vote([a, b, c], 3) == []
    # With one vote each, the more-voted span wins an overlap, then the longer one.
    assert vote([a, b, c], 1) == [(0, 2, "PER"), (5, 7, "LOC"), (8, 10, "ORG")]
    # A member listing a span twice still counts once.
    assert vote([a + a, [], []], 2) == []


def _ruler_member(nlp, name: str, patterns: list[dict]) -> None:
    ruler = nlp.add_pipe("entity_ruler", name=name)
    ruler.add_patterns(patterns)


def test_stash_resets_entities_to_missing_so_the_next_member_is_unconstrained():
    nlp = spacy.blank("id")
    _ruler_member(nlp, "ner_a", [{"label": "PER", "pattern": "Ridwan Kamil"}])
    nlp.add_pipe("pantau_ner_stash", name="stash_a", config={"key": "ner_a"})
    doc = nlp("Ridwan Kamil ke Bandung.")
    assert [(s.text, s.label_) for s in doc.spans["ner_a"]] == [("Ridwan Kamil", "PER")]
    assert doc.ents == () and {t.ent_iob_ for t in doc} == {""}  # missing, not O


def test_vote_component_sets_the_majority_entities():
    nlp = spacy.blank("id")
    members = {
        "ner_a": [{"label": "PER", "pattern": "Ridwan Kamil"}, {"label": "LOC", "pattern": "Bandung"}],
        "ner_b": [{"label": "PER", "pattern": "Ridwan Kamil"}, {"label": "ORG", "pattern": "Bandung"}],
        "ner_c": [{"label": "PER", "pattern": "Kamil"}, {"label": "LOC", "pattern": "Bandung"}],
    }
    for name, patterns in members.items():
        _ruler_member(nlp, name, patterns)
        nlp.add_pipe("pantau_ner_stash", name=name.replace("ner_", "stash_"), config={"key": name})
    nlp.add_pipe("pantau_ner_vote", name="ner_vote", config={"keys": list(members), "min_votes": 2})
    doc = nlp("Ridwan Kamil ke Bandung.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Ridwan Kamil", "PER"), ("Bandung", "LOC")]
    assert not doc.has_unknown_spaces and {t.ent_iob_ for t in doc} <= {"B", "I", "O"}
    assert all(key not in doc.spans for key in members)  # member spans dropped unless keep_member_spans


def test_vote_component_rejects_an_impossible_threshold():
    nlp = spacy.blank("id")
    with pytest.raises(ValueError, match="min_votes"):
        nlp.add_pipe("pantau_ner_vote", config={"keys": ["ner_a"], "min_votes": 2})
