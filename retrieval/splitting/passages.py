"""Splitting a document's blocks into passages: the paragraphs that can answer, with context.

Offsets are kept exactly: ``document.text[passage.start:passage.end] == passage.text``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..reading.blocks import CONTEXT_SEPARATOR, Block, BlockKind
from ..reading.text import split_blocks
from ..types import Document, Passage


def _passage_id(source: str, text: str, occurrence: int) -> str:
    """The paragraph's own text and its place among equal texts in the file (``occurrence``,
    0 for the first): an edit elsewhere in the file keeps every other paragraph's id, so "Show
    paragraph" buttons on old answers still find theirs; two copies of a file differ."""
    key = f"{source}\0{occurrence}\0{text}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def split_passages(document: Document, blocks: Sequence[Block] | None = None) -> list[Passage]:
    """The document's answerable paragraphs, each with the headings above it as context.

    Paragraph numbers count every block (titles and headings too), so "¶3" is the third block
    a reader sees in the file; titles and headings are never passages themselves.
    """
    text = document.text
    seen: dict[str, int] = {}
    passages: list[Passage] = []
    trail: list[tuple[int, str]] = []
    for number, block in enumerate(split_blocks(text) if blocks is None else blocks, start=1):
        if block.kind in (BlockKind.TITLE, BlockKind.HEADING):
            trail = [(lvl, h) for lvl, h in trail if lvl < block.level] + [
                (block.level, block.heading)
            ]
        if block.kind is not BlockKind.PARAGRAPH:
            continue
        body = text[block.start : block.end]
        seen[body] = occurrence = seen.get(body, -1) + 1
        passages.append(
            Passage(
                id=_passage_id(document.source, body, occurrence),
                source=document.source,
                paragraph=number,
                start=block.start,
                end=block.end,
                text=text[block.start : block.end],
                context=CONTEXT_SEPARATOR.join(h for _, h in trail if h),
            )
        )
    return passages
