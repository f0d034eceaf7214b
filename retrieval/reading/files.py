"""Reading a corpus folder into documents, skipping (and reporting) what cannot be read.

One unreadable file must never cost the user the rest of their corpus, so problems with single
files become :class:`LoadWarning` values, and only a folder with nothing usable is an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    """A folder's documents as read, and what was skipped or warned about."""

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


def _display_name(relative: str) -> str:
    """The path as text that can always be printed: undecodable bytes in a file name become
    ``\\xNN`` escapes instead of lone surrogates that would crash a UTF-8 terminal or JSON
    consumer (backslashreplace, not replace: "a\\xff.txt" and "a\\xfe.txt" stay two sources)."""
    if relative.isascii():  # nearly every name: nothing to escape
        return relative
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _unique_names(relatives: Sequence[str]) -> list[str]:
    """Display names, one per file and all different: an escaped name that is also some other
    file's real name (a file literally called ``caf\\xe9.txt``) gets ``~2``, ``~3``... before
    its suffix, so no source can shadow another."""
    names = [_display_name(r) for r in relatives]
    taken = {n for n, r in zip(names, relatives, strict=True) if n == r}
    result = []
    for name, relative in zip(names, relatives, strict=True):
        if name != relative:
            stem, dot, suffix = name.rpartition(".")
            base, tail = (stem, dot + suffix) if dot and "/" not in suffix else (name, "")
            candidate, n = name, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}~{n}{tail}"
            name = candidate
            taken.add(name)
        result.append(name)
    return result


@dataclass(frozen=True, slots=True)
class CorpusWalk:
    """The candidate files under a corpus folder, and the folders and links left out."""

    files: tuple[tuple[Path, str], ...]
    """(path, source name) in corpus order."""
    warnings: tuple[LoadWarning, ...]


def _inside(root_real: str, target: str) -> bool:
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """One candidate file found by the walk, as strings (no Path built: the freshness check
    walks thousands of files before every answer)."""

    relative: str
    """Relative to the corpus folder, as the OS spells it (forward slashes)."""
    full: str
    source: str
    """The name citebot shows: printable, and unique in the corpus."""


def _unreadable_folder(relative: str, error: OSError) -> LoadWarning:
    reason = error.strerror or type(error).__name__
    return LoadWarning(_display_name(relative) + "/", f"folder skipped: cannot be read ({reason}).")


@dataclass(frozen=True, slots=True)
class Scan:
    """One walk of a corpus folder."""

    files: list[ScannedFile]
    """To index: a reader is registered for the suffix and the selection keeps it."""
    warnings: list[LoadWarning]
    """Folders and links skipped, named."""
    left_out: list[LeftOut]
    """Files not indexed by choice: an include/exclude glob, or a suffix no reader reads."""
    folders: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """Every folder walked, with its (inode, mtime_ns, ctime_ns) taken just before it was
    listed: while they hold, no file was added, removed or renamed in it."""


