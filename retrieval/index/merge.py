"""One index's postings joined part by part and merged term range by term range, as search
engines merge their segments: the parent's memory holds one range's postings, never the
corpus's.

As each part arrives its terms are renumbered into the corpus's numbering (first occurrence in
corpus order, the order rank-bm25 meets them in; its IDF floor depends on it), its list
numbers shifted by the lists before, and its postings reordered by the new term numbers (each
term's group moved whole, so paragraph order holds inside it). The run then waits in a
:class:`~.spill.Spill`: its terms and each term's count, its paragraph numbers and term
frequencies.

At the end the terms are cut into ranges of about :data:`PASS_POSTINGS` postings. For each
range every run gives one contiguous slice (its terms are sorted), the slices are placed in
corpus order (runs come in corpus order, so nothing is sorted), and the range's postings are
bit-packed (:mod:`.postings`; blocks never cross a term, so ranges encode independently to
the same bytes) with their bounds, and appended to file-backed arrays. The index is the one
:meth:`~.bm25.BM25Index.from_csr` would have made from all the postings at once, byte for
byte (``tests/test_persist.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import postings as packed_postings
from .bm25 import BM25Index, IdfVariant, Vocabulary, _smallest_uint, idf_values
from .postings import BLOCK_SIZE
from .spill import Column, Spill, SpillBudget, release_memory

PASS_POSTINGS = 8 << 20
"""Postings merged at a time (at most; a term with more is merged in chunks of this many,
rounded down to whole blocks): about 60 MB of temporaries (their paragraph numbers,
frequencies and packed bytes), whatever the corpus size."""
BOUND_POSTINGS = 1 << 20
"""Postings whose bounds are computed at a time (six float64 temporaries: 48 MB)."""


@dataclass(slots=True)
class Postings:
    """One part's (list number, term, tf) triples, grouped by term (ascending) and in list
    order inside each term, with the lists' lengths and the terms in order of first
    occurrence."""

    doc: npt.NDArray[np.int32]
    term: npt.NDArray[np.int32]
    """Part-local term ids: ``Part.vocabulary[term]`` is the term."""
    tf: npt.NDArray[np.int32]
    length: npt.NDArray[np.int32]
    first_seen: npt.NDArray[np.int32]


@dataclass(slots=True)
class _Run:
    """One part's postings in the spill, sorted by corpus term number."""

    terms: tuple[int, int]
    """Its distinct terms (int32, ascending)..."""
    counts: tuple[int, int]
    """... and each one's number of postings (int32)."""
    doc: tuple[int, int]
    tf: tuple[int, int]
    tf_dtype: Any
    postings: int


