"""Saving an index to one file, opening it memory-mapped, and knowing when it is stale.

File format: ``CITEBOT-INDEX\\n``, an 8-byte little-endian header length, a JSON header (the
manifest, options, array table), then each array's raw bytes at a 64-byte-aligned offset.
Opening maps the file and wraps each array around the mapping: nothing is copied or parsed
per paragraph, so a million-paragraph index opens in milliseconds and only the pages a question
touches are ever read from disk.

Writes go to a temporary file in the same folder, are flushed to disk, then renamed over the
old index: a crash mid-write leaves the old index or none, never half of one.

Staleness: the manifest lists every candidate file with its size, modification time and
SHA-256. A file whose size and time are unchanged is trusted, unless its time is not safely
older than the index (a file changed within the same clock tick as the write — git's "racy"
case), and then, like any changed-looking file, it is hashed: same content, still fresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from ..errors import CitebotError
from ..reading.files import UNREADABLE, FileRecord, corpus_files
from ..reading.select import EVERY_FILE, FileSelection

MAGIC = b"CITEBOT-INDEX\n"
FORMAT = 2
"""2: passages carry line, page, kind and heading path + anchor (older files are rebuilt)."""
_ALIGN = 64
_RACY_NS = 2_000_000_000
"""Files modified less than this before the index was written are re-hashed when opened."""


class IndexFileError(CitebotError):
    """A saved index that cannot be used (damaged, or from another version): rebuilt, not fatal."""


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


def index_path(index_dir: Path, root: Path, shape: Mapping[str, Any]) -> Path:
    """One file per corpus folder and indexing options."""
    key = json.dumps({"root": str(root.resolve()), "shape": dict(shape)}, sort_keys=True)
    name = root.resolve().name or "corpus"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:40]
    return index_dir / f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.citebot-index"


def save(path: Path, header: Mapping[str, Any], arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """Write atomically: temporary file, fsync, rename."""
    table: dict[str, dict[str, Any]] = {}
    offset = 0
    for name, array in arrays.items():
        offset = -(-offset // _ALIGN) * _ALIGN
        table[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset += array.nbytes
    full = {**header, "format": FORMAT, "arrays": table}
    encoded = json.dumps(full, ensure_ascii=False).encode("utf-8", "surrogatepass")
    start = -(-(len(MAGIC) + 8 + len(encoded)) // _ALIGN) * _ALIGN
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path.parent)
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + len(encoded).to_bytes(8, "little") + encoded)
            for name, array in arrays.items():
                out.seek(start + int(table[name]["offset"]))
                out.write(
                    np.ascontiguousarray(array).tobytes()
                    if array.nbytes < 1 << 20
                    else np.ascontiguousarray(array).data
                )
            out.truncate(start + offset)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a power cut only once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass


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
        data = os.pread(self._handle.fileno(), stop - start, self._offset + start)
        if len(data) != stop - start:
            raise IndexFileError("the saved index was truncated while in use")
        return data

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[np.uint8]:
        return np.frombuffer(self[0 : self._size], dtype=np.uint8)


def _remove_abandoned(folder: Path) -> None:
    """Temporary files of writes killed mid-way (over a day old: not a write in progress)."""
    cutoff = time.time() - 86_400
    for leftover in folder.glob("*.citebot-index.*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass


def load(
    path: Path, on_disk: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and memory-mapped arrays (the uint8 arrays named in ``on_disk`` as
    :class:`FileBytes`), or IndexFileError for anything unexpected."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise IndexFileError(f"cannot open {path}: {error}") from error
    try:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as error:
        handle.close()
        raise IndexFileError(f"cannot open {path}: {error}") from error
    try:
        if mapped[: len(MAGIC)] != MAGIC:
            raise IndexFileError(f"{path} is not a citebot index")
        length = int.from_bytes(mapped[len(MAGIC) : len(MAGIC) + 8], "little")
        header: dict[str, Any] = json.loads(
            mapped[len(MAGIC) + 8 : len(MAGIC) + 8 + length].decode("utf-8", "surrogatepass")
        )
        if not isinstance(header, dict) or not isinstance(header.get("arrays"), dict):
            raise IndexFileError(f"{path} has no array table")
        if header.get("format") != FORMAT:
            raise IndexFileError(f"{path} has format {header.get('format')!r}, not {FORMAT}")
        start = -(-(len(MAGIC) + 8 + length) // _ALIGN) * _ALIGN
        arrays: dict[str, Any] = {}
        for name, spec in header["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            if dtype.hasobject or any(int(n) < 0 for n in spec["shape"]):
                raise IndexFileError(f"{path} has a bad array {name!r}")
            count = int(np.prod(spec["shape"], dtype=np.int64))
            if name in on_disk and dtype == np.uint8:
                arrays[name] = FileBytes(handle, start + int(spec["offset"]), count)
                continue
            arrays[name] = np.frombuffer(
                mapped, dtype=dtype, count=count, offset=start + int(spec["offset"])
            ).reshape(spec["shape"])
        if not any(isinstance(array, FileBytes) for array in arrays.values()):
            handle.close()  # the mapping keeps its own descriptor
        return header, arrays
    except IndexFileError:
        handle.close()
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
        handle.close()
        raise IndexFileError(f"{path} is damaged: {error}") from error


def records_json(records: Sequence[FileRecord]) -> list[list[Any]]:
    return [[r.source, r.size, r.mtime_ns, r.sha256] for r in records]


def stale_files(
    root: Path,
    manifest: Sequence[Sequence[Any]],
    written_ns: int,
    selection: FileSelection = EVERY_FILE,
) -> list[str]:
    """The files added, removed or changed since the index was written ([] when fresh), among
    those ``selection`` keeps (the index's own include/exclude globs)."""
    known = {str(entry[0]): entry for entry in manifest}
    changed: list[str] = []
    present = set()
    for path, source in corpus_files(root, selection):
        present.add(source)
        entry = known.get(source)
        if entry is None:
            changed.append(source)
            continue
        _, size, mtime_ns, sha256 = entry
        try:
            info = path.stat()
        except OSError:
            if size != -1:
                changed.append(source)
            continue
        if sha256 == UNREADABLE:  # skipped as unreadable: changed once it can be read
            if os.access(path, os.R_OK):
                changed.append(source)
            continue
        racy = info.st_mtime_ns >= written_ns - _RACY_NS
        if info.st_size == size and info.st_mtime_ns == mtime_ns and not racy:
            continue
        if not sha256 or info.st_size != size:
            changed.append(source)
            continue
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest != sha256:
            changed.append(source)
    changed.extend(sorted(set(known) - present))
    return changed


def now_ns() -> int:
    return time.time_ns()
