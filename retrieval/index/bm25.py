"""The BM25 index: rank-bm25's scores, from compact arrays, with exact pruned top-k.

**Scores.** rank-bm25 defines them. A paragraph's score for a question is, summed over the
question's terms in order (repeats included),
``idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))`` — exactly the expression of
``BM25Okapi.get_scores``, evaluated here with the same float64
operations in the same order, so the numbers are bit-for-bit rank-bm25's. The IDF table is
computed by rank-bm25's own ``_calc_idf`` on the corpus's document frequencies:

* ``"lucene"`` (the default) is :class:`PositiveIdfBM25`, a ``BM25Okapi`` whose IDF is Lucene's
  ``log(1 + (N − n + 0.5)/(n + 0.5))``. rank-bm25's Okapi IDF is 0 for a term in exactly half
  the paragraphs and floored at ``epsilon × mean IDF`` above that, which in a small corpus (the
  seed has 10 paragraphs) lets a common question word count for nothing, or for more than a
  rarer one. Lucene's IDF is positive and strictly decreasing in document frequency.
* ``"okapi"`` is plain ``BM25Okapi``, epsilon floor and all.

**Storage.** rank-bm25 keeps a dict per paragraph (about 1.6 GB at a million paragraphs) and
walks all of them for every question term. Here the index is a handful of flat arrays, which is
also what makes it cheap to save and to memory-map (see :mod:`retrieval.persist`):
``postings_ptr[t]:postings_ptr[t+1]`` are term ``t``'s postings (paragraph numbers, ascending,
and term frequencies), compressed in blocks of 64 (:mod:`.postings`: gaps and frequencies
bit-packed at each block's widths, about 1.6 bytes a posting at a million paragraphs where
plain int32 + uint8 took 5); then ``doc_len``, the IDF and the largest term-frequency part of
each term's weight (its bound) and of each block's, and the vocabulary (:class:`Vocabulary`).

**Top-k** is MaxScore (Turtle & Flood), compiled (``_topk.c``): terms sorted by the most they
can add; once the k-th best score is out of reach of the weakest terms together, paragraphs
holding only those are never scored, and the strong terms' lists drive the walk. The result is
always the exact top-k of rank-bm25's scores, ties broken by paragraph order. Without a C
compiler the package still installs, and numpy scores every paragraph holding a question term.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from ..caches import method_cache
from ..errors import IndexDamagedError, OptionError
from . import postings as packed_postings
from .arrays import is_view, kind, largest, searchsorted
from .postings import BLOCK_SIZE
from .store import UNCHECKED, Checker

if TYPE_CHECKING:  # numpy is imported where an index is built or scored without _topk
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

try:  # the compiled inner loop (setup.py); numpy does the same work when it is missing
    from . import _topk
except ImportError:  # pragma: no cover - exercised by forcing the fallback in the tests
    _topk = None  # type: ignore[assignment]

IdfVariant = Literal["lucene", "okapi"]
IDF_VARIANTS: tuple[IdfVariant, ...] = ("lucene", "okapi")
EPSILON = 0.25
"""rank-bm25's default epsilon (the Okapi IDF floor, as a share of the mean IDF)."""


@lru_cache(maxsize=1)
def _rank_bm25_classes() -> dict[IdfVariant, Any]:
    """rank-bm25's ``BM25Okapi`` and :class:`PositiveIdfBM25`, imported on first use: only
    building (and the tests) need them, and rank-bm25 imports multiprocessing, which would cost
    a one-shot question's start-up."""
    from rank_bm25 import BM25Okapi

    class PositiveIdfBM25(BM25Okapi):  # type: ignore[misc]
        """``BM25Okapi`` whose IDF is Lucene's: always > 0 and monotone in document frequency."""

        def _calc_idf(self, nd: dict[str, int]) -> None:
            n_docs = self.corpus_size
            for word, freq in nd.items():
                self.idf[word] = math.log(1.0 + (n_docs - freq + 0.5) / (freq + 0.5))
            self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0

    return {"lucene": PositiveIdfBM25, "okapi": BM25Okapi}


def __getattr__(name: str) -> Any:
    """``PositiveIdfBM25`` and ``BM25Okapi``, made when first asked for (see above); the
    array type aliases, made (and kept) when first asked for, so that importing this module
    does not import numpy."""
    if name in {"PositiveIdfBM25", "BM25Okapi"}:
        return _rank_bm25_classes()["lucene" if name == "PositiveIdfBM25" else "okapi"]
    if name in {"FloatArray", "IntArray"}:
        import numpy as np
        import numpy.typing as npt

        globals().update(FloatArray=npt.NDArray[np.float64], IntArray=npt.NDArray[np.int64])
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def rank_bm25_model(
    corpus: Sequence[Sequence[str]], *, k1: float, b: float, idf: IdfVariant = "lucene"
) -> Any:
    """rank-bm25 itself over ``corpus``: the reference every test and benchmark compares to."""
    model_class = _rank_bm25_classes()[idf]
    return model_class([list(doc) for doc in corpus], k1=k1, b=b, epsilon=EPSILON)


