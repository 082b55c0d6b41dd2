"""The stanza adapter on parses given as CoNLL-U text: real stanza `Document`s when the extra is installed,
a minimal stand-in with the same attributes otherwise (the adapter reads only sentences/words)."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from pantau.extractors.stanza_engine import StanzaUnavailable, apply_offices, load_stanza, offices_from_parse
from pantau.types import ArticleFacts, Mention, Official

# Gubernur Jawa Barat Ridwan Kamil meresmikan gedung .
GOVERNOR = """\
1	Gubernur	gubernur	NOUN	_	_	5	nsubj	_	_
2	Jawa	Jawa	PROPN	_	_	1	nmod	_	_
3	Barat	barat	PROPN	_	_	2	flat	_	_
4	Ridwan	Ridwan	PROPN	_	_	1	appos	_	_
5	meresmikan	resmi	VERB	_	_	0	root	_	_
6	Kamil	Kamil	PROPN	_	_	4	flat:name	_	_
7	gedung	gedung	NOUN	_	_	5	obj	_	_
8	.	.	PUNCT	_	_	5	punct	_	_
"""
# Anggoro Eko Cahyo , Direktur Utama BPJS Ketenagakerjaan , hadir .
APPOSITION = """\
1	Anggoro	Anggoro	PROPN	_	_	10	nsubj	_	_
2	Eko	Eko	PROPN	_	_	1	flat:name	_	_
3	Cahyo	Cahyo	PROPN	_	_	1	flat:name	_	_
4	,	,	PUNCT	_	_	5	punct	_	_
5	Direktur	direktur	NOUN	_	_	1	appos	_	_
6	Utama	utama	ADJ	_	_	5	amod	_	_
7	BPJS	BPJS	PROPN	_	_	5	nmod	_	_
8	Ketenagakerjaan	ketenagakerjaan	PROPN	_	_	7	flat	_	_
9	,	,	PUNCT	_	_	5	punct	_	_
10	hadir	hadir	VERB	_	_	0	root	_	_
11	.	.	PUNCT	_	_	10	punct	_	_
"""
EXPECTED = [("Ridwan Kamil", "Gubernur Jawa Barat"), ("Anggoro Eko Cahyo", "Direktur Utama BPJS Ketenagakerjaan")]


def stand_in_document(conllu: str) -> SimpleNamespace:
    sentences = []
    for block in conllu.strip().split("\n\n"):
        words = []
        for line in block.splitlines():
            cols = line.split("\t")
            words.append(SimpleNamespace(id=int(cols[0]), text=cols[1], lemma=cols[2], upos=cols[3],
                                         head=int(cols[6]), deprel=cols[7]))
        sentences.append(SimpleNamespace(words=words))
    return SimpleNamespace(sentences=sentences)


def test_offices_from_stand_in_parse():
    doc = stand_in_document(GOVERNOR + "\n" + APPOSITION)
    assert [(p.name, p.office) for p in offices_from_parse(doc)] == EXPECTED


def test_offices_from_real_stanza_document():
    conll = pytest.importorskip("stanza.utils.conll", reason="the [stanza] extra is not installed")
    doc = conll.CoNLL.conll2doc(input_str=GOVERNOR + "\n" + APPOSITION)
    assert [(p.name, p.office) for p in offices_from_parse(doc)] == EXPECTED


def test_apply_offices_prefers_text():
    facts = ArticleFacts(officials=[
        Official("Ridwan Kamil", "ridwan-kamil", "Wali Kota Bandung", "registry", mentions=[Mention("RK", 0, 2)]),
        Official("Anggoro Eko Cahyo", "anggoro-eko-cahyo", "Direktur", "text"),
    ])
    pairs = offices_from_parse(stand_in_document(GOVERNOR + "\n" + APPOSITION))
    apply_offices(facts, pairs)
    assert [(o.office, o.office_source) for o in facts.officials] == [("Gubernur Jawa Barat", "text"),
                                                                      ("Direktur", "text")]


def test_missing_stanza_says_how_to_get_it(tmp_path):
    if importlib.util.find_spec("stanza") is None:
        with pytest.raises(StanzaUnavailable, match="pip install 'pantau\\[stanza\\]'"):
            load_stanza()
        return
    # Installed but no models in an empty resources folder: the same instructions.
    with pytest.raises(StanzaUnavailable, match="stanza.download"):
        load_stanza(str(tmp_path))


def test_extract_text_stanza_wires_parse_into_facts(tmp_path):
    import datetime as dt

    from pantau.extractors.pipeline import load_pipeline
    from pantau.extractors.stanza_engine import extract_text_stanza

    nlp = load_pipeline("rules")  # rule NER stand-in
    facts = extract_text_stanza(nlp, "“Kita siap,” kata Ridwan Kamil.", dt.date(2015, 1, 1),
                                stanza_pipeline=lambda text: stand_in_document(GOVERNOR))
    (ridwan,) = facts.officials
    assert (ridwan.office, ridwan.office_source) == ("Gubernur Jawa Barat", "text")
