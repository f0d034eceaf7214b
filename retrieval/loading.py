"""Reading a corpus folder into documents, skipping (and reporting) what cannot be read.

One unreadable file must never cost the user the rest of their corpus, so problems with single
files become :class:`LoadWarning` values, and only a folder with nothing usable is an error.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusNotFoundError, EmptyCorpusError
from .splitting import document_title
from .types import Document

SUFFIXES = frozenset({".txt", ".md", ".markdown"})
MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger files are skipped: a log or a dump, not a document, and it would fill memory."""
_BOM = "\ufeff"


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


def _display_name(relative: Path) -> str:
    """The path as text that can always be printed: undecodable bytes in a file name become
    U+FFFD instead of lone surrogates that would crash a UTF-8 terminal or JSON consumer."""
    raw = relative.as_posix()
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _corpus_files(root: Path) -> list[Path]:
    """Every .txt/.md file under root, recursively, sorted by relative path for a stable order."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUFFIXES:
                found.append(Path(dirpath) / name)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def load_corpus(folder: str | os.PathLike[str]) -> LoadedCorpus:
    """Load every readable text file under ``folder``.

    Raises CorpusNotFoundError for a missing folder and EmptyCorpusError when no file is usable.
    """
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusNotFoundError(f"The corpus folder {str(root)!r} does not exist.")
    if not root.is_dir():
        raise CorpusNotFoundError(f"The corpus path {str(root)!r} is not a folder.")
    documents: list[Document] = []
    warnings: list[LoadWarning] = []
    for path in _corpus_files(root):
        source = _display_name(path.relative_to(root))
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends
                warnings.append(LoadWarning(source, "skipped: not a regular file."))
                continue
            if info.st_size > MAX_FILE_BYTES:
                size = f"{info.st_size / 1024 / 1024:.0f} MB"
                warnings.append(LoadWarning(source, f"skipped: too large ({size}; limit 50 MB)."))
                continue
            data = path.read_bytes()
        except OSError as error:
            reason = error.strerror or type(error).__name__
            warnings.append(LoadWarning(source, f"skipped: cannot be read ({reason})."))
            continue
        decoded = _decode(data)
        if decoded is None:
            warnings.append(LoadWarning(source, "skipped: it is binary or not valid text."))
            continue
        text, encoding = decoded
        if not text.strip():
            warnings.append(LoadWarning(source, "skipped: it is empty."))
            continue
        if encoding in ("windows-1252", "latin-1"):
            name = "Windows-1252" if encoding == "windows-1252" else "Latin-1"
            warnings.append(LoadWarning(source, f"not valid UTF-8; read as {name}.", False))
        documents.append(Document(source, text, document_title(text), encoding))
    if not documents:
        raise EmptyCorpusError(
            f"The corpus folder {str(root)!r} has no readable .txt or .md file"
            + (f" ({len(warnings)} skipped)." if warnings else ".")
        )
    return LoadedCorpus(root, tuple(documents), tuple(warnings))
