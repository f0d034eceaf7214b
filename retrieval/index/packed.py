"""Large arrays of a saved index stored as independently decompressible zstd frames.

The documents' text is 44% of a million-paragraph index and each sentence's term ids another
17%, yet a question reads a few kilobytes of either: the ~20 paragraphs it re-ranks and quotes.
So both are saved in blocks (:data:`TEXT_BLOCK` bytes of text, :data:`TOKEN_BLOCK` term ids),
each block one zstd frame, with a table of where each frame starts: reading ``[lo:hi]``
decompresses only the blocks that hold it (a few µs per block on this 2-core machine),
through a small LRU of decompressed blocks, since an answer reads the same paragraphs several
times (re-ranking, composing, checking every quote).

* The text's frames share a dictionary trained on samples of the corpus's own text at build
  (zstd's ``train_dictionary``): 4 KiB of prose alone compresses about 1.8×, with the
  dictionary about 2.7× (the benchmark's corpus; real documentation repeats more).
* Term ids are int32 whose high byte is almost always zero: each block is stored byte plane
  by byte plane (all the lowest bytes, then the next...), which zstd compresses about 2×
  against 1.8× for the ids as they are.

Why zstd (the ``zstandard`` package, the reference library's maintained binding) rather than the
standard library's zlib: at the same ratio on 4 KiB blocks it decompresses 3-5× faster (the
cost paid per quoted paragraph), and it trains a dictionary, which small blocks need.

**Checked data.** Every frame carries zstd's checksum of its content, checked as it is
decompressed, and must decompress to exactly its block's size; the frame offsets are verified
against the file's xxh3 checksums before they are used (the ``verify`` callback,
:class:`~.persist.Checks`), and ``citebot index --verify`` checks the frames' bytes against
them too. Damage raises :class:`~retrieval.errors.IndexDamagedError`, never wrong text.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import zstandard

from ..errors import IndexDamagedError

TEXT_BLOCK = 1024
"""Bytes of text per frame: a paragraph (about 600 bytes) is in one or two of them. With the
dictionary, 1 KiB frames compress nearly as well as 4 KiB ones (2.70× against 2.86×) and
decompress in a third of the time."""
TOKEN_BLOCK = 256
"""Term ids per frame (1 KiB raw): a paragraph's (about 70) are in one or two (1.95× against
2.14× for 1,024 ids a frame, at a third of the time to read one)."""
LEVEL = 3
"""zstd's level: 5 gains 5% on the text and halves the speed of saving."""
DICTIONARY_BYTES = 1 << 20
"""The text dictionary's size at most (1 MiB: 2.79× against 2.60× for 256 KiB at 4 KiB
blocks; nothing beside a million paragraphs' 230 MB)."""
_MIN_DICTIONARY_TEXT = 1 << 20
"""Below this much text no dictionary is trained (too few samples; nothing to save)."""
_SAMPLES = 2000
_SAMPLE_BYTES = 4096
"""Bytes per dictionary training sample (2,000 of them, evenly spaced)."""
_SLICE_BYTES = 16 << 20
"""Raw bytes compressed at a time while saving."""
_CACHE_BLOCKS = 1024
"""Decompressed blocks kept per array (1 MiB)."""


class Readable(Protocol):
    """What packing reads from: an array in memory, a build's temporary file, a packed array."""

    def __len__(self) -> int: ...

    def __getitem__(self, span: slice, /) -> Any: ...


def _raw(source: Readable, lo: int, hi: int, itemsize: int) -> bytes:
    """Elements ``lo:hi`` of ``source`` as bytes."""
    part = source[lo:hi]
    if isinstance(part, bytes):
        return part
    return np.ascontiguousarray(part).tobytes()


def _shuffle(raw: bytes, itemsize: int) -> bytes:
    """Byte planes: every element's byte 0, then every byte 1, ... (zstd finds the zeros)."""
    if itemsize == 1:
        return raw
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, itemsize).T.tobytes()


def _unshuffle(data: bytes, itemsize: int) -> bytes:
    if itemsize == 1:
        return data
    return np.frombuffer(data, dtype=np.uint8).reshape(itemsize, -1).T.tobytes()


