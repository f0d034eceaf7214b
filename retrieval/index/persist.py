"""The saved-index file: its layout, its manifest and its checksums, in this module only.

Layout (format 4)::

    b"CITEBOT-INDEX\\n"              magic
    8 bytes, little-endian          header length H
    8 bytes, little-endian          xxh3-64 of the header
    H bytes                         the header: JSON (the manifest and the array table)
    ...                             each array's raw bytes, at a 64-byte-aligned offset

Opening maps the file and wraps each array around the mapping: nothing is copied or parsed
per paragraph, so a million-paragraph index opens in milliseconds and only the pages a question
touches are ever read from disk.

**Checked data.** Every array carries one xxh3-64 checksum per 64 KiB of its bytes
(:class:`Checks`). Small arrays (per file or per term: offsets, IDF, the vocabulary; and the
paragraph-to-file column and the lengths every score uses) are verified when the file is
opened. The large ones are verified where they are read, once per 64 KiB: a paragraph's row and
text when a :class:`~retrieval.types.Passage` is made from them, a term's postings when the term
is first searched. ``citebot index --verify`` verifies everything. A mismatch raises
:class:`~retrieval.errors.IndexDamagedError` (while answering) or :class:`IndexFileError`
(while opening): the front ends then rebuild from the files, and never answer from the damaged
copy. The header's values are range-checked too (k1, b, the average length recomputed from the
lengths), since a checksum only proves that the bytes are the ones written.

xxhash, not zlib.crc32: on the 2-core machine this was written on, zlib.crc32 hashes 0.22 GB/s
and xxh3 4.6 GB/s (64 KiB blocks), which is what keeps a million-paragraph index opening in
well under 0.1 s with its small arrays verified, and a term's first search cheap.

**Truncation.** A file truncated under a running process (``cp`` over it, ``: >``) would kill
it with SIGBUS at the first touch of a page past the new end. :meth:`Checks.intact` compares
the file's current size with the size written (one ``fstat``); the engine calls it before
every answer, so a truncated index is reported and reloaded instead. (A truncation in the
microseconds between that check and the reads of one answer is not covered.)

Writes go to a temporary file in the same folder (its name carries the writer's pid), are
flushed to disk, then renamed over the old index: a crash mid-write leaves the old index or
none, never half of one, and the next write removes temporary files whose writer is dead.

**Staleness** (:func:`stale_files`): the manifest lists every candidate file with its size,
modification time, inode, change time and SHA-256. A file whose four numbers are unchanged is
trusted, unless its times are not safely older than the index (a file changed within the same
clock tick as the read — git's "racy" case); then, like any changed-looking file of the same
size, it is hashed: same content, still fresh.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import math
import mmap
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import xxhash

from ..analysis.analyzer import analyzer_for
from ..analysis.identify import Identification
from ..errors import CitebotError, IndexDamagedError
from ..reading.files import UNREADABLE, FileRecord, LoadWarning, Scan, scan_corpus
from ..reading.select import EVERY_FILE, FileSelection
from . import arrays as views
from . import packed
from .bm25 import IDF_VARIANTS, BM25Index
from .sentences import SENTENCE_ARRAYS, SPLIT_ARRAYS, SplitIds, split_ids
from .store import UNIT_ARRAYS, PassageStore, SourceInfo

if TYPE_CHECKING:  # numpy is imported where an index is saved, or read without views
    import numpy as np
    import numpy.typing as npt

MAGIC = b"CITEBOT-INDEX\n"
FORMAT = 6
"""2: passages carry line, page, kind and heading path + anchor; 3: checksums, the preamble's
header digest and the typed manifest; 4: the sentence table's integers as narrow as they fit;
5: the text in zstd frames (:mod:`.packed`), per-paragraph columns as narrow as they fit,
the document index's vocabulary keys shared; 6: the postings bit-packed per block
(:mod:`.postings`), the sentences' term ids as 16-bit halves with exceptions
(:class:`~.sentences.SplitIds`) (older files are rebuilt)."""
CHUNK = 1 << 16
"""Bytes per checksum."""
_ALIGN = 64
_PREAMBLE = len(MAGIC) + 16
_RACY_NS = 2_000_000_000
"""Files modified less than this before the index was written are re-hashed when opened."""
_INDEX = "p."
_DOCUMENTS = "d."
LAZY_ARRAYS = frozenset(
    {
        *(n for n in PassageStore.ROW_COLUMNS if n != "source"),
        "text",
        "contexts",
        "places",
        "id_order",
        *SENTENCE_ARRAYS,
        *SPLIT_ARRAYS,
        *("text_z", "text_z_offsets"),
        "text_dict",
        *(
            prefix + n
            for prefix in (_INDEX, _DOCUMENTS)
            for n in (*BM25Index.POSTINGS_ARRAYS, *BM25Index.TERM_ARRAYS)
        ),
        *(n for n in UNIT_ARRAYS if n not in {"unit_langs", "unit_lang_offsets"}),
    }
)
"""Verified where they are read; every other array when the file is opened."""
PACKED = {"text": ("text_z", packed.TEXT_BLOCK)}
"""The arrays saved in zstd frames (:mod:`.packed`): their name in the file, elements per frame.
The text's frames share the dictionary ``text_dict``. (The sentences' term ids packed as well,
``("tokens_z", packed.TOKEN_BLOCK)``, were 1.9× smaller but cost a million-paragraph answer
about 0.75 ms of CPU more, on a loaded machine, in decompressing the ~22 frames of its
candidates: not kept, see docs/benchmarks.md.)"""
SPLIT = frozenset({"tokens"})
"""Arrays saved as :class:`~.sentences.SplitIds` (low halves and exceptions), which verify
what they read themselves."""
_PREAD = frozenset({"text_z"})
"""Read with ``pread`` where sliced rather than memory-mapped (see :class:`FileBytes`)."""


class Problem(StrEnum):
    """Why a saved index cannot be used."""

    UNREADABLE = "unreadable"
    DAMAGED = "damaged"
    OTHER_VERSION = "other version"
    OTHER_OPTIONS = "other options"


class IndexFileError(CitebotError):
    """A saved index that cannot be used (damaged, or from another version): rebuilt, not fatal."""

    def __init__(self, message: str, problem: Problem = Problem.DAMAGED) -> None:
        super().__init__(message)
        self.problem = problem


@functools.cache
def code_signature() -> str:
    """A hash of the code that decides what is indexed (loading, splitting, tokenizing, scoring):
    an index written by different code is rebuilt rather than trusted."""
    digest = hashlib.sha256(str(FORMAT).encode())
    package = Path(__file__).parent.parent
    for stage in ("reading", "splitting", "analysis", "index"):
        for name in sorted((package / stage).glob("*.py")):
            digest.update(name.read_bytes())
    # Stems change terms. Stemmer.version() rather than importlib.metadata, which would cost a
    # one-shot question tens of milliseconds of start-up (email, zipfile...).
    import Stemmer

    digest.update(str(Stemmer.version()).encode())
    return digest.hexdigest()[:16]


def default_index_dir() -> Path:
    """``$XDG_CACHE_HOME/citebot`` (``~/.cache/citebot``): a cache, never inside the corpus."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "citebot"


