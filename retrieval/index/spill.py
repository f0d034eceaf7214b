"""Where a build parks what it only needs again at the end: memory while it is small, unnamed
temporary files once it is not.

A million paragraphs' columns, postings and sentence table are gigabytes as numpy arrays; a
build that kept them until the end grew by about 670 bytes a paragraph. Here every such array
is appended part by part to a :class:`Spill`, and all the spills of one build share a
:class:`SpillBudget`: once they hold more than its limit, the spill that would cross it moves
to a temporary file (gone with the process, whatever happens) and stays there, so the memory
they hold never passes the limit whatever the corpus size. A small build never touches the
disk, and reads its arrays back as the numpy arrays it would have made in memory.

What is read back from a file is a :class:`~.persist.FileArray` (or
:class:`~.persist.FileBytes`), read with ``pread`` where it is sliced: the saved index is
written from it a slice at a time, and an engine answering from a fresh build maps it
(:func:`mapped`).
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import mmap
import os
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from .bm25 import BM25Index
from .persist import FileArray, FileBytes
from .store import PassageStore

SLICE_BYTES = 16 << 20
"""Bytes of a spilled array converted or scanned at a time."""


class SpillBudget:
    """The memory all the spills of one build may hold together."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.spilled = False
        """Whether some spill went to disk: a large build (which gives memory back as it goes,
        :func:`release_memory`; a small one need not pay for that)."""
        self._files: weakref.WeakSet[BinaryIO] = weakref.WeakSet()

    def temporary(self) -> BinaryIO:
        """A new unnamed temporary file of this build's (closed by :meth:`close`)."""
        handle = tempfile.TemporaryFile(prefix="citebot-build-")  # noqa: SIM115
        self._files.add(handle)
        return handle

    def close(self) -> None:
        """Close every temporary file of this build still open, whoever holds it (a failed
        or interrupted build: its partial outputs, held by the traceback's frames, give the
        disk back now)."""
        for handle in list(self._files):
            handle.close()
        self._files = weakref.WeakSet()


