"""The saved index's compressed arrays (format 6): bit-packed postings and split term ids read
back exactly, by the compiled loops and by numpy alike, and damage is an error, never a wrong
number."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from retrieval.errors import IndexDamagedError
from retrieval.index import bm25
from retrieval.index import postings as packed
from retrieval.index.bm25 import BM25Index
from retrieval.index.sentences import SentenceTable, SplitIds, split_ids


def _postings(rng: random.Random, terms: int, docs: int) -> tuple[Any, Any, Any]:
    """CSR postings with every kind of block: dense runs (gap width 0), huge gaps (31 bits),
    tf 1 everywhere (tf width 0) and huge term frequencies (32 bits), short and long lists."""
    ptr, all_docs, all_tfs = [0], [], []
    for t in range(terms):
        shape = t % 5
        if shape == 0:  # a dense run
            first = rng.randrange(docs - 200)
            chosen = list(range(first, first + rng.randint(1, 200)))
        elif shape == 1:  # a few far apart, up to the largest paragraph number
            chosen = sorted(rng.sample(range(2**31 - 1), rng.randint(1, 5)))
        else:
            chosen = sorted(rng.sample(range(docs), rng.randint(1, 300)))
        if shape == 3:
            tfs = [1] * len(chosen)
        elif shape == 4:
            tfs = [rng.choice([1, 2, 2**32 - 1, 2**31]) for _ in chosen]
        else:
            tfs = [rng.randint(1, 20) for _ in chosen]
        all_docs += chosen
        all_tfs += tfs
        ptr.append(len(all_docs))
    return (
        np.asarray(ptr, dtype=np.int64),
        np.asarray(all_docs, dtype=np.int64),
        np.asarray(all_tfs, dtype=np.int64),
    )


def test_postings_decode_to_what_was_encoded_both_ways() -> None:
    rng = random.Random(7)
    ptr, docs, tfs = _postings(rng, 200, 5000)
    arrays = {"postings_ptr": ptr, **packed.encode(ptr, docs, tfs)}
    index = BM25Index.__new__(BM25Index)
    index.postings_ptr = ptr
    index._set_postings(arrays)
    for t in range(len(ptr) - 1):
        want = docs[ptr[t] : ptr[t + 1]], tfs[ptr[t] : ptr[t + 1]]
        numpy_docs, numpy_tfs = packed.decode(arrays, t)
        assert np.array_equal(numpy_docs, want[0]) and np.array_equal(numpy_tfs, want[1])
        if bm25._topk is not None:
            compiled_docs, compiled_tfs = index.postings(t)
            assert np.array_equal(compiled_docs, want[0])
            assert np.array_equal(compiled_tfs, want[1])
        # Sums over ranges, including empty ones and ranges out of order.
        bounds = sorted(rng.sample(range(5000), 6))
        ranges = [*[(bounds[i], bounds[i + 1]) for i in range(0, 6, 2)][::-1], (3, 3)]
        expected = [int(want[1][(want[0] >= lo) & (want[0] < hi)].sum()) for lo, hi in ranges]
        assert index.term_sums(t, ranges) == expected


def test_the_compiled_encoder_writes_numpy_s_bytes() -> None:
    ptr, docs, tfs = _postings(random.Random(11), 300, 20_000)
    counts = np.diff(ptr)
    block_ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(-(-counts // packed.BLOCK_SIZE), out=block_ptr[1:])
    by_numpy = packed._encode_numpy(ptr, docs, tfs, block_ptr)
    compiled = packed._encode_compiled(ptr, docs, tfs, block_ptr)
    if compiled is None:
        pytest.skip("the compiled loop is not built")
    assert sorted(compiled) == sorted(by_numpy)
    for name, values in by_numpy.items():
        assert np.array_equal(compiled[name], values), name


def test_a_block_that_decodes_otherwise_than_stored_is_damage() -> None:
    ptr = np.array([0, 100], dtype=np.int64)
    docs = np.arange(0, 300, 3, dtype=np.int64)
    arrays = {"postings_ptr": ptr, **packed.encode(ptr, docs, np.ones(100, dtype=np.int64))}
    arrays["postings_data"] = arrays["postings_data"].copy()
    arrays["postings_data"][0] ^= 0x01  # the first gap: every paragraph after it moves
    with pytest.raises(IndexDamagedError):
        packed.decode(arrays, 0)
    index = BM25Index.__new__(BM25Index)
    index.postings_ptr = ptr
    index._set_postings(arrays)
    if bm25._topk is not None:
        with pytest.raises(IndexDamagedError):
            index.postings(0)
        with pytest.raises(IndexDamagedError):
            index.term_sums(0, [(0, 10)])


def test_the_postings_are_smaller_than_plain_arrays() -> None:
    """What the format is for: a long list of close paragraphs with tf 1 takes about a bit a
    posting (against 5 bytes as int32 + uint8)."""
    ptr = np.array([0, 64_000], dtype=np.int64)
    docs = np.arange(0, 128_000, 2, dtype=np.int64)
    encoded = packed.encode(ptr, docs, np.ones(64_000, dtype=np.int64))
    assert encoded["postings_data"].nbytes < 64_000 // 8 + 64


def _split_table(ids: np.ndarray, per_sentence: int) -> tuple[dict[str, Any], dict[str, Any]]:
    sentences = len(ids) // per_sentence
    plain = {
        "sentence_ptr": np.array([0, sentences // 2, sentences], dtype=np.uint32),
        "sentence_start": np.zeros(sentences, dtype=np.uint16),
        "sentence_end": np.ones(sentences, dtype=np.uint16),
        "token_ptr": np.arange(0, len(ids) + 1, per_sentence, dtype=np.uint32),
        "tokens": ids.astype(np.int32),
    }
    parts = split_ids(plain["tokens"])
    split = dict(plain, tokens=SplitIds(*(parts[n] for n in parts)))
    return plain, split


def test_split_term_ids_read_back_exactly() -> None:
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 70_000, size=600)  # about 6% past 65,535
    ids[::50] = 2**31 - 1  # the largest id
    plain, split = _split_table(ids, 6)
    tokens = split["tokens"]
    assert np.array_equal(np.asarray(tokens), ids)
    for lo, hi in [(0, 600), (0, 0), (5, 6), (37, 412), (599, 600)]:
        assert tokens[lo:hi].tolist() == ids[lo:hi].tolist()
    vocabulary = 2**31
    a, b = SentenceTable(plain), SentenceTable(split)
    for row in (0, 1):
        assert a.term_ids(row, vocabulary) == b.term_ids(row, vocabulary)
    question = sorted({int(ids[3]), int(ids[10]), 65_536 + 3, int(ids[250]), 2**31 - 1})
    assert a.question_marks([0, 1], question, vocabulary) == b.question_marks(
        [0, 1], question, vocabulary
    )


def test_a_lost_exception_is_damage_never_a_wrong_id() -> None:
    """A damaged place of an exception could hide it from the search; the entries either side
    of what was found are verified too, so the checksums catch it."""
    ids = np.array([1, 70_000, 2, 3, 80_000, 4], dtype=np.int64)
    parts = split_ids(ids)
    at = parts["tokens_high_at"].copy()
    at[0] = 2  # damaged: the exception would be lost (70,000 read as 4,464)
    damaged = {("tokens_high_at", 0)}

    def verify(name: str, lo: int, hi: int) -> None:  # the file's checksums, in miniature
        if any((name, i) in damaged for i in range(lo, hi)):
            raise IndexDamagedError("The saved index is damaged (a checksum).")

    tokens = SplitIds(parts["tokens_low"], at, parts["tokens_high"], verify=verify)
    with pytest.raises(IndexDamagedError):
        tokens[0:2]
    damaged.clear()  # the same arrays intact
    intact = SplitIds(*(parts[n] for n in parts), verify=verify)
    assert intact[0:2].tolist() == [1, 70_000]