def index_path(index_dir: Path, root: Path, key: Mapping[str, Any]) -> Path:
    """One file per corpus folder and indexing options (``key``: what the index depends on)."""
    text = json.dumps({"root": str(root.resolve()), "shape": dict(key)}, sort_keys=True)
    name = root.resolve().name or "corpus"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:40]
    return index_dir / f"{safe}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.citebot-index"


# -- the manifest -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a saved index was built from and with: the header, typed."""

    key: Mapping[str, Any]
    """The indexing options (:class:`~retrieval.index.build.IndexShape` as a dict)."""
    written_ns: int
    """When reading the files began (ns since the epoch)."""
    records: tuple[FileRecord, ...]
    warnings: tuple[LoadWarning, ...] = ()
    build_seconds: float = 0.0
    signature: str = field(default_factory=code_signature)
    language: Identification = field(
        default_factory=lambda: Identification("en", 1.0, "set by the language option")
    )
    """The language the corpus was analysed as, and how that was decided."""
    analyzer: str = ""
    """The analyzer's identity (language, stemmer, stopwords, segmenter versions): an index
    analysed otherwise is rebuilt."""


@dataclass(frozen=True, slots=True)
class IndexContents:
    """Everything a saved index holds."""

    manifest: Manifest
    store: PassageStore
    index: BM25Index
    document_index: BM25Index | None


@dataclass(frozen=True, slots=True)
class ArraySpec:
    """One array's entry in the file's table."""

    dtype: str
    shape: tuple[int, ...]
    offset: int
    """From the start of the array area."""
    digests: tuple[int, ...]
    """xxh3-64 of each CHUNK bytes."""

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * views.itemsize(self.dtype)


def _digests(data: bytes | memoryview) -> tuple[int, ...]:
    view = memoryview(data).cast("B")
    return tuple(xxhash.xxh3_64_intdigest(view[i : i + CHUNK]) for i in range(0, len(view), CHUNK))


_COPY_BYTES = 256 * CHUNK
"""Bytes of a :class:`FileBytes` array read at a time while saving (16 MiB)."""


def _file_digests(data: FileBytes) -> tuple[int, ...]:
    """:func:`_digests` of an array left on disk, read a slice at a time (a million
    paragraphs' text never has to be in memory at once)."""
    digests: list[int] = []
    for lo in range(0, len(data), _COPY_BYTES):
        digests += _digests(data[lo : lo + _COPY_BYTES])
    return tuple(digests)


def _record_json(r: FileRecord) -> list[Any]:
    return [r.source, r.size, r.mtime_ns, r.sha256, r.inode, r.ctime_ns, r.name]


def _header(
    contents: IndexContents, table: Mapping[str, ArraySpec], extra: Mapping[str, Any]
) -> dict[str, Any]:
    """The header: the manifest, each index's options, the array table, and ``extra`` (what
    :func:`_layout` says of the packed arrays and the aliases)."""
    m = contents.manifest
    return {
        "format": FORMAT,
        "signature": m.signature,
        "shape": dict(m.key),
        "written_ns": m.written_ns,
        "build_seconds": m.build_seconds,
        "records": [_record_json(r) for r in m.records],
        "warnings": [[w.source, w.message, w.skipped] for w in m.warnings],
        "sources": [
            [s.source, s.title, s.encoding, s.format, s.pages] for s in contents.store.sources
        ],
        "index": contents.index.meta(),
        "document_index": contents.document_index.meta() if contents.document_index else None,
        "language": {
            "language": m.language.language,
            "share": m.language.share,
            "reason": m.language.reason,
            "others": [list(other) for other in m.language.others],
            "analyzer": m.analyzer,
        },
        "arrays": {
            name: {**asdict(spec), "shape": list(spec.shape)} for name, spec in table.items()
        },
        **extra,
    }


def _arrays(contents: IndexContents) -> dict[str, npt.NDArray[Any]]:
    arrays = dict(contents.store.arrays())
    arrays.update({_INDEX + k: v for k, v in contents.index.arrays().items()})
    if contents.document_index is not None:
        arrays.update({_DOCUMENTS + k: v for k, v in contents.document_index.arrays().items()})
    return arrays