def idf_values(
    variant: IdfVariant, n_docs: int, document_frequency: Mapping[str, int]
) -> list[float]:
    """The IDF of every term, computed by rank-bm25's own ``_calc_idf``.

    ``document_frequency`` must be in the order rank-bm25 would meet the terms (first occurrence
    in the corpus), since the Okapi floor depends on a float sum taken in that order.
    """
    model_class = _rank_bm25_classes()[variant]
    model: Any = model_class.__new__(model_class)
    model.corpus_size = n_docs
    model.idf = {}
    model.epsilon = EPSILON
    model.average_idf = 0.0
    if document_frequency:
        model._calc_idf(dict(document_frequency))
    return [float(model.idf[term]) for term in document_frequency]


def term_key(term: str) -> int:
    """A stable 64-bit key for a term (Python's own ``hash`` changes between processes)."""
    digest = hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Vocabulary:
    """Term ↔ id without a Python dict: a sorted table of 64-bit term keys plus the terms' UTF-8
    bytes, so a saved index opens without building half a million strings."""

    def __init__(
        self,
        blob: npt.NDArray[np.uint8],
        offsets: IntArray,
        keys: npt.NDArray[np.uint64],
        key_ids: npt.NDArray[np.int32],
    ) -> None:
        self.blob = blob
        self.offsets = offsets
        self.keys = keys
        self.key_ids = key_ids
        # A question's terms are looked up several times (search, re-rank, compose), and
        # questions repeat words: remember recent lookups.
        self.id: Callable[[str], int | None] = method_cache(self._lookup, 65_536)

    @classmethod
    def from_terms(cls, terms: Sequence[str]) -> Vocabulary:
        import numpy as np

        encoded = [term.encode("utf-8", "surrogatepass") for term in terms]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        keys = np.fromiter((term_key(t) for t in terms), dtype=np.uint64, count=len(terms))
        order = np.argsort(keys, kind="stable")
        return cls(blob, offsets, keys[order], order.astype(np.int32))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def term(self, term_id: int) -> str:
        start, end = int(self.offsets[term_id]), int(self.offsets[term_id + 1])
        if not 0 <= start <= end <= len(self.blob):  # what check() verifies of a numpy index
            raise IndexDamagedError("The saved index is damaged (a term points outside).")
        return bytes(self.blob[start:end]).decode("utf-8", "surrogatepass")

    def has_key(self, term: str) -> bool:
        """Whether some term has ``term``'s key (its id may still be another term's)."""
        key = self._key(term)
        i = self._search(key)
        return i < len(self.keys) and bool(self.keys[i] == key)

    def with_keys(self, terms: Iterable[str]) -> list[str]:
        """Those of ``terms`` for which :meth:`has_key` holds, in one pass (a spelling
        variant's few hundred candidates on a vocabulary too large to hold as a set)."""
        keys = self.keys
        if not is_view(keys):
            return [t for t in terms if self.has_key(t)]
        terms = list(terms)
        if len(terms) > 32 and "numpy" in sys.modules:  # a process that has numpy already
            return self._with_keys_numpy(terms)  # (not worth importing it for this)
        size, find = len(keys), bisect.bisect_left
        found = []
        for term in terms:
            key = term_key(term)
            i = find(keys, key)
            if i < size and keys[i] == key:
                found.append(term)
        return found

    def _with_keys_numpy(self, terms: list[str]) -> list[str]:
        """:meth:`with_keys` as one vectorised binary search (about 20× faster for the few
        hundred candidates of a spelling variant, once numpy is loaded)."""
        import numpy as np

        table = np.frombuffer(self.keys, dtype=np.uint64)
        # term_key's digests, read as little-endian integers in one pass (no int per term)
        blake2b = hashlib.blake2b
        digests = b"".join(
            [blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8).digest() for t in terms]
        )
        keys = np.frombuffer(digests, dtype="<u8").astype(np.uint64)
        at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        hit = (table[at] == keys).tolist() if len(table) else [False] * len(terms)
        return [t for t, h in zip(terms, hit, strict=True) if h]

    def _key(self, term: str) -> Any:
        """The term's key as the table's elements compare: an int for a memoryview, a
        ``numpy.uint64`` for a numpy array."""
        key = term_key(term)
        return key if is_view(self.keys) else self.keys.dtype.type(key)

    def _search(self, key: Any) -> int:
        if is_view(self.keys):
            return searchsorted(self.keys, key)
        import numpy as np

        return int(np.searchsorted(self.keys, key))

    def _lookup(self, term: str) -> int | None:
        """The term's id, or None for a term no paragraph contains."""
        key = self._key(term)
        i = self._search(key)
        while i < len(self.keys) and self.keys[i] == key:
            term_id = int(self.key_ids[i])
            if not 0 <= term_id < len(self):  # what check() verifies of a numpy index
                raise IndexDamagedError("The saved index is damaged (the term table).")
            if self.term(term_id) == term:
                return term_id
            i += 1
        return None

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        return {
            f"{prefix}vocab_blob": self.blob,
            f"{prefix}vocab_offsets": self.offsets,
            f"{prefix}vocab_keys": self.keys,
            f"{prefix}vocab_key_ids": self.key_ids,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]], prefix: str) -> Vocabulary:
        return cls(
            arrays[f"{prefix}vocab_blob"],
            arrays[f"{prefix}vocab_offsets"],
            arrays[f"{prefix}vocab_keys"],
            arrays[f"{prefix}vocab_key_ids"],
        )


