"""The BM25 index: rank-bm25's ``BM25Okapi`` with an IDF that cannot go to zero, scored fast.

rank-bm25's Okapi IDF, ``log((N - n + 0.5) / (n + 0.5))``, is 0 for a term in exactly half the
paragraphs and negative above that, where it is replaced by ``epsilon × mean IDF``. In a small
corpus (the seed has 10 paragraphs) that decides rankings: a question word present in 5 of 10
paragraphs counts for nothing, and one in 6 of 10 may count for *more* than one in 5. We keep
rank-bm25's term-frequency formula, ``k1`` and ``b``, and replace only the IDF by the
Lucene/Anserini form ``log(1 + (N - n + 0.5) / (n + 0.5))``: positive and strictly decreasing in
``n``, so rarer words always weigh more.

``get_scores`` in rank-bm25 walks every paragraph for every query term in Python; we compute the
same numbers from per-term postings, which is what keeps a 5,000-paragraph corpus interactive.
Equality with rank-bm25's own ``get_scores`` is asserted in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25Okapi

from .errors import OptionError

FloatArray = npt.NDArray[np.float64]


class PositiveIdfBM25(BM25Okapi):  # type: ignore[misc]
    """``BM25Okapi`` whose IDF is Lucene's: always > 0 and monotone in document frequency."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        n_docs = self.corpus_size
        for word, freq in nd.items():
            self.idf[word] = math.log(1.0 + (n_docs - freq + 0.5) / (freq + 0.5))
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0


class BM25Index:
    """Scores token lists against a fixed list of tokenized paragraphs."""

    def __init__(self, corpus: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75):
        if not corpus:
            raise OptionError("A BM25 index needs at least one paragraph.")
        if not (math.isfinite(k1) and k1 >= 0):
            raise OptionError(f"k1 must be a number ≥ 0 (got {k1!r}).")
        if not (math.isfinite(b) and 0 <= b <= 1):
            raise OptionError(f"b must be between 0 and 1 (got {b!r}).")
        self.k1 = k1
        self.b = b
        self._bm25: Any = PositiveIdfBM25([list(doc) for doc in corpus], k1=k1, b=b)
        self.size: int = self._bm25.corpus_size
        doc_len = np.asarray(self._bm25.doc_len, dtype=np.float64)
        avgdl = float(self._bm25.avgdl) or 1.0  # every paragraph empty: no division by zero
        self._norm: FloatArray = k1 * (1.0 - b + b * doc_len / avgdl)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, freqs in enumerate(self._bm25.doc_freqs):
            for term, tf in freqs.items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                tfs.append(tf)
        self._postings: dict[str, tuple[npt.NDArray[np.int64], FloatArray]] = {
            term: (np.asarray(ids, dtype=np.int64), np.asarray(tfs, dtype=np.float64))
            for term, (ids, tfs) in postings.items()
        }

    @property
    def vocabulary_size(self) -> int:
        return len(self._postings)

    def idf(self, term: str) -> float:
        """IDF of a term; 0 for a term no paragraph contains."""
        return float(self._bm25.idf.get(term, 0.0))

    def scores(self, query: Sequence[str]) -> FloatArray:
        """BM25 score of every paragraph (same numbers as rank-bm25's ``get_scores``)."""
        scores: FloatArray = np.zeros(self.size, dtype=np.float64)
        for term in query:
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tf = posting
            scores[ids] += self.idf(term) * tf * (self.k1 + 1.0) / (tf + self._norm[ids])
        return scores

    def reference_scores(self, query: Sequence[str]) -> FloatArray:
        """rank-bm25's own (slow) scoring, kept to prove ``scores`` computes the same thing."""
        result: FloatArray = np.asarray(self._bm25.get_scores(list(query)), dtype=np.float64)
        return result

    def top(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best (paragraph index, score) pairs with score > 0, best first.

        Ties keep corpus order, so results are deterministic.
        """
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]
