"""Which answer unit (code block, table, list) directly follows each passage.

A sentence that introduces a block ("Add the index to your ``pyproject.toml``:") is useless
without it: the block holds the command or key the reader came for. The relation is worked out
once, at indexing time, from the reader's blocks — the next block after the paragraph, with
nothing but markup (comments, include macros, content-tab lines) between them and no heading —
and stored with the paragraph (:mod:`retrieval.index.store`), so answering never re-reads a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..reading.blocks import UNIT_KINDS, Block, BlockKind
from ..types import Passage

if TYPE_CHECKING:
    from .passages import PassageFields

SKIPPED_BETWEEN = frozenset({BlockKind.MARKUP})
"""Blocks that may stand between a paragraph and the unit it introduces (an HTML comment, an
include macro, a content tab's ``=== "pip"`` line): never quoted, so they do not break the
relation."""


@dataclass(frozen=True, slots=True)
class UnitSpan:
    """The answer unit after a passage: ``text[start:end]`` is the block, verbatim."""

    kind: str
    """"code", "table" or "list" (a :class:`BlockKind` value)."""
    start: int
    end: int
    lang: str = ""


def following_units(
    blocks: Sequence[Block], passages: Sequence[Passage | PassageFields]
) -> list[UnitSpan | None]:
    """For each passage (in order, made from these blocks), the unit block that directly
    follows it in the same section, or None.

    "Directly" means the first block that starts at or after the passage's end, skipping only
    :data:`SKIPPED_BETWEEN` blocks; a heading or any prose in between ends the search. Blocks
    that start inside the passage (a list item's own nested content read as its own block, an
    enclosing list) are passed over.
    """
    position = {(b.start, b.end): i for i, b in enumerate(blocks) if b.end > b.start}
    units: list[UnitSpan | None] = []
    for passage in passages:
        i = position.get((passage.start, passage.end))
        units.append(None if i is None else _unit_after(blocks, i, passage.end))
    return units


def _unit_after(blocks: Sequence[Block], i: int, end: int) -> UnitSpan | None:
    for j in range(i + 1, len(blocks)):  # not blocks[i + 1:]: a copy per paragraph
        block = blocks[j]
        if block.start < end or block.kind in SKIPPED_BETWEEN or block.end <= block.start:
            continue
        if block.kind in UNIT_KINDS:
            return UnitSpan(block.kind.value, block.start, block.end, block.lang)
        return None
    return None
