"""Reading a corpus folder into documents, skipping (and reporting) what cannot be read.

One unreadable file must never cost the user the rest of their corpus, so problems with single
files become :class:`LoadWarning` values, and only a folder with nothing usable is an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusNotFoundError, EmptyCorpusError
from ..types import Document
from .encoding import decode_bytes
from .formats import NOT_TEXT, Parsed
from .readers import Extractor, Parser, read_blocks, reader_for, supported_suffixes
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
    """The text and the encoding it was read with, or None for data that is not text (see
    :mod:`.encoding`: BOMs, strict UTF-8, then charset-normalizer with a Western preference)."""
    decoded = decode_bytes(data)
    return None if decoded is None else (decoded.text, decoded.encoding)


def _parse(parse: Parser, data: bytes, source: str) -> Parsed:
    """A format's own parser; any failure of its library skips the file, with the traceback in
    the log: one damaged file never costs the rest of the corpus."""
    try:
        return parse(data)
    except (Exception, RecursionError):  # third-party parsers raise anything on damaged input
        log.warning("could not parse %s", source, exc_info=True)
        return Parsed("", "", skip="skipped: it could not be parsed (damaged?).")


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
    if spec is not None and spec.parse is not None:
        return _parsed_document(_parse(spec.parse, data, source), source, spec.format, record)
    if spec is not None and spec.extract is not None:
        decoded = _extract(spec.extract, data, source)
        note = ""
    else:
        found = decode_bytes(data)
        decoded, note = (None, "") if found is None else ((found.text, found.encoding), found.note)
    if decoded is None:
        return None, LoadWarning(source, NOT_TEXT), record
    text, encoding = decoded
    if not text.strip():
        return None, LoadWarning(source, "skipped: it is empty."), record
    warning = LoadWarning(source, note, False) if note else None
    format = spec.format if spec is not None else "text"
    title_text = title_of(read_blocks(source, text)) if title else ""
    return Document(source, text, title_text, encoding, format), warning, record


def _parsed_document(
    parsed: Parsed, source: str, format: str, record: FileRecord
) -> tuple[Document | None, LoadWarning | None, FileRecord]:
    """The Document (blocks kept) or the skip warning for a parsed file; its notes joined
    into one warning that does not skip."""
    if parsed.skip:
        return None, LoadWarning(source, parsed.skip), record
    if not parsed.text.strip():
        return None, LoadWarning(source, "skipped: it is empty."), record
    warning = LoadWarning(source, " ".join(parsed.notes), False) if parsed.notes else None
    document = Document(
        source,
        parsed.text,
        parsed.title,
        parsed.encoding,
        format,
        blocks=parsed.blocks,
        pages=parsed.pages,
    )
    return document, warning, record


def no_documents(root: Path, warnings: Sequence[LoadWarning]) -> EmptyCorpusError:
    return EmptyCorpusError(
        f"The corpus folder {str(root)!r} has no readable document "
        f"({', '.join(sorted(supported_suffixes()))})"
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
