"""Reading a corpus folder into documents, skipping (and reporting) what cannot be read.

One unreadable file must never cost the user the rest of their corpus, so problems with single
files become :class:`LoadWarning` values, and only a folder with nothing usable is an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusNotFoundError, EmptyCorpusError
from .splitting import document_title
from .types import Document

SUFFIXES = frozenset({".txt", ".md", ".markdown"})
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class LoadWarning:
    """A file that was skipped or read with a fallback, and why, in words for the user."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True, slots=True)
class LoadedCorpus:
    root: Path
    documents: tuple[Document, ...]
    warnings: tuple[LoadWarning, ...]


def _decode(data: bytes) -> tuple[str, str] | None:
    """Decode as UTF-8 (BOM dropped), else Latin-1 if it looks like text; None for binary data.

    The BOM is dropped from the text so that offsets count characters a reader sees.
    """
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        # Latin-1 decodes every byte; C1 controls (0x80-0x9f) mean it is really something else.
        if any("\x80" <= ch <= "\x9f" for ch in text):
            return None
        return text, "latin-1"
    if text.startswith(_BOM):
        return text[1:], "utf-8-sig"
    return text, "utf-8"


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
        source = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            warnings.append(LoadWarning(source, f"skipped: cannot be read ({error.strerror})."))
            continue
        decoded = _decode(data)
        if decoded is None:
            warnings.append(LoadWarning(source, "skipped: it is binary or not valid text."))
            continue
        text, encoding = decoded
        if not text.strip():
            warnings.append(LoadWarning(source, "skipped: it is empty."))
            continue
        if encoding == "latin-1":
            warnings.append(LoadWarning(source, "not valid UTF-8; read as Latin-1."))
        documents.append(Document(source, text, document_title(text), encoding))
    if not documents:
        raise EmptyCorpusError(
            f"The corpus folder {str(root)!r} has no readable .txt or .md file"
            + (f" ({len(warnings)} skipped)." if warnings else ".")
        )
    return LoadedCorpus(root, tuple(documents), tuple(warnings))
