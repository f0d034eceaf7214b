"""BM25 ranking on tiny corpora with exact expected orders, and the IDF repair."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval import OptionError
from retrieval.analysis.tokenizer import analyze
from retrieval.index import arrays
from retrieval.index import bm25 as index_module
from retrieval.index.bm25 import K1, B, BM25Index, IdfVariant, rank_bm25_model

ROOT = Path(__file__).resolve().parent.parent

CORPUS = [
    "the cat sat on the mat",
    "the dog chased the cat around the garden",
    "dogs and cats are common pets",
    "the stock market fell sharply today",
    "a cat video went viral on the internet",
]


@pytest.fixture
def index() -> BM25Index:
    return BM25Index([analyze(text) for text in CORPUS])


def test_exact_ranking(index: BM25Index) -> None:
    # One "cat" each: shorter paragraphs first (3, 4 terms); 1 and 4 tie at 5 terms -> corpus order.
    assert [i for i, _ in index.top(analyze("cat"), 10)] == [0, 2, 1, 4]
    assert [i for i, _ in index.top(analyze("dog garden"), 10)] == [1, 2]
    assert [i for i, _ in index.top(analyze("stock market"), 10)] == [3]


def test_no_match_returns_nothing(index: BM25Index) -> None:
    assert index.top(analyze("quantum chromodynamics"), 5) == []


def test_idf_is_positive_and_decreasing_in_document_frequency() -> None:
    # 10 paragraphs: "half" in exactly 5, "most" in 6, "rare" in 1. rank-bm25's Okapi IDF gives
    # "half" 0 and floors "most" at epsilon x mean IDF, which can exceed "half".
    docs = [["filler"] for _ in range(10)]
    for i in range(5):
        docs[i].append("half")
    for i in range(6):
        docs[i].append("most")
    docs[9].append("rare")
    index = BM25Index(docs)
    assert index.idf("rare") > index.idf("half") > index.idf("most") > index.idf("filler") > 0
    assert index.idf("absent") == 0


def test_a_term_in_half_the_paragraphs_still_ranks() -> None:
    docs = [["denver", "council"], ["denver"], ["council"], ["other"]]
    index = BM25Index(docs)
    top = index.top(["denver", "council"], 4)
    assert [i for i, _ in top] == [0, 1, 2]
    assert all(score > 0 for _, score in top)


def _random_corpus(rng: random.Random, size: int, vocabulary: int) -> list[list[str]]:
    """Zipf-like word draws: a few words everywhere (long postings, many ties), most rare."""
    vocab = [f"w{i}" for i in range(vocabulary)]
    weights = [1 / (i + 1) for i in range(vocabulary)]
    docs = [rng.choices(vocab, weights, k=rng.randint(1, 40)) for _ in range(size)]
    for i in range(0, size, 17):
        docs[i] = list(docs[i // 2])  # exact duplicates: tied scores
    return docs


CORPORA = [
    pytest.param(3, 60, 30, "lucene", 1.5, 0.75, id="60-paragraphs-lucene"),
    pytest.param(5, 400, 300, "lucene", 1.2, 0.85, id="400-paragraphs-lucene"),
    pytest.param(11, 2000, 1500, "lucene", 0.9, 0.4, id="2000-paragraphs-lucene"),
    pytest.param(13, 60, 30, "okapi", 1.5, 0.75, id="60-paragraphs-okapi-negative-idf"),
    pytest.param(17, 1000, 800, "okapi", 1.2, 1.0, id="1000-paragraphs-okapi"),
]


@pytest.mark.parametrize(("seed", "size", "vocabulary", "idf", "k1", "b"), CORPORA)
def test_top_10_equals_rank_bm25_get_scores(
    seed: int, size: int, vocabulary: int, idf: IdfVariant, k1: float, b: float
) -> None:
    """The first stage must be rank-bm25's ranking exactly: same ids, same scores (bit for
    bit), ties in corpus order, for the compiled loop and the numpy fallback alike."""
    rng = random.Random(seed)
    docs = _random_corpus(rng, size, vocabulary)
    index = BM25Index(docs, k1=k1, b=b, idf=idf)
    reference = rank_bm25_model(docs, k1=k1, b=b, idf=idf)
    vocab = sorted({w for d in docs for w in d})
    ties = 0
    for _ in range(200):
        query = rng.choices([*vocab[:50], *vocab, "unknown"], k=rng.randint(1, 8))
        scores = np.asarray(reference.get_scores(query), dtype=np.float64)
        order = np.argsort(-scores, kind="stable")[:10]
        expected = [(int(i), float(scores[i])) for i in order if scores[i] > 0]
        ties += len({s for _, s in expected}) < len(expected)
        assert index.top(query, 10) == expected
        assert index.top(query, 10, compiled=False) == expected
        assert np.array_equal(index.scores(query), scores)
    assert ties > 0  # the corpora do exercise tie-breaking


def _as_saved_views(index: BM25Index) -> BM25Index:
    """The index as a saved one is read when the compiled loops exist: every array a
    memoryview over bytes (as over the file's memory map), numpy nowhere."""
    views = {}
    for name, values in index.arrays().items():
        view = arrays.view(values.tobytes(), values.dtype.str, 0, len(values))
        assert view is not None, name
        views[name] = view
    return BM25Index.from_arrays(views, index.meta())


@pytest.mark.parametrize(("seed", "size", "vocabulary", "idf", "k1", "b"), CORPORA[::2])
def test_memoryview_arrays_score_exactly_as_rank_bm25(
    seed: int, size: int, vocabulary: int, idf: IdfVariant, k1: float, b: float
) -> None:
    """A saved index read without numpy: the compiled loop's top-k, and the plain-Python
    scores of a few paragraphs (the reranker's document scores), bit for bit rank-bm25's."""
    rng = random.Random(seed)
    docs = _random_corpus(rng, size, vocabulary)
    index = BM25Index(docs, k1=k1, b=b, idf=idf)
    viewed = _as_saved_views(index)
    assert isinstance(viewed.postings_data, memoryview)
    assert viewed.idf_ceiling == index.idf_ceiling == max(index.idf_table)
    reference = rank_bm25_model(docs, k1=k1, b=b, idf=idf)
    vocab = sorted({w for d in docs for w in d})
    for _ in range(50):
        query = rng.choices([*vocab[:50], *vocab, "unknown"], k=rng.randint(1, 8))
        scores = reference.get_scores(query)
        few = sorted(rng.sample(range(size), 20))
        assert list(viewed.score_of(query, few)) == [float(scores[d]) for d in few]
        assert list(viewed.score_of(query, few)) == list(index.score_of(query, few))
        assert viewed.top(query, 10, compiled=False) == index.top(query, 10, compiled=False)
        if index_module._topk is not None:
            assert viewed.top(query, 10) == index.top(query, 10)
        for term in query[:3]:
            assert viewed.vocabulary.id(term) == index.vocabulary.id(term)
            assert viewed.vocabulary.has_key(term) == index.vocabulary.has_key(term)
        known = [t for t in query if index.vocabulary.has_key(t)]
        assert viewed.vocabulary.with_keys(query) == index.vocabulary.with_keys(query) == known
        assert ("unknown" in known) == ("unknown" in vocab)
    many = [*vocab[::3], "unknown", "zzz", *vocab[1::7]] * 12  # past 32: vectorised
    assert len(many) > 32
    expected = [t for t in many if index.vocabulary.has_key(t)]
    assert viewed.vocabulary.with_keys(many) == expected
    assert expected == [t for t in many if t in vocab]


@pytest.mark.parametrize(("seed", "size", "vocabulary", "idf", "k1", "b"), CORPORA)
def test_compiled_few_scores_are_the_plain_python_ones_bit_for_bit(
    seed: int, size: int, vocabulary: int, idf: IdfVariant, k1: float, b: float
) -> None:
    """``_topk.score_few`` (the re-ranker's document scores in one call) against
    ``_exact_few`` in Python: paragraphs in any order and repeated, terms repeated or unknown,
    the first and last paragraph, none at all."""
    if index_module._topk is None:
        pytest.skip("the compiled module was not built")
    rng = random.Random(seed + 1)
    docs = _random_corpus(rng, size, vocabulary)
    viewed = _as_saved_views(BM25Index(docs, k1=k1, b=b, idf=idf))
    vocab = sorted({w for d in docs for w in d})
    for _ in range(60):
        query = rng.choices([*vocab[:20], *vocab, "unknown"], k=rng.randint(1, 9))
        term_ids = viewed._term_ids(query)
        few = rng.sample(range(size), min(size, rng.randint(1, 25)))
        few += [0, size - 1, few[0]]
        assert viewed._exact_few(term_ids, few) == viewed._exact_few(term_ids, few, compiled=False)
        assert viewed._exact_few(term_ids, []) == []
    assert viewed._exact_few([None], [0, 1]) == [0.0, 0.0]
    with pytest.raises(IndexError):  # out of range: the Python path says so, as before
        viewed._exact_few(viewed._term_ids(vocab[:2]), [size])


def test_a_saved_idf_ceiling_must_be_the_highest_idf() -> None:
    index = BM25Index([analyze(text) for text in CORPUS])
    arrays_ = index.arrays()
    wrong = {**index.meta(), "idf_ceiling": index.idf_ceiling + 1.0}
    with pytest.raises(ValueError, match="idf_ceiling"):
        BM25Index.from_arrays(arrays_, wrong)
    lower = sorted(set(index.idf_table.tolist()))[0]  # one of the table's, not the highest
    with pytest.raises(ValueError, match="idf_ceiling"):
        BM25Index.from_arrays(arrays_, {**index.meta(), "idf_ceiling": lower})


NO_COMPILED_LOOP = (
    "retrieval/index/_topk.c was not built (no C compiler when installing?): only the numpy "
    "path is tested; setup.py marks the extension optional, so citebot works without it"
)


def test_the_compiled_loop_and_the_numpy_path_agree() -> None:
    """Where the compiled loop exists, both paths are compared in this same run (above, on
    five corpora); this says so, or says why they could not be."""
    if index_module._topk is None:
        pytest.skip(NO_COMPILED_LOOP)
    index = BM25Index(_random_corpus(random.Random(3), 300, 200))
    query = ["w1", "w5", "w17", "w40"]
    assert index.top(query, 10) == index.top(query, 10, compiled=False)


def test_without_the_compiled_loop_the_numpy_path_answers(tmp_path: Path) -> None:
    """Really make the import fail (the extension hidden from a fresh interpreter, as on a
    machine without a compiler), and check the fallback ranks exactly as rank-bm25 does."""
    script = tmp_path / "hidden.py"
    script.write_text(
        "import importlib.abc, json, sys\n"
        "class Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'retrieval.index._topk':\n"
        "            raise ImportError('hidden: no C compiler here')\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from retrieval.index import bm25\n"
        "docs = json.loads(sys.argv[1])\n"
        "index = bm25.BM25Index(docs)\n"
        "print(json.dumps([bm25._topk is None, index.top(sys.argv[2].split(), 10)]))\n"
    )
    docs = _random_corpus(random.Random(5), 200, 150)
    query = ["w0", "w3", "w8", "w21"]
    done = subprocess.run(
        [sys.executable, str(script), json.dumps(docs), " ".join(query)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    hidden, top = json.loads(done.stdout)
    assert hidden is True
    reference = rank_bm25_model(docs, k1=K1, b=B)
    scores = np.asarray(reference.get_scores(query), dtype=np.float64)
    order = np.argsort(-scores, kind="stable")[:10]
    assert [tuple(pair) for pair in top] == [(int(i), float(scores[i])) for i in order]


def test_all_empty_paragraphs_do_not_divide_by_zero() -> None:
    index = BM25Index([[], []])
    assert index.top(["x"], 2) == []
    assert all(math.isfinite(s) for s in index.scores(["x"]))


@pytest.mark.parametrize(("k1", "b"), [(-1.0, 0.5), (1.2, 1.5), (float("nan"), 0.5)])
def test_bad_parameters_are_named(k1: float, b: float) -> None:
    with pytest.raises(OptionError, match=r"(k1|b) must"):
        BM25Index([["a"]], k1=k1, b=b)


def test_ties_keep_corpus_order() -> None:
    index = BM25Index([["x", "y"], ["x", "y"], ["x", "y"]])
    assert [i for i, _ in index.top(["x"], 3)] == [0, 1, 2]


def test_bounds_computed_a_slice_at_a_time_are_the_whole_arrays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large build computes each term's and block's bounds a few postings at a time; the
    numbers must be those of the one-pass computation, to the bit."""
    rng = random.Random(7)
    words = [f"w{n}" for n in range(60)]
    docs = [
        [rng.choice(words[: rng.randint(1, 60)]) for _ in range(rng.randint(1, 40))]
        for _ in range(600)
    ]
    whole = BM25Index(docs)
    monkeypatch.setattr(index_module, "_TF_PART_SLICE", 5)
    sliced = BM25Index(docs)
    for name, array in whole.arrays().items():
        assert np.array_equal(array, sliced.arrays()[name]), name


def test_long_paragraphs_and_high_tfs_score_as_rank_bm25_does() -> None:
    """Paragraphs of thousands of terms and tfs of 9 or more (rare in the random corpora above):
    the compiled loop ranks and scores them as rank-bm25 does."""
    if index_module._topk is None:
        pytest.skip(NO_COMPILED_LOOP)
    rng = random.Random(7)
    docs = _random_corpus(rng, 200, 60)
    docs += [["w1"] * 9 + ["w2"] * 3000, ["w1"] * 12 + ["w3"] * 5, ["w2", "w3"] * 1100]
    index = BM25Index(docs, k1=1.5, b=0.85)
    reference = rank_bm25_model(docs, k1=1.5, b=0.85)
    for query in (["w1"], ["w2", "w1"], ["w3", "w2", "w2"], ["w1", "w3", "w5"]):
        scores = np.asarray(reference.get_scores(query), dtype=np.float64)
        order = np.argsort(-scores, kind="stable")[:10]
        assert index.top(query, 10) == [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def test_byte_spans_of_spans_out_of_order_are_each_right() -> None:
    """Byte spans are counted on from the span before; one that starts before it (only a
    reader's bug would give one) is counted afresh, so every span still names its own bytes."""
    from retrieval.index.build import _utf8_offsets

    text = "Grüße — naïve café, ünïcödé text"
    spans = [(0, 5), (8, 13), (2, 6), (20, 27), (8, 13)]
    raw = text.encode("utf-8")
    got = _utf8_offsets(text, spans)
    assert [raw[a:b].decode("utf-8") for a, b in got] == [text[a:b] for a, b in spans]