# -- writing ----------------------------------------------------------------------------------


def _pack(arrays: dict[str, Any]) -> dict[str, Any]:
    """Replace the :data:`PACKED` arrays with their frames, frame offsets (and the text's
    dictionary), in place; what the header says of each (length, element type, block)."""
    import numpy as np

    packs: dict[str, Any] = {}
    for name, (stored, block) in PACKED.items():
        array = arrays.pop(name)
        dtype = np.dtype(np.uint8 if name == "text" else getattr(array, "dtype", np.uint8))
        if name == "text":
            dictionary = packed.train_dictionary(array)
            arrays["text_dict"] = np.frombuffer(dictionary, dtype=np.uint8)
        else:
            dictionary = b""
        frames, offsets = packed.pack(array, dtype.itemsize, block, dictionary)
        arrays[stored], arrays[stored + "_offsets"] = frames, offsets
        packs[name] = {"length": len(array), "dtype": dtype.str, "block": block}
    return packs


_NARROWED = frozenset(
    {
        *(n for n in PassageStore.ROW_COLUMNS if n not in {"id", "kind"}),
        *("id_order", "unit_start", "unit_end", "unit_lang"),
    }
)
"""Per-paragraph integer columns saved in the narrowest unsigned type that holds them (a
million paragraphs' offsets fit 32 bits, their files, lines and headings 16): 48 of 100 bytes
per paragraph. The readers take any integer type."""


