"""Each paragraph's sentences and their terms, analysed once at build and kept as arrays.

Re-ranking and composing look at the sentences of the ~20 best candidates of every question.
Splitting and stemming them again per question cost most of an answer at 100,000 paragraphs
(a real vocabulary defeats the tokenizer's caches), so the build stores, per paragraph, its
sentence spans and each sentence's terms as ids into the paragraph index's vocabulary; an answer
then reads a few hundred integers per candidate, memory-mapped like the postings.

Layout (``P`` paragraphs, ``S`` sentences, ``T`` terms in all sentences):

* ``sentence_ptr`` (uint32, or int64 past 2**32 sentences; P+1): paragraph ``i``'s sentences
  are ``sentence_ptr[i]:[i+1]``;
* ``sentence_start``/``sentence_end`` (uint16, or int32 for a paragraph over 65,535
  characters; S): offsets into the paragraph's text;
* ``token_ptr`` (uint32, or int64 past 2**32 terms; S+1): sentence ``s``'s terms are
  ``tokens[token_ptr[s]:[s+1]]``;
* ``tokens`` (int32, T): term ids, in order, repeats kept. A saved index keeps them as
  :class:`SplitIds`: the low 16 bits of every id (``tokens_low``, uint16), and for the few ids
  past 65,535 (the vocabulary's tail: term ids are numbered in order of first occurrence, so
  the common terms come first) their positions (``tokens_high_at``) and high bits
  (``tokens_high``): about 2 bytes an id instead of 4, read without decompressing anything.

A sentence's terms are exactly ``analyze(paragraph_text[start:end])``, and a paragraph's are its
sentences' end to end — the same terms the index counted for its words (no sentence boundary
falls inside a word).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .arrays import kind

if TYPE_CHECKING:  # numpy is imported where the table is built
    import numpy.typing as npt

try:  # the compiled loops (setup.py); without them the rows are read in Python
    from . import _topk
except ImportError:  # pragma: no cover - exercised by forcing the fallback in the tests
    _topk = None  # type: ignore[assignment]

_NO_EXCEPTIONS = array("q")
_NO_HIGH = array("H")
OUT_OF_ROOM = -4
"""``_topk.question_marks``'s answer when its output arrays are too small (the room needed
is then in the last entries of its pointer outputs)."""

SENTENCE_ARRAYS = ("sentence_ptr", "sentence_start", "sentence_end", "token_ptr", "tokens")
SPLIT_ARRAYS = ("tokens_low", "tokens_high_at", "tokens_high")
"""What a saved index stores for ``tokens`` (:class:`SplitIds`)."""
_LOW = 1 << 16
_SEEN_IDS = 8192
"""Entries remembered as verified together: fewer than a 64 KiB checksum chunk of any of the
three arrays holds, so a remembered run was wholly verified."""
_SPLIT_SLICE = 1 << 22
"""Ids split at a time when an index is saved."""


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
        import numpy as np

        return {
            "counts": np.asarray(self.counts, dtype=np.int32),
            "starts": np.asarray(self.starts, dtype=np.int32),
            "ends": np.asarray(self.ends, dtype=np.int32),
            "lengths": np.asarray(self.lengths, dtype=np.int32),
            "tokens": np.asarray(self.tokens, dtype=np.int32),
        }


def _narrowest(maximum: int, small: str = "uint32", large: str = "int64") -> Any:
    """``small`` when it holds ``maximum``, else ``large`` (numpy type names): the table's
    integers are saved as narrow as they fit (a million paragraphs' spans fit 16 bits, their
    pointers 32), and the readers here take any integer type."""
    import numpy as np

    return np.dtype(small) if maximum <= np.iinfo(small).max else np.dtype(large)


def split_ids(tokens: Any) -> dict[str, Any]:
    """``tokens`` (int32 ids ≥ 0: an array, or a build's temporary file) as the three arrays of
    :class:`SplitIds`, a slice at a time: in memory for an array in memory, else in
    temporary files of their own (a large build's 60 million ids never in memory at once)."""
    import numpy as np

    from .spill import Column, SpillBudget  # the build's module (it imports persist, which
    # imports this one)

    total = len(tokens)
    budget = SpillBudget(0 if not isinstance(tokens, np.ndarray) else 1 << 62)
    low = Column(budget, np.uint16)
    where = Column(budget, _narrowest(total))
    high = Column(budget, np.uint16)
    for lo in range(0, total, _SPLIT_SLICE):
        ids = np.ascontiguousarray(tokens[lo : lo + _SPLIT_SLICE], dtype=np.int32)
        if len(ids) and int(ids.min()) < 0:
            raise ValueError("a term id is out of range")
        low.append(ids.astype(np.uint16))  # the low 16 bits (C's conversion)
        big = np.flatnonzero(ids >= _LOW)
        where.append(big + lo)
        high.append((ids[big] >> 16).astype(np.uint16))
    return {"tokens_low": low.array(), "tokens_high_at": where.array(), "tokens_high": high.array()}


class SplitIds:
    """The sentences' term ids of a saved index (module docstring): ``ids[lo:hi]`` is an
    ``array("i")``. Verifies what it reads: the low halves' slice, and the exceptions it applies
    with their neighbours, whose order proves that none was missed (so damage raises
    IndexDamagedError, never a wrong id)."""

    verifies_itself = True
    itemsize = 4

    def __init__(
        self,
        low: Any,
        high_at: Any,
        high: Any,
        verify: Callable[[str, int, int], None] | None = None,
    ) -> None:
        if len(high_at) != len(high):
            raise ValueError("the sentences' term ids do not fit together")
        self.low, self.high_at, self.high = low, high_at, high
        self._verify = verify
        self._seen: set[tuple[str, int]] = set()
        """Chunks of :data:`_SEEN_IDS` entries already verified (asking again costs Python:
        an answer reads a few dozen paragraphs' ids)."""

    def __len__(self) -> int:
        return len(self.low)

    @property
    def shape(self) -> tuple[int]:
        return (len(self.low),)

    def exceptions(self, lo: int, hi: int) -> tuple[int, int]:
        """The exceptions among ids ``lo:hi``: ``high_at[e0:e1]``, verified (with the entries
        either side, which must fall outside: the search cannot have missed one)."""
        at = self.high_at
        e0 = bisect.bisect_left(at, lo)
        e1 = bisect.bisect_left(at, hi, e0)
        self.verified(e0, e1, lo, hi)
        return e0, e1

    def verified(self, e0: int, e1: int, lo: int, hi: int) -> None:
        """Check that ``high_at[e0:e1]`` are exactly the exceptions among ids ``lo:hi``."""
        at, count = self.high_at, len(self.high_at)
        if self._verify is not None:
            self._checked("tokens_low", lo, hi)  # each a set lookup once verified
            self._checked("tokens_high_at", max(e0 - 1, 0), min(e1 + 1, count))
            self._checked("tokens_high", e0, e1)
        if not (
            0 <= e0 <= e1 <= count
            and (e0 == 0 or at[e0 - 1] < lo)
            and (e1 == count or at[e1] >= hi)
            and (e0 == e1 or (at[e0] >= lo and at[e1 - 1] < hi))
        ):
            from ..errors import IndexDamagedError

            raise IndexDamagedError("The saved index is damaged (the sentences' term ids).")

    def _checked(self, name: str, lo: int, hi: int) -> None:
        """``verify(name, lo, hi)`` unless every chunk of it was verified before."""
        if hi <= lo:
            return
        first, last = lo // _SEEN_IDS, (hi - 1) // _SEEN_IDS
        seen = self._seen
        if last - first < 2 and (name, first) in seen and (name, last) in seen:
            return
        assert self._verify is not None
        self._verify(name, lo, hi)
        seen.update((name, chunk) for chunk in range(first, last + 1))

    def __getitem__(self, span: slice) -> array[int]:
        lo, hi, step = span.indices(len(self.low))
        if step != 1:
            raise ValueError("term ids are sliced contiguously")
        if hi <= lo:
            return array("i")
        values = array("i", self.low[lo:hi].tolist())
        e0, e1 = self.exceptions(lo, hi)
        for e in range(e0, e1):
            values[int(self.high_at[e]) - lo] |= int(self.high[e]) << 16
        return values

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[Any]:
        import numpy as np

        values = np.asarray(self.low, dtype=np.int64)
        values[np.asarray(self.high_at, dtype=np.int64)] |= np.asarray(self.high, np.int64) << 16
        return values.astype(np.int32 if dtype is None else dtype)


def _buffer(values: Any) -> bool:
    """Whether ``values`` is an array in memory the compiled loop can read (a numpy array or
    a saved index's memoryview), not packed frames or a build's temporary file."""
    try:
        memoryview(values)
    except TypeError:
        return False
    return True


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

    def question_marks(
        self, rows: Sequence[int], question_ids: Sequence[int], vocabulary: int
    ) -> list[tuple[list[int], list[int]]] | None:
        """For each paragraph of ``rows``, which of ``question_ids`` (sorted term ids, at most
        64) each sentence holds, as bit masks (bit ``j``: ``question_ids[j]``), and its adjacent
        pairs of them as codes ``64·a + b``: :meth:`term_ids` read in the compiled loop, for
        re-ranking's 20 candidates at once, each row's slices verified before it is returned.

        None when the compiled loop is missing or a row is out of range or order (the caller
        then reads each row with :meth:`term_ids`, which says what is wrong)."""
        if _topk is None or len(question_ids) > 64 or not rows:
            return None
        tokens = self._tokens
        split = isinstance(tokens, SplitIds) and all(
            _buffer(a) for a in (tokens.low, tokens.high_at, tokens.high)
        )
        if not split and not _buffer(tokens):  # packed (a saved index), or still in a
            return self._local_marks(rows, question_ids, vocabulary)  # build's temporary file
        if not all(_buffer(a) for a in (self._sentence_ptr, self._token_ptr)):
            return None
        pointer_sizes = (kind(self._sentence_ptr)[1], kind(self._token_ptr)[1])
        if not {*pointer_sizes} <= {4, 8}:
            return None  # not a layout the compiled loop reads
        if split and (
            kind(tokens.low) != ("u", 2)
            or kind(tokens.high) != ("u", 2)
            or kind(tokens.high_at)[1] not in {4, 8}
        ):
            return None
        if not split and kind(tokens) != ("i", 4):
            return None
        found = self._run_marks(
            self._sentence_ptr,
            self._token_ptr,
            self._tokens,
            len(self._start),
            rows,
            question_ids,
            vocabulary,
        )
        if found is None:
            return None
        marks, ranges = found
        if self._checks is not None or split:  # what the loop read, verified before it is used
            spans = ranges.tolist()
            rows_read = spans[0::7]
            self._verify("sentence_ptr", [(r, r + 2) for r in rows_read])
            self._verify(
                "token_ptr", [(lo, hi + 1) for lo, hi in zip(spans[1::7], spans[2::7], strict=True)]
            )
            terms = list(zip(spans[3::7], spans[4::7], strict=True))
            if split:
                for (lo, hi), e0, e1 in zip(terms, spans[5::7], spans[6::7], strict=True):
                    tokens.verified(e0, e1, lo, hi)
            else:
                self._verify("tokens", terms)
        return marks

    def _local_marks(
        self, rows: Sequence[int], question_ids: Sequence[int], vocabulary: int
    ) -> list[tuple[list[int], list[int]]] | None:
        """:meth:`question_marks` over term ids that are not one array in memory (packed in
        frames, or in a build's temporary file): the rows' pointers and ids are read and
        verified first (the packed ids by their frames), gathered into small arrays of their
        own, and the compiled loop run over those."""
        ptr, tptr, tokens = self._sentence_ptr, self._token_ptr, self._tokens
        if not all(0 <= row < len(ptr) - 1 for row in rows):
            return None
        self._verify("sentence_ptr", [(r, r + 2) for r in rows])
        spans = [(int(ptr[row]), int(ptr[row + 1])) for row in rows]
        if not all(0 <= lo <= hi <= len(self._start) for lo, hi in spans):
            return None
        self._verify("token_ptr", [(lo, hi + 1) for lo, hi in spans])
        local_ptr, local_tptr, ranges = [0], [], []
        base = 0
        for lo, hi in spans:
            bounds = tptr[lo : hi + 1].tolist()
            first, last = bounds[0], bounds[-1]
            if not 0 <= first <= last <= len(tokens):
                return None
            shift = first - base
            local_tptr += [b - shift for b in bounds[:-1]]
            ranges.append((first, last))
            base += last - first
            local_ptr.append(local_ptr[-1] + hi - lo)
        local_tptr.append(base)
        gather = getattr(tokens, "gather", None)
        if gather is not None:  # packed: every row's ids in one pass
            local_tokens = array("i", gather(ranges).tolist())
        else:
            local_tokens = array("i", [t for a, b in ranges for t in tokens[a:b].tolist()])
        found = self._run_marks(
            array("q", local_ptr),
            array("q", local_tptr),
            local_tokens,
            local_ptr[-1],
            range(len(spans)),
            question_ids,
            vocabulary,
        )
        return None if found is None else found[0]

    @staticmethod
    def _run_marks(
        sentence_ptr: Any,
        token_ptr: Any,
        tokens: Any,
        sentences: int,
        rows: Sequence[int],
        question_ids: Sequence[int],
        vocabulary: int,
    ) -> tuple[list[tuple[list[int], list[int]]], array[int]] | None:
        """The compiled loop over these arrays: each row's masks and pairs, and the ranges it
        read (row, first sentence, end sentence, first term, end term, first and end exception
        per row); None when it found something out of range."""
        assert _topk is not None
        pointer_sizes = (kind(sentence_ptr)[1], kind(token_ptr)[1])
        if isinstance(tokens, SplitIds):
            ids, id_size = tokens.low, 2
            high_at, high = tokens.high_at, tokens.high
        else:
            ids, id_size, high_at, high = tokens, 4, _NO_EXCEPTIONS, _NO_HIGH
        n = len(rows)
        mask_ptr = array("q", bytes(8 * (n + 1)))
        pair_ptr = array("q", bytes(8 * (n + 1)))
        ranges = array("q", bytes(8 * 7 * n))
        row_ids = array("q", rows)
        qids = array("q", question_ids)
        mask_room, pair_room = 64 * n, 256 * n
        for _ in range(2):
            masks = array("Q", bytes(8 * mask_room))
            pairs = array("i", bytes(4 * pair_room))
            done = _topk.question_marks(
                sentence_ptr, pointer_sizes[0], token_ptr, pointer_sizes[1],
                ids, id_size, high_at, kind(high_at)[1], high,
                sentences, vocabulary, row_ids, qids,
                mask_ptr, masks, pair_ptr, pairs, ranges,
            )  # fmt: skip
            if done != OUT_OF_ROOM:
                break
            # Paragraphs longer than the room guessed: the loop said how much they need.
            mask_room, pair_room = int(mask_ptr[n]), int(pair_ptr[n])
        if done != 0:  # arguments that do not fit or pointers out of range: a damaged table
            return None
        ms, ps = mask_ptr.tolist(), pair_ptr.tolist()
        mask_list, pair_list = masks[: ms[n]].tolist(), pairs[: ps[n]].tolist()
        marks = [(mask_list[ms[r] : ms[r + 1]], pair_list[ps[r] : ps[r + 1]]) for r in range(n)]
        return marks, ranges

    def _verify(self, name: str, spans: Sequence[tuple[int, int]]) -> None:
        """Verify these spans of one array (in one call when the checks take batches)."""
        checks = self._checks
        if checks is None:
            return
        batch = getattr(checks, "spans", None)
        if batch is not None:
            batch(name, spans)
            return
        for lo, hi in spans:
            checks.items((name,), lo, hi)

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
