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
    """What a block is, which decides whether it is searched, quoted as sentences, or shown whole.

    * prose (``PARAGRAPH``, ``LIST_ITEM``, ``QUOTE``, ``ADMONITION``): a passage; its sentences
      can be quoted;
    * answer units (``CODE``, ``TABLE``, and a whole ``LIST``): never split into sentences, but
      shown verbatim with the sentence that introduces them;
    * structure (``TITLE``, ``HEADING``): the context of the passages below them;
    * ``FRONT_MATTER`` and ``MARKUP`` (template and include syntax, raw HTML, comments,
      directives that carry no prose): counted as blocks, never searched or quoted.
    """

    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    """One item of a list, as prose (nested items are blocks of their own)."""
    QUOTE = "quote"
    ADMONITION = "admonition"
    """The body of a note/warning/versionadded…; ``label`` holds its type ("note")."""
    CODE = "code"
    """A code or literal block: counted as a block, never quoted as sentences (``lang`` set when
    known); shown whole with the sentence that introduces it."""
    TABLE = "table"
    LIST = "list"
    """A whole list (its items are also ``LIST_ITEM`` blocks): shown as a unit."""
    FRONT_MATTER = "front_matter"
    """YAML front matter at the top of a Markdown file: metadata, not text."""
    MARKUP = "markup"
    """Template/include syntax, HTML blocks, comments: never searched, never quoted."""


PROSE_KINDS = frozenset(
    {BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.QUOTE, BlockKind.ADMONITION}
)
"""Blocks that become passages: searched, and quoted sentence by sentence."""
UNIT_KINDS = frozenset({BlockKind.CODE, BlockKind.TABLE, BlockKind.LIST})
"""Blocks shown whole, verbatim, with the sentence that introduces them."""


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a document: ``text[start:end]`` is its exact source text, trimmed.

    Every reader (plain text, Markdown, reStructuredText, HTML, PDF) produces these over the
    document's ``text`` — the file as decoded, or for HTML/PDF the text extracted from it — so
    splitting, answering and citing never depend on the format.
    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    """Heading level (1 = top); for list items, the nesting depth (1 = top-level list)."""
    heading: str = ""
    """For titles and headings: the words of the heading, markup and explicit anchors removed."""
    anchor: str = ""
    """For titles and headings: the fragment a published page uses for it (explicit id or the
    generator's slug), without "#"; empty when unknown."""
    line: int = 0
    """1-based line of ``start`` in the source file (0: not known, e.g. extracted HTML text)."""
    page: int = 0
    """1-based physical page for PDF documents; 0 for every other format."""
    lang: str = ""
    """For code blocks: the language named by the fence or directive ("python"), else empty."""
    label: str = ""
    """For admonitions and content tabs: their type or title ("note", "pip"); else empty."""


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` narrowed past white space at both ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


PAGE_BREAK = "\n"
"""In a PDF's text, what stands between two lines of one prose block (a paragraph, list item or
admonition) where the block goes on on the next page: a line feed, which those blocks have
nowhere else (their lines are joined by spaces), one per page turned."""


def page_at(text: str, start: int, page: int, offset: int) -> int:
    """The page that ``text[offset]`` is printed on, for a prose block or passage of a PDF
    starting at ``start`` on ``page``: ``page`` plus the page breaks before ``offset``. For
    other formats (``page`` 0) it is 0."""
    if not page or offset <= start:
        return page
    return page + text.count(PAGE_BREAK, start, offset)
