"""The document/block model every reader produces: blocks with exact offsets into the text.

A reader (one per format) turns a decoded file into :class:`Block` values; splitting turns blocks
into passages. ``text[block.start:block.end]`` is always the block's exact source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

CONTEXT_SEPARATOR = " › "
"""Joins the headings above a paragraph into its context line."""


class BlockKind(Enum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    CODE = "code"
    """A fenced code block: counted as a block, never quoted (its lines are not sentences)."""
    FRONT_MATTER = "front_matter"
    """YAML front matter at the top of a Markdown file: metadata, not text."""


@dataclass(frozen=True, slots=True)
class Block:
    """A run of non-blank lines, trimmed: ``text[start:end]`` is its exact source text."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    heading: str = ""
    """For titles and headings: the words of the heading, without Markdown markers."""


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
