"""Large arrays of a saved index stored as independently decompressible zstd frames.

The documents' text is 44% of a million-paragraph index, yet a question reads a few
kilobytes of it: the ~20 paragraphs it re-ranks and quotes. So it is saved in blocks of
:data:`TEXT_BLOCK` bytes, each block one zstd frame, with a table of where each frame starts:
reading ``[lo:hi]`` decompresses only the blocks that hold it (a few µs per block on this
2-core machine), through a small cache of decompressed blocks, since an answer reads the same
paragraphs several times (re-ranking, composing, checking every quote). The frames share a
dictionary trained on samples of the corpus's own text at build (zstd's
``train_dictionary``): 1 KiB of prose alone compresses about 1.8×, with the dictionary about
3× (the benchmark's corpus; real documentation repeats more).

:class:`PackedInts` packs an integer array the same way, byte plane by byte plane (all the
lowest bytes, then the next...: int32 term ids whose high byte is almost always zero compress
1.9× so against 1.6× as they are). The sentences' term ids were saved so and read through it;
that cost a million-paragraph answer about 0.75 ms of CPU (loaded machine) in decompressing
its candidates' ~22 frames, against the whole answer's 5 ms budget, so they are saved as plain
int32 again (docs/benchmarks.md).

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

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import zstandard

from ..errors import IndexDamagedError
from . import arrays as views

if TYPE_CHECKING:  # numpy is imported where arrays are packed, not where they are read
    import numpy as np
    import numpy.typing as npt

TEXT_BLOCK = 1024
"""Bytes of text per frame: a paragraph (about 600 bytes) is in one or two of them. With the
dictionary, 1 KiB frames compress nearly as well as 4 KiB ones (2.70× against 2.86×) and
decompress in a third of the time."""
TOKEN_BLOCK = 256
"""Term ids per frame (1 KiB raw): a paragraph's (about 70) are in one or two (1.95× against
2.14× for 1,024 ids a frame, at a third of the time to read one)."""
LEVEL = 3
"""zstd's level for frames without a dictionary (the term ids)."""
TEXT_LEVEL = 5
"""zstd's level for the text, with its dictionary: on 1 KiB frames of the 100k corpus, level 5
with a 4 MiB dictionary compresses 2.97× against 2.60× at level 3 (which gains nothing from a
dictionary over 1 MiB), at two thirds of level 3's speed, and decompresses as fast."""
DICTIONARY_BYTES = 4 << 20
"""The text dictionary's size at most (4 MiB; a thirty-second of the text for smaller corpora)."""
_MIN_DICTIONARY_TEXT = 1 << 20
"""Below this much text no dictionary is trained (too few samples; nothing to save)."""
_SAMPLES = 8000
_SAMPLE_BYTES = 4096
"""Bytes per dictionary training sample (8,000 of them at most, evenly spaced)."""
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
    import numpy as np

    return np.ascontiguousarray(part).tobytes()


def _shuffle(raw: bytes, itemsize: int) -> bytes:
    """Byte planes: every element's byte 0, then every byte 1, ... (zstd finds the zeros)."""
    if itemsize == 1:
        return raw
    import numpy as np

    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, itemsize).T.tobytes()


def _unshuffle(data: bytes, itemsize: int) -> bytes:
    if itemsize == 1:
        return data
    import numpy as np

    return np.frombuffer(data, dtype=np.uint8).reshape(itemsize, -1).T.tobytes()


