"""Which reader reads which file: a small registry from file-name suffix to reader.

A reader is a function ``(text) -> list[Block]`` over the document's text (see
:mod:`.blocks`). A format whose files are not plain text (HTML, PDF) also registers an
``extract`` function, bytes → the text its blocks index, so the rest of citebot only ever sees
text and blocks. Adding a format is one :func:`register_reader` call next to the built-in ones at
the bottom of this module; nothing else in the corpus walk or the index branches on formats.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .blocks import Block
from .formats import Parsed, parse_html_file, parse_pdf_file, parse_rst_file, parse_rst_text
from .rst_inline import searched_view
from .text import split_blocks

if TYPE_CHECKING:
    from ..types import Document

Reader = Callable[[str], list[Block]]
"""A document's text → its blocks, ``text[block.start:block.end]`` exact."""
Extractor = Callable[[bytes], tuple[str, str] | None]
"""A file's bytes → (the text to index, the encoding or extraction it came from), or None when
the file cannot be read as this format (the file is then skipped with a warning)."""
Parser = Callable[[bytes], Parsed]
"""A file's bytes → its text, blocks and notes at once (reStructuredText, HTML, PDF): for
formats whose blocks cannot be recovered from the text alone, or whose reading has more to say
than "decoded" (a PDF's pages, docutils' errors, why a file is skipped)."""


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """One format: its name (``Document.format``), its reader, and how its bytes become text."""

    format: str
    read: Reader
    extract: Extractor | None = None
    """None: the bytes are decoded as text (UTF-8, UTF-16 with BOM, Windows-1252, Latin-1)."""
    parse: Parser | None = None
    """When set, used instead of ``extract`` and ``read`` for files on disk: its blocks are
    kept on the Document (``read`` is then only for the same format already in memory)."""


_READERS: dict[str, ReaderSpec] = {}
log = logging.getLogger(__name__)


def register_reader(
    suffixes: Iterable[str],
    format: str,
    read: Reader,
    extract: Extractor | None = None,
    parse: Parser | None = None,
) -> None:
    """Read files ending in ``suffixes`` (".md"; matched case-insensitively) with ``read``.

    A later registration for the same suffix replaces the earlier one.
    """
    spec = ReaderSpec(format, read, extract, parse)
    for suffix in suffixes:
        if not suffix.startswith("."):
            raise ValueError(f"a suffix starts with '.', got {suffix!r}")
        _READERS[suffix.lower()] = spec


def reader_for(source: str) -> ReaderSpec | None:
    """The reader for a file (by its name's suffix), or None for a file citebot does not read."""
    return _READERS.get(PurePosixPath(source).suffix.lower())


def supported_suffixes() -> frozenset[str]:
    """Every suffix a reader is registered for (".txt", ".md", …)."""
    return frozenset(_READERS)


def format_of(source: str) -> str:
    """The format a file is read as ("markdown", "text", …); "text" for an unknown suffix."""
    spec = reader_for(source)
    return spec.format if spec is not None else "text"


def read_blocks(source: str, text: str) -> list[Block]:
    """The blocks of ``text``, read by the reader registered for ``source``'s suffix (the
    plain-text reader for a suffix nobody registered, e.g. in-memory documents).

    A reader that fails on some input (a parser's bug, a recursion limit) costs that file its
    structure, never the corpus: it is read as plain text instead, and the log says why.
    """
    spec = reader_for(source)
    if spec is None or spec.read is split_blocks:
        return split_blocks(text)
    try:
        return spec.read(text)
    except Exception as error:  # third-party parsers raise anything on strange input
        log.warning("%s: read as plain text (its %s reader failed: %r)", source, spec.format, error)
        return split_blocks(text)


_SEARCHED_VIEWS: dict[str, Callable[[str], str]] = {}
"""Format → the text as searched, for formats whose source holds markup the reader of the
built page never sees (a reStructuredText role's name and target)."""


def searched_text(document: Document) -> str:
    """The text whose words are indexed for ``document``: its ``text`` itself, or for a
    format with markup in its quotes (reStructuredText) the same text with that markup blanked.
    Always the same length as ``text``, so every offset means the same in both."""
    view = _SEARCHED_VIEWS.get(document.format) or _SEARCHED_VIEWS.get(format_of(document.source))
    return view(document.text) if view is not None else document.text


def document_blocks(document: Document) -> list[Block]:
    """A document's blocks: those its parser made with the text, else read from the text."""
    if document.blocks:
        return list(document.blocks)
    return read_blocks(document.source, document.text)


# The formats citebot reads out of the box: registered at import, so every worker process that
# imports the reading stage has them. Another format registers here too.
register_reader((".txt",), "text", split_blocks)


def read_markdown(text: str) -> list[Block]:
    """:func:`.markdown.read_markdown`, imported when a Markdown file is first read: markdown-it-py
    costs a one-shot question over a saved index about 0.1 s of start-up it never uses."""
    from .markdown import read_markdown as read

    return read(text)


register_reader((".md", ".markdown"), "markdown", read_markdown)
register_reader((".rst", ".rest"), "rst", parse_rst_text, parse=parse_rst_file)
_SEARCHED_VIEWS["rst"] = searched_view
# Extracted HTML/PDF text in memory has no markup left: the plain-text reader reads it.
register_reader((".html", ".htm", ".xhtml"), "html", split_blocks, parse=parse_html_file)
register_reader((".pdf",), "pdf", split_blocks, parse=parse_pdf_file)