class Spill:
    """Appended bytes, in memory or (past the budget) in an unnamed temporary file."""

    def __init__(self, budget: SpillBudget) -> None:
        self._budget = budget
        self._file: BinaryIO | None = None
        self._pieces: list[bytes | bytearray | npt.NDArray[Any]] = []
        """In memory: what was appended (contiguous arrays kept as they are, not copied)."""
        self.size = 0

    @property
    def budget(self) -> SpillBudget:
        return self._budget

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def append(self, data: bytes | npt.NDArray[Any]) -> tuple[int, int]:
        """Add ``data`` (not to be changed afterwards: an array is kept, not copied, while the
        spill is in memory); (offset, bytes) to read it back with."""
        raw = data if isinstance(data, bytes) else np.ascontiguousarray(data).reshape(-1)
        size = len(raw) if isinstance(raw, bytes) else raw.nbytes
        offset = self.size
        budget = self._budget
        if self._file is None and budget.held + size > budget.limit:
            self._file = budget.temporary()
            budget.spilled = True
            for piece in self._pieces:
                self._file.write(_buffer(piece))
            budget.held -= self.size
            self._pieces = []
        if self._file is not None:
            self._file.write(_buffer(raw))
        else:
            self._pieces.append(raw)
            budget.held += size
        self.size += size
        return offset, size

    def read(self, where: tuple[int, int], dtype: Any) -> npt.NDArray[Any]:
        """What :meth:`append` returned ``where`` for (or any byte range of the spill)."""
        offset, size = where
        if self._file is None:
            joined = self._joined()
            return np.frombuffer(
                joined, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=offset
            )
        self._file.flush()
        data = os.pread(self._file.fileno(), size, offset)
        if len(data) != size:
            raise OSError(f"the build's temporary file lost data ({len(data)} of {size} bytes)")
        return np.frombuffer(data, dtype=dtype)

    def _joined(self) -> bytearray:
        """The pieces as one (writable) buffer."""
        if len(self._pieces) != 1 or not isinstance(self._pieces[0], bytearray):
            self._pieces = [bytearray().join(map(_buffer, self._pieces))]
        return self._pieces[0]  # type: ignore[return-value]

    def _whole(self, dtype: Any) -> npt.NDArray[Any]:
        """An in-memory spill's pieces as one array (the piece itself when there is one)."""
        if len(self._pieces) == 1 and isinstance(self._pieces[0], np.ndarray):
            return self._pieces[0].view(np.uint8).view(dtype)
        return np.frombuffer(self._joined(), dtype=dtype)

    def as_array(self, dtype: Any = np.uint8) -> Any:
        """Everything appended, as one array of ``dtype``: in memory, or a
        :class:`~.persist.FileBytes` (bytes) or :class:`~.persist.FileArray` read where it is
        sliced, which the saved index is then written from a slice at a time. The spill is
        empty afterwards (its file, if any, belongs to the array)."""
        if self._file is None:
            array = self._whole(dtype)
            self._budget.held -= self.size
            self._pieces, self.size = [], 0
            return array
        self._file.flush()
        handle, self._file = self._file, None
        data = FileBytes(handle, 0, self.size)
        self.size = 0
        return data if np.dtype(dtype) == np.uint8 else FileArray(data, dtype)

    def close(self) -> None:
        """Drop what was appended: the file closed, or the memory given back to the budget
        (only an in-memory spill's bytes count against it)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        else:
            self._budget.held -= self.size
        self._pieces, self.size = [], 0


def _buffer(piece: bytes | bytearray | npt.NDArray[Any]) -> bytes | bytearray | memoryview:
    """A spill's piece as bytes to write or join (an array's own memory, not a copy)."""
    return piece.data if isinstance(piece, np.ndarray) else piece


class Column:
    """One array appended part by part (a per-paragraph column, a postings array), in a
    :class:`Spill`, with its smallest and largest value so far (what choosing the saved
    type needs without reading it back)."""

    def __init__(self, budget: SpillBudget, dtype: Any, *, track: bool = False) -> None:
        """``track``: keep the largest value appended (:attr:`high`)."""
        self.dtype = np.dtype(dtype)
        self._spill = Spill(budget)
        self._track = track
        self.length = 0
        self.high: int | float | None = None

    def append(self, values: npt.NDArray[Any]) -> None:
        values = np.asarray(values)
        if not len(values):
            return
        values = values.astype(self.dtype, copy=False)
        self._spill.append(values)
        self.length += len(values)
        if self._track:
            high = values.max().item()
            self.high = high if self.high is None else max(self.high, high)

    def array(self, dtype: Any = None) -> Any:
        """Everything appended, as ``dtype`` (default: the column's own): a numpy array, or a
        :class:`~.persist.FileArray` for a spill on disk (converted a slice at a time)."""
        spilled = self._spill.as_array(self.dtype)
        if not isinstance(spilled, FileArray | FileBytes):
            return spilled.astype(dtype if dtype is not None else self.dtype, copy=False)
        if isinstance(spilled, FileBytes):  # a uint8 column
            spilled = FileArray(spilled, np.uint8)
        return (
            converted(spilled, dtype, budget=self._spill.budget) if dtype is not None else spilled
        )

    def close(self) -> None:
        self._spill.close()


def slices(array: Any, size: int = SLICE_BYTES) -> Iterator[tuple[int, npt.NDArray[Any]]]:
    """``(start, array[start:start + n])`` over the whole array, ``size`` bytes at a time."""
    step = max(1, size // max(1, int(np.dtype(array.dtype).itemsize)))
    for lo in range(0, len(array), step):
        yield lo, np.asarray(array[lo : lo + step])


def converted(
    array: FileArray, dtype: Any, *, keep: bool = False, budget: SpillBudget | None = None
) -> FileArray:
    """A file array as ``dtype`` (numpy's ``astype``), written a slice at a time to a new
    temporary file (one of ``budget``'s build when given); the array itself when it already
    has that type. The original is closed unless ``keep``."""
    dtype = np.dtype(dtype)
    if array.dtype == dtype:
        return array
    handle = (
        budget.temporary()
        if budget is not None
        else tempfile.TemporaryFile(prefix="citebot-build-")  # noqa: SIM115
    )
    try:
        for _, part in slices(array):
            handle.write(part.astype(dtype).tobytes())
        handle.flush()
    except BaseException:
        handle.close()
        raise
    size = len(array) * dtype.itemsize
    if not keep:
        array.close()
    return FileArray(FileBytes(handle, 0, size), dtype)


def mapped(array: Any) -> Any:
    """A file array as a read-only numpy array over a mapping of its file (what the compiled
    scorer and numpy's paths read); anything else as it is."""
    if not isinstance(array, FileArray):
        return array
    if not len(array):
        return np.zeros(0, dtype=array.dtype)
    data = array.raw
    view = mmap.mmap(data.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(view, dtype=array.dtype, count=len(array), offset=data.offset)


ORDER_PASS = 2 << 20
"""Keys sorted at a time by :func:`stable_order` (24 bytes a key: 50 MB of temporaries)."""
_ORDER_SAMPLE = 1 << 16
"""Keys sampled to cut a large array's key space into ranges."""


def stable_order(keys: Any, budget: SpillBudget) -> Any:
    """``np.argsort(keys, kind="stable")`` (int64) of an array too large to hold (a file
    array past :data:`ORDER_PASS` keys), in passes: the key space cut into ranges of about
    that many keys (quantiles of a sample), each range's keys found in one scan, sorted
    stably (their rows ascending, so ties keep row order) and appended. The ranges are in key
    order, so the result is the one-shot sort's, element for element."""
    count = len(keys)
    if not isinstance(keys, FileArray) or count <= ORDER_PASS:
        return np.argsort(np.asarray(keys), kind="stable").astype(np.int64, copy=False)
    step = max(1, count // _ORDER_SAMPLE)
    sample = np.sort(np.concatenate([part[-lo % step :: step] for lo, part in slices(keys)]))
    ranges = 2 * -(-count // ORDER_PASS)  # twice as many as needed: room for uneven keys
    cuts = np.unique(sample[np.linspace(0, len(sample), ranges + 1)[1:-1].astype(np.int64)])
    edges: list[Any] = [None, *cuts.tolist(), None]
    out = Column(budget, np.int64)
    dtype = keys.dtype.type
    for low, high in itertools.pairwise(edges):
        rows, found = [], []
        for lo, part in slices(keys):
            inside = np.ones(len(part), dtype=bool)
            if low is not None:
                inside &= part >= dtype(low)
            if high is not None:
                inside &= part < dtype(high)
            where = np.flatnonzero(inside)
            rows.append(where + lo)
            found.append(part[where])
        row = np.concatenate(rows)
        out.append(row[np.argsort(np.concatenate(found), kind="stable")])
    return out.array()


def mapped_store(store: PassageStore) -> PassageStore:
    """A fresh build's store with its file arrays :func:`mapped` (the sentences' term ids
    stay read where they are sliced, as a saved index reads them); the store itself when it
    has none."""
    arrays = store.arrays()
    if not any(isinstance(a, FileArray) for n, a in arrays.items() if n != "tokens"):
        return store
    return PassageStore(
        store.sources, {n: a if n == "tokens" else mapped(a) for n, a in arrays.items()}
    )


def mapped_index(index: BM25Index) -> BM25Index:
    """A fresh build's index with its file arrays :func:`mapped` (what the compiled scorer
    reads); the index itself when it has none."""
    arrays = index.arrays()
    if not any(isinstance(a, FileArray) for a in arrays.values()):
        return index
    return BM25Index.from_arrays({n: mapped(a) for n, a in arrays.items()}, index.meta())


def release_memory() -> None:
    """Give the memory the allocator holds free back to the system (glibc's
    ``malloc_trim``; nothing elsewhere). Joining parts frees tens of megabytes a part (the
    part's pickle, its arrays) in pieces the allocator keeps for reuse, partly in the pool's
    result thread's own arena: at a million paragraphs the parent's resident memory was three
    times what it held (440 MB for 160 MB of live objects)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc
        return None
