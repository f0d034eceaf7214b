"""Each paragraph's sentences and their terms, analysed once at build and kept as arrays.

Re-ranking and composing look at the sentences of the ~20 best candidates of every question.
Splitting and stemming them again per question cost most of an answer at 100,000 paragraphs
(a real vocabulary defeats the tokenizer's caches), so the build stores, per paragraph, its
sentence spans and each sentence's terms as ids into the paragraph index's vocabulary; an answer
then reads a few hundred integers per candidate, memory-mapped like the postings.

Layout (``P`` paragraphs, ``S`` sentences, ``T`` terms in all sentences):

* ``sentence_ptr`` (int64, P+1): paragraph ``i``'s sentences are ``sentence_ptr[i]:[i+1]``;
* ``sentence_start``/``sentence_end`` (int32, S): offsets into the paragraph's text;
* ``token_ptr`` (int64, S+1): sentence ``s``'s terms are ``tokens[token_ptr[s]:[s+1]]``;
* ``tokens`` (int32, T): term ids, in order, repeats kept.

A sentence's terms are exactly ``analyze(paragraph_text[start:end])``, and a paragraph's are its
sentences' end to end — the same terms the index counted for its words (no sentence boundary
falls inside a word).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

SENTENCE_ARRAYS = ("sentence_ptr", "sentence_start", "sentence_end", "token_ptr", "tokens")


@dataclass(slots=True)
class SentenceColumns:
    """The sentence arrays of a run of paragraphs while they are being analysed (part-local
    term ids, renumbered when parts are joined)."""

    counts: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)

    def add(self, spans: Sequence[tuple[int, int]], terms: Sequence[Sequence[int]]) -> None:
        """One paragraph: its sentence spans and each sentence's term ids."""
        self.counts.append(len(spans))
        for (start, end), ids in zip(spans, terms, strict=True):
            self.starts.append(start)
            self.ends.append(end)
            self.lengths.append(len(ids))
            self.tokens.extend(ids)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Compact numpy arrays (cheap to pickle from a worker); ids still part-local."""
        return {
            "counts": np.asarray(self.counts, dtype=np.int32),
            "starts": np.asarray(self.starts, dtype=np.int32),
            "ends": np.asarray(self.ends, dtype=np.int32),
            "lengths": np.asarray(self.lengths, dtype=np.int32),
            "tokens": np.asarray(self.tokens, dtype=np.int32),
        }


def join_arrays(parts: Mapping[str, Sequence[npt.NDArray[Any]]]) -> dict[str, npt.NDArray[Any]]:
    """Parts' sentence arrays (:meth:`SentenceColumns.arrays`, term ids already global), in
    order, as one table."""

    def cat(name: str, dtype: type) -> npt.NDArray[Any]:
        pieces = parts.get(name, ())
        if not pieces:
            return np.zeros(0, dtype=dtype)
        return np.concatenate(pieces).astype(dtype, copy=False)

    counts, lengths = cat("counts", np.int64), cat("lengths", np.int64)
    sentence_ptr = np.zeros(1 + len(counts), dtype=np.int64)
    np.cumsum(counts, out=sentence_ptr[1:])
    token_ptr = np.zeros(1 + len(lengths), dtype=np.int64)
    np.cumsum(lengths, out=token_ptr[1:])
    return {
        "sentence_ptr": sentence_ptr,
        "sentence_start": cat("starts", np.int32),
        "sentence_end": cat("ends", np.int32),
        "token_ptr": token_ptr,
        "tokens": cat("tokens", np.int32),
    }


class _Checker(Protocol):
    def items(self, names: Iterable[str], lo: int, hi: int) -> None: ...


class SentenceTable:
    """Read access to the sentence arrays (plain or memory-mapped)."""

    def __init__(self, arrays: Mapping[str, Any], checks: _Checker | None = None) -> None:
        """``checks``: a saved index's checksums, verified for each paragraph's slice of the
        arrays where it is read (see :mod:`retrieval.index.persist`)."""
        self._checks = checks
        self._sentence_ptr = arrays["sentence_ptr"]
        self._start = arrays["sentence_start"]
        self._end = arrays["sentence_end"]
        self._token_ptr = arrays["token_ptr"]
        self._tokens = arrays["tokens"]

    def arrays(self) -> dict[str, Any]:
        return {
            "sentence_ptr": self._sentence_ptr,
            "sentence_start": self._start,
            "sentence_end": self._end,
            "token_ptr": self._token_ptr,
            "tokens": self._tokens,
        }

    def check(self, paragraphs: int) -> None:
        """Raise ValueError unless the arrays fit ``paragraphs`` (O(1): the pointer arrays'
        ends; an id or span out of range is caught where it is read, by :meth:`sentences`)."""
        ptr, tptr = self._sentence_ptr, self._token_ptr
        if len(ptr) != paragraphs + 1 or int(ptr[0]) != 0:
            raise ValueError("the sentence table does not fit the paragraphs")
        sentences = int(ptr[-1])
        if not (len(self._start) == len(self._end) == sentences == len(tptr) - 1):
            raise ValueError("the sentence spans do not fit the sentence table")
        if int(tptr[0]) != 0 or int(tptr[-1]) != len(self._tokens):
            raise ValueError("the sentences' terms do not fit the sentence table")

    def term_ids(self, paragraph: int, vocabulary: int) -> tuple[list[int], list[int]]:
        """Paragraph ``paragraph``'s terms as ids, and where each sentence's start among them:
        ``ids[bounds[k]:bounds[k+1]]`` are sentence ``k``'s (``bounds`` has one entry more than
        the paragraph has sentences), exactly the chunks :meth:`sentences` decodes. What
        re-ranking reads: no spans, no strings.

        Raises ValueError for pointers or ids out of range (a damaged index)."""
        checks = self._checks
        if checks is not None:
            checks.items(("sentence_ptr",), paragraph, paragraph + 2)
        lo, hi = int(self._sentence_ptr[paragraph]), int(self._sentence_ptr[paragraph + 1])
        if not 0 <= lo <= hi <= len(self._start):
            raise ValueError("sentence pointers out of range")
        if checks is not None:
            checks.items(("token_ptr",), lo, hi + 1)
        bounds = self._token_ptr[lo : hi + 1].tolist()
        if not bounds:
            return [0], []
        first, last = bounds[0], bounds[-1]
        if not 0 <= first <= last <= len(self._tokens):
            raise ValueError("term pointers out of range")
        if checks is not None:
            checks.items(("tokens",), first, last)
        ids = self._tokens[first:last].tolist()
        if ids and (min(ids) < 0 or max(ids) >= vocabulary):
            raise ValueError("a term id is out of range")
        return [b - first for b in bounds], ids

    def sentences(
        self, paragraph: int, term: Callable[[int], str], vocabulary: int
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """Paragraph ``paragraph``'s sentences as (start, end, terms), offsets into its text.

        Raises ValueError for ids outside the vocabulary or spans out of order (a damaged
        index), so the caller can fall back to analysing the text."""
        checks = self._checks
        if checks is not None:
            checks.items(("sentence_ptr",), paragraph, paragraph + 2)
        lo, hi = int(self._sentence_ptr[paragraph]), int(self._sentence_ptr[paragraph + 1])
        if not 0 <= lo <= hi <= len(self._start):
            raise ValueError("sentence pointers out of range")
        if checks is not None:
            checks.items(("sentence_start", "sentence_end"), lo, hi)
            checks.items(("token_ptr",), lo, hi + 1)
        starts = self._start[lo:hi].tolist()
        ends = self._end[lo:hi].tolist()
        bounds = self._token_ptr[lo : hi + 1].tolist()
        if bounds and not 0 <= bounds[0] <= bounds[-1] <= len(self._tokens):
            raise ValueError("term pointers out of range")
        if checks is not None and bounds:
            checks.items(("tokens",), bounds[0], bounds[-1])
        ids = self._tokens[bounds[0] : bounds[-1]].tolist() if bounds else []
        if ids and (min(ids) < 0 or max(ids) >= vocabulary):
            raise ValueError("a term id is out of range")
        base = bounds[0] if bounds else 0
        result = []
        for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
            if not 0 <= start <= end:
                raise ValueError("a sentence span is out of order")
            chunk = ids[bounds[k] - base : bounds[k + 1] - base]
            result.append((start, end, tuple(map(term, chunk))))
        return result
