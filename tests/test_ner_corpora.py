"""Conversion of the NER corpora to spaCy DocBins (training/corpora.py), on small hand-made files."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import DocBin

from pantau.training.corpora import (
    LABELS,
    Truecaser,
    blank_vocab,
    build_corpora,
    map_tags,
    nerp_docs,
    org_names,
    org_words,
    read_conll,
    relabel_orgs,
    sentence_to_doc,
)

NERGRIT = "Ridwan\tB-PERSON\nKamil\tI-PERSON\nmengunjungi\tO\nBandung\tB-PLACE\n\n" \
          "Bank\tB-ORGANISATION\nIndonesia\tI-ORGANISATION\nmenaikkan\tO\nsuku\tO\nbunga\tO\n.\tO\n"
IDNER = "Jokowi PROPN B-PER\r\nke ADP O\r\nSurabaya PROPN B-LOC\r\n\r\nKPK PROPN B-ORG\r\nmenahan VERB O\r\n\r\n"
NERP = ("bupati\tO\nanas\tB-PPL\nmengunjungi\tO\npt\tB-IND\npln\tI-IND\ndi\tO\nbanyuwangi\tB-PLC\n"
        "saat\tO\nfestival\tB-EVT\ngandrung\tI-EVT\n.\tO\n\n"
        "sementara itu\tO\nsate\tB-FNB\nmadura\tI-FNB\nenak\tO\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def make_data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "ner"
    for split in ("train", "valid", "test"):
        write(data, f"nergrit/{split}.tsv", NERGRIT)
        write(data, f"nerp/{split}.tsv", NERP)
    for split in ("train", "dev", "test"):
        write(data, f"idner-news-2k/{split}.txt", IDNER)
    return data


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_label_mapping_all_corpora():
    assert map_tags(["B-PERSON", "I-PERSON", "O", "B-ORGANISATION", "B-PLACE", "I-PLACE"]) == [
        "B-PER", "I-PER", "O", "B-ORG", "B-LOC", "I-LOC"]
    assert map_tags(["B-PPL", "B-IND", "I-IND", "B-PLC"]) == ["B-PER", "B-ORG", "I-ORG", "B-LOC"]
    assert map_tags(["B-PER", "B-ORG", "B-LOC"]) == ["B-PER", "B-ORG", "B-LOC"]
    # EVT and FNB are dropped
    assert map_tags(["B-EVT", "I-EVT", "O", "B-FNB", "I-FNB"]) == ["O"] * 5


def test_malformed_bio_is_repaired():
    # I- after O, after another label, or after a dropped label starts a new entity
    assert map_tags(["O", "I-PPL", "I-PPL"]) == ["O", "B-PER", "I-PER"]
    assert map_tags(["B-PPL", "I-PLC"]) == ["B-PER", "B-LOC"]
    assert map_tags(["B-EVT", "I-PLC", "I-PLC"]) == ["O", "B-LOC", "I-LOC"]
    assert map_tags(["I-ORG"]) == ["B-ORG"]


def test_read_nergrit_sentences_and_docs(tmp_path):
    sents = read_conll(write(tmp_path, "g.tsv", NERGRIT))
    assert len(sents) == 2
    vocab = blank_vocab()
    docs = [sentence_to_doc(vocab, s) for s in sents]
    assert ents(docs[0]) == [("Ridwan Kamil", "PER"), ("Bandung", "LOC")]
    assert ents(docs[1]) == [("Bank Indonesia", "ORG")]
    for doc in docs:
        assert [s.text for s in doc.sents] == [doc.text]  # one sentence per doc, boundary kept
        assert doc[0].is_sent_start and not any(t.is_sent_start for t in doc[1:])


def test_read_idner_crlf_with_pos_column(tmp_path):
    sents = read_conll(write(tmp_path, "i.txt", IDNER))
    assert [[w for w, _ in s] for s in sents] == [["Jokowi", "ke", "Surabaya"], ["KPK", "menahan"]]
    vocab = blank_vocab()
    assert ents(sentence_to_doc(vocab, sents[0])) == [("Jokowi", "PER"), ("Surabaya", "LOC")]
    assert ents(sentence_to_doc(vocab, sents[1])) == [("KPK", "ORG")]


def test_nerp_multiword_tokens_are_split(tmp_path):
    sents = read_conll(write(tmp_path, "p.tsv", NERP))
    assert [w for w, _ in sents[1]][:2] == ["sementara", "itu"]
    assert read_conll(write(tmp_path, "q.tsv", "kota baru\tB-PLC\n"))[0] == [("kota", "B-PLC"), ("baru", "I-PLC")]


def test_nerp_modes(tmp_path):
    data = make_data_dir(tmp_path)
    vocab = blank_vocab()
    assert nerp_docs(data, "train", "exclude", vocab) == []

    lower = nerp_docs(data, "train", "lower", vocab)
    assert ents(lower[0]) == [("anas", "PER"), ("pt pln", "ORG"), ("banyuwangi", "LOC")]
    assert ents(lower[1]) == []  # FNB dropped

    tc = Truecaser.learn([["Kata", "Bupati", "Anas", "di", "PT", "PLN", "Banyuwangi"], ["Ia", "bupati", "Bupati"]])
    cased = nerp_docs(data, "train", "truecase", vocab, tc)
    assert cased[0].text.startswith("Bupati Anas mengunjungi PT PLN di Banyuwangi saat festival")
    assert ents(cased[0]) == [("Anas", "PER"), ("PT PLN", "ORG"), ("Banyuwangi", "LOC")]
    # sentence start capitalised; words unseen in cased text stay lowercase outside entities
    assert cased[1][0].text == "Sementara" and cased[1][2].text == "sate"
    # partial: only NERP's entity spans are trusted, its O (and dropped EVT/FNB) become missing annotation
    partial = nerp_docs(data, "train", "partial", vocab)
    assert ents(partial[0]) == ents(lower[0])
    assert [t.ent_iob_ for t in partial[0]][:5] == ["", "B", "", "B", "I"]
    assert all(t.ent_iob_ == "" for t in partial[1])
    # reconciled: only O tokens of words that the cased corpora tag mostly as ORG become missing ("Bank" in
    # "Bank" is ORG in the hand-made NERGrit train, "mengunjungi" is O; min_count 1 for this tiny data)
    rec = nerp_docs(data, "train", "reconciled", vocab)
    assert ents(rec[0]) == ents(lower[0])
    assert all(t.ent_iob_ == "O" for t in rec[1])
    rec_doc = sentence_to_doc(vocab, [("bank", "O"), ("mengunjungi", "O")], o_missing=org_words(data, 1))
    assert [t.ent_iob_ for t in rec_doc] == ["", "O"]
    with pytest.raises(ValueError):
        nerp_docs(data, "train", "shout", vocab)


def test_nerp_orgs_mode_relabels_organizations_left_untagged(tmp_path):
    data = make_data_dir(tmp_path)
    names = org_names(data)
    # from the cased train splits: "Bank Indonesia" (NERGrit), "KPK" (idner); from the registry: BPJS
    assert {("bank", "indonesia"), ("kpk",), ("bpjs", "ketenagakerjaan"), ("bpjamsostek",)} <= names
    assert ("ridwan", "kamil") not in names and ("bandung",) not in names
    # the longest run of untagged words wins; existing entities are never overwritten
    words = "kpk dan bpjs ketenagakerjaan memeriksa pt pln bank indonesia".split()
    tags = ["O", "O", "O", "O", "O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    assert relabel_orgs(words, tags, names) == ["B-ORG", "O", "B-ORG", "I-ORG", "O", "B-ORG", "I-ORG",
                                                "B-LOC", "I-LOC"]
    vocab = blank_vocab()
    write(data, "nerp/train.tsv", "pemeriksaan\tO\nkpk\tO\nterhadap\tO\nbpjs\tO\nketenagakerjaan\tO\n")
    docs = nerp_docs(data, "train", "orgs", vocab)
    assert ents(docs[0]) == [("kpk", "ORG"), ("bpjs ketenagakerjaan", "ORG")]


def test_truecaser_titlecases_unknown_entity_tokens():
    tc = Truecaser.learn([["Ada", "di", "Jakarta"]])
    assert tc.recase(["warga", "jakarta", "dan", "cimahi"], ["O", "B-LOC", "O", "B-LOC"]) == [
        "Warga", "Jakarta", "dan", "Cimahi"]


@pytest.mark.parametrize("nerp", ["exclude", "lower", "truecase", "partial", "reconciled"])
def test_build_corpora(tmp_path, nerp):
    data = make_data_dir(tmp_path)
    paths = build_corpora(data, tmp_path / "out", nerp=nerp)
    vocab = blank_vocab()
    load = lambda key: list(DocBin().from_disk(paths[key]).get_docs(vocab))  # noqa: E731
    train = load("train")
    assert len(train) == 2 + 2 + (0 if nerp == "exclude" else 2)
    assert len(load("dev")) == 4  # NERGrit valid + idner dev, never NERP
    assert len(load("nergrit-test")) == 2 and len(load("idner-test")) == 2
    labels = {e.label_ for d in train for e in d.ents}
    assert labels <= set(LABELS)
    assert all(d[0].is_sent_start for d in train)
    # cased corpora keep full annotation (O is O, never missing)
    assert all(t.ent_iob_ in ("B", "I", "O") for d in load("dev") for t in d)
    missing = sum(t.ent_iob_ == "" for d in train for t in d)
    assert (missing > 0) == (nerp == "partial")  # reconciled: no NERP O word is ORG-mostly in this tiny data