class PostingsJoin:
    """One index's postings, joined part by part (module docstring)."""

    def __init__(self, budget: SpillBudget) -> None:
        self._budget = budget
        self._spill = Spill(budget)
        self.vocabulary: dict[str, int] = {}
        self._frequency = np.zeros(1024, dtype=np.int64)
        self._runs: list[_Run] = []
        self._lengths = Column(budget, np.int32, track=True)
        self._total_length = 0
        self._lists = 0
        self._max_tf = 0

    def add(self, words: Sequence[str], run: Postings) -> npt.NDArray[np.int32]:
        """Join one part's postings (grouped by part-local term, ascending); its local →
        corpus term ids."""
        vocabulary = self.vocabulary
        remap = np.zeros(len(words), dtype=np.int32)
        remap[run.first_seen] = np.fromiter(
            (vocabulary.setdefault(words[t], len(vocabulary)) for t in run.first_seen.tolist()),
            dtype=np.int32,
            count=len(run.first_seen),
        )
        if len(vocabulary) > len(self._frequency):
            grown = np.zeros(max(len(vocabulary), 2 * len(self._frequency)), dtype=np.int64)
            grown[: len(self._frequency)] = self._frequency
            self._frequency = grown
        tf_dtype = np.uint8 if int(run.tf.max(initial=0)) < 256 else np.int32
        if len(run.term):
            counts = np.bincount(run.term, minlength=len(words))
            present = np.flatnonzero(counts)
            terms = remap[present]
            order = np.argsort(terms)  # distinct terms: any sort is the stable one
            terms, sizes = terms[order], counts[present][order]
            self._frequency[terms] += sizes
            self._max_tf = max(self._max_tf, int(run.tf.max()))
            # Each group moved whole: posting j of the group that lands at new_start came
            # from old_start + (j - new_start).
            old_start = (np.cumsum(counts) - counts)[present][order]
            new_start = np.cumsum(sizes) - sizes
            gather = np.repeat(old_start - new_start, sizes) + np.arange(len(run.term))
            doc = run.doc[gather].astype(np.int32) + np.int32(self._lists)
            tf = run.tf[gather].astype(tf_dtype)
        else:
            terms = sizes = doc = np.zeros(0, dtype=np.int32)
            tf = np.zeros(0, dtype=tf_dtype)
        self._runs.append(
            _Run(
                self._spill.append(terms.astype(np.int32)),
                self._spill.append(sizes.astype(np.int32)),
                self._spill.append(doc),
                self._spill.append(tf),
                tf_dtype,
                len(doc),
            )
        )
        self._lengths.append(run.length)
        self._total_length += int(run.length.sum(dtype=np.int64))
        self._lists += len(run.length)
        return remap

    def _ranges(self, ptr: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """Runs of whole terms ``[first, last)`` of about :data:`PASS_POSTINGS` postings."""
        ranges, first, terms = [], 0, len(ptr) - 1
        while first < terms:
            wanted = int(ptr[first]) + PASS_POSTINGS
            last = min(max(int(np.searchsorted(ptr, wanted, side="right")) - 1, first + 1), terms)
            ranges.append((first, last))
            first = last
        return ranges

    def _cuts(self, run: _Run, bounds: npt.NDArray[np.int64]) -> tuple[list[int], list[int]]:
        """Where each range boundary falls in a run: among its terms, among its postings."""
        terms = self._spill.read(run.terms, np.int32)
        at = np.searchsorted(terms, bounds)
        counts = self._spill.read(run.counts, np.int32)
        before = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=before[1:])
        return at.tolist(), before[at].tolist()

    def _gather(
        self,
        first: int,
        last: int,
        ptr: npt.NDArray[np.int64],
        cuts: Sequence[tuple[list[int], list[int]]],
        k: int,
        tf_dtype: Any,
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        """Range ``k`` (terms ``first:last``)'s postings, term-major, paragraph order inside
        each term: one slice of every run, placed in corpus order."""
        base = int(ptr[first])
        docs = np.empty(int(ptr[last]) - base, dtype=np.int32)
        tfs = np.empty(len(docs), dtype=tf_dtype)
        filled = ptr[first:last] - base  # where each term's next posting goes
        read = self._spill.read
        for run, (term_at, posting_at) in zip(self._runs, cuts, strict=True):
            t0, t1 = term_at[k], term_at[k + 1]
            if t1 == t0:
                continue
            p0, p1 = posting_at[k], posting_at[k + 1]
            terms = read((run.terms[0] + 4 * t0, 4 * (t1 - t0)), np.int32) - first
            sizes = read((run.counts[0] + 4 * t0, 4 * (t1 - t0)), np.int32)
            start = np.cumsum(sizes) - sizes
            place = np.repeat(filled[terms] - start, sizes) + np.arange(p1 - p0)
            docs[place] = read((run.doc[0] + 4 * p0, 4 * (p1 - p0)), np.int32)
            size = np.dtype(run.tf_dtype).itemsize
            tfs[place] = read((run.tf[0] + size * p0, size * (p1 - p0)), run.tf_dtype)
            filled[terms] += sizes
        return docs, tfs

    def _term_pieces(
        self, cuts: Sequence[tuple[list[int], list[int]]], k: int, tf_dtype: Any, size: int
    ) -> Iterator[tuple[npt.NDArray[np.int32], npt.NDArray[Any]]]:
        """Range ``k``'s one term's postings (more than a pass holds: a word in most
        paragraphs), ``size`` at a time (whole blocks but the last), in corpus order: each
        run's slice of the term, in run order."""
        read = self._spill.read
        docs, tfs, filled = np.empty(size, dtype=np.int32), np.empty(size, dtype=tf_dtype), 0
        for run, (term_at, posting_at) in zip(self._runs, cuts, strict=True):
            if term_at[k + 1] == term_at[k]:
                continue
            at, end = posting_at[k], posting_at[k + 1]
            itemsize = np.dtype(run.tf_dtype).itemsize
            while at < end:
                n = min(end - at, size - filled)
                docs[filled : filled + n] = read((run.doc[0] + 4 * at, 4 * n), np.int32)
                tfs[filled : filled + n] = read(
                    (run.tf[0] + itemsize * at, itemsize * n), run.tf_dtype
                )
                filled, at = filled + n, at + n
                if filled == size:
                    yield docs, tfs
                    docs, tfs, filled = np.empty(size, np.int32), np.empty(size, tf_dtype), 0
        if filled:
            yield docs[:filled], tfs[:filled]

    def finish(
        self,
        *,
        k1: float,
        b: float,
        idf: IdfVariant,
        like: tuple[PostingsJoin, Vocabulary] | None = None,
    ) -> BM25Index:
        """The index (its large arrays file-backed once the budget is spent); ``like``: a join
        already finished and its index's vocabulary, whose term keys are reused when it holds
        the same terms (:func:`_vocabulary_like`). Long because it is the merge's one loop:
        each range's postings are gathered, packed and bounded in turn, and its pieces
        appended to the outputs beside one another."""
        terms = len(self.vocabulary)
        frequency = self._frequency[:terms]
        ptr = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(frequency, out=ptr[1:])
        n_docs = self._lists
        # The lengths read back as narrow as they fit (a slice at a time from disk): 2 bytes a
        # paragraph, what the merge keeps in memory of the paragraphs (the bounds need them).
        doc_len = np.asarray(self._lengths.array(_smallest_uint(int(self._lengths.high or 0))))
        tf_dtype = _smallest_uint(self._max_tf)
        words = list(self.vocabulary)
        if n_docs == 0 or not (frequency > 0).all():  # a term without postings: all at once
            whole = np.asarray([0, terms], dtype=np.int64)
            cuts = [self._cuts(run, whole) for run in self._runs]
            docs, tfs = self._gather(0, terms, ptr, cuts, 0, tf_dtype)
            self.close()
            return BM25Index.from_csr(words, doc_len, ptr, docs, tfs, k1=k1, b=b, idf=idf)
        ranges = self._ranges(ptr)
        bounds = np.asarray([first for first, _ in ranges] + [terms], dtype=np.int64)
        cuts = [self._cuts(run, bounds) for run in self._runs]
        k1, b = float(k1), float(b)
        avgdl = self._total_length / n_docs  # rank-bm25: num_doc / corpus_size, ints
        out = {
            name: Column(self._budget, dtype)
            for name, dtype in (
                ("block_max", np.float64),
                ("block_last", np.int32),
                ("block_bits", np.uint8),
                ("block_offset", np.int64),
                ("postings_data", np.uint8),
            )
        }
        block_ptr = np.zeros(terms + 1, dtype=np.int64)
        max_tf_part = np.empty(terms, dtype=np.float64)
        blocks = data = 0
        chunk = max(BLOCK_SIZE, PASS_POSTINGS // BLOCK_SIZE * BLOCK_SIZE)
        for k, (first, last) in enumerate(ranges):
            if last - first == 1 and int(ptr[last] - ptr[first]) > chunk:
                pieces = self._term_pieces(cuts, k, tf_dtype, chunk)  # one term, in chunks
            else:
                pieces = iter([self._gather(first, last, ptr, cuts, k, tf_dtype)])
            max_tf_part[first:last] = -np.inf
            shift = 0  # a chunk's paragraphs are encoded less the chunk before's last + 1
            for docs, tfs in pieces:
                local = ptr[first : last + 1] - ptr[first] if last - first > 1 else None
                if local is None:
                    local = np.asarray([0, len(docs)], dtype=np.int64)
                # The first posting of a block is encoded as the gap from the block before's
                # last paragraph, -1 for a term's first: a chunk of a term (whole blocks)
                # shifted down by that last + 1 encodes to the whole term's bytes.
                encoded = packed_postings.encode(
                    local, docs - np.int32(shift) if shift else docs, tfs
                )
                local_blocks = encoded["block_ptr"]
                block_ptr[first + 1 : last + 1] = local_blocks[1:] + blocks
                offsets = encoded["block_offset"].astype(np.int64)
                out["block_offset"].append(offsets[:-1] + data)
                out["block_last"].append(encoded["block_last"] + np.int32(shift))
                out["block_bits"].append(encoded["block_bits"])
                out["postings_data"].append(encoded["postings_data"][: int(offsets[-1])])
                part_max, block_max = _bounds(local, local_blocks, docs, tfs, doc_len, k1, b, avgdl)
                np.maximum(max_tf_part[first:last], part_max, out=max_tf_part[first:last])
                out["block_max"].append(block_max)
                blocks += int(local_blocks[-1])
                data += int(offsets[-1])
                shift = int(docs[-1]) + 1
                del docs, tfs, encoded, part_max, block_max
                if self._budget.spilled:
                    release_memory()
        out["block_offset"].append(np.asarray([data], dtype=np.int64))
        out["postings_data"].append(np.zeros(packed_postings.PADDING, dtype=np.uint8))
        document_frequency = np.diff(ptr)
        idf_table = np.asarray(
            idf_values(idf, n_docs, dict(zip(words, document_frequency.tolist(), strict=True))),
            dtype=np.float64,
        )
        offset_type = np.uint32 if data <= np.iinfo(np.uint32).max else np.int64
        arrays: dict[str, Any] = {
            "doc_len": doc_len,
            "idf": idf_table,
            "postings_ptr": ptr,
            "max_tf_part": max_tf_part,
            "block_ptr": block_ptr,
            **{name: column.array() for name, column in out.items() if name != "block_offset"},
            "block_offset": out["block_offset"].array(offset_type),
            **_vocabulary_like(words, like).arrays(""),
        }
        self.close()
        meta = {
            "k1": k1,
            "b": b,
            "idf": idf,
            "avgdl": avgdl,
            "idf_ceiling": float(idf_table.max()) if len(idf_table) else 0.0,
        }
        return BM25Index.from_arrays(arrays, meta)

    def close(self) -> None:
        """Release the spill and the term table (the index keeps what it needs of them)."""
        self._spill.close()
        self._lengths.close()
        self._runs = []


def _vocabulary_like(words: list[str], like: tuple[PostingsJoin, Vocabulary] | None) -> Vocabulary:
    """``Vocabulary.from_terms(words)``, from another index's vocabulary when it holds the
    same terms (the document index's are the paragraph index's, numbered in another order):
    its sorted keys are these, shared (the saved file stores them once), and only each key's
    term id is renumbered, without hashing every term again. Exactly ``from_terms``'s
    arrays (two terms with one key, whose order would depend on the numbering: from_terms)."""
    if like is None:
        return Vocabulary.from_terms(words)
    join, other = like
    numbers = join.vocabulary
    if len(numbers) != len(words) or len(other) != len(words):
        return Vocabulary.from_terms(words)
    try:
        theirs = np.fromiter((numbers[w] for w in words), dtype=np.int64, count=len(words))
    except KeyError:
        return Vocabulary.from_terms(words)
    keys = np.asarray(other.keys)
    if len(keys) > 1 and bool((keys[1:] == keys[:-1]).any()):
        return Vocabulary.from_terms(words)
    ours = np.empty(len(words), dtype=np.int64)
    ours[theirs] = np.arange(len(words))  # their term id -> ours
    encoded = [w.encode("utf-8", "surrogatepass") for w in words]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    key_ids = ours[np.asarray(other.key_ids, dtype=np.int64)].astype(np.int32)
    return Vocabulary(blob, offsets, other.keys, key_ids)


def _bounds(
    ptr: npt.NDArray[np.int64],
    block_ptr: npt.NDArray[np.int64],
    docs: npt.NDArray[np.int32],
    tfs: npt.NDArray[Any],
    doc_len: npt.NDArray[Any],
    k1: float,
    b: float,
    avgdl: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each term's and each block's largest tf part of the weight (what pruning needs) for
    postings in CSR form, computed as :class:`~.bm25.BM25Index` computes them (the norm, then
    per posting: the same operations on the same values), a slice of terms at a time so its
    float64 temporaries stay small. Every term has postings, so each slice's reductions are
    the whole range's."""
    terms = len(ptr) - 1
    per_term = np.diff(block_ptr)
    term_max = np.empty(terms, dtype=np.float64)
    block_max = np.empty(int(block_ptr[-1]), dtype=np.float64)
    first = 0
    while first < terms:
        wanted = int(ptr[first]) + BOUND_POSTINGS
        last = min(max(int(np.searchsorted(ptr, wanted, side="right")) - 1, first + 1), terms)
        lo, hi = int(ptr[first]), int(ptr[last])
        norm = k1 * (1 - b + b * doc_len[docs[lo:hi]].astype(np.float64) / avgdl)
        q_freq = tfs[lo:hi].astype(np.float64)
        part = (q_freq * (k1 + 1)) / (q_freq + norm)
        del norm, q_freq
        term_max[first:last] = np.maximum.reduceat(part, ptr[first:last] - lo)
        b0, b1 = int(block_ptr[first]), int(block_ptr[last])
        counts = per_term[first:last]
        starts = (
            np.repeat(ptr[first:last] - lo, counts)
            + (np.arange(b0, b1) - np.repeat(block_ptr[first:last], counts)) * BLOCK_SIZE
        )
        block_max[b0:b1] = np.maximum.reduceat(part, starts)
        first = last
    return term_max, block_max
