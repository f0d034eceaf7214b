"""Splitting a document's blocks into passages: the paragraphs that can answer, with context.

Offsets are kept exactly: ``document.text[passage.start:passage.end] == passage.text``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..reading.blocks import CONTEXT_SEPARATOR, Block, BlockKind
from ..reading.text import split_blocks
from ..types import Document, Passage
from .sentences import split_sentences

MAX_PASSAGE_CHARS = 12_000
"""A longer block (a 40 MB file on one line, a dump) is cut into passages of at most this
many characters, at the last sentence end (else the last space) before the limit: the cost
of a question — re-ranking and composing analyse each candidate paragraph — stays bounded.
Above every paragraph of the benchmark sets (SciFact's longest: 10,000), so none moves."""


def bounded_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as consecutive spans of at most MAX_PASSAGE_CHARS, each trimmed of
    the whitespace at the cut."""
    spans = []
    while end - start > MAX_PASSAGE_CHARS:
        window = text[start : start + MAX_PASSAGE_CHARS]
        sentences = split_sentences(window) if not window[-1].isspace() else []
        cut = sentences[-2][1] if len(sentences) > 1 else 0
        if cut <= 0:
            space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
            cut = space if space > 0 else MAX_PASSAGE_CHARS
        piece_end = start + cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        spans.append((start, piece_end if piece_end > start else start + cut))
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


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
        spans = (
            [(block.start, block.end)]
            if block.end - block.start <= MAX_PASSAGE_CHARS
            else bounded_spans(text, block.start, block.end)
        )
        for start, end in spans:
            passages.append(
                Passage(
                    id=_passage_id(document.source, content_hash, start, end),
                    source=document.source,
                    paragraph=number,
                    start=start,
                    end=end,
                    text=text[start:end],
                    context=CONTEXT_SEPARATOR.join(h for _, h in trail if h),
                )
            )
    return passages
