"""Splitting a document's blocks into passages: the paragraphs that can answer, with context.

Offsets are kept exactly: ``document.text[passage.start:passage.end] == passage.text``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..reading.blocks import CONTEXT_SEPARATOR, Block, BlockKind
from ..reading.text import split_blocks
from ..types import Document, Passage


def _passage_id(source: str, content_hash: str, start: int, end: int) -> str:
    """Same file (path and content) → same id on every run; two copies of a file differ."""
    key = f"{source}\0{content_hash}:{start}:{end}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def split_passages(document: Document, blocks: Sequence[Block] | None = None) -> list[Passage]:
    """The document's answerable paragraphs, each with the headings above it as context.

    Paragraph numbers count every block (titles and headings too), so "¶3" is the third block
    a reader sees in the file; titles and headings are never passages themselves.
    """
    text = document.text
    content_hash = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    passages: list[Passage] = []
    trail: list[tuple[int, str]] = []
    for number, block in enumerate(split_blocks(text) if blocks is None else blocks, start=1):
        if block.kind in (BlockKind.TITLE, BlockKind.HEADING):
            trail = [(lvl, h) for lvl, h in trail if lvl < block.level] + [
                (block.level, block.heading)
            ]
        if block.kind is not BlockKind.PARAGRAPH:
            continue
        passages.append(
            Passage(
                id=_passage_id(document.source, content_hash, block.start, block.end),
                source=document.source,
                paragraph=number,
                start=block.start,
                end=block.end,
                text=text[block.start : block.end],
                context=CONTEXT_SEPARATOR.join(h for _, h in trail if h),
            )
        )
    return passages
