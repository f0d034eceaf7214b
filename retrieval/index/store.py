"""Every paragraph of the corpus, kept as columns instead of a million Python objects.

A :class:`~retrieval.types.Passage` is made only when one is asked for (a hit, a button, a
neighbour), from flat arrays and one UTF-8 blob of the documents' text. That keeps a loaded
index small — the arrays can be memory-mapped from disk, and only the pages of paragraphs that
are actually shown are ever read — and it makes saving the corpus a matter of writing arrays.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, overload

from ..caches import method_cache
from ..errors import IndexDamagedError
from ..splitting.units import UnitSpan
from ..types import Passage
from .arrays import PYTHON_CHECK_LIMIT, is_view, nondecreasing, searchsorted
from .sentences import SENTENCE_ARRAYS, SentenceTable

if TYPE_CHECKING:  # numpy is imported where a store is built (or read without views)
    import numpy as np
    import numpy.typing as npt

_ENCODING = ("utf-8", "surrogatepass")
KINDS = ("paragraph", "list_item", "quote", "admonition")
"""The ``kind`` column's codes: ``KINDS[code]`` is the passage's block kind."""
_HEADING_SEPARATOR = "\x1f"
"""Between the headings of a stored place (readers never leave control characters in one)."""
_ANCHOR_SEPARATOR = "\x1e"
"""Between a stored place's headings and its anchor."""


def place_key(headings: Sequence[str], anchor: str) -> str:
    """A passage's heading path and anchor as one string, as the ``places`` blob stores it."""
    return _HEADING_SEPARATOR.join(headings) + _ANCHOR_SEPARATOR + anchor


def _place(key: str) -> tuple[tuple[str, ...], str]:
    path, _, anchor = key.rpartition(_ANCHOR_SEPARATOR)
    return (tuple(path.split(_HEADING_SEPARATOR)) if path else ()), anchor


def kind_code(kind: str) -> int:
    """The ``kind`` column's code for a passage kind (unknown kinds are stored as paragraphs)."""
    return KINDS.index(kind) if kind in KINDS else 0


UNIT_KINDS = ("", "code", "table", "list")
"""The ``unit_kind`` column's codes: ``UNIT_KINDS[code]`` ("" = no unit follows)."""
UNIT_ARRAYS = (
    "unit_kind",
    "unit_start",
    "unit_end",
    "unit_lang",
    "unit_langs",
    "unit_lang_offsets",
)
"""The answer-unit columns: per paragraph, the code block/table/list that directly follows it
(kind code, character span, language number), and the distinct languages as a blob."""

_UNIT_ROW = ("unit_kind", "unit_start", "unit_end", "unit_lang")
"""The unit columns with one value per paragraph: verified together where a row is read."""


def unit_columns(units: Sequence[UnitSpan | None], langs: dict[str, int]) -> dict[str, list[int]]:
    """The answer-unit columns of some paragraphs (languages numbered in ``langs``, which grows)."""
    columns: dict[str, list[int]] = {
        "unit_kind": [],
        "unit_start": [],
        "unit_end": [],
        "unit_lang": [],
    }
    for unit in units:
        columns["unit_kind"].append(
            UNIT_KINDS.index(unit.kind) if unit and unit.kind in UNIT_KINDS else 0
        )
        columns["unit_start"].append(unit.start if unit else 0)
        columns["unit_end"].append(unit.end if unit else 0)
        columns["unit_lang"].append(langs.setdefault(unit.lang, len(langs)) if unit else 0)
    return columns


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """One loaded file: what a reader needs to know about it, without its text."""

    source: str
    title: str
    encoding: str
    format: str = "text"
    """Which reader read it ("text", "markdown", …): how its citations are linked."""
    pages: int = 0
    """Pages in the file (PDF); 0 for formats without pages."""


def passage_key(passage_id: str) -> int:
    """A passage id (16 hex digits) as the integer it is stored as."""
    return int(passage_id, 16)