def scan_corpus(
    root: Path, selection: FileSelection = EVERY_FILE, *, follow_links: bool = False
) -> Scan:
    """Every file under ``root`` to index, recursively, sorted by relative path; and what was
    left out, named (see :func:`walk_corpus`). One ``scandir`` per folder; a file costs no
    system call unless it is a link.

    Long because the walk's skip rules (hidden, unreadable, links leaving the folder, links to
    folders, unsupported suffixes, selection globs) each name what they left out, in the one
    loop that sees the entry.
    """
    root_text = str(root).rstrip(os.sep) or os.sep
    root_real = os.path.realpath(root)
    suffixes = supported_suffixes()
    found: list[tuple[str, str]] = []
    warnings: list[LoadWarning] = []
    seen_real = {root_real}
    pending = [(root_text, "")]
    folders: dict[str, tuple[int, int, int]] = {}
    while pending:
        folder, prefix = pending.pop()
        try:
            info = os.stat(folder)
            folders[folder] = (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
            entries = list(os.scandir(folder))
        except OSError as error:
            if not prefix:  # the corpus folder itself
                raise CorpusNotFoundError(
                    f"The corpus folder {str(root)!r} cannot be read "
                    f"({error.strerror or type(error).__name__})."
                ) from None
            warnings.append(_unreadable_folder(prefix.rstrip("/"), error))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relative = prefix + name
            try:
                link = entry.is_symlink()
                is_folder = entry.is_dir()  # follows a link: a link to a folder is a folder
            except OSError:
                link, is_folder = False, False
            if is_folder:
                if link:
                    real = os.path.realpath(entry.path)
                    if not follow_links:
                        warnings.append(
                            LoadWarning(
                                _display_name(relative) + "/",
                                "folder skipped: it is a symbolic link.",
                            )
                        )
                        continue
                    if real in seen_real:
                        continue
                    seen_real.add(real)
                pending.append((entry.path, relative + "/"))
                continue
            if link and not follow_links and os.path.splitext(name)[1].lower() in suffixes:
                target = os.path.realpath(entry.path)
                if not _inside(root_real, target) and os.path.exists(target):
                    warnings.append(
                        LoadWarning(
                            _display_name(relative),
                            "skipped: a link to a file outside the corpus folder "
                            "(CITEBOT_FOLLOW_LINKS=true follows it).",
                        )
                    )
                    continue
            found.append((relative, entry.path))
    found.sort()
    names = _unique_names([relative for relative, _ in found])
    files, left_out = [], []
    for (relative, full), name in zip(found, names, strict=True):
        suffix = os.path.splitext(relative)[1].lower()
        if suffix not in suffixes:
            left_out.append(LeftOut(name, f"unsupported suffix {suffix or '(no suffix)'}"))
            continue
        reason = selection.reason_left_out(name)
        if reason is not None:
            left_out.append(LeftOut(name, reason))
        else:
            files.append(ScannedFile(relative, full, name))
    return Scan(files, sorted(warnings, key=lambda w: w.source), left_out, folders)


def walk_corpus(
    root: Path, selection: FileSelection = EVERY_FILE, *, follow_links: bool = False
) -> CorpusWalk:
    """Every file a reader is registered for under ``root``, recursively, sorted by path.

    Hidden files and folders are left out silently (a ``.git`` is not a skipped document);
    everything else left out is named in a warning: a folder that cannot be read, a link to a
    folder, and a file link whose target is outside ``root`` (its text is not the corpus's:
    a link to ``/etc/passwd`` must not be quoted). ``follow_links`` follows both kinds (each
    real folder once, so a link loop ends).
    """
    scan = scan_corpus(root, selection, follow_links=follow_links)
    return CorpusWalk(tuple((Path(f.full), f.source) for f in scan.files), tuple(scan.warnings))


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What a file was when it was read: the manifest entry that tells a saved index is stale."""

    source: str
    size: int
    mtime_ns: int
    sha256: str
    """Of the bytes read; "" for a file that was skipped before reading (too large, say)."""
    inode: int = 0
    ctime_ns: int = 0
    """With size and mtime_ns, what decides cheaply that a file is unchanged: an edit that
    restores the modification time (``touch -d``) still moves the change time, which no
    program can set, and ``sed -i`` or an editor's save-and-rename makes a new inode."""
    name: str = ""
    """The path relative to the corpus folder as the OS spells it, when that differs from
    ``source`` (an undecodable file name); "" when it is ``source``."""

    def relative_path(self) -> str:
        return self.name or self.source

    def same_stat(self, info: os.stat_result) -> bool:
        return (
            info.st_size == self.size
            and info.st_mtime_ns == self.mtime_ns
            and info.st_ino == self.inode
            and info.st_ctime_ns == self.ctime_ns
        )


def corpus_root(folder: str | os.PathLike[str]) -> Path:
    """The corpus folder, or CorpusNotFoundError with a message naming it."""
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusNotFoundError(f"The corpus folder {str(root)!r} does not exist.")
    if not root.is_dir():
        raise CorpusNotFoundError(f"The corpus path {str(root)!r} is not a folder.")
    return root


def corpus_files(
    root: Path, selection: FileSelection = EVERY_FILE, *, follow_links: bool = False
) -> list[tuple[Path, str]]:
    """Every file under ``root`` to index, with its source name, in corpus order: a reader is
    registered for its suffix and ``selection`` keeps it."""
    return list(walk_corpus(root, selection, follow_links=follow_links).files)


def left_out_files(
    root: Path, selection: FileSelection = EVERY_FILE, *, follow_links: bool = False
) -> list[LeftOut]:
    """The files under ``root`` that are not indexed, and why (excluded by which glob, or a
    suffix no reader reads), in corpus order; hidden files are not listed."""
    return scan_corpus(root, selection, follow_links=follow_links).left_out


def _record(source: str, info: os.stat_result, sha256: str, size: int | None = None) -> FileRecord:
    return FileRecord(
        source,
        info.st_size if size is None else size,
        info.st_mtime_ns,
        sha256,
        info.st_ino,
        info.st_ctime_ns,
    )


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
    record = _record(source, info, "")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends
        return None, LoadWarning(source, "skipped: not a regular file."), record
    if info.st_size > MAX_FILE_BYTES:
        size = f"{info.st_size / 1024 / 1024:.0f} MB"
        return None, LoadWarning(source, f"skipped: too large ({size}; limit 50 MB)."), record
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        record = _record(source, info, UNREADABLE)
        return None, LoadWarning(source, f"skipped: cannot be read ({reason})."), record
    record = _record(source, info, hashlib.sha256(data).hexdigest(), len(data))
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


_UNSUPPORTED = "unsupported suffix "


def no_documents(
    root: Path, warnings: Sequence[LoadWarning], selection: FileSelection = EVERY_FILE
) -> EmptyCorpusError:
    """The error for a folder with nothing to index, saying what it does hold: files of types
    citebot does not read (``.po``, ``.ipynb``…) and files the include/exclude globs left out,
    so "no readable document" does not read as "empty" or "unreadable"."""
    try:
        left_out = scan_corpus(root, selection).left_out
    except OSError:
        left_out = []
    other = Counter(
        x.reason.removeprefix(_UNSUPPORTED) for x in left_out if x.reason.startswith(_UNSUPPORTED)
    )
    chosen = [x for x in left_out if not x.reason.startswith(_UNSUPPORTED)]
    held = []
    if other:
        kinds = ", ".join(f"{suffix} ({n})" for suffix, n in other.most_common(5))
        held.append(f"{sum(other.values())} file(s) of types it does not read: {kinds}")
    if chosen:
        held.append(f"{len(chosen)} file(s) left out by the include/exclude globs ({chosen[0]})")
    return EmptyCorpusError(
        f"The corpus folder {str(root)!r} has no readable document "
        f"({', '.join(sorted(supported_suffixes()))})"
        + (f" ({len(warnings)} skipped)" if warnings else "")
        + (f"; it holds {' and '.join(held)}." if held else ".")
    )


def load_corpus(
    folder: str | os.PathLike[str], selection: FileSelection = EVERY_FILE
) -> LoadedCorpus:
    """Load every readable file under ``folder`` that ``selection`` keeps.

    Raises CorpusNotFoundError for a missing folder and EmptyCorpusError when no file is usable.
    """
    root = corpus_root(folder)
    documents: list[Document] = []
    walk = walk_corpus(root, selection)
    warnings: list[LoadWarning] = list(walk.warnings)
    for path, source in walk.files:
        document, warning, _ = read_file(path, source)
        if warning is not None:
            warnings.append(warning)
        if document is not None:
            documents.append(document)
    if not documents:
        raise no_documents(root, warnings, selection)
    return LoadedCorpus(root, tuple(documents), tuple(warnings))
