"""Convert the Indonesian NER corpora in ``../shared/data/ner`` to spaCy ``DocBin`` files.

Three corpora, one label set ``PER``/``ORG``/``LOC``:

* ``nergrit/``        ``token<TAB>BIO``           PERSON / ORGANISATION / PLACE          (cased)
* ``idner-news-2k/``  ``token POS BIO``           PER / ORG / LOC                        (cased, CRLF)
* ``nerp/``           ``token<TAB>BIO``           PPL / PLC / IND / EVT / FNB            (lowercased)

Mapping: PERSON/PPL -> PER, ORGANISATION/IND -> ORG, PLACE/PLC -> LOC; EVT and FNB are dropped (-> O).

One ``Doc`` per sentence (sentences are separated by blank lines in the sources); its first token is
marked as sentence start and the others are not, so sentence boundaries survive the conversion.

Malformed BIO (an ``I-X`` that does not continue an ``X`` entity, e.g. after ``O``, after another label, or
after a dropped EVT/FNB entity) is repaired the CoNLL way: it starts a new entity (read as ``B-X``).
NERP has a few multi-word tokens (``sementara itu<TAB>O``); they are split on whitespace and the tag is
spread over the pieces (``B-X`` -> ``B-X I-X ...``).

NERP casing: NERP is entirely lowercased while the targets (and real news) are cased. ``NERP_MODES``
lists the measured ways of using it; the choice (see ``models/README.md``) is the default of
``build_corpora``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

LABELS = ("PER", "ORG", "LOC")

LABEL_MAP: dict[str, str | None] = {
    "PERSON": "PER",
    "PPL": "PER",
    "PER": "PER",
    "ORGANISATION": "ORG",
    "ORGANIZATION": "ORG",
    "IND": "ORG",
    "ORG": "ORG",
    "PLACE": "LOC",
    "PLC": "LOC",
    "LOC": "LOC",
    "EVT": None,
    "FNB": None,
}

#: corpus name -> (folder, {split: file name})
CORPORA: dict[str, tuple[str, dict[str, str]]] = {
    "nergrit": ("nergrit", {"train": "train.tsv", "dev": "valid.tsv", "test": "test.tsv"}),
    "idner": ("idner-news-2k", {"train": "train.txt", "dev": "dev.txt", "test": "test.txt"}),
    "nerp": ("nerp", {"train": "train.tsv", "dev": "valid.tsv", "test": "test.tsv"}),
}

#: how the lowercased NERP enters the training set
#:  exclude   - not used
#:  lower     - used as published (lowercased)
#:  truecase  - recased with a unigram truecaser learnt from cased text (see ``Truecaser``)
#:  partial   - lowercased, and only its PER/ORG/LOC spans are trusted: its ``O`` tokens become *missing*
#:              (unknown) annotation, because NERP's IND means companies/brands and leaves government
#:              bodies, parties, agencies as ``O`` (``kpk`` 93x O, ``partai`` 378x O, ``bpjs`` O), which
#:              contradicts the ORG of NERGrit and idner-news-2k
#:  reconciled - lowercased; its ``O`` tokens whose word is mostly tagged ORG in the cased corpora's train
#:              splits (``kpk``, ``dpr``, ``partai``, ...) become missing annotation, the rest stays as is
#:  orgs      - lowercased; runs of ``O`` tokens that spell an organization are relabelled ORG, the
#:              convention of the cased corpora: names tagged ORG in the cased train splits (more often as
#:              ORG than untagged), and the organizations of pantau's registry (``models/registry``)
NERP_MODES = ("exclude", "lower", "truecase", "partial", "reconciled", "orgs")

Sentence = list[tuple[str, str]]


@lru_cache(maxsize=1)
def blank_vocab() -> Vocab:
    """The vocab of a blank Indonesian pipeline (built once: ``spacy.blank("id")`` takes seconds)."""
    return spacy.blank("id").vocab


# --------------------------------------------------------------------------------------------- reading
def read_conll(path: str | Path) -> list[Sentence]:
    """Read a CoNLL-like file: one token per line, tag in the last column, blank line between sentences.

    Tab-separated lines are ``token<TAB>...<TAB>tag`` (the token may contain spaces: it is split into
    several tokens); other lines are whitespace-separated ``token [...] tag``.
    """
    sentences: list[Sentence] = []
    current: Sentence = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                    current = []
                continue
            if "\t" in line:
                cols = line.split("\t")
                token, tag = cols[0], cols[-1].strip()
            else:
                cols = line.split()
                token, tag = cols[0], cols[-1]
            pieces = token.split()
            if not pieces:
                continue
            if len(cols) < 2:  # a bare token without tag
                tag = "O"
            for i, piece in enumerate(pieces):
                piece_tag = tag
                if i > 0 and tag.startswith("B-"):
                    piece_tag = "I-" + tag[2:]
                current.append((piece, piece_tag))
    if current:
        sentences.append(current)
    return sentences


def map_tags(tags: Iterable[str]) -> list[str]:
    """Map corpus labels to PER/ORG/LOC and repair malformed BIO.

    Unknown or dropped labels become ``O``. An ``I-X`` not continuing an ``X`` entity starts one (``B-X``).
    """
    out: list[str] = []
    prev_label: str | None = None
    for tag in tags:
        tag = tag.strip()
        if tag == "O" or "-" not in tag:
            out.append("O")
            prev_label = None
            continue
        prefix, _, raw_label = tag.partition("-")
        label = LABEL_MAP.get(raw_label.upper())
        if label is None or prefix.upper() not in ("B", "I", "E", "S", "L", "U"):
            out.append("O")
            prev_label = None
            continue
        prefix = prefix.upper()
        if prefix in ("I", "E", "L") and prev_label == label:
            out.append("I-" + label)
        else:
            out.append("B-" + label)
        prev_label = None if prefix in ("E", "L", "S", "U") else label
    return out


def sentence_to_doc(vocab: Vocab, sentence: Sentence, o_missing: bool | set[str] = False) -> Doc:
    """One sentence as a Doc with gold entities. ``o_missing=True`` turns every ``O`` into missing
    annotation; a set of lowercase words turns only the ``O`` tokens of those words into missing."""
    words = [w for w, _ in sentence]
    tags = map_tags(t for _, t in sentence)
    if o_missing is True:
        tags = ["" if t == "O" else t for t in tags]
    elif o_missing:
        tags = ["" if t == "O" and w.lower() in o_missing else t for w, t in zip(words, tags)]
    spaces = [True] * (len(words) - 1) + [False]
    sent_starts = [True] + [False] * (len(words) - 1)
    return Doc(vocab, words=words, spaces=spaces, ents=tags, sent_starts=sent_starts)


# ------------------------------------------------------------------------------------------- truecasing
_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


@dataclass
class Truecaser:
    """Unigram truecaser: the most frequent non-sentence-initial cased form of each lowercase word.

    Learnt from cased text (the cased corpora's train splits and raw news text). Tokens never seen are
    left lowercase, except inside a gold entity where they get title case (names are written so).
    The first token of a sentence is capitalised.
    """

    forms: dict[str, str]

    @classmethod
    def learn(cls, sentences: Iterable[list[str]], min_count: int = 1) -> "Truecaser":
        counts: dict[str, Counter] = {}
        for words in sentences:
            for i, w in enumerate(words):
                if i == 0 or not any(c.isalpha() for c in w):
                    continue
                counts.setdefault(w.lower(), Counter())[w] += 1
        forms = {}
        for low, c in counts.items():
            form, n = c.most_common(1)[0]
            if n >= min_count:
                forms[low] = form
        return cls(forms)

    def recase(self, words: list[str], tags: list[str]) -> list[str]:
        out = []
        for i, (w, tag) in enumerate(zip(words, tags)):
            form = self.forms.get(w.lower())
            if form is None:
                form = w.title() if tag != "O" and w.isalpha() else w
            if i == 0 and form[:1].islower():
                form = form[:1].upper() + form[1:]
            out.append(form)
        return out


def raw_news_sentences(csv_path: str | Path) -> Iterator[list[str]]:
    """Whitespace/punctuation tokenised lines of the ``isi_berita`` column (for truecasing and vectors)."""
    csv.field_size_limit(1 << 30)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for line in (row.get("isi_berita") or "").splitlines():
                toks = re.findall(r"\w+(?:[-'’.]\w+)*|[^\w\s]", line)
                if toks:
                    yield toks


# --------------------------------------------------------------------------------------------- building
def corpus_path(data_dir: str | Path, corpus: str, split: str) -> Path:
    folder, files = CORPORA[corpus]
    return Path(data_dir) / folder / files[split]


def load_docs(data_dir: str | Path, corpus: str, split: str, vocab: Vocab | None = None) -> list[Doc]:
    vocab = vocab or blank_vocab()
    return [sentence_to_doc(vocab, s) for s in read_conll(corpus_path(data_dir, corpus, split))]


def nerp_docs(
    data_dir: str | Path,
    split: str,
    mode: str,
    vocab: Vocab,
    truecaser: Truecaser | None = None,
) -> list[Doc]:
    if mode not in NERP_MODES:
        raise ValueError(f"unknown NERP mode {mode!r}, expected one of {NERP_MODES}")
    if mode == "exclude":
        return []
    sentences = read_conll(corpus_path(data_dir, "nerp", split))
    docs = []
    for s in sentences:
        words = [w for w, _ in s]
        tags = [t for _, t in s]
        if mode == "truecase":
            if truecaser is None:
                raise ValueError("truecase mode needs a Truecaser")
            words = truecaser.recase(words, map_tags(tags))
        o_missing: bool | set[str] = mode == "partial"
        if mode == "reconciled":
            o_missing = org_words(data_dir)
        if mode == "orgs":
            tags = relabel_orgs(words, map_tags(tags), org_names(data_dir))
        docs.append(sentence_to_doc(vocab, list(zip(words, tags)), o_missing=o_missing))
    return docs


@lru_cache(maxsize=4)
def org_words(data_dir: str | Path, min_count: int = 2) -> frozenset[str]:
    """Lowercase words tagged ORG more often than anything else in the cased corpora's train splits."""
    counts: dict[str, Counter] = {}
    for corpus in ("nergrit", "idner"):
        for s in read_conll(corpus_path(data_dir, corpus, "train")):
            for (w, _), tag in zip(s, map_tags(t for _, t in s)):
                counts.setdefault(w.lower(), Counter())[tag[2:] if tag != "O" else "O"] += 1
    return frozenset(w for w, c in counts.items()
                     if any(ch.isalpha() for ch in w) and c["ORG"] >= min_count and c.most_common(1)[0][0] == "ORG")


@lru_cache(maxsize=4)
def org_names(data_dir: str | Path, with_registry: bool = True) -> frozenset[tuple[str, ...]]:
    """Lowercased organization names (token tuples) for ``relabel_orgs``.

    From the cased corpora's train splits: every ORG span whose words occur as that ORG more often than as an
    untagged run of the same words. Plus every name and alias of pantau's organization registry, tokenized
    as spaCy's Indonesian tokenizer does.
    """
    spans: Counter = Counter()
    sentences = [s for corpus in ("nergrit", "idner") for s in read_conll(corpus_path(data_dir, corpus, "train"))]
    for s in sentences:
        words = [w.lower() for w, _ in s]
        for start, end, label in _bio_spans(map_tags(t for _, t in s)):
            if label == "ORG":
                spans[tuple(words[start:end])] += 1
    untagged: Counter = Counter()
    longest = max((len(k) for k in spans), default=0)
    for s in sentences:
        words = [w.lower() for w, _ in s]
        tags = map_tags(t for _, t in s)
        for n in range(1, longest + 1):
            for i in range(len(words) - n + 1):
                key = tuple(words[i:i + n])
                if key in spans and all(t == "O" for t in tags[i:i + n]):
                    untagged[key] += 1
    written: dict[str, Counter] = {}  # one-word names must be written capitalised more often than not
    for s in sentences:
        for w, _ in s[1:]:
            written.setdefault(w.lower(), Counter())[w.islower()] += 1
    names = {k for k, c in spans.items() if c > untagged[k] and any(ch.isalpha() for ch in "".join(k))
             and (len(k) > 1 or written.get(k[0], Counter())[False] > written.get(k[0], Counter())[True])}
    if with_registry:
        import spacy

        from pantau.extractors.registry import load_registry

        tokenizer = spacy.blank("id").tokenizer
        for surface, _ in load_registry().surfaces()["ORG"]:
            names.add(tuple(t.lower_ for t in tokenizer(surface)))
    return frozenset(names)


def _bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans, start, label = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            spans.append((start, i, label))
            start = None
        if tag.startswith("B-"):
            start, label = i, tag[2:]
    return spans


def relabel_orgs(words: list[str], tags: list[str], names: frozenset[tuple[str, ...]]) -> list[str]:
    """Tag as ORG the longest runs of untagged words that spell a known organization name (lowercased)."""
    lower = [w.lower() for w in words]
    out = list(tags)
    longest = max((len(k) for k in names), default=0)
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if tuple(lower[i:i + n]) in names and all(t == "O" for t in out[i:i + n]):
                out[i:i + n] = ["B-ORG"] + ["I-ORG"] * (n - 1)
                i += n
                break
        else:
            i += 1
    return out


def learn_truecaser(data_dir: str | Path, news_csv: str | Path | None = None) -> Truecaser:
    """Truecaser from the cased corpora's *train* splits (+ raw news text when given)."""

    def gen() -> Iterator[list[str]]:
        for corpus in ("nergrit", "idner"):
            for s in read_conll(corpus_path(data_dir, corpus, "train")):
                yield [w for w, _ in s]
        if news_csv and Path(news_csv).exists():
            yield from raw_news_sentences(news_csv)

    return Truecaser.learn(gen())


def save(docs: list[Doc], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    return path


def build_corpora(
    data_dir: str | Path,
    out_dir: str | Path,
    nerp: str = "lower",
    news_csv: str | Path | None = None,
    nergrit_repeat: int = 1,
    extra_train: Iterable[Doc] = (),
) -> dict[str, Path]:
    """Write ``train.spacy`` (train splits), ``dev.spacy`` (NERGrit valid + idner dev) and per-corpus
    dev/test files to ``out_dir``. Returns the written paths by name.

    NERP's validation split is not in ``dev.spacy``: settings are chosen on the cased validation splits.
    ``nergrit_repeat`` > 1 oversamples NERGrit train (its Wikipedia domain is the smallest and hardest).
    ``extra_train``: more training Docs, e.g. news lines labelled by a teacher ensemble (self-training).
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    vocab = blank_vocab()
    truecaser = learn_truecaser(data_dir, news_csv) if nerp == "truecase" else None
    paths: dict[str, Path] = {}
    train = load_docs(data_dir, "nergrit", "train", vocab) * max(1, nergrit_repeat)
    train += load_docs(data_dir, "idner", "train", vocab)
    train += nerp_docs(data_dir, "train", nerp, vocab, truecaser)
    train += [Doc(vocab).from_bytes(d.to_bytes()) for d in extra_train]  # e.g. teacher-labelled news (silver)
    paths["train"] = save(train, out_dir / "train.spacy")
    dev: list[Doc] = []
    for corpus in ("nergrit", "idner"):
        for split in ("dev", "test"):
            docs = load_docs(data_dir, corpus, split, vocab)
            paths[f"{corpus}-{split}"] = save(docs, out_dir / f"{corpus}-{split}.spacy")
            if split == "dev":
                dev += docs
    paths["dev"] = save(dev, out_dir / "dev.spacy")
    return paths


def raw_text_lines(data_dir: str | Path, news_csv: str | Path | None) -> Iterator[str]:
    """Raw Indonesian text for unsupervised training (vectors): train-split sentences of the three corpora
    and the news articles. Validation and test sentences are left out."""
    for corpus in ("nergrit", "idner", "nerp"):
        for s in read_conll(corpus_path(data_dir, corpus, "train")):
            yield " ".join(w for w, _ in s)
    if news_csv and Path(news_csv).exists():
        for toks in raw_news_sentences(news_csv):
            yield " ".join(toks)
