"""BM25 ranking on tiny corpora with exact expected orders, and the IDF repair."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from retrieval import OptionError
from retrieval.analysis import analyze
from retrieval.index import BM25Index

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


def test_fast_scores_equal_rank_bm25_scores() -> None:
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(40)]
    docs = [[rng.choice(vocab) for _ in range(rng.randint(0, 30))] for _ in range(60)]
    docs[0] = ["w1"]  # not every doc empty
    index = BM25Index(docs, k1=1.2, b=0.6)
    for _ in range(20):
        query = [rng.choice([*vocab, "unknown"]) for _ in range(rng.randint(1, 6))]
        assert np.allclose(index.scores(query), index.reference_scores(query))


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
