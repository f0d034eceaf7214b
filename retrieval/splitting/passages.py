"""Splitting a document's blocks into passages: the paragraphs that can answer, with context.

Offsets are kept exactly: ``document.text[passage.start:passage.end] == passage.text``. Each
passage also carries where it stands — the heading path above it, the nearest heading's anchor,
its line and page — so a citation can name a place a reader can open.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..reading.blocks import CONTEXT_SEPARATOR, PROSE_KINDS, Block, BlockKind, page_at
from ..reading.readers import document_blocks
from ..types import Document, Passage

MAX_PASSAGE_CHARS = 5_000
"""A longer block (a 40 MB file on one line, a dump) is cut into passages of at most this
many characters, at the last sentence end (else the last space) before the limit: re-ranking
and composing analyse each candidate paragraph (sentences, terms), at a cost that grows with
its length, so the cost of a question stays bounded whatever the files hold. 5,000 is above
every SQuAD paragraph (the longest: 4,063 characters) and all but 7 of SciFact's 5,183
abstracts."""
_SENTENCE_ENDS = (". ", "? ", "! ", ".\n", "?\n", "!\n")


def bounded_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as consecutive spans of at most MAX_PASSAGE_CHARS, each trimmed of
    the whitespace at the cut. Cuts after the last sentence end in the window's second half,
    else at its last whitespace, else (one 5,000-character word) at the limit."""
    spans = []
    while end - start > MAX_PASSAGE_CHARS:
        window = text[start : start + MAX_PASSAGE_CHARS]
        cut = max(window.rfind(mark, MAX_PASSAGE_CHARS // 2) for mark in _SENTENCE_ENDS) + 1
        if cut <= 0:
            cut = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
            if cut <= 0:
                cut = MAX_PASSAGE_CHARS
        piece_end = start + cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        spans.append((start, piece_end))
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


def _passage_id(source: str, text: str, occurrence: int) -> str:
    """The paragraph's own text and its place among equal texts in the file (``occurrence``,
    0 for the first): an edit elsewhere in the file keeps every other paragraph's id, so "Show
    paragraph" buttons on old answers still find theirs; two copies of a file differ."""
    key = f"{source}\0{occurrence}\0{text}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(key, digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class _Trail:
    """The headings above the current block: (level, words, anchor), outermost first."""

    entries: tuple[tuple[int, str, str], ...] = ()

    def under(self, block: Block) -> _Trail:
        """The trail once ``block`` (a title or heading) is passed: deeper or equal levels end."""
        kept = tuple(e for e in self.entries if e[0] < block.level)
        return _Trail((*kept, (block.level, block.heading, block.anchor)))

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(words for _, words, _ in self.entries if words)

    @property
    def anchor(self) -> str:
        """The nearest heading's anchor (a title has none: the page itself is the place)."""
        return self.entries[-1][2] if self.entries else ""


class PassageFields(NamedTuple):
    """A :class:`~retrieval.types.Passage`'s fields in its order (``Passage(*fields)``): what
    the build reads of each paragraph, without making a frozen dataclass per paragraph (a
    tenth of a worker's time at a million paragraphs)."""

    id: str
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    context: str
    headings: tuple[str, ...]
    anchor: str
    line: int
    page: int
    kind: str


def _out_of_order(blocks: Sequence[Block]) -> set[int]:
    """The indices of prose blocks that start before the end of the prose block before them.

    A reader emits prose in its file's order, never overlapping; the index relies on it (its
    byte offsets are counted on, span after span, and a span counted out of order shifts every
    later one of the file: a quote then shows other text of the file, and the final check,
    which re-reads those same bytes, agrees with it). A reader that breaks the order (pytest's
    changelog did, until its reader was fixed) loses those blocks here instead: left out
    rather than quoted wrongly, as a block the reader cannot place is."""
    dropped: set[int] = set()
    end = 0
    for i, block in enumerate(blocks):
        if block.kind not in PROSE_KINDS or block.end <= block.start:
            continue
        if block.start < end:
            dropped.add(i)
            continue
        end = block.end
    return dropped


def split_passages(document: Document, blocks: Sequence[Block] | None = None) -> list[Passage]:
    """The document's answerable paragraphs, each with the headings above it as context.

    Paragraph numbers count every block (titles, headings and code too), so "¶3" is the third
    block of the file; only prose blocks (paragraphs, list items, quotes, admonitions) become
    passages. ``blocks`` None reads the document with the reader its file name calls for.
    """
    return [Passage(*fields) for fields in passage_fields(document, blocks)]


def passage_fields(
    document: Document, blocks: Sequence[Block] | None = None
) -> list[PassageFields]:
    """:func:`split_passages`'s paragraphs as their fields (the build's form)."""
    text, source = document.text, document.source
    seen: dict[str, int] = {}
    passages: list[PassageFields] = []
    trail = _Trail()
    headings: tuple[str, ...] = ()
    context = anchor = ""
    if blocks is None:
        blocks = document_blocks(document)
    dropped = _out_of_order(blocks)
    for number, block in enumerate(blocks, start=1):
        kind = block.kind
        if kind in _HEADING_KINDS:
            trail = trail.under(block)
            headings, anchor = trail.headings, trail.anchor
            context = CONTEXT_SEPARATOR.join(headings)
        if kind not in PROSE_KINDS or block.end <= block.start or number - 1 in dropped:
            continue
        spans = (
            [(block.start, block.end)]
            if block.end - block.start <= MAX_PASSAGE_CHARS
            else bounded_spans(text, block.start, block.end)
        )
        line, counted, page, kind_name = block.line, block.start, block.page, kind.value
        for start, end in spans:
            body = text[start:end]
            seen[body] = occurrence = seen.get(body, -1) + 1
            if line:  # the line each piece starts on
                line += text.count("\n", counted, start)
                counted = start
            elif page:  # the page each piece of a PDF's block starts on
                page = page_at(text, block.start, block.page, start)
            passages.append(
                PassageFields(
                    _passage_id(source, body, occurrence),
                    source,
                    number,
                    start,
                    end,
                    body,
                    context,
                    headings,
                    anchor,
                    line,
                    page,
                    kind_name,
                )
            )
    return passages


_HEADING_KINDS = frozenset({BlockKind.TITLE, BlockKind.HEADING})


SEARCHED_UNIT_KINDS = frozenset({BlockKind.CODE, BlockKind.TABLE})
"""Blocks whose words are searched with the passage before them (lists need not be: their items
are passages of their own)."""


def searched_units(blocks: Sequence[Block], text: str = "") -> list[list[tuple[int, int]]]:
    """For each passage :func:`split_passages` makes from ``blocks`` (same order), the spans of
    the code blocks and tables that follow it in its section, up to the next prose block or
    heading (markup such as a content tab's ``=== "pip"`` line is passed over).

    The command or key a reader asks for is usually in the block a sentence introduces
    ("To install the extras:" then ``pip install 'pydantic[email]'``), so those words are
    searched with the sentence's passage; they are never quoted as sentences. A block cut
    into several passages (over MAX_PASSAGE_CHARS; ``text`` is the document's) gives its
    units to its last passage, the one they follow.
    """
    units: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] | None = None
    dropped = _out_of_order(blocks)
    for i, block in enumerate(blocks):
        if block.kind in (BlockKind.TITLE, BlockKind.HEADING):
            current = None
        elif i in dropped:
            current = None  # what follows it was its, not the passage's before
        elif block.kind in PROSE_KINDS and block.end > block.start:
            if text and block.end - block.start > MAX_PASSAGE_CHARS:
                pieces = len(bounded_spans(text, block.start, block.end))
                units.extend([] for _ in range(pieces - 1))
            current = []
            units.append(current)
        elif block.kind in SEARCHED_UNIT_KINDS and current is not None:
            current.append((block.start, block.end))
    return units
