"""Reading a corpus folder into documents, skipping (and reporting) what cannot be read.

One unreadable file must never cost the user the rest of their corpus, so problems with single
files become :class:`LoadWarning` values, and only a folder with nothing usable is an error.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusNotFoundError, EmptyCorpusError
from ..types import Document
from .readers import Extractor, read_blocks, reader_for, supported_suffixes
from .select import EVERY_FILE, FileSelection, LeftOut
from .text import title_of

SUFFIXES = supported_suffixes()
"""The suffixes registered at import (see :mod:`.readers`); the walk asks the registry itself."""
UNREADABLE = "!unreadable"
"""The manifest's hash for a file that could not be read (so it is retried once readable)."""
MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger files are skipped: a log or a dump, not a document, and it would fill memory."""
_BOM = "\ufeff"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadWarning:
    """A file that was skipped or read with a fallback, and why, in words for the user."""

    source: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoadedCorpus:
    root: Path
    documents: tuple[Document, ...]
    warnings: tuple[LoadWarning, ...]


def _decode(data: bytes) -> tuple[str, str] | None:
    """The text and the encoding it was read with, or None for data that is not text.

    UTF-8 (a BOM is dropped, so offsets count the characters a reader sees), UTF-16 with a BOM,
    then the two legacy encodings a stray non-UTF-8 file is almost always in: Windows-1252
    (smart quotes at 0x91-0x94) and Latin-1.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return (text[1:], "utf-8-sig") if text.startswith(_BOM) else (text, "utf-8")
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # Latin-1 decodes every byte; C1 controls (0x80-0x9f) mean it is really something else.
    if any("\x80" <= ch <= "\x9f" for ch in text):
        return None
    return text, "latin-1"


def _extract(extract: Extractor, data: bytes, source: str) -> tuple[str, str] | None:
    """A format's own extraction (HTML, PDF); any failure of its library skips the file, with
    the traceback in the log: one damaged file never costs the rest of the corpus."""
    try:
        return extract(data)
    except Exception:  # third-party parsers raise anything on damaged input
        log.warning("could not extract the text of %s", source, exc_info=True)
        return None


def _display_name(relative: Path) -> str:
    """The path as text that can always be printed: undecodable bytes in a file name become
    U+FFFD instead of lone surrogates that would crash a UTF-8 terminal or JSON consumer."""
    raw = relative.as_posix()
    # backslashreplace, not replace: two names differing only in undecodable bytes must stay
    # two sources ("a\xff.txt" and "a\xfe.txt"), or one would shadow the other.
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _walk(root: Path) -> list[Path]:
    """Every file under root (hidden files and folders left out), sorted by relative path for
    a stable order."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / name for name in filenames if not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _classify(root: Path, selection: FileSelection) -> tuple[list[tuple[Path, str]], list[LeftOut]]:
    """The files to read, with their source names, and those left out with the reason."""
    kept: list[tuple[Path, str]] = []
    left_out: list[LeftOut] = []
    for path in _walk(root):
        source = _display_name(path.relative_to(root))
        if reader_for(path.name) is None:
            suffix = path.suffix.lower() or "(no suffix)"
            left_out.append(LeftOut(source, f"unsupported suffix {suffix}"))
            continue
        reason = selection.reason_left_out(source)
        if reason is not None:
            left_out.append(LeftOut(source, reason))
        else:
            kept.append((path, source))
    return kept, left_out


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What a file was when it was read: the manifest entry that tells a saved index is stale."""

    source: str
    size: int
    mtime_ns: int
    sha256: str
    """Of the bytes read; "" for a file that was skipped before reading (too large, say)."""


def corpus_root(folder: str | os.PathLike[str]) -> Path:
    """The corpus folder, or CorpusNotFoundError with a message naming it."""
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusNotFoundError(f"The corpus folder {str(root)!r} does not exist.")
    if not root.is_dir():
        raise CorpusNotFoundError(f"The corpus path {str(root)!r} is not a folder.")
    return root


def corpus_files(root: Path, selection: FileSelection = EVERY_FILE) -> list[tuple[Path, str]]:
    """Every file under ``root`` to index, with its source name, in corpus order: a reader is
    registered for its suffix and ``selection`` keeps it."""
    return _classify(root, selection)[0]


def left_out_files(root: Path, selection: FileSelection = EVERY_FILE) -> list[LeftOut]:
    """The files under ``root`` that are not indexed, and why (excluded by which glob, or a
    suffix no reader reads), in corpus order; hidden files are not listed."""
    return _classify(root, selection)[1]


def read_file(
    path: Path, source: str, *, title: bool = True
) -> tuple[Document | None, LoadWarning | None, FileRecord]:
    """One file as a Document, or the warning that says why it was skipped; and its record.
    ``title=False`` leaves the title empty, for a caller that splits the text anyway."""
    try:
        info = path.stat()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (
            None,
            LoadWarning(source, f"skipped: cannot be read ({reason})."),
            FileRecord(source, -1, -1, ""),
        )
    record = FileRecord(source, info.st_size, info.st_mtime_ns, "")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends
        return None, LoadWarning(source, "skipped: not a regular file."), record
    if info.st_size > MAX_FILE_BYTES:
        size = f"{info.st_size / 1024 / 1024:.0f} MB"
        return None, LoadWarning(source, f"skipped: too large ({size}; limit 50 MB)."), record
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        record = FileRecord(source, info.st_size, info.st_mtime_ns, UNREADABLE)
        return None, LoadWarning(source, f"skipped: cannot be read ({reason})."), record
    record = FileRecord(source, len(data), info.st_mtime_ns, hashlib.sha256(data).hexdigest())
    spec = reader_for(source)
    decoded = _extract(spec.extract, data, source) if spec and spec.extract else _decode(data)
    if decoded is None:
        return None, LoadWarning(source, "skipped: it is binary or not valid text."), record
    text, encoding = decoded
    if not text.strip():
        return None, LoadWarning(source, "skipped: it is empty."), record
    warning = None
    if encoding in ("windows-1252", "latin-1"):
        name = "Windows-1252" if encoding == "windows-1252" else "Latin-1"
        warning = LoadWarning(source, f"not valid UTF-8; read as {name}.", False)
    format = spec.format if spec is not None else "text"
    title_text = title_of(read_blocks(source, text)) if title else ""
    return Document(source, text, title_text, encoding, format), warning, record


def no_documents(root: Path, warnings: Sequence[LoadWarning]) -> EmptyCorpusError:
    return EmptyCorpusError(
        f"The corpus folder {str(root)!r} has no readable .txt or .md file"
        + (f" ({len(warnings)} skipped)." if warnings else ".")
    )


def load_corpus(
    folder: str | os.PathLike[str], selection: FileSelection = EVERY_FILE
) -> LoadedCorpus:
    """Load every readable file under ``folder`` that ``selection`` keeps.

    Raises CorpusNotFoundError for a missing folder and EmptyCorpusError when no file is usable.
    """
    root = corpus_root(folder)
    documents: list[Document] = []
    warnings: list[LoadWarning] = []
    for path, source in corpus_files(root, selection):
        document, warning, _ = read_file(path, source)
        if warning is not None:
            warnings.append(warning)
        if document is not None:
            documents.append(document)
    if not documents:
        raise no_documents(root, warnings)
    return LoadedCorpus(root, tuple(documents), tuple(warnings))
