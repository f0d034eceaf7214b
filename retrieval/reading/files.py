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


def _display_name(relative: str) -> str:
    """The path as text that can always be printed: undecodable bytes in a file name become
    ``\\xNN`` escapes instead of lone surrogates that would crash a UTF-8 terminal or JSON
    consumer (backslashreplace, not replace: "a\\xff.txt" and "a\\xfe.txt" stay two sources)."""
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


def scan_corpus(
    root: Path, *, follow_links: bool = False
) -> tuple[list[ScannedFile], list[LoadWarning]]:
    """Every file a reader is registered for under ``root``, recursively, sorted by relative
    path; and what was left out, named (see :func:`walk_corpus`). One ``scandir`` per folder;
    a file costs no system call unless it is a link."""
    root_text = str(root).rstrip(os.sep) or os.sep
    root_real = os.path.realpath(root)
    suffixes = supported_suffixes()
    found: list[tuple[str, str]] = []
    warnings: list[LoadWarning] = []
    seen_real = {root_real}
    pending = [(root_text, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
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
            if os.path.splitext(name)[1].lower() not in suffixes:
                continue
            if link and not follow_links:
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
    files = [
        ScannedFile(relative, full, name)
        for (relative, full), name in zip(found, names, strict=True)
    ]
    return files, sorted(warnings, key=lambda w: w.source)


def walk_corpus(root: Path, *, follow_links: bool = False) -> CorpusWalk:
    """Every file a reader is registered for under ``root``, recursively, sorted by path.

    Hidden files and folders are left out silently (a ``.git`` is not a skipped document);
    everything else left out is named in a warning: a folder that cannot be read, a link to a
    folder, and a file link whose target is outside ``root`` (its text is not the corpus's:
    a link to ``/etc/passwd`` must not be quoted). ``follow_links`` follows both kinds (each
    real folder once, so a link loop ends).
    """
    files, warnings = scan_corpus(root, follow_links=follow_links)
    return CorpusWalk(tuple((Path(f.full), f.source) for f in files), tuple(warnings))


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


def corpus_files(root: Path, *, follow_links: bool = False) -> list[tuple[Path, str]]:
    """Every candidate file under ``root`` with its source name, in corpus order."""
    return list(walk_corpus(root, follow_links=follow_links).files)


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


def load_corpus(folder: str | os.PathLike[str]) -> LoadedCorpus:
    """Load every readable text file under ``folder``.

    Raises CorpusNotFoundError for a missing folder and EmptyCorpusError when no file is usable.
    """
    root = corpus_root(folder)
    documents: list[Document] = []
    walk = walk_corpus(root)
    warnings: list[LoadWarning] = list(walk.warnings)
    for path, source in walk.files:
        document, warning, _ = read_file(path, source)
        if warning is not None:
            warnings.append(warning)
        if document is not None:
            documents.append(document)
    if not documents:
        raise no_documents(root, warnings)
    return LoadedCorpus(root, tuple(documents), tuple(warnings))