def _check_options(k1: float, b: float, idf: str) -> None:
    if not (isinstance(k1, int | float) and math.isfinite(k1) and k1 >= 0):
        raise OptionError(f"k1 must be a number ≥ 0 (got {k1!r}).")
    if not (isinstance(b, int | float) and math.isfinite(b) and 0 <= b <= 1):
        raise OptionError(f"b must be between 0 and 1 (got {b!r}).")
    if idf not in IDF_VARIANTS:
        raise OptionError(f"idf must be one of {', '.join(IDF_VARIANTS)} (got {idf!r}).")


_TF_PART_SLICE = 1 << 21
"""Postings whose bounds are computed at a time when an index is built (see
:meth:`BM25Index._init_from_csr`)."""


def _smallest_uint(maximum: int) -> type[np.unsignedinteger[Any]]:
    import numpy as np

    for dtype in (np.uint8, np.uint16, np.uint32):
        if maximum <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


K1 = 1.5
"""BM25's term-frequency saturation: rank-bm25's default, and citebot's (written once here)."""
B = 0.85
"""BM25's length normalisation: citebot's default (rank-bm25's is 0.75; 0.85 is the lever "+ b =
0.85" kept in docs/quality.md). Every default of b reads this one."""


class BM25Index:
    """Scores analysed questions against a fixed set of analysed paragraphs."""

    POSTINGS_ARRAYS = ("postings_data", "block_last", "block_offset", "block_bits", "block_max")
    """Read term by term: a saved index verifies a term's slices of them when it is first
    searched (:meth:`_term_ids`), with :data:`TERM_ARRAYS`; every other array is small and
    verified when it is opened."""
    TERM_ARRAYS = ("postings_ptr", "block_ptr", "max_tf_part")
    """One entry per term, read only for the question's terms: verified with their postings."""
    _checks: Checker = UNCHECKED
    _verified_terms: set[int]

    def __init__(
        self,
        corpus: Iterable[Sequence[str]],
        *,
        k1: float = K1,
        b: float = B,
        idf: IdfVariant = "lucene",
    ) -> None:
        """Index token lists (one per paragraph), for small corpora and tests; the builder in
        :mod:`retrieval.build` assembles large ones and calls :meth:`from_csr`."""
        import numpy as np

        _check_options(k1, b, idf)
        # Terms in order of first occurrence (the order rank-bm25 meets them, which its IDF
        # floor depends on); each term's paragraphs in corpus order.
        postings: dict[str, tuple[list[int], list[int]]] = {}
        doc_len: list[int] = []
        for doc_id, tokens in enumerate(corpus):
            doc_len.append(len(tokens))
            for term, tf in Counter(tokens).items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(doc_id)
                tfs.append(tf)
        ptr = np.zeros(len(postings) + 1, dtype=np.int64)
        np.cumsum([len(docs) for docs, _ in postings.values()], out=ptr[1:])
        self._init_from_csr(
            list(postings),
            np.asarray(doc_len, dtype=np.int64),
            ptr,
            np.asarray([d for docs, _ in postings.values() for d in docs], dtype=np.int32),
            np.asarray([f for _, tfs in postings.values() for f in tfs], dtype=np.int64),
            k1=k1,
            b=b,
            idf=idf,
        )

    @classmethod
    def from_csr(
        cls,
        terms: Sequence[str],
        doc_len: npt.NDArray[np.integer[Any]],
        ptr: IntArray,
        postings_doc: npt.NDArray[np.int32],
        postings_tf: npt.NDArray[np.integer[Any]],
        *,
        k1: float = K1,
        b: float = B,
        idf: IdfVariant = "lucene",
    ) -> BM25Index:
        """Build from postings already grouped by term (``ptr``), paragraph order inside each
        term — what the parallel builder assembles without sorting 30 million postings."""
        _check_options(k1, b, idf)
        index = cls.__new__(cls)
        index._init_from_csr(terms, doc_len, ptr, postings_doc, postings_tf, k1=k1, b=b, idf=idf)
        return index

    def _init_from_csr(
        self,
        terms: Sequence[str],
        doc_len: npt.NDArray[np.integer[Any]],
        ptr: IntArray,
        postings_doc: npt.NDArray[np.int32],
        tf: npt.NDArray[np.integer[Any]],
        *,
        k1: float,
        b: float,
        idf: IdfVariant,
    ) -> None:
        """Set every array the scorer reads from postings in CSR form (``ptr`` per term).

        Long because each array's dtype and the rank-bm25 arithmetic it mirrors are set in one
        place, in the order rank-bm25 computes them, so the exactness argument reads top-down."""
        import numpy as np

        if len(doc_len) == 0:
            raise OptionError("A BM25 index needs at least one paragraph.")
        n_docs = len(doc_len)
        document_frequency = np.diff(ptr)
        idf_table = np.asarray(
            idf_values(idf, n_docs, dict(zip(terms, document_frequency.tolist(), strict=True))),
            dtype=np.float64,
        )
        postings_tf = tf.astype(_smallest_uint(int(tf.max()) if len(tf) else 0), copy=False)
        lengths = np.asarray(doc_len, dtype=np.int64)
        avgdl = int(lengths.sum()) / n_docs  # rank-bm25: num_doc / corpus_size, ints
        self.k1 = float(k1)
        self.b = float(b)
        self.idf_variant: IdfVariant = idf
        self.avgdl = avgdl
        self.doc_len = lengths.astype(_smallest_uint(int(lengths.max())))
        self.idf_table = idf_table
        self.idf_ceiling = float(idf_table.max()) if len(idf_table) else 0.0
        """The highest IDF of any term (saved in the header: a pass over a saved index's
        terms in Python would cost a one-shot question milliseconds)."""
        self.postings_ptr = ptr
        self.vocabulary = Vocabulary.from_terms(terms)
        self._set_postings(packed_postings.encode(ptr, postings_doc, postings_tf))
        # The bounds pruning needs: each term's and each block's best tf part of the weight,
        # computed as rank-bm25 computes it (the per-paragraph norm once, then per posting).
        with np.errstate(invalid="ignore", divide="ignore"):  # avgdl 0: no postings either
            norm = self.k1 * (1 - self.b + self.b * lengths.astype(np.float64) / self.avgdl)
        blocks = -(-document_frequency // BLOCK_SIZE)
        block_number = np.arange(int(self.block_ptr[-1]), dtype=np.int64)
        starts = (
            np.repeat(ptr[:-1], blocks)
            + (block_number - np.repeat(self.block_ptr[:-1], blocks)) * BLOCK_SIZE
        )
        del block_number

        def tf_part(lo: int, hi: int) -> FloatArray:
            q_freq = postings_tf[lo:hi].astype(np.float64)
            return (q_freq * (self.k1 + 1)) / (q_freq + norm[postings_doc[lo:hi]])

        if len(postings_doc) <= _TF_PART_SLICE or not (document_frequency > 0).all():
            whole = tf_part(0, len(postings_doc))
            self.max_tf_part = np.maximum.reduceat(whole, ptr[:-1]) if len(whole) else whole
            self.block_max = np.maximum.reduceat(whole, starts) if len(starts) else whole[:0]
            return
        # A slice of terms at a time (every term has postings, so each slice's reductions are
        # the whole array's): the same numbers, without float64 temporaries the size of all
        # the postings (1.4 GB at a million paragraphs).
        self.max_tf_part = np.empty(len(terms), dtype=np.float64)
        self.block_max = np.empty(len(starts), dtype=np.float64)
        first = 0
        while first < len(terms):
            wanted = int(ptr[first]) + _TF_PART_SLICE
            last = min(
                max(int(np.searchsorted(ptr, wanted, side="right")) - 1, first + 1), len(terms)
            )
            lo, hi = int(ptr[first]), int(ptr[last])
            part = tf_part(lo, hi)
            self.max_tf_part[first:last] = np.maximum.reduceat(part, ptr[first:last] - lo)
            b0, b1 = int(self.block_ptr[first]), int(self.block_ptr[last])
            self.block_max[b0:b1] = np.maximum.reduceat(part, starts[b0:b1] - lo)
            first = last

    def _set_postings(self, arrays: Mapping[str, Any]) -> None:
        """The compressed postings (:mod:`.postings`), and the compiled loops' view of them."""
        self.block_ptr = arrays["block_ptr"]
        self.block_last = arrays["block_last"]
        self.block_offset = arrays["block_offset"]
        self.block_bits = arrays["block_bits"]
        self.postings_data = arrays["postings_data"]
        self._postings_args = (
            self.postings_ptr,
            self.block_ptr,
            self.block_last,
            self.block_offset,
            self.block_offset.itemsize,
            self.block_bits,
            self.postings_data,
            BLOCK_SIZE,
        )

    def postings(self, term_id: int) -> tuple[IntArray, IntArray]:
        """Term ``term_id``'s paragraphs (ascending) and term frequencies, decoded whole, as
        numpy arrays (the numpy paths' view of a term; the compiled loops decode blocks)."""
        import numpy as np

        if _topk is None:
            return packed_postings.decode(self._arrays_by_name(), term_id)
        count = int(self.postings_ptr[term_id + 1]) - int(self.postings_ptr[term_id])
        docs = np.empty(max(count, 0), dtype=np.int32)
        tfs = np.empty(max(count, 0), dtype=np.uint32)
        if _topk.decode_term(*self._postings_args, term_id, docs, tfs) != count:
            raise IndexDamagedError("The saved index is damaged (a term's postings).")
        return docs.astype(np.int64), tfs.astype(np.int64)

    def _arrays_by_name(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (
            "postings_ptr", "block_ptr", "block_last", "block_offset", "block_bits",
            "postings_data",
        )}  # fmt: skip

    def term_sums(self, term_id: int, ranges: Sequence[tuple[int, int]]) -> list[int]:
        """For each ``[lo, hi)`` of ``ranges``, the sum of term ``term_id``'s frequencies in
        those paragraphs (a paragraph's own tf for ``(d, d + 1)``): only the blocks that overlap
        a range are decoded (compiled), or the whole list (numpy)."""
        if _topk is not None:
            lows = array("q", [lo for lo, _ in ranges])
            highs = array("q", [hi for _, hi in ranges])
            out = array("q", bytes(8 * len(ranges)))
            if _topk.term_sums(*self._postings_args, term_id, lows, highs, out) != 0:
                raise IndexDamagedError("The saved index is damaged (a term's postings).")
            return out.tolist()
        import numpy as np

        docs, tfs = self.postings(term_id)
        cumulative = np.concatenate(([0], np.cumsum(tfs)))
        lows = np.searchsorted(docs, [lo for lo, _ in ranges])
        highs = np.searchsorted(docs, [hi for _, hi in ranges])
        sums: list[int] = (cumulative[highs] - cumulative[lows]).tolist()
        return sums

    # -- saving and loading -------------------------------------------------------------------

    def arrays(self, prefix: str = "") -> dict[str, npt.NDArray[Any]]:
        """Everything the index is made of, for :mod:`retrieval.persist`."""
        return {
            f"{prefix}doc_len": self.doc_len,
            f"{prefix}idf": self.idf_table,
            f"{prefix}postings_ptr": self.postings_ptr,
            f"{prefix}max_tf_part": self.max_tf_part,
            f"{prefix}block_ptr": self.block_ptr,
            f"{prefix}block_max": self.block_max,
            f"{prefix}block_last": self.block_last,
            f"{prefix}block_offset": self.block_offset,
            f"{prefix}block_bits": self.block_bits,
            f"{prefix}postings_data": self.postings_data,
            **self.vocabulary.arrays(prefix),
        }

    def meta(self) -> dict[str, Any]:
        return {
            "k1": self.k1,
            "b": self.b,
            "idf": self.idf_variant,
            "avgdl": self.avgdl,
            "idf_ceiling": self.idf_ceiling,
        }

    def check(self) -> None:
        """Raise ValueError unless the arrays fit together (types, lengths, pointers): what a
        saved index must pass before it is used. Over numpy arrays it costs O(terms), never a
        pass over postings. Over a saved index's memoryviews (:mod:`.arrays`) it costs O(1):
        each term's pointers are checked where they are first read instead
        (:meth:`_verify_term`, :meth:`Vocabulary.term`, :meth:`Vocabulary.id`), since a
        one-shot question must not walk half a million terms in Python. The compiled loop
        bounds-checks the postings it reads."""
        vocabulary = self.vocabulary
        n_terms = len(self.idf_table)
        expected: dict[str, tuple[Any, tuple[str, int], int | None]] = {
            "postings_ptr": (self.postings_ptr, ("i", 8), n_terms + 1),
            "idf": (self.idf_table, ("f", 8), n_terms),
            "max_tf_part": (self.max_tf_part, ("f", 8), n_terms),
            "block_ptr": (self.block_ptr, ("i", 8), n_terms + 1),
            "block_max": (self.block_max, ("f", 8), None),
            "block_last": (self.block_last, ("i", 4), len(self.block_max)),
            "block_bits": (self.block_bits, ("u", 1), 2 * len(self.block_max)),
            "postings_data": (self.postings_data, ("u", 1), None),
            "vocab_offsets": (vocabulary.offsets, ("i", 8), n_terms + 1),
            "vocab_keys": (vocabulary.keys, ("u", 8), n_terms),
            "vocab_key_ids": (vocabulary.key_ids, ("i", 4), n_terms),
        }
        for name, (values, wanted, length) in expected.items():
            if kind(values) != wanted or values.ndim != 1:
                raise ValueError(f"{name} has type {kind(values)}{values.shape}")
            if length is not None and len(values) != length:
                raise ValueError(f"{name} has {len(values)} entries, not {length}")
        if kind(self.doc_len)[0] != "u" or self.doc_len.ndim != 1:
            raise ValueError(f"doc_len has type {kind(self.doc_len)}{self.doc_len.shape}")
        if kind(self.block_offset) not in {("u", 4), ("i", 8)} or self.block_offset.ndim != 1:
            raise ValueError(f"block_offset has type {kind(self.block_offset)}")
        ptr, offsets = self.postings_ptr, self.block_offset
        if len(self.doc_len) == 0 or ptr[0] != 0:
            raise ValueError("postings_ptr is not a list of offsets")
        if len(offsets) != len(self.block_max) + 1 or offsets[0] != 0:
            raise ValueError("block_offset does not fit the blocks")
        if offsets[-1] + packed_postings.PADDING != len(self.postings_data):
            raise ValueError("postings_data does not fit the blocks")
        # Each term's pointers are checked where the term is first searched (_verify_term):
        # a pass over them here would make opening O(terms).
        if self.block_ptr[0] != 0:
            raise ValueError("block_ptr does not match the postings")
        if self.block_ptr[-1] != len(self.block_max):
            raise ValueError("block_max has the wrong length")
        offsets = vocabulary.offsets
        if offsets[0] != 0 or offsets[-1] != len(vocabulary.blob):
            raise ValueError("the vocabulary's offsets do not fit its text")
        if not is_view(ptr):
            self._check_every_term()

    def _check_every_term(self) -> None:
        """The O(terms) half of :meth:`check`, over numpy arrays."""
        import numpy as np

        vocabulary = self.vocabulary
        n_terms = len(self.idf_table)
        if np.any(np.diff(vocabulary.offsets) < 0):
            raise ValueError("the vocabulary's offsets do not fit its text")
        if n_terms and (vocabulary.key_ids.min() < 0 or vocabulary.key_ids.max() >= n_terms):
            raise ValueError("the vocabulary's table points outside it")

    @classmethod
    def from_arrays(
        cls,
        arrays: Mapping[str, npt.NDArray[Any]],
        meta: Mapping[str, Any],
        prefix: str = "",
        *,
        checks: Checker = UNCHECKED,
    ) -> BM25Index:
        """The index over saved arrays; ``checks`` verifies each term's postings on first use."""
        index = cls.__new__(cls)
        index._checks = checks
        index._verified_terms = set()
        index.k1 = float(meta["k1"])
        index.b = float(meta["b"])
        index.idf_variant = meta["idf"]
        index.avgdl = float(meta["avgdl"])
        index.doc_len = arrays[f"{prefix}doc_len"]
        index.idf_table = arrays[f"{prefix}idf"]
        index.postings_ptr = arrays[f"{prefix}postings_ptr"]
        index.max_tf_part = arrays[f"{prefix}max_tf_part"]
        index.block_max = arrays[f"{prefix}block_max"]
        index._set_postings(
            {
                name: arrays[prefix + name]
                for name in (
                    "block_ptr",
                    "block_last",
                    "block_offset",
                    "block_bits",
                    "postings_data",
                )
            }
        )
        index.vocabulary = Vocabulary.from_arrays(arrays, prefix)
        _check_options(index.k1, index.b, index.idf_variant)
        index.idf_ceiling = index._saved_ceiling(meta.get("idf_ceiling"))
        index.check()
        return index

    def _saved_ceiling(self, saved: Any) -> float:
        """The header's highest IDF, checked to be one of the table's (its bytes at an
        element's place: a memcmp-speed search); that no term's is higher is checked as each
        term is first searched (:meth:`_verify_term`), or here over numpy arrays."""
        if not len(self.idf_table):
            return 0.0
        if saved is None:  # not in the header
            return float(largest(self.idf_table))
        ceiling = float(saved)
        raw, needle = self.idf_table.tobytes(), struct.pack("<d", ceiling)
        at = raw.find(needle)
        while at % 8 and at != -1:
            at = raw.find(needle, at + 1)
        if at == -1 or (not is_view(self.idf_table) and ceiling != float(largest(self.idf_table))):
            raise ValueError(f"idf_ceiling {ceiling} is not the highest IDF")
        return ceiling

    # -- scoring ------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.doc_len)

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocabulary)

    @property
    def postings_count(self) -> int:
        return int(self.postings_ptr[-1])

    def idf(self, term: str) -> float:
        """IDF of a term; 0 for a term no paragraph contains."""
        term_id = self.vocabulary.id(term)
        return 0.0 if term_id is None else float(self.idf_table[term_id])

    def _tf_part(self, tf: npt.NDArray[Any], doc_len: npt.NDArray[Any]) -> FloatArray:
        """``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))``, as rank-bm25 computes it."""
        import numpy as np

        q_freq = tf.astype(np.float64)
        lengths = doc_len.astype(np.float64)
        result: FloatArray = (q_freq * (self.k1 + 1)) / (
            q_freq + self.k1 * (1 - self.b + self.b * lengths / self.avgdl)
        )
        return result

    def _term_ids(self, query: Sequence[str]) -> list[int | None]:
        """The terms' ids, each term's postings verified on its first search (saved index)."""
        cache: dict[str, int | None] = {}
        ids = []
        for term in query:
            if term not in cache:
                term_id = cache[term] = self.vocabulary.id(term)
                if term_id is not None and self._checks is not UNCHECKED:
                    self._verify_term(term_id)
            ids.append(cache[term])
        return ids

    def _verify_term(self, term_id: int) -> None:
        if term_id in self._verified_terms:
            return
        self._checks.items(("postings_ptr", "block_ptr"), term_id, term_id + 2)
        self._checks.items(("max_tf_part",), term_id, term_id + 1)
        start, end = int(self.postings_ptr[term_id]), int(self.postings_ptr[term_id + 1])
        b0, b1 = int(self.block_ptr[term_id]), int(self.block_ptr[term_id + 1])
        if not (
            0 <= start <= end
            and 0 <= b0 <= b1 <= len(self.block_max)
            and b1 - b0 == -(-(end - start) // BLOCK_SIZE)
        ):
            raise IndexDamagedError("The saved index is damaged (a term's pointers).")
        if self.idf_table[term_id] > self.idf_ceiling:
            raise IndexDamagedError("The saved index is damaged (a term's IDF).")
        self._checks.items(("block_max", "block_last"), b0, b1)
        self._checks.items(("block_bits",), 2 * b0, 2 * b1)
        self._checks.items(("block_offset",), b0, b1 + 1)
        lo, hi = int(self.block_offset[b0]), int(self.block_offset[b1])
        if not 0 <= lo <= hi <= len(self.postings_data) - packed_postings.PADDING:
            raise IndexDamagedError("The saved index is damaged (a term's pointers).")
        # The padding a block's last value may read past its end (masked off, but read).
        self._checks.items(("postings_data",), lo, hi + packed_postings.PADDING)
        if b1 > b0 and (self.block_last[b1 - 1] >= len(self.doc_len) or self.block_last[b0] < 0):
            raise IndexDamagedError("The saved index is damaged (a posting points outside).")
        self._verified_terms.add(term_id)

    def _exact(self, term_ids: Sequence[int | None], docs: IntArray) -> FloatArray:
        """rank-bm25's score of each paragraph in ``docs``, with its float operations in its
        order: question terms in turn, repeats included, so ties and sums agree to the bit."""
        import numpy as np

        scores: FloatArray = np.zeros(len(docs), dtype=np.float64)
        if not len(docs):
            return scores
        lengths = np.asarray(self.doc_len)[docs]
        weights: dict[int, FloatArray] = {}
        for term_id in term_ids:
            if term_id is None:
                continue
            weight = weights.get(term_id)
            if weight is None:
                posting_docs, postings_tf = self.postings(term_id)
                where = np.searchsorted(posting_docs, docs)
                inside = where < len(posting_docs)
                found = np.zeros(len(docs), dtype=bool)
                found[inside] = posting_docs[where[inside]] == docs[inside]
                # Only where the term occurs: rank-bm25 adds idf·0 = 0 elsewhere (or NaN when
                # k1 = 0, a degenerate setting nobody should have to inherit).
                weight = np.zeros(len(docs), dtype=np.float64)
                weight[found] = float(self.idf_table[term_id]) * self._tf_part(
                    postings_tf[where[found]], lengths[found]
                )
                weights[term_id] = weight
            scores += weight
        return scores

    def _exact_few(
        self, term_ids: Sequence[int | None], docs: Sequence[int], *, compiled: bool = True
    ) -> list[float]:
        """:meth:`_exact` in plain Python, for a few paragraphs of a saved index (the
        reranker's twenty): each posting found by binary search, the same float64 operations
        in the same order (numpy's are IEEE's, as Python's are), so the same numbers to the
        bit, without importing numpy. In one compiled call when ``_topk`` has ``score_few``
        (``compiled=False`` forces Python, for the tests)."""
        score_few = getattr(_topk, "score_few", None) if compiled else None
        if score_few is not None and docs:
            out = array("d", bytes(8 * len(docs)))
            found = score_few(
                *self._postings_args,
                self.doc_len,
                self.doc_len.itemsize,
                self.idf_table,
                array("q", [-1 if t is None else t for t in term_ids]),
                array("q", docs),
                self.k1,
                self.b,
                self.avgdl,
                out,
            )
            if found == -3:
                raise IndexDamagedError("The saved index is damaged (a term's postings).")
            if found == 0:
                return out.tolist()
            # -1: arguments that do not fit (a paragraph out of range): Python says which
        scores = [0.0] * len(docs)
        k1, b, avgdl = self.k1, self.b, self.avgdl
        norms = [k1 * (1 - b + b * float(self.doc_len[d]) / avgdl) for d in docs]
        singles = [(d, d + 1) for d in docs]
        weights: dict[int, list[float]] = {}
        for term_id in term_ids:
            if term_id is None:
                continue
            weight = weights.get(term_id)
            if weight is None:
                idf = float(self.idf_table[term_id])
                weight = [0.0] * len(docs)
                for j, tf in enumerate(self.term_sums(term_id, singles)):
                    if tf:
                        q_freq = float(tf)
                        weight[j] = idf * ((q_freq * (k1 + 1)) / (q_freq + norms[j]))
                weights[term_id] = weight
            scores = [s + w for s, w in zip(scores, weight, strict=True)]
        return scores

    def score_of(self, query: Sequence[str], docs: Sequence[int]) -> Sequence[float]:
        """The scores of just these paragraphs (ascending numbers), as ``scores`` gives them."""
        term_ids = self._term_ids(query)
        if is_view(self.postings_ptr):
            return self._exact_few(term_ids, [int(d) for d in docs])
        import numpy as np

        scores: list[float] = self._exact(term_ids, np.asarray(docs, dtype=np.int64)).tolist()
        return scores

    def scores(self, query: Sequence[str]) -> FloatArray:
        """BM25 score of every paragraph (the numbers of rank-bm25's ``get_scores``)."""
        import numpy as np

        scores: FloatArray = np.zeros(self.size, dtype=np.float64)
        doc_len = np.asarray(self.doc_len)
        for term_id in self._term_ids(query):
            if term_id is None:
                continue
            docs, tfs = self.postings(term_id)
            tf_part = self._tf_part(tfs, doc_len[docs])
            scores[docs] += float(self.idf_table[term_id]) * tf_part
        return scores

    def top(
        self, query: Sequence[str], k: int, *, compiled: bool = True
    ) -> list[tuple[int, float]]:
        """The ``k`` best (paragraph number, score) pairs with score > 0, best first; ties in
        paragraph order. Exactly the top of ``scores(query)``, found without scoring every
        paragraph: MaxScore in C (``_topk.c``) when it was built, else the threshold algorithm
        in numpy (module docstring). ``compiled=False`` forces numpy, for the tests."""
        if k <= 0:
            return []
        term_ids = self._term_ids(query)
        if compiled and _topk is not None:
            known = array("q", [t for t in term_ids if t is not None])
            if not len(known):
                return []
            out_docs = array("q", bytes(8 * k))
            out_scores = array("d", bytes(8 * k))
            found = _topk.top_k(
                *self._postings_args,
                self.doc_len,
                self.doc_len.itemsize,
                self.idf_table,
                self.max_tf_part,
                self.block_max,
                known,
                k,
                self.k1,
                self.b,
                self.avgdl,
                out_docs,
                out_scores,
            )
            if found >= 0:
                return [(out_docs[i], out_scores[i]) for i in range(found)]
            if found == -3:
                raise IndexDamagedError("The saved index is damaged (a posting points outside).")
        return self._top_numpy(term_ids, k)

    def _top_numpy(self, term_ids: Sequence[int | None], k: int) -> list[tuple[int, float]]:
        """Score every paragraph holding a question term, then sort: exact, and fast enough
        for small corpora; large ones want the compiled loop."""
        import numpy as np

        known = [t for t in term_ids if t is not None]
        if not known:
            return []
        lists = [self.postings(t)[0] for t in set(known)]
        docs = np.unique(np.concatenate(lists)).astype(np.int64)
        scores = self._exact(known, docs)
        keep = scores > 0
        docs, scores = docs[keep], scores[keep]
        # docs are ascending, so a stable sort on -score breaks ties in paragraph order.
        best = np.argsort(-scores, kind="stable")[:k]
        return [(int(docs[i]), float(scores[i])) for i in best]
