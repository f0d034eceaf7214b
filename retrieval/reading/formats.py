"""Files whose bytes are parsed, not just decoded: reStructuredText, HTML and PDF.

Each ``parse_*`` turns a file's bytes into a :class:`Parsed` — the text every offset refers to,
its blocks, and what to tell the user — and never raises for bad input: a file that cannot be
read gives a ``skip`` reason instead ("password-protected", "no text layer"). The parsing
libraries are imported on first use, so starting citebot over a Markdown folder does not pay
for docutils, lexbor or pypdf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block, BlockKind
from .encoding import decode_bytes
from .text import split_blocks

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
NOT_TEXT = "skipped: it is binary or not valid text."


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed file: its text, blocks over it, and notes for the user.

    ``skip`` non-empty means the file is skipped and says why (a whole sentence, starting
    "skipped:"); ``notes`` are kept-but-worth-knowing remarks (an encoding guessed, pages cut).
    """

    text: str
    encoding: str
    blocks: tuple[Block, ...] = ()
    notes: tuple[str, ...] = ()
    skip: str = ""
    pages: int = 0
    title: str = ""


@dataclass(slots=True)
class _Notes:
    """What a parser noticed about a file (for its warnings)."""

    items: list[str] = field(default_factory=list)

    def add(self, note: str) -> None:
        if note:
            self.items.append(note)


def _first_heading(blocks: tuple[Block, ...]) -> str:
    return next((b.heading for b in blocks if b.kind is BlockKind.HEADING and b.heading), "")


def parse_rst_file(data: bytes) -> Parsed:
    """A ``.rst`` file: decoded, then parsed by docutils (offsets into the decoded source).
    docutils' errors become one note; if docutils itself fails, the file is read as plain
    text rather than lost."""
    decoded = decode_bytes(data)
    if decoded is None:
        return Parsed("", "", skip=NOT_TEXT)
    notes = _Notes()
    notes.add(decoded.note)
    from .rst import parse_rst

    try:
        reading = parse_rst(decoded.text)
    except (Exception, RecursionError) as error:  # docutils on input it was not made for
        import logging

        logging.getLogger(__name__).warning("docutils failed", exc_info=True)
        notes.add(
            f"could not be parsed as reStructuredText ({type(error).__name__}); read as text."
        )
        blocks = tuple(split_blocks(decoded.text))
    else:
        blocks = tuple(reading.blocks)
        if reading.problems:
            more = f" (and {len(reading.problems) - 1} more)" if len(reading.problems) > 1 else ""
            first = reading.problems[0].rstrip(".")
            notes.add(f"reStructuredText problem at {first}{more}; read as far as possible.")
    return Parsed(
        decoded.text, decoded.encoding, blocks, tuple(notes.items), title=_first_heading(blocks)
    )


def parse_rst_text(text: str) -> list[Block]:
    """The reader for reStructuredText already in memory (falls back to plain text)."""
    from .rst import read_rst

    try:
        return read_rst(text)
    except (Exception, RecursionError):
        return split_blocks(text)


def parse_html_file(data: bytes) -> Parsed:
    """An HTML page: decoded (its ``<meta charset>`` honoured when it is not UTF-8), then its
    main content extracted as text with blocks."""
    declared = _META_CHARSET.search(data[:4096])
    decoded = decode_bytes(data, declared.group(1).decode("ascii", "ignore") if declared else "")
    if decoded is None:
        return Parsed("", "", skip=NOT_TEXT)
    from .html import LINKS_ONLY, parse_html

    reading = parse_html(decoded.text)
    text, blocks = reading.text, reading.blocks
    if not text.strip():
        return Parsed("", decoded.encoding, skip="skipped: it has no readable text.")
    if reading.link_share > LINKS_ONLY:
        return Parsed("", decoded.encoding, skip="skipped: it is a page of links only (an index).")
    notes = (decoded.note,) if decoded.note else ()
    return Parsed(text, decoded.encoding, tuple(blocks), notes, title=_first_heading(tuple(blocks)))


def parse_pdf_file(data: bytes) -> Parsed:
    """A PDF's text layer, rebuilt into blocks with pages (see :mod:`.pdf`)."""
    from .pdf import parse_pdf

    reading = parse_pdf(data)
    if not reading.text.strip():
        reason = reading.warnings[0] if reading.warnings else "skipped: it has no readable text."
        return Parsed("", "pdf", skip=reason, pages=reading.pages)
    blocks = tuple(reading.blocks)
    return Parsed(
        reading.text,
        "pdf",
        blocks,
        tuple(reading.warnings),
        pages=reading.pages,
        title=reading.title or _first_heading(blocks),
    )