def _narrow(array: Any) -> Any:
    import numpy as np

    if isinstance(array, FileArray):
        return _narrow_file(array)
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iu" or not len(array):
        return array
    if int(array.min()) < 0:
        return array
    top = int(array.max())
    for dtype in (np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return array.astype(dtype) if array.dtype.itemsize > np.dtype(dtype).itemsize else array
    return array


def _narrow_file(array: FileArray) -> FileArray:
    """:func:`_narrow` of a build's file array: its range found, and it converted, a slice
    at a time (into a temporary file of its own)."""
    import numpy as np

    if array.dtype.kind not in "iu" or not len(array):
        return array
    low = top = 0
    step = max(1, _COPY_BYTES // array.dtype.itemsize)
    for lo in range(0, len(array), step):
        part = array[lo : lo + step]
        low, top = min(low, int(part.min())), max(top, int(part.max()))
    if low < 0:
        return array
    for dtype in (np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            if array.dtype.itemsize <= np.dtype(dtype).itemsize:
                return array
            from .spill import converted  # the build's module (it imports this one)

            return converted(array, dtype, keep=True)
    return array


def _layout(
    contents: IndexContents,
) -> tuple[dict[str, Any], dict[str, ArraySpec], int, dict[str, Any]]:
    """Each array to write (an array in memory, or the :class:`FileBytes` of one a build left
    in its temporary file), its table entry with checksums, the end of the array area, and
    the header's word on the packed arrays (:func:`_pack`)."""
    import numpy as np

    arrays: dict[str, Any] = {}
    types: dict[str, str] = {}
    source = {n: _narrow(a) if n in _NARROWED else a for n, a in _arrays(contents).items()}
    packs = _pack(source)
    source.update(split_ids(source.pop("tokens")))
    for name, array in source.items():
        if isinstance(array, FileArray):  # left in a build's temporary file: copied from there
            arrays[name], types[name] = array.raw, array.dtype.str
        elif isinstance(array, FileBytes):
            arrays[name], types[name] = array, "|u1"
        else:
            arrays[name] = np.ascontiguousarray(array)
    aliases = _aliases(arrays)
    table: dict[str, ArraySpec] = {}
    offset = 0
    for name, array in arrays.items():
        if name in aliases:  # the same bytes as its twin, stored once
            table[name] = table[aliases[name]]
            continue
        offset = -(-offset // _ALIGN) * _ALIGN
        if isinstance(array, FileBytes):
            shape = (len(array) // np.dtype(types[name]).itemsize,)
            table[name] = ArraySpec(types[name], shape, offset, _file_digests(array))
            offset += len(array)
            continue
        table[name] = ArraySpec(array.dtype.str, array.shape, offset, _digests(array.data))
        offset += array.nbytes
    return arrays, table, offset, {"packed": packs, "aliases": aliases}


def _aliases(arrays: Mapping[str, Any]) -> dict[str, str]:
    """The document index's vocabulary arrays that are the paragraph index's, byte for byte
    (they hold the same terms in the same order): saved once, both names pointing there."""
    import numpy as np

    aliases = {}
    for name, array in arrays.items():
        twin = _INDEX + name[len(_DOCUMENTS) :]
        if not name.startswith(_DOCUMENTS + "vocab_") or twin not in arrays:
            continue
        other = arrays[twin]
        if (
            isinstance(array, np.ndarray)
            and isinstance(other, np.ndarray)
            and array.dtype == other.dtype
            and np.array_equal(array, other)
        ):
            aliases[name] = twin
    return aliases


def save(path: Path, contents: IndexContents) -> None:
    """Write atomically: temporary file (named with this process's pid), fsync, rename."""
    arrays, table, offset, extra = _layout(contents)
    encoded = json.dumps(_header(contents, table, extra), ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )
    start = -(-(_PREAMBLE + len(encoded)) // _ALIGN) * _ALIGN
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(path.parent)
    temporary = path.parent / f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while writing: a live writer's file is not removed
        with os.fdopen(fd, "wb", closefd=False) as out:
            digest = xxhash.xxh3_64_intdigest(encoded)
            out.write(MAGIC + len(encoded).to_bytes(8, "little") + digest.to_bytes(8, "little"))
            out.write(encoded)
            for name, array in arrays.items():
                if name in extra["aliases"]:
                    continue
                out.seek(start + table[name].offset)
                if isinstance(array, FileBytes):
                    for lo in range(0, len(array), _COPY_BYTES):
                        out.write(array[lo : lo + _COPY_BYTES])
                else:
                    out.write(array.data if array.nbytes >= 1 << 20 else array.tobytes())
            out.truncate(start + offset)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
        for name in _PREAD:  # the frames' temporary files
            if isinstance(arrays.get(name), FileBytes):
                arrays[name].close()
    try:  # the rename itself survives a power cut only once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass


_TEMPORARY = re.compile(r".*\.citebot-index\.(\d+)\.[0-9a-f]+\.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_abandoned(folder: Path) -> list[Path]:
    """Remove the temporary files of writes whose process is gone (killed mid-write): its pid
    is in the name; a reused pid is caught by the write lock the live writer holds."""
    removed = []
    with contextlib.suppress(OSError):
        for leftover in folder.iterdir():
            match = _TEMPORARY.fullmatch(leftover.name)
            if match is None:
                continue
            if _alive(int(match.group(1))):
                try:
                    fd = os.open(leftover, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # its writer is at work
                finally:
                    os.close(fd)
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover)
    return removed


# -- reading ----------------------------------------------------------------------------------


class FileBytes:
    """A byte array left on disk and read with ``pread`` where it is sliced.

    For the documents' text: a question reads a few paragraphs of it, and memory-mapping would
    keep far more resident than that (the kernel maps the neighbouring pages of each one read).
    """

    def __init__(self, handle: BinaryIO, offset: int, size: int) -> None:
        self._handle = handle  # kept open as long as the index is in use
        self._offset = offset
        self._size = size

    def __len__(self) -> int:
        return self._size

    @property
    def offset(self) -> int:
        """Where the bytes start in the file."""
        return self._offset

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        """Close the file (several FileBytes may share it; closing twice is harmless)."""
        self._handle.close()

    __del__ = close

    def __getitem__(self, span: slice) -> bytes:
        start, stop, step = span.indices(self._size)
        if step != 1:
            raise ValueError("FileBytes slices must be contiguous")
        if stop <= start:
            return b""
        try:
            data = os.pread(self._handle.fileno(), stop - start, self._offset + start)
        except (OSError, ValueError) as error:
            raise IndexDamagedError("The saved index could not be read.") from error
        if len(data) != stop - start:
            raise IndexDamagedError("The saved index was truncated while in use.")
        return data

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[np.uint8]:
        import numpy as np

        return np.frombuffer(self[0 : self._size], dtype=np.uint8)


class FileArray:
    """A typed one-dimensional array left in a file (a large build's temporary file): its
    slices read with ``pread``, as :class:`FileBytes` reads bytes. What a fresh build's
    sentence terms are until they are saved: a million paragraphs' 60 million ids need not be
    in memory (slicing, ``len`` and ``np.asarray`` are all a reader does with them)."""

    def __init__(self, data: FileBytes, dtype: Any) -> None:
        import numpy as np

        self._data = data
        self.dtype = np.dtype(dtype)
        self._length: int = len(data) // self.dtype.itemsize
        self.shape = (self._length,)
        self.ndim = 1

    def __len__(self) -> int:
        return self._length

    @property
    def nbytes(self) -> int:
        return self._length * int(self.dtype.itemsize)

    @property
    def itemsize(self) -> int:
        return int(self.dtype.itemsize)

    @property
    def raw(self) -> FileBytes:
        """The bytes, for writing them out a slice at a time."""
        return self._data

    def __getitem__(self, index: slice | int) -> Any:
        import numpy as np

        size = self.dtype.itemsize
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("FileArray slices must be contiguous")
            return np.frombuffer(self._data[start * size : max(start, stop) * size], self.dtype)
        number = int(index) + (len(self) if int(index) < 0 else 0)
        if not 0 <= number < len(self):
            raise IndexError("FileArray index out of range")
        return np.frombuffer(self._data[number * size : (number + 1) * size], self.dtype)[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[Any]:
        import numpy as np

        values = np.frombuffer(self._data[0 : len(self._data)], self.dtype)
        return values if dtype is None else values.astype(dtype)

    def close(self) -> None:
        self._data.close()


MAPPED_BUDGET = 160 << 20
"""File-backed memory (the index's mapped pages, and the libraries') above which the index's
pages are given back (:meth:`Checks.trim`): a few answers' worth of postings at a million
paragraphs."""
_TRIM_EVERY = 4
"""Calls of :meth:`Checks.intact` between looks at the process's memory (one read of
/proc/self/statm)."""
_VERIFY_TRIM_CHUNKS = 256
"""Chunks (16 MiB) that a whole-file :meth:`Checks.verify` reads between looks at the process's
memory: ``citebot index --verify`` reads every page of the file, and without a trim a
million-paragraph index would stay resident until the command ends."""


class Checks:
    """The checksums of one opened index file, verified 64 KiB at a time on first use.

    Thread-safe: a chunk verified twice by two threads at once costs a hash, nothing else.
    """

    def __init__(
        self,
        path: Path,
        mapped: mmap.mmap,
        specs: Mapping[str, ArraySpec],
        arrays: Mapping[str, Any],
        size: int,
    ) -> None:
        self.path = path
        self._mapped = mapped
        self._specs = dict(specs)
        self._arrays = dict(arrays)
        self._size = size
        self._verified = {name: bytearray(len(spec.digests)) for name, spec in specs.items()}
        self._itemsize = {name: views.itemsize(spec.dtype) for name, spec in specs.items()}
        self._nbytes = {name: spec.nbytes for name, spec in specs.items()}
        """Each array's size, worked out once: opening a million-paragraph index verifies
        over a thousand chunks, and ``ArraySpec.nbytes`` is a numpy product each time."""
        self._lock = threading.Lock()
        self._calls = 0
        self._raw: dict[str, memoryview] = {}

    def intact(self) -> None:
        """IndexDamagedError if the file was truncated since it was opened (before any read
        of the mapping, which would otherwise end the process with SIGBUS). Every so many
        calls (the engine calls this before every answer), also :meth:`trim`; the checks' own
        look at the size before each chunk they verify (:meth:`_sized`) is not counted, so
        the process's memory is looked at every few answers, not every few chunks."""
        self._sized()
        self._calls += 1
        if self._calls % _TRIM_EVERY == 0:
            self.trim()

    def _sized(self) -> None:
        """:meth:`intact`'s check of the file's size alone."""
        try:
            size = self._mapped.size()
        except (OSError, ValueError) as error:
            raise IndexDamagedError("The saved index can no longer be read.") from error
        if size < self._size:
            raise IndexDamagedError(
                f"The saved index {self.path} was truncated while in use "
                f"({size:,} of {self._size:,} bytes)."
            )

    def trim(self, budget: int | None = None) -> bool:
        """Give back the mapped pages of the index when the process's file-backed memory is
        over ``budget`` bytes (default :data:`MAPPED_BUDGET`; ``madvise(MADV_DONTNEED)``);
        whether it did.

        Why: every page a question touches stays mapped, and this kernel maps page-cache
        pages in large folios (touching one byte of a mapped file maps about 800 KB), so
        after a thousand answers most of a million-paragraph index's postings and columns
        were counted in the process's memory. The pages stay in the system's page cache:
        reading them again is a minor fault (one per folio), no disk read and no second
        checksum (what was verified stays verified)."""
        advise = getattr(self._mapped, "madvise", None)
        dontneed = getattr(mmap, "MADV_DONTNEED", None)
        if advise is None or dontneed is None:
            return False
        try:
            with open("/proc/self/statm", "rb") as statm:
                shared_pages = int(statm.read().split()[2])
        except (OSError, ValueError, IndexError):
            return False
        if shared_pages * mmap.PAGESIZE <= (MAPPED_BUDGET if budget is None else budget):
            return False
        try:
            advise(dontneed)
        except (OSError, ValueError):
            return False
        return True

    def items(self, names: Iterable[str], lo: int, hi: int) -> None:
        """Verify elements ``lo:hi`` of each named array (the chunks not yet verified)."""
        for name in names:
            if hi <= lo or name in PACKED or name in SPLIT:  # these verify what they read
                continue
            size = self._itemsize[name]
            first, last = lo * size // CHUNK, ((hi * size) - 1) // CHUNK
            verified = self._verified[name]
            if first >= len(verified) or last >= len(verified) or lo < 0:
                raise IndexDamagedError(f"The saved index is damaged ({name} read out of range).")
            if first == last:  # the usual read: one chunk
                if not verified[first]:
                    self._verify(name, first)
                continue
            # the first chunk not yet verified, found in C (most reads: none)
            chunk = verified.find(0, first, last + 1)
            while chunk != -1:
                self._verify(name, chunk)
                chunk = verified.find(0, chunk + 1, last + 1)

    def _verify(self, name: str, chunk: int, *, sized: bool = False) -> None:
        """Verify one chunk (``sized``: :meth:`intact` was just checked by the caller)."""
        if not sized:
            self._sized()
        spec = self._specs[name]
        array = self._arrays[name]
        lo = chunk * CHUNK
        hi = min(lo + CHUNK, self._nbytes[name])
        if isinstance(array, FileBytes):
            data: bytes | memoryview = array[lo:hi]
        else:
            raw = self._raw.get(name)
            if raw is None:  # an array's bytes, viewed once (opening verifies ~500 chunks)
                raw = self._raw[name] = memoryview(array).cast("B")
            data = raw[lo:hi]
        if xxhash.xxh3_64_intdigest(data) != spec.digests[chunk]:
            raise IndexDamagedError(
                f"The saved index is damaged ({name} fails its checksum at byte {lo:,})."
            )
        self._verified[name][chunk] = 1

    def verify_all(self, name: str) -> None:
        """Every chunk of one array not yet verified (IndexDamagedError on a mismatch)."""
        if self.verify([name]):
            raise IndexDamagedError(f"The saved index is damaged ({name} fails its checksum).")

    def verify(self, names: Iterable[str] | None = None) -> list[str]:
        """Verify every chunk of the named arrays (default: all); the names that fail. The
        mapped pages are given back as it goes (:data:`_VERIFY_TRIM_CHUNKS`)."""
        failed = []
        done = 0
        for name in self._specs if names is None else names:
            try:
                verified = self._verified[name]
                chunk = verified.find(0)  # only the chunks not yet verified
                checked_at = -64
                while chunk != -1:
                    if chunk - checked_at >= 64:  # the file's size every 4 MiB, not every 64 KiB
                        self._sized()
                        checked_at = chunk
                    self._verify(name, chunk, sized=True)
                    done += 1
                    if done % _VERIFY_TRIM_CHUNKS == 0:
                        self.trim()
                    chunk = verified.find(0, chunk + 1)
            except IndexDamagedError:
                failed.append(name)
        return failed

    def prefixed(self, prefix: str) -> PrefixedChecks:
        return PrefixedChecks(self, prefix)


@dataclass(frozen=True, slots=True)
class PrefixedChecks:
    """The checks of one index's arrays, named as the index names them."""

    checks: Checks
    prefix: str

    def items(self, names: Iterable[str], lo: int, hi: int) -> None:
        self.checks.items([self.prefix + n for n in names], lo, hi)


@dataclass(frozen=True, slots=True)
class OpenedIndex:
    """A saved index, opened: its contents, and the checks that guard them."""

    contents: IndexContents
    checks: Checks
    path: Path

    def close(self) -> None:
        self.contents.store.close()


def _parse_table(header: Mapping[str, Any], total: int, start: int) -> dict[str, ArraySpec]:
    table = header.get("arrays")
    if not isinstance(table, dict):
        raise IndexFileError("it has no array table")
    specs = {}
    for name, raw in table.items():
        spec = ArraySpec(
            str(raw["dtype"]),
            tuple(int(n) for n in raw["shape"]),
            int(raw["offset"]),
            tuple(map(int, raw["digests"])),
        )
        if not views.plain_type(spec.dtype) or any(n < 0 for n in spec.shape) or spec.offset < 0:
            raise IndexFileError(f"it has a bad array {name!r}")
        if start + spec.offset + spec.nbytes > total:
            raise IndexFileError(f"it ends inside array {name!r} (truncated)")
        if len(spec.digests) != -(-spec.nbytes // CHUNK):
            raise IndexFileError(f"array {name!r} has the wrong number of checksums")
        specs[str(name)] = spec
    return specs


def _read_header(mapped: mmap.mmap) -> tuple[dict[str, Any], int]:
    if mapped[: len(MAGIC)] != MAGIC:
        raise IndexFileError("it is not a citebot index")
    length = int.from_bytes(mapped[len(MAGIC) : len(MAGIC) + 8], "little")
    digest = int.from_bytes(mapped[len(MAGIC) + 8 : _PREAMBLE], "little")
    raw = mapped[_PREAMBLE : _PREAMBLE + length]
    if length <= 0 or _PREAMBLE + length > len(mapped) or xxhash.xxh3_64_intdigest(raw) != digest:
        if mapped[len(MAGIC) + 8 : len(MAGIC) + 9] == b"{":  # formats 1-2: JSON came here
            raise IndexFileError(f"it has an older format, not {FORMAT}", Problem.OTHER_VERSION)
        raise IndexFileError("its header fails its checksum")
    header = json.loads(raw.decode("utf-8", "surrogatepass"))
    if not isinstance(header, dict):
        raise IndexFileError("its header is not a table")
    if header.get("format") != FORMAT:
        raise IndexFileError(
            f"it has format {header.get('format')!r}, not {FORMAT}", Problem.OTHER_VERSION
        )
    return header, -(-(_PREAMBLE + length) // _ALIGN) * _ALIGN


def _map(path: Path) -> tuple[BinaryIO, mmap.mmap]:
    try:
        handle = path.open("rb")
    except OSError as error:
        problem = Problem.UNREADABLE
        raise IndexFileError(f"cannot open it ({error.strerror or error})", problem) from None
    try:
        return handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as error:
        handle.close()
        raise IndexFileError(f"cannot map it ({error})", Problem.UNREADABLE) from error


def read(path: Path, key: Mapping[str, Any]) -> OpenedIndex:
    """Open the saved index at ``path`` built with indexing options ``key``; IndexFileError
    (with its :class:`Problem`) when it is unreadable, damaged, from other code or options."""
    handle, mapped = _map(path)
    arrays: dict[str, Any] = {}
    try:
        header, start = _read_header(mapped)
        if header.get("signature") != code_signature():
            raise IndexFileError(
                "it was written by another version of citebot", Problem.OTHER_VERSION
            )
        if header.get("shape") != json.loads(json.dumps(dict(key))):  # tuples saved as lists
            raise IndexFileError("it was built with other indexing options", Problem.OTHER_OPTIONS)
        language = _language(header["language"])
        if header["language"]["analyzer"] != analyzer_for(language.language).identity:
            analyzer = header["language"]["analyzer"]
            raise IndexFileError(f"it was analysed otherwise ({analyzer})", Problem.OTHER_VERSION)
        total = len(mapped)
        specs = _parse_table(header, total, start)
        as_views = views.use_views()  # no numpy for a question (see retrieval.index.arrays)
        for name, spec in specs.items():
            count = math.prod(spec.shape)
            if name in _PREAD:  # a handle of its own (a dup: the same file, even if renamed over)
                own = os.fdopen(os.dup(handle.fileno()), "rb")
                arrays[name] = FileBytes(own, start + spec.offset, spec.nbytes)
            elif (
                as_views
                and len(spec.shape) == 1
                and (
                    (view := views.view(mapped, spec.dtype, start + spec.offset, count)) is not None
                )
            ):
                arrays[name] = view
            else:
                import numpy as np

                arrays[name] = np.frombuffer(
                    mapped,
                    dtype=np.dtype(spec.dtype),
                    count=count,
                    offset=start + spec.offset,
                ).reshape(spec.shape)
        checks = Checks(path, mapped, specs, arrays, total)
        aliases = _parse_aliases(header, specs)
        failed = checks.verify([n for n in specs if n not in LAZY_ARRAYS and n not in aliases])
        if failed:
            verb = "fails its checksum" if len(failed) == 1 else "fail their checksums"
            raise IndexFileError(f"{', '.join(failed)} {verb}")
        _unpack(header, arrays, checks)
        contents = _contents(header, arrays, checks)
        return OpenedIndex(contents, checks, path)
    except IndexFileError:
        _close_all(arrays)
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, UnicodeError) as error:
        _close_all(arrays)
        raise IndexFileError(f"it is damaged ({error})") from error
    finally:
        handle.close()  # the mapping and the FileBytes hold their own


def _parse_aliases(header: Mapping[str, Any], specs: Mapping[str, ArraySpec]) -> dict[str, str]:
    """The header's aliases (an array stored once under two names), each checked to be its
    twin's table entry exactly (so verifying the twin verifies it)."""
    aliases = {str(k): str(v) for k, v in dict(header.get("aliases", {})).items()}
    for name, twin in aliases.items():
        if name not in specs or twin not in specs or specs[name] != specs[twin] or twin in aliases:
            raise ValueError(f"the alias {name!r} does not fit the array table")
    return aliases


def _close_all(arrays: Mapping[str, Any]) -> None:
    for array in arrays.values():
        if isinstance(array, FileBytes):
            array.close()


def _unpack(header: Mapping[str, Any], arrays: dict[str, Any], checks: Checks) -> None:
    """The :data:`PACKED` arrays, readable again: a :class:`~.packed.PackedBytes` or
    :class:`~.packed.PackedInts` over each one's frames (ValueError if the header's word on
    them does not fit the file); and the :data:`SPLIT` term ids as a
    :class:`~.sentences.SplitIds`."""
    packs = header["packed"]

    def verify(name: str, lo: int, hi: int) -> None:
        checks.items((name,), lo, hi)

    stored_dictionary = arrays["text_dict"]  # not ``arrays``: it holds the text (no cycle)

    def text_dictionary() -> bytes:
        checks.verify_all("text_dict")
        return bytes(memoryview(stored_dictionary).cast("B"))

    arrays["tokens"] = SplitIds(
        arrays["tokens_low"], arrays["tokens_high_at"], arrays["tokens_high"], verify=verify
    )
    for name, (stored, _) in PACKED.items():
        meta = packs[name]
        length, dtype, block = int(meta["length"]), str(meta["dtype"]), int(meta["block"])
        if not views.integer_type(dtype) or length < 0 or block <= 0:
            raise ValueError(f"the packed {name} is described wrongly")
        kind = packed.PackedBytes if name == "text" else packed.PackedInts
        arrays[name] = kind(
            stored,
            arrays[stored],
            arrays[stored + "_offsets"],
            length,
            dtype,
            block,
            dictionary=text_dictionary if name == "text" else b"",
            verify=verify,
        )


def _contents(
    header: Mapping[str, Any], arrays: Mapping[str, Any], checks: Checks
) -> IndexContents:
    """The typed contents, every header value range-checked (ValueError otherwise)."""
    sources = [
        SourceInfo(str(s), str(t), str(e), str(f), int(p)) for s, t, e, f, p in header["sources"]
    ]
    store = PassageStore(sources, {n: arrays[n] for n in PassageStore.ARRAYS}, checks=checks)
    store.check()
    index = _index(arrays, header["index"], _INDEX, checks)
    document_index = None
    if header["document_index"] is not None:
        document_index = _index(arrays, header["document_index"], _DOCUMENTS, checks)
    if index.size != len(store) or (document_index and document_index.size > len(sources)):
        raise ValueError("the indexes do not fit the paragraphs")
    written_ns = int(header["written_ns"])
    if not 0 < written_ns <= time.time_ns() + 86_400 * 10**9:
        raise ValueError(f"written_ns {written_ns} is out of range")
    build_seconds = float(header["build_seconds"])
    if not (math.isfinite(build_seconds) and build_seconds >= 0):
        raise ValueError("build_seconds is out of range")
    manifest = Manifest(
        key=dict(header["shape"]),
        written_ns=written_ns,
        records=tuple(_parse_record(r) for r in header["records"]),
        warnings=tuple(LoadWarning(str(s), str(m), bool(k)) for s, m, k in header["warnings"]),
        build_seconds=build_seconds,
        signature=str(header["signature"]),
        language=_language(header["language"]),
        analyzer=str(header["language"]["analyzer"]),
    )
    if {s.source for s in sources} - {r.source for r in manifest.records}:
        raise ValueError("a document is missing from the manifest")
    return IndexContents(manifest, store, index, document_index)


def _language(saved: Mapping[str, Any]) -> Identification:
    return Identification(
        str(saved["language"]),
        float(saved["share"]),
        str(saved["reason"]),
        tuple((str(code), float(share)) for code, share in saved["others"]),
    )


def _parse_record(raw: Sequence[Any]) -> FileRecord:
    source, size, mtime_ns, sha256, inode, ctime_ns, name = raw
    record = FileRecord(
        str(source), int(size), int(mtime_ns), str(sha256), int(inode), int(ctime_ns), str(name)
    )
    if not record.source or record.size < -1:
        raise ValueError("a manifest record is out of range")
    return record


def _index(
    arrays: Mapping[str, Any], meta: Mapping[str, Any], prefix: str, checks: Checks
) -> BM25Index:
    if meta.get("idf") not in IDF_VARIANTS:
        raise ValueError(f"idf {meta.get('idf')!r} is not one of {IDF_VARIANTS}")
    own = {n[len(prefix) :]: a for n, a in arrays.items() if n.startswith(prefix)}
    index = BM25Index.from_arrays(own, meta, checks=checks.prefixed(prefix))
    if (
        views.total(index.doc_len) / len(index.doc_len) != index.avgdl
    ):  # the header's average, recomputed
        raise ValueError(f"avgdl {index.avgdl} does not match the lengths")
    return index


def verify(opened: OpenedIndex) -> list[str]:
    """Every array's every checksum (what ``citebot index --verify`` runs): failing names."""
    return opened.checks.verify()


def array_location(path: Path, name: str) -> tuple[int, int, str]:
    """(offset in the file, length in bytes, dtype) of one array: for tests that damage it."""
    handle, mapped = _map(path)
    try:
        header, start = _read_header(mapped)
        spec = _parse_table(header, len(mapped), start)[name]
        return start + spec.offset, spec.nbytes, spec.dtype
    finally:
        mapped.close()
        handle.close()


def edit_header(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite the header of the index at ``path`` with ``edit`` applied and its digest
    recomputed, the arrays where they were: for fault-injection tests (a header whose bytes
    are intact but whose values are not). ValueError if the edited header no longer fits."""
    handle, mapped = _map(path)
    try:
        header, start = _read_header(mapped)
    finally:
        mapped.close()
        handle.close()
    edit(header)
    encoded = json.dumps(header, ensure_ascii=False).encode("utf-8", "surrogatepass")
    room = start - _PREAMBLE
    if len(encoded) > room:
        raise ValueError("the edited header is longer than the room before the arrays")
    encoded += b" " * (room - len(encoded))  # JSON allows trailing spaces
    digest = xxhash.xxh3_64_intdigest(encoded)
    with path.open("r+b") as out:
        out.write(MAGIC + len(encoded).to_bytes(8, "little") + digest.to_bytes(8, "little"))
        out.write(encoded)


def read_manifest(path: Path) -> Manifest:
    """The manifest alone (no checks of the arrays): for tests and diagnostics."""
    handle, mapped = _map(path)
    try:
        header, _ = _read_header(mapped)
        return Manifest(
            key=dict(header["shape"]),
            written_ns=int(header["written_ns"]),
            records=tuple(_parse_record(r) for r in header["records"]),
            warnings=tuple(LoadWarning(*w) for w in header["warnings"]),
            build_seconds=float(header["build_seconds"]),
            signature=str(header["signature"]),
        )
    finally:
        mapped.close()
        handle.close()


# -- freshness ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Confirmed:
    """Files whose stat numbers changed but whose content was hashed and found unchanged, with
    when: they are not hashed again while their numbers stay (a ``touch``, a ``chmod``)."""

    stats: dict[str, tuple[tuple[int, int, int, int], int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    scan: tuple[tuple[str, FileSelection, bool], int, Scan] | None = None
    """The last walk of the folder, when it started, and for what: reused while no folder's
    numbers moved (an added, removed or renamed file changes its folder's mtime)."""


def _scan(
    root: Path, selection: FileSelection, follow_links: bool, confirmed: Confirmed | None
) -> Scan:
    """The corpus walk, or the last one when every folder in it is unchanged and was listed
    safely after its last change (one ``stat`` per folder instead of listing it)."""
    key = (str(root), selection, follow_links)
    if confirmed is not None and confirmed.scan is not None and confirmed.scan[0] == key:
        _, scanned_ns, scan = confirmed.scan
        if _folders_unchanged(scan, scanned_ns):
            return scan
    started = time.time_ns()
    scan = scan_corpus(root, selection, follow_links=follow_links)
    if confirmed is not None:
        confirmed.scan = (key, started, scan)
    return scan


def _folders_unchanged(scan: Scan, scanned_ns: int) -> bool:
    for folder, numbers in scan.folders.items():
        try:
            info = os.stat(folder)
        except OSError:
            return False
        if (info.st_ino, info.st_mtime_ns, info.st_ctime_ns) != numbers:
            return False
        if max(info.st_mtime_ns, info.st_ctime_ns) >= scanned_ns - _RACY_NS:
            return False  # changed in the clock tick of the listing: list it again
    return bool(scan.folders)


def _stat_key(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def stale_files(
    root: Path,
    records: Sequence[FileRecord],
    written_ns: int,
    selection: FileSelection = EVERY_FILE,
    confirmed: Confirmed | None = None,
    *,
    follow_links: bool = False,
) -> list[str]:
    """The files added, removed or changed since the index was written ([] when fresh), among
    those ``selection`` keeps (the index's own include/exclude globs).

    One ``stat`` per file; a file is hashed only when its size is unchanged but its
    modification time, inode or change time moved, or when those are too recent to trust.
    """
    known = {r.source: r for r in records}
    changed: list[str] = []
    present = set()
    for file in _scan(root, selection, follow_links, confirmed).files:
        source = file.source
        present.add(source)
        record = known.get(source)
        if record is None:
            changed.append(source)
            continue
        try:
            info = os.stat(file.full)
        except OSError:
            if record.size != -1:
                changed.append(source)
            continue
        if record.sha256 == UNREADABLE:  # skipped as unreadable: changed once it can be read
            if os.access(file.full, os.R_OK):
                changed.append(source)
            continue
        if not _unchanged(file.full, record, info, written_ns, confirmed):
            changed.append(source)
    changed.extend(sorted(set(known) - present))
    return changed


def _unchanged(
    path: str,
    record: FileRecord,
    info: os.stat_result,
    written_ns: int,
    confirmed: Confirmed | None,
) -> bool:
    newest = max(info.st_mtime_ns, info.st_ctime_ns)
    if record.same_stat(info) and newest < written_ns - _RACY_NS:
        return True
    if not record.sha256 or info.st_size != record.size:
        return False
    key = _stat_key(info)
    if confirmed is not None:
        seen = confirmed.stats.get(record.source)
        if seen is not None and seen[0] == key and newest < seen[1] - _RACY_NS:
            return True
    checked_ns = time.time_ns()
    try:
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return False
    if digest != record.sha256:
        return False
    if confirmed is not None:
        with confirmed.lock:
            confirmed.stats[record.source] = (key, checked_ns)
    return True


def now_ns() -> int:
    return time.time_ns()


NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""The errnos of a disk (or quota) that is full."""


def describe_os_error(error: OSError) -> str:
    """An OSError in a few words for a one-line message."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or type(error).__name__