def train_dictionary(source: Readable) -> bytes:
    """A zstd dictionary from evenly spaced blocks of ``source`` (deterministic: fixed
    parameters, one thread), or b"" when the text is too small to need one."""
    total = len(source)
    if total < _MIN_DICTIONARY_TEXT:
        return b""
    count = total // _SAMPLE_BYTES
    picks = np.linspace(0, count - 1, min(count, _SAMPLES)).astype(np.int64).tolist()
    samples: list[bytes | bytearray | memoryview] = [
        _raw(source, k * _SAMPLE_BYTES, (k + 1) * _SAMPLE_BYTES, 1) for k in picks
    ]
    size = min(DICTIONARY_BYTES, total // 32)
    try:
        trained = zstandard.train_dictionary(size, samples, k=1024, d=8, threads=0)
    except zstandard.ZstdError:  # too few distinct samples: frames without a dictionary
        return b""
    return trained.as_bytes()


def pack(
    source: Readable, itemsize: int, block: int, dictionary: bytes = b""
) -> tuple[Any, npt.NDArray[Any]]:
    """Compress ``source`` (``itemsize``-byte elements) into frames of ``block`` elements.

    Returns the frames end to end — in memory when small, else a FileBytes over an unnamed
    temporary file, so a million paragraphs' text is never held compressed in memory either —
    and the frame offsets (one more than the frames; uint32 where they fit)."""
    from .persist import FileBytes  # persist imports this module

    total = len(source)
    compressor = _compressor(dictionary)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - kept open by the FileBytes returned
    offsets = [0]
    try:
        per_slice = max(1, _SLICE_BYTES // (block * itemsize)) * block
        for first in range(0, total, per_slice):
            last = min(total, first + per_slice)
            raw = _raw(source, first, last, itemsize)
            step = block * itemsize
            pieces = [_shuffle(raw[i : i + step], itemsize) for i in range(0, len(raw), step)]
            for frame in _compress_all(compressor, pieces):
                out.write(frame)
                offsets.append(offsets[-1] + len(frame))
        out.flush()
    except BaseException:
        out.close()
        raise
    dtype = np.uint32 if offsets[-1] <= np.iinfo(np.uint32).max else np.int64
    table = np.asarray(offsets, dtype=dtype)
    if offsets[-1] <= 1 << 24:  # small: read back into memory, the file closed
        out.seek(0)
        data = np.frombuffer(out.read(), dtype=np.uint8)
        out.close()
        return data, table
    return FileBytes(out, 0, offsets[-1]), table


def _compressor(dictionary: bytes) -> zstandard.ZstdCompressor:
    if not dictionary:
        return zstandard.ZstdCompressor(level=LEVEL, write_checksum=True)
    trained = zstandard.ZstdCompressionDict(dictionary)
    trained.precompute_compress(level=LEVEL)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=trained, write_checksum=True)


def _compress_all(compressor: zstandard.ZstdCompressor, pieces: list[bytes]) -> list[bytes]:
    """Each piece as its own frame; on both cores where the binding offers it (same bytes)."""
    many = getattr(compressor, "multi_compress_to_buffer", None)
    if many is not None and len(pieces) > 64:
        try:
            result = many(pieces, threads=-1)
            return [result[i].tobytes() for i in range(len(result))]
        except (zstandard.ZstdError, NotImplementedError, TypeError):
            pass
    return [compressor.compress(piece) for piece in pieces]


Verify = Callable[[str, int, int], None]
"""``verify(array name, lo, hi)``: raise IndexDamagedError unless those elements are intact."""


def _no_check(name: str, lo: int, hi: int) -> None:
    return None


class _Packed:
    """Random access into packed frames (shared by :class:`PackedBytes` and
    :class:`PackedInts`). Thread-safe: a lock around the decompressor (zstd's contexts are
    not) and the cache."""

    verifies_itself = True
    """The store need not verify what it reads from here (each frame is verified here)."""

    def __init__(
        self,
        name: str,
        frames: Readable,
        offsets: Sequence[int] | npt.NDArray[Any],
        length: int,
        dtype: Any,
        block: int,
        *,
        dictionary: Callable[[], bytes] | bytes = b"",
        verify: Verify = _no_check,
    ) -> None:
        """``name``: the compressed array's name in the file (``verify`` is asked about
        ``name + "_offsets"`` before a frame's place is read); ``length`` elements of
        ``dtype``."""
        self.name = name
        self.dtype = np.dtype(dtype)
        self._frames = frames
        self._offsets = offsets
        self._length = length
        self._block = block
        self._dictionary = dictionary
        self._verify = verify
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._decompressor: zstandard.ZstdDecompressor | None = None
        self._offsets_verified: set[int] = set()
        """Runs of :data:`_OFFSETS_CHUNK` offsets already verified (asking costs Python)."""
        if len(offsets) != -(-length // block) + 1:
            raise ValueError(f"{name} has {len(offsets) - 1} frames for {length} elements")

    def __len__(self) -> int:
        return self._length

    @property
    def shape(self) -> tuple[int]:
        return (self._length,)

    def dictionary_bytes(self) -> bytes:
        d = self._dictionary
        return d() if callable(d) else d

    def close(self) -> None:
        close = getattr(self._frames, "close", None)
        if close is not None:
            close()

    def _dctx(self) -> zstandard.ZstdDecompressor:
        if self._decompressor is None:
            dictionary = self.dictionary_bytes()
            trained = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
            self._decompressor = zstandard.ZstdDecompressor(dict_data=trained)
        return self._decompressor

    def _decode(self, data: bytes) -> Any:
        return data

    def _block_data(self, k: int) -> Any:
        """Block ``k`` decompressed and decoded (cached). The frame carries zstd's checksum of
        its content (xxh64), checked as it is decompressed, and must come out exactly the
        block's size: damage raises IndexDamagedError, never wrong text. (The frames' bytes are
        also under the file's xxh3 checksums, which ``citebot index --verify`` checks.)"""
        cached = self._cache.get(k)
        if cached is not None:
            self._cache.move_to_end(k)
            return cached
        chunk = k // _OFFSETS_CHUNK
        if chunk not in self._offsets_verified or (k + 1) // _OFFSETS_CHUNK != chunk:
            self._verify(self.name + "_offsets", k, k + 2)
            self._offsets_verified.add(chunk)
        lo, hi = int(self._offsets[k]), int(self._offsets[k + 1])
        if not 0 <= lo < hi <= len(self._frames):
            raise IndexDamagedError(f"The saved index is damaged ({self.name} frame {k}).")
        frame = _raw(self._frames, lo, hi, 1)
        size = self.dtype.itemsize
        expected = (min(self._length, (k + 1) * self._block) - k * self._block) * size
        try:  # every frame written here says its size and carries a checksum
            header = zstandard.get_frame_parameters(frame)
            if header.content_size != expected or not header.has_checksum:
                raise zstandard.ZstdError("a frame header out of place")
            data = self._dctx().decompress(frame, max_output_size=expected)
        except (zstandard.ZstdError, MemoryError) as error:
            raise IndexDamagedError(f"The saved index is damaged ({self.name}: {error}).") from None
        if len(data) != expected:
            raise IndexDamagedError(f"The saved index is damaged ({self.name} frame {k}).")
        decoded = self._decode(data)
        self._cache[k] = decoded
        if len(self._cache) > _CACHE_BLOCKS:
            self._cache.popitem(last=False)
        return decoded

    def _blocks(self, span: slice) -> tuple[list[Any], int, int]:
        """The decoded blocks holding ``span`` and where it starts and stops in them."""
        start, stop, step = span.indices(self._length)
        if step != 1:
            raise ValueError("packed arrays are sliced contiguously")
        if stop <= start:
            return [], 0, 0
        block = self._block
        first, last = start // block, (stop - 1) // block
        with self._lock:
            parts = [self._block_data(k) for k in range(first, last + 1)]
        base = first * block
        return parts, start - base, stop - base


_OFFSETS_CHUNK = 1024
"""Frame offsets remembered as verified together (fewer than a checksum chunk holds)."""


class PackedBytes(_Packed):
    """A byte array (the documents' text) in packed frames: ``data[lo:hi]`` is bytes."""

    def __getitem__(self, span: slice) -> bytes:
        parts, lo, hi = self._blocks(span)
        if len(parts) == 1:
            return bytes(parts[0][lo:hi])
        return b"".join(parts)[lo:hi]

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[np.uint8]:
        return np.frombuffer(self[0 : len(self)], dtype=np.uint8)


class PackedInts(_Packed):
    """An integer array (the sentences' term ids) in packed frames, stored byte plane by byte
    plane: ``ids[lo:hi]`` is a (read-only) numpy array, ``ids[i]`` one integer."""

    def _decode(self, data: bytes) -> Any:
        planes = np.frombuffer(data, dtype=np.uint8).reshape(self.dtype.itemsize, -1)
        values = planes.T.copy().view(self.dtype).ravel()
        values.flags.writeable = False  # cached: shared by every reader
        return values

    def __getitem__(self, index: slice | int) -> Any:
        if isinstance(index, slice):
            parts, lo, hi = self._blocks(index)
            if not parts:
                return np.zeros(0, dtype=self.dtype)
            if len(parts) == 1:
                return parts[0][lo:hi]
            return np.concatenate(parts)[lo:hi]
        number = int(index) + (self._length if int(index) < 0 else 0)
        if not 0 <= number < self._length:
            raise IndexError("packed array index out of range")
        return self[number : number + 1][0]

    @property
    def nbytes(self) -> int:
        return self._length * int(self.dtype.itemsize)

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[Any]:
        values = np.array(self[0 : len(self)])
        return values if dtype is None else values.astype(dtype)