def blob(strings: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Strings as one byte array plus offsets: how text is saved without pickling."""
    import numpy as np

    encoded = [s.encode(*_ENCODING) for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


class Checker(Protocol):
    """Verifies stored elements before they are used (a saved index's checksums)."""

    def items(self, names: Iterable[str], lo: int, hi: int) -> None:
        """Raise IndexDamagedError unless elements ``lo:hi`` of each named array are intact."""


class _Unchecked:
    """An index built in memory: nothing to verify."""

    def items(self, names: Iterable[str], lo: int, hi: int) -> None:
        return None


UNCHECKED: Checker = _Unchecked()


class ChunkMemo:
    """A Checker in front of a saved index's checks that remembers the chunks they verified.

    Verification is per chunk of ``chunk`` bytes and, once passed, holds for the life of the
    opened file; but asking costs a few microseconds of Python per call, and an answer asks
    about a hundred times (every paragraph row, text span and sentence slice it reads). Here a
    call whose chunks all passed before returns at once; any other is passed on, and its chunks
    are remembered only once the checks behind it returned."""

    def __init__(self, inner: Checker, itemsizes: Mapping[str, int], chunk: int) -> None:
        self._inner = inner
        self._sizes = dict(itemsizes)
        self._chunk = chunk
        self._seen: dict[str, set[int]] = {name: set() for name in itemsizes}
        widest = max(self._sizes.values(), default=1)
        aligned = all(widest % size == 0 and chunk % size == 0 for size in self._sizes.values())
        self._rows = chunk // widest if aligned and chunk % widest == 0 else 0
        """Rows of every array that fall in one chunk of each (when the element sizes divide
        each other and the chunk): a single row's columns are remembered by its block."""
        self._row_blocks: set[tuple[Iterable[str], int]] = set()

    def items(self, names: Iterable[str], lo: int, hi: int) -> None:
        if hi <= lo:
            return
        block = None
        if hi == lo + 1 and self._rows and isinstance(names, tuple) and lo >= 0:
            block = (names, lo // self._rows)
            if block in self._row_blocks:
                return
        chunk = self._chunk
        for name in names:
            size = self._sizes[name]
            first, last = lo * size // chunk, (hi * size - 1) // chunk
            seen = self._seen[name]
            if first in seen and (first == last or all(c in seen for c in range(first, last + 1))):
                continue
            self._inner.items((name,), lo, hi)
            seen.update(range(first, last + 1))
        if block is not None:
            self._row_blocks.add(block)

    def spans(self, name: str, spans: Sequence[tuple[int, int]]) -> None:
        """``items((name,), lo, hi)`` for each span: one call for a batch of rows."""
        size, chunk, seen = self._sizes[name], self._chunk, self._seen[name]
        for lo, hi in spans:
            if hi <= lo:
                continue
            first, last = lo * size // chunk, (hi * size - 1) // chunk
            if first in seen and (first == last or all(c in seen for c in range(first, last + 1))):
                continue
            self._inner.items((name,), lo, hi)
            seen.update(range(first, last + 1))


def _itemsize(array: Any) -> int:
    """Bytes per element of a stored array (a saved index's text is read as bytes)."""
    size = getattr(array, "itemsize", None)  # numpy, a memoryview, packed frames
    if isinstance(size, int):
        return size
    dtype = getattr(array, "dtype", None)
    return 1 if dtype is None else int(dtype.itemsize)


def _needle(array: Any, value: int, *, clamp: bool = False) -> Any:
    r"""``value`` as ``array``'s elements compare: as is for a memoryview; cast to a numpy
    array's own type (given a Python int, numpy converts the whole haystack on every call),
    clamped into its range first when asked (a column saved as narrow as it fits)."""
    dtype = getattr(array, "dtype", None)
    if dtype is None:
        return value
    if clamp:
        import numpy as np

        limits = np.iinfo(dtype)
        value = max(int(limits.min), min(value, int(limits.max)))
    return dtype.type(value)


def _search(array: Any, value: int, side: str = "left", lo: int = 0, hi: int | None = None) -> int:
    """Binary search of ``array[lo:hi]`` (ascending), a view or a numpy array."""
    if is_view(array):
        return searchsorted(array, value, side, lo, hi)
    import numpy as np

    part = array[lo:hi]
    return lo + int(np.searchsorted(part, _needle(array, value, clamp=True), side))  # type: ignore[call-overload]


_COUNT_SLICE = 1 << 22
"""Paragraphs' file numbers counted at a time."""


def _counts(source: Any, files: int) -> list[int]:
    """Paragraphs per file, from the (ascending) column of each paragraph's file."""
    if not is_view(source):
        import numpy as np

        counts = np.zeros(files, dtype=np.int64)
        step = _COUNT_SLICE  # a slice at a time: a fresh large build's column is on disk
        for lo in range(0, len(source), step):
            part = np.bincount(np.asarray(source[lo : lo + step], dtype=np.int64))
            if len(part) > len(counts):
                counts = np.concatenate((counts, np.zeros(len(part) - len(counts), np.int64)))
            counts[: len(part)] += part
        return [int(c) for c in counts.tolist()]
    bounds = [searchsorted(source, n) for n in range(files + 1)]
    return [b - a for a, b in itertools.pairwise(bounds)]


def _text(data: Any, start: int, end: int) -> str:
    """Decode ``data[start:end]``: a numpy byte array, or a saved index's FileBytes."""
    try:
        return bytes(data[start:end]).decode(*_ENCODING)
    except UnicodeDecodeError as error:  # verified text always decodes: only damage gets here
        raise IndexDamagedError("The saved index is damaged (its text is not UTF-8).") from error


class PassageStore(Sequence[Passage]):
    """The corpus's paragraphs in corpus order, as a read-only sequence of Passages."""

    ROW_COLUMNS = (
        *("source", "paragraph", "start", "end", "byte_start", "byte_end", "context", "id"),
        *("line", "page", "kind", "place"),
    )
    """One value per paragraph each: verified together when a paragraph is read."""
    ARRAYS = (
        "source",
        "paragraph",
        "start",
        "end",
        "byte_start",
        "byte_end",
        "context",
        "id",
        "id_order",
        "text",
        "document_bytes",
        "contexts",
        "context_offsets",
        "line",
        "page",
        "kind",
        "place",
        "places",
        "place_offsets",
        *SENTENCE_ARRAYS,
        *UNIT_ARRAYS,
    )

    def __init__(
        self,
        sources: Sequence[SourceInfo],
        arrays: Mapping[str, Any],
        *,
        checks: Checker = UNCHECKED,
    ):
        """``checks`` verifies a saved index's rows and text where they are read."""
        self.sources = tuple(sources)
        if checks is not UNCHECKED:
            from .persist import CHUNK  # the checksums' granularity (persist imports this module)

            sizes = {name: _itemsize(arrays[name]) for name in self.ARRAYS if name in arrays}
            checks = ChunkMemo(checks, sizes, CHUNK)
        self._checks = checks
        self._source = arrays["source"]
        """Index into ``sources`` of each paragraph's file."""
        self._paragraph = arrays["paragraph"]
        self._start = arrays["start"]
        self._end = arrays["end"]
        self._byte_start = arrays["byte_start"]
        """Where each paragraph's text is in ``text`` (UTF-8 of every file, end to end)."""
        self._byte_end = arrays["byte_end"]
        self._context = arrays["context"]
        self._id = arrays["id"]
        self._id_order = arrays["id_order"]
        """``_id[_id_order]`` is sorted: ids are looked up by binary search."""
        self._text = arrays["text"]
        self._document_bytes = arrays["document_bytes"]
        """``text[document_bytes[d]:document_bytes[d+1]]`` is file ``d``'s whole text."""
        self._contexts = arrays["contexts"]
        self._context_offsets = arrays["context_offsets"]
        self._line = arrays["line"]
        self._page = arrays["page"]
        self._kind = arrays["kind"]
        """``KINDS[kind[i]]`` is paragraph i's block kind."""
        self._place = arrays["place"]
        """Index into the ``places`` blob: paragraph i's heading path and anchor."""
        self._places = arrays["places"]
        self._place_offsets = arrays["place_offsets"]
        self.sentences = SentenceTable(arrays, None if checks is UNCHECKED else checks)
        """Each paragraph's sentence spans and terms, analysed at build (:mod:`.sentences`)."""
        self._units = {name: arrays[name] for name in UNIT_ARRAYS}
        """The answer-unit columns (:data:`UNIT_ARRAYS`)."""
        self.paragraph_counts = _counts(self._source, len(self.sources))
        """Paragraphs per file, in the order of ``sources``."""
        self._source_number = {s.source: n for n, s in enumerate(self.sources)}
        # Weakly bound (no cycle): a dropped store frees a fresh build's files at once.
        self._make = method_cache(self._make_passage, 8192)
        self._place_headings = method_cache(self._headings_of_place, 4096)
        self.position: Callable[[str], int | None] = method_cache(self._position, 16_384)
        self.document_text = method_cache(self._document_text, 4)

    def close(self) -> None:
        """Release the saved index's file, for a store that will not be used again."""
        for data in (self._text, self.sentences.arrays()["tokens"]):  # a saved index's files
            close = getattr(data, "close", None)
            if close is not None:
                close()

    def check(self) -> None:
        """Raise ValueError unless the columns fit together (lengths and offsets; O(files)).

        Over numpy arrays the per-paragraph columns are range-checked here too (numpy passes).
        Over a saved index's memoryviews (:mod:`.arrays`) a pass in Python would cost a
        one-shot question tens of milliseconds per column at 100,000 paragraphs, so each
        paragraph's kind, heading path, headings and answer unit are checked where they are
        read (:meth:`_make_passage`, :meth:`unit_after`), and the file column's order by
        comparing each file's run of it with its expected bytes."""
        n = len(self._source)
        columns = ("paragraph", "start", "end", "byte_start", "byte_end", "context", "id")
        for name in (*columns, "line", "page", "kind", "place"):
            if len(getattr(self, "_" + name)) != n:
                raise ValueError(f"the {name} column has the wrong length")
        if len(self._id_order) != n or n == 0:
            raise ValueError("the paragraph table is empty or inconsistent")
        bounds = self._document_bytes
        if len(bounds) != len(self.sources) + 1 or bounds[0] != 0 or bounds[-1] != len(self._text):
            raise ValueError("the documents' offsets do not fit their text")
        offsets = self._context_offsets
        if offsets[0] != 0 or offsets[-1] != len(self._contexts):
            raise ValueError("the headings' offsets do not fit their text")
        if not nondecreasing(bounds):
            raise ValueError("offsets go backwards")
        source = self._source
        if source[0] < 0 or source[-1] >= len(self.sources) or not self._files_in_order():
            raise ValueError("the paragraphs' files are out of order or out of range")
        places = self._place_offsets
        if places[0] != 0 or places[-1] != len(self._places):
            raise ValueError("the heading paths' offsets do not fit their text")
        # A paragraph's kind and heading path, and its unit's kind and language, are
        # range-checked where they are read: a pass over them here would make opening O(n).
        self.sentences.check(n)
        units = self._units
        for name in ("unit_kind", "unit_start", "unit_end", "unit_lang"):
            if len(units[name]) != n:
                raise ValueError(f"the {name} column has the wrong length")
        langs = units["unit_lang_offsets"]
        if langs[0] != 0 or langs[-1] != len(units["unit_langs"]):
            raise ValueError("the unit languages' offsets do not fit their text")

    def _files_in_order(self) -> bool:
        """Whether the file column is ascending (and within ``sources``): for a memoryview,
        each file's run (found by binary search) must be exactly that file's number repeated,
        compared as bytes, so the check runs at memcmp speed."""
        source = self._source
        if not is_view(source):
            return nondecreasing(source)
        size = source.itemsize
        raw = source.tobytes()
        lo = 0
        for number, count in enumerate(self.paragraph_counts):
            if count < 0:
                return False
            run = number.to_bytes(size, "little", signed=source.format.islower())
            if raw[lo * size : (lo + count) * size] != run * count:
                return False
            lo += count
        return lo == len(source)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {
            "source": self._source,
            "paragraph": self._paragraph,
            "start": self._start,
            "end": self._end,
            "byte_start": self._byte_start,
            "byte_end": self._byte_end,
            "context": self._context,
            "id": self._id,
            "id_order": self._id_order,
            "text": self._text,  # an array, or a saved index's FileBytes (read where sliced)
            "document_bytes": self._document_bytes,
            "contexts": self._contexts,
            "context_offsets": self._context_offsets,
            "line": self._line,
            "page": self._page,
            "kind": self._kind,
            "place": self._place,
            "places": self._places,
            "place_offsets": self._place_offsets,
            **self.sentences.arrays(),
            **self._units,
        }

    def __len__(self) -> int:
        return len(self._source)

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(i, slice):
            return [self._make(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._make(i)

    def __iter__(self) -> Iterator[Passage]:
        return (self._make(i) for i in range(len(self)))

    def _make_passage(self, i: int) -> Passage:
        """The paragraph at row ``i``, its row and text verified first (for a saved index)."""
        self._checks.items(self.ROW_COLUMNS, i, i + 1)
        context = int(self._context[i])
        byte_start, byte_end = int(self._byte_start[i]), int(self._byte_end[i])
        source = int(self._source[i])
        if not (
            0 <= source < len(self.sources)
            and 0 <= context < len(self._context_offsets) - 1
            and self._document_bytes[source] <= byte_start <= byte_end
            and byte_end <= self._document_bytes[source + 1]
            and 0 <= self._start[i] <= self._end[i]
        ):
            raise IndexDamagedError("The saved index is damaged (a paragraph points outside it).")
        context_start = int(self._context_offsets[context])
        context_end = int(self._context_offsets[context + 1])
        if not 0 <= context_start <= context_end <= len(self._contexts):
            raise IndexDamagedError("The saved index is damaged (a paragraph's headings).")
        self._checks.items(("text",), byte_start, byte_end)
        self._checks.items(("contexts",), context_start, context_end)
        place = int(self._place[i])
        if not 0 <= place < len(self._place_offsets) - 1 or self._kind[i] >= len(KINDS):
            raise IndexDamagedError("The saved index is damaged (a paragraph points outside it).")
        place_start = int(self._place_offsets[place])
        place_end = int(self._place_offsets[place + 1])
        self._checks.items(("places",), place_start, place_end)
        headings, anchor = _place(_text(self._places, place_start, place_end))
        return Passage(
            id=f"{int(self._id[i]):016x}",
            source=self.sources[source].source,
            paragraph=int(self._paragraph[i]),
            start=int(self._start[i]),
            end=int(self._end[i]),
            text=_text(self._text, byte_start, byte_end),
            context=_text(self._contexts, context_start, context_end),
            headings=headings,
            anchor=anchor,
            line=int(self._line[i]),
            page=int(self._page[i]),
            kind=KINDS[int(self._kind[i])],
        )

    def headings_at(self, i: int) -> tuple[str, ...]:
        """Paragraph ``i``'s path of headings, read from its place alone: no text is
        decompressed and no :class:`Passage` made. An answer asks it of its 20 candidates
        (whether they stand in a section) before it reads any of them; through ``[i]`` that
        made and decompressed every candidate, a third of a 100k answer's time."""
        if not 0 <= i < len(self):
            raise IndexError(i)
        self._checks.items(("place",), i, i + 1)
        return self._place_headings(int(self._place[i]))

    def _headings_of_place(self, place: int) -> tuple[str, ...]:
        """The headings of one distinct place (cached as ``_place_headings``: a corpus has
        far fewer places than paragraphs, one per file where there are no sections)."""
        if not 0 <= place < len(self._place_offsets) - 1:
            raise IndexDamagedError("The saved index is damaged (a paragraph points outside it).")
        place_start = int(self._place_offsets[place])
        place_end = int(self._place_offsets[place + 1])
        self._checks.items(("places",), place_start, place_end)
        return _place(_text(self._places, place_start, place_end))[0]

    def unit_after(self, i: int) -> UnitSpan | None:
        """The code block, table or list that directly follows paragraph ``i`` in its section
        (offsets in its file), or None."""
        units = self._units
        self._checks.items(_UNIT_ROW, i, i + 1)
        kind = int(units["unit_kind"][i])
        if not kind:
            return None
        lang = int(units["unit_lang"][i])
        offsets = units["unit_lang_offsets"]
        if kind >= len(UNIT_KINDS) or not 0 <= lang < len(offsets) - 1:
            raise IndexDamagedError("The saved index is damaged (a unit is out of range).")
        return UnitSpan(
            UNIT_KINDS[kind],
            int(units["unit_start"][i]),
            int(units["unit_end"][i]),
            _text(units["unit_langs"], int(offsets[lang]), int(offsets[lang + 1])),
        )

    def _document_text(self, source: str) -> str:
        n = self._source_number[source]
        start, end = int(self._document_bytes[n]), int(self._document_bytes[n + 1])
        self._checks.items(("text",), start, end)
        return _text(self._text, start, end)

    def byte_span(self, i: int) -> tuple[int, int]:
        """Where paragraph ``i``'s UTF-8 stands in its document's UTF-8 (not the blob's)."""
        self._checks.items(self.ROW_COLUMNS, i, i + 1)
        base = int(self._document_bytes[int(self._source[i])])
        return int(self._byte_start[i]) - base, int(self._byte_end[i]) - base

    def text_between(self, source: str, start: int, end: int) -> str:
        """``document_text(source)[start:end]``, read from the one paragraph holding the span
        when there is one: checking a quote then touches a few hundred bytes of the index, not
        the whole file (which, memory-mapped, would stay resident)."""
        n = self._source_number[source]
        lo = _search(self._source, n, "left")
        hi = _search(self._source, n, "right")
        self._checks.items(("start",), lo, hi)
        j = _search(self._start, start, "right", lo, hi) - 1
        if lo <= j < hi and self._start[j] <= start <= end <= self._end[j]:
            text = self._make(j).text
            offset = int(self._start[j])
            return text[start - offset : end - offset]
        return self.document_text(source)[start:end]

    def _position(self, passage_id: str) -> int | None:
        """Where the passage with this id is, or None (an id from an older index, say).
        Cached as :meth:`position`: an answer looks its few paragraphs up a dozen times."""
        try:
            key = _needle(self._id, passage_key(passage_id))
        except (ValueError, OverflowError):
            return None
        return self._find(key)

    def _find(self, key: Any) -> int | None:
        order = self._id_order
        lo, hi = 0, len(order)
        n = len(self._id)
        # Binary search through the permutation: no sorted copy in memory. The permutation is
        # not verified here (that would cost a checksum per step); a damaged one can only
        # make an id not found, since the row found is checked to hold the id.
        while lo < hi:
            mid = (lo + hi) // 2
            row = int(order[mid])
            if not 0 <= row < n:
                raise IndexDamagedError("The saved index is damaged (id_order).")
            if self._id[row] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(order):
            row = int(order[lo])
            if not 0 <= row < n:
                raise IndexDamagedError("The saved index is damaged (id_order).")
            self._checks.items(("id",), row, row + 1)
            if self._id[row] == key:
                return row
        return None

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        if isinstance(value, Passage):
            i = self.position(value.id)
            if i is not None and self._make(i) == value:
                return i
        raise ValueError("passage not in this corpus")

    def source_number(self, i: int) -> int:
        return int(self._source[i])

    def source_of(self, source: str) -> int | None:
        return self._source_number.get(source)

    def section_starts(self) -> Sequence[int] | npt.NDArray[np.int64]:
        """The first row of each run of consecutive paragraphs sharing their file, path of
        headings, anchor and context line (a section), ascending, then ``len(self)``: what
        :mod:`retrieval.answering.sections` scores as one document. Made from the row columns
        alone (no paragraph is read), in a few vectorised passes (over a saved index's
        memoryviews of up to ``PYTHON_CHECK_LIMIT`` rows, without numpy: each column as a
        list, its changes found by ``map`` and ``itertools.compress``)."""
        count = len(self)
        if not count:
            return [0]
        self._checks.items(("source", "place", "context"), 0, count)
        columns = (self._source, self._place, self._context)
        if count <= PYTHON_CHECK_LIMIT and all(is_view(column) for column in columns):
            changes = {0}
            for column in columns:
                values = column.tolist()
                changes.update(
                    itertools.compress(range(1, count), map(operator.ne, values[1:], values))
                )
            return [*sorted(changes), count]
        import numpy as np

        flags = np.zeros(count, dtype=bool)
        flags[0] = True
        for column in columns:
            values = np.asarray(column)
            flags[1:] |= values[1:] != values[:-1]
        return np.concatenate((np.flatnonzero(flags), [count])).astype(np.int64)