def train_dictionary(source: Readable) -> bytes:
    """A zstd dictionary from evenly spaced blocks of ``source`` (deterministic: fixed
    parameters, one thread), or b"" when the text is too small to need one."""
    import numpy as np

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
    # tempfile here, not at the top: a question only reads frames, and tempfile brings shutil,
    # random and SHA-512 (about 5 ms of a one-shot question's start-up).
    import tempfile

    import numpy as np

    from .persist import FileBytes  # persist imports this module

    total = len(source)
    compressor = _compressor(dictionary)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - kept open by the FileBytes returned
    ends = [np.zeros(1, dtype=np.int64)]
    """Each slice's frames' ends (an array per slice, not an int per frame: a million
    paragraphs' text is 600,000 frames)."""
    written = 0
    try:
        per_slice = max(1, _SLICE_BYTES // (block * itemsize)) * block
        for first in range(0, total, per_slice):
            last = min(total, first + per_slice)
            raw = _raw(source, first, last, itemsize)
            step = block * itemsize
            pieces = [_shuffle(raw[i : i + step], itemsize) for i in range(0, len(raw), step)]
            del raw
            frames = _compress_all(compressor, pieces)
            del pieces
            sizes = np.fromiter(map(len, frames), dtype=np.int64, count=len(frames))
            out.writelines(frames)
            ends.append(written + np.cumsum(sizes))
            written += int(sizes.sum())
        out.flush()
    except BaseException:
        out.close()
        raise
    dtype = np.uint32 if written <= np.iinfo(np.uint32).max else np.int64
    table = np.concatenate(ends).astype(dtype)
    if written <= 1 << 24:  # small: read back into memory, the file closed
        out.seek(0)
        data = np.frombuffer(out.read(), dtype=np.uint8)
        out.close()
        return data, table
    return FileBytes(out, 0, written), table


def _compressor(dictionary: bytes) -> zstandard.ZstdCompressor:
    if not dictionary:
        return zstandard.ZstdCompressor(level=LEVEL, write_checksum=True)
    trained = zstandard.ZstdCompressionDict(dictionary)
    trained.precompute_compress(level=TEXT_LEVEL)
    return zstandard.ZstdCompressor(level=TEXT_LEVEL, dict_data=trained, write_checksum=True)


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


def _type_string(dtype: Any) -> str:
    """numpy's type string (``"<i4"``) of a dtype or scalar type given by a caller."""
    import numpy as np

    return str(np.dtype(dtype).str)


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
        self._type = dtype if isinstance(dtype, str) else _type_string(dtype)
        """The elements' type string (``"<i4"``): numpy's dtype only when asked for."""
        self._itemsize = views.itemsize(self._type)
        self._frames = frames
        self._offsets = offsets
        self._length = length
        self._block = block
        self._dictionary = dictionary
        self._verify = verify
        self._lock = threading.Lock()
        self._cache: dict[int, Any] = {}
        """Decoded blocks, oldest first (evicted in the order they came: reads are random)."""
        self._decompressor: zstandard.ZstdDecompressor | None = None
        self._offsets_verified: set[int] = set()
        """Runs of :data:`_OFFSETS_CHUNK` offsets already verified (asking costs Python)."""
        if len(offsets) != -(-length // block) + 1:
            raise ValueError(f"{name} has {len(offsets) - 1} frames for {length} elements")

    def __len__(self) -> int:
        return self._length

    @property
    def dtype(self) -> Any:
        import numpy as np

        return np.dtype(self._type)

    @property
    def itemsize(self) -> int:
        return self._itemsize

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
            return cached
        chunk = k // _OFFSETS_CHUNK
        if chunk not in self._offsets_verified or (k + 1) // _OFFSETS_CHUNK != chunk:
            self._verify(self.name + "_offsets", k, k + 2)
            self._offsets_verified.add(chunk)
        lo, hi = int(self._offsets[k]), int(self._offsets[k + 1])
        if not 0 <= lo < hi <= len(self._frames):
            raise IndexDamagedError(f"The saved index is damaged ({self.name} frame {k}).")
        frame = _raw(self._frames, lo, hi, 1)
        size = self._itemsize
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
        if len(self._cache) >= _CACHE_BLOCKS:
            del self._cache[next(iter(self._cache))]
        self._cache[k] = decoded
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
        import numpy as np

        return np.frombuffer(self[0 : len(self)], dtype=np.uint8)


class PackedInts(_Packed):
    """An integer array (the sentences' term ids) in packed frames, stored byte plane by byte
    plane: ``ids[lo:hi]`` is a read-only array (a typed memoryview, so that answering needs
    no numpy; a numpy array on a machine whose byte order the views do not read), ``ids[i]``
    one integer."""

    def _decode(self, data: bytes) -> Any:
        fmt = views.format_of(self._type)
        size = self._itemsize
        if fmt is not None:  # the planes interleaved again, by slice assignment (C speed)
            values = bytearray(len(data))
            count = len(data) // size
            for plane in range(size):
                values[plane::size] = data[plane * count : (plane + 1) * count]
            return memoryview(values).toreadonly().cast(fmt)  # type: ignore[call-overload]
        import numpy as np

        planes = np.frombuffer(data, dtype=np.uint8).reshape(size, -1)
        array = planes.T.copy().view(self.dtype).ravel()
        array.flags.writeable = False  # cached: shared by every reader
        return array

    def __getitem__(self, index: slice | int) -> Any:
        if isinstance(index, slice):
            parts, lo, hi = self._blocks(index)
            if len(parts) == 1:
                return parts[0][lo:hi]
            fmt = views.format_of(self._type)
            if fmt is not None:
                joined = b"".join(part.tobytes() for part in parts)
                return memoryview(joined).cast(fmt)[lo:hi]  # type: ignore[call-overload]
            import numpy as np

            if not parts:
                return np.zeros(0, dtype=self.dtype)
            return np.concatenate(parts)[lo:hi]
        number = int(index) + (self._length if int(index) < 0 else 0)
        if not 0 <= number < self._length:
            raise IndexError("packed array index out of range")
        return self[number : number + 1][0]

    def gather(self, spans: Sequence[tuple[int, int]]) -> Any:
        """``ids[lo:hi]`` of every span, end to end, in one pass (re-ranking's ~20 rows): a
        memoryview (numpy's array where views cannot read the type), like a slice."""
        block, size = self._block, self._itemsize
        pieces: list[bytes] = []
        with self._lock:
            for lo, hi in spans:
                if hi <= lo:
                    continue
                if not 0 <= lo < hi <= self._length:
                    raise IndexError("packed array span out of range")
                first, last = lo // block, (hi - 1) // block
                base = first * block
                data = b"".join(bytes(self._block_data(k)) for k in range(first, last + 1))
                pieces.append(data[(lo - base) * size : (hi - base) * size])
        fmt = views.format_of(self._type)
        if fmt is not None:
            return memoryview(b"".join(pieces)).cast(fmt)  # type: ignore[call-overload]
        import numpy as np

        return np.frombuffer(b"".join(pieces), dtype=self.dtype)

    @property
    def nbytes(self) -> int:
        return self._length * self._itemsize

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[Any]:
        import numpy as np

        values = np.array(self[0 : len(self)])
        return values if dtype is None else values.astype(dtype)
