"""The compiled top-k's pruning (retrieval/index/_topk.c) never changes a result: on corpora
shaped so that it prunes hard (terms over many blocks of postings beside rare ones, repeats, ties
across blocks), every k, from 1 to more than the matches, gives rank-bm25's top k exactly."""

from __future__ import annotations

import random

import numpy as np
import pytest

from retrieval import IndexDamagedError
from retrieval.index import bm25 as index_module
from retrieval.index.bm25 import K1, B, BM25Index, rank_bm25_model
from retrieval.index.postings import BLOCK_SIZE

KS = (1, 2, 3, 10, 37, 5_000)
"""k from one to more than any question matches (every match then comes back)."""


def _expected(reference: object, query: list[str], k: int) -> list[tuple[int, float]]:
    scores = np.asarray(reference.get_scores(query), dtype=np.float64)  # type: ignore[attr-defined]
    order = np.argsort(-scores, kind="stable")[:k]
    return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def _skewed_corpus(rng: random.Random, size: int) -> list[list[str]]:
    """A few terms in most paragraphs (dozens of blocks each), a middle band, a rare tail, and
    runs of identical paragraphs that tie across block boundaries."""
    common = [f"c{i}" for i in range(4)]
    middle = [f"m{i}" for i in range(40)]
    rare = [f"r{i}" for i in range(400)]
    docs: list[list[str]] = []
    for number in range(size):
        if 700 <= number < 700 + 3 * BLOCK_SIZE:  # one paragraph repeated over three blocks
            docs.append(["c0", "c1", "m3", "tie", "tie"])
            continue
        doc = [rng.choice(common) for _ in range(rng.randint(0, 30))]
        doc += [rng.choice(middle) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.2:
            doc += [rng.choice(rare)] * rng.randint(1, 3)
        docs.append(doc)
    return docs


def _queries(rng: random.Random) -> list[list[str]]:
    terms = [*(f"c{i}" for i in range(4)), *(f"m{i}" for i in range(40)), "tie"]
    terms += [f"r{i}" for i in range(0, 400, 7)]
    queries = [
        ["c0"],  # one term in most paragraphs
        ["c0", "c1", "c2", "c3"],  # only long lists
        ["tie"],  # every match tied
        ["tie", "c0", "c0"],  # ties, and a repeat
        ["r5", "c0", "c1"],  # a rare term beside long lists: the lists become non-essential
        ["absent"],  # no postings at all
        ["absent", "m1", "absent"],
    ]
    for _ in range(60):
        query = rng.choices(terms, k=rng.randint(1, 9))
        if rng.random() < 0.3:
            query.append(rng.choice(query))  # a repeated term counts twice
        queries.append(query)
    return queries


@pytest.fixture(scope="module")
def corpus() -> tuple[list[list[str]], BM25Index, object]:
    docs = _skewed_corpus(random.Random(29), 3_000)
    return docs, BM25Index(docs), rank_bm25_model(docs, k1=K1, b=B)


def test_the_corpus_spans_many_blocks(corpus: tuple[list[list[str]], BM25Index, object]) -> None:
    _, index, _ = corpus
    docs, _ = index.postings(index.vocabulary.id("c0") or 0)
    assert len(docs) > 20 * BLOCK_SIZE


@pytest.mark.parametrize("k", KS)
def test_every_k_is_rank_bm25s_top_k(
    corpus: tuple[list[list[str]], BM25Index, object], k: int
) -> None:
    _, index, reference = corpus
    for query in _queries(random.Random(k)):
        expected = _expected(reference, query, k)
        assert index.top(query, k) == expected, query
        assert index.top(query, k, compiled=False) == expected, query


def test_ties_across_blocks_keep_corpus_order(
    corpus: tuple[list[list[str]], BM25Index, object],
) -> None:
    _, index, reference = corpus
    top = index.top(["tie"], 3 * BLOCK_SIZE + 5)
    assert [d for d, _ in top] == list(range(700, 700 + 3 * BLOCK_SIZE))
    assert top == _expected(reference, ["tie"], 3 * BLOCK_SIZE + 5)


def test_more_wanted_than_match_gives_every_match(
    corpus: tuple[list[list[str]], BM25Index, object],
) -> None:
    docs, index, _ = corpus
    matching = [i for i, doc in enumerate(docs) if "r5" in doc]
    top = index.top(["r5"], len(docs) + 10)
    assert sorted(d for d, _ in top) == matching


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param([["a", "b"], ["b"], ["a", "a", "c"]], id="single-block"),
        pytest.param([["a"]], id="one-paragraph"),
        pytest.param([["a"]] * (BLOCK_SIZE + 1), id="one-past-a-block-all-tied"),
        pytest.param([[], ["a"], [], ["b", "a"]], id="empty-paragraphs"),
    ],
)
def test_small_corpora_edge_cases(docs: list[list[str]]) -> None:
    index = BM25Index(docs)
    reference = rank_bm25_model(docs, k1=K1, b=B)
    for query in (["a"], ["b"], ["a", "b", "a"], ["c", "zzz"], ["zzz"]):
        for k in (1, 2, len(docs) + 3):
            assert index.top(query, k) == _expected(reference, query, k), (query, k)


def test_the_compiled_loop_is_what_was_tested() -> None:
    """The comparisons above test the compiled loop only where it was built."""
    if index_module._topk is None:
        pytest.skip("the compiled loop (retrieval/index/_topk.c) is not built here")
    assert callable(index_module._topk.top_k)


def test_damaged_postings_give_an_error_or_an_answer_never_a_crash(
    corpus: tuple[list[list[str]], BM25Index, object],
) -> None:
    """Blocks searched lazily (decoded only as far as a search needs) still decode inside their
    bytes: any flipped byte gives IndexDamagedError or some answer, never a read outside."""
    if index_module._topk is None:
        pytest.skip("the compiled loop (retrieval/index/_topk.c) is not built here")
    docs, _, _ = corpus
    queries = _queries(random.Random(3))[:25]
    rng = random.Random(41)
    damaged = BM25Index(docs)
    data = damaged.postings_data.copy()
    errors = 0
    for _ in range(40):
        spoilt = data.copy()
        spoilt[rng.randrange(len(spoilt) - 8)] ^= 1 << rng.randrange(8)
        arrays = {name: getattr(damaged, name) for name in BM25Index.POSTINGS_ARRAYS}
        damaged._set_postings({**arrays, "block_ptr": damaged.block_ptr, "postings_data": spoilt})
        for query in queries:
            try:
                top = damaged.top(query, 3)
            except IndexDamagedError:
                errors += 1
                continue
            assert all(0 <= d < len(docs) for d, _ in top)
    assert errors > 0
