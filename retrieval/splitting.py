"""Splitting documents into paragraphs and paragraphs into sentences, keeping exact offsets.

Every span produced here indexes the original text as decoded, line endings and all, so a
quote can always be checked against its file: ``text[start:end]`` is the quote, byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from .types import Document, Passage

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_TITLE_MAX_CHARS = 120
_FINAL_PUNCTUATION = ".!?:;,…\"'”’)]"
CONTEXT_SEPARATOR = " › "


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


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line without its line ending; handles \\n, \\r\\n and \\r."""
    for match in _LINE.finditer(text):
        if match.start() == match.end():
            return
        line = match.group()
        yield match.start(), match.start() + len(line.rstrip("\r\n"))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_title_line(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= _TITLE_MAX_CHARS
        and stripped[-1] not in _FINAL_PUNCTUATION
        and "\n" not in stripped
        and "\r" not in stripped
    )


def _title_glued_to_text(lines: list[str]) -> bool:
    """A title glued to its text ("Meeting Notes\\nThe council met…"): a short unpunctuated
    first line, then a line that starts a sentence and is clearly longer — not a hard wrap."""
    first, second = lines[0].strip(), lines[1].lstrip()
    longest = max(len(line.strip()) for line in lines[1:])
    return (
        _is_title_line(first)
        and bool(second)
        and (second[0].isupper() or second[0].isdigit() or second[0] in "\"“'‘")
        and len(first) <= 0.7 * longest
    )


def split_blocks(text: str) -> list[Block]:
    """Blocks separated by blank lines. Markdown headings are blocks of their own; fenced code
    and front matter are blocks that are never quoted; thematic breaks (``---``) are dropped."""
    lines = list(_lines(text))
    blocks: list[Block] = []
    pending: list[tuple[int, int]] = []

    def line_at(i: int) -> str:
        return text[lines[i][0] : lines[i][1]]

    def add(kind: BlockKind, first: int, last: int, level: int = 0, heading: str = "") -> None:
        s, e = _trimmed(text, lines[first][0], lines[last][1])
        blocks.append(Block(kind, s, e, level, heading))

    def flush() -> None:
        if pending:
            s, e = _trimmed(text, pending[0][0], pending[-1][1])
            blocks.append(Block(BlockKind.PARAGRAPH, s, e))
            pending.clear()

    i = 0
    if lines and line_at(0).strip() == "---":  # YAML front matter
        for j in range(1, min(len(lines), 200)):
            if _FRONT_MATTER_END.match(line_at(j)):
                add(BlockKind.FRONT_MATTER, 0, j)
                i = j + 1
                break
    while i < len(lines):
        line = line_at(i)
        following = line_at(i + 1) if i + 1 < len(lines) else ""
        fence = _FENCE.match(line)
        atx = _ATX_HEADING.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            j = i + 1
            while j < len(lines) and not line_at(j).lstrip().startswith(marker):
                j += 1
            last = min(j, len(lines) - 1)
            add(BlockKind.CODE, i, last)
            i = last + 1
            continue
        if not line.strip():
            flush()
        elif atx:
            flush()
            add(BlockKind.HEADING, i, i, len(atx.group(1)), atx.group(2))
        elif not pending and following.strip() and _SETEXT_UNDERLINE.match(following):
            level = 1 if following.strip().startswith("=") else 2
            add(BlockKind.HEADING, i, i + 1, level, line.strip())
            i += 1
        elif _THEMATIC_BREAK.match(line):
            flush()
        else:
            pending.append(lines[i])
        i += 1
    flush()

    if blocks and blocks[0].kind is BlockKind.PARAGRAPH:
        first = blocks[0]
        block_text = text[first.start : first.end]
        block_lines = [block_text[s:e] for s, e in _lines(block_text)]
        if _is_title_line(block_text):
            blocks[0] = Block(BlockKind.TITLE, first.start, first.end, 0, block_text.strip())
        elif len(block_lines) > 1 and _title_glued_to_text(block_lines):
            title_end = first.start + len(block_lines[0].rstrip())
            body_start, body_end = _trimmed(text, title_end, first.end)
            blocks[0:1] = [
                Block(BlockKind.TITLE, first.start, title_end, 0, block_lines[0].strip()),
                Block(BlockKind.PARAGRAPH, body_start, body_end),
            ]
    return blocks


def document_title(text: str) -> str:
    """The document's title: its first block if that is a title line or a heading."""
    return title_of(split_blocks(text))


def title_of(blocks: Sequence[Block]) -> str:
    """The title given a document's blocks (so a builder that has them splits only once)."""
    if blocks and blocks[0].kind is not BlockKind.PARAGRAPH:
        return blocks[0].heading
    return ""


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


# --- sentences -------------------------------------------------------------------------------

# Abbreviations after which a period never ends a sentence (titles, "e.g.", "U.S." …).
# Words that are also ordinary words ("no", "sun", "sat") or usually end a sentence when a
# capital follows ("etc.", "Inc.", "p.m.") are not here: a lowercase next word already keeps
# those sentences together.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs e.g i.e cf al approx dept univ fig figs vol gen gov sen
    rep col lt capt sgt cmdr adm maj rev hon pres supt ph.d u.s u.k u.n d.c
    """.split()
)
# Abbreviations that do not end a sentence when a number follows: "No. 5", "Jan. 5", "pp. 3".
_NUMBER_ABBREVIATIONS = frozenset(
    "no nos jan feb mar apr jun jul aug sep sept oct nov dec p pp ch sec art".split()
)
# A terminator: . ! ? or an ellipsis, then closing quotes/brackets, an optional footnote
# marker ("[3]", "¹"), then white space or the end.
_TERMINATOR = re.compile(r"(?:\.{3}|…|[.!?])+[\"'”’)\]]*(?:\[\d{1,3}\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?=\s|$)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_NON_SPACE = re.compile(r"\S")
_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LIST_ITEM = re.compile(r"[\r\n][ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_LOOKBEHIND = 64
"""Characters looked at before a terminator: bounded, so splitting stays linear in the text."""


def _is_list_number(text: str, word_start: int) -> bool:
    """Is the number ending at a "." a list marker ("1. Install"), not a sentence's last word?"""
    before = text[max(0, word_start - _LOOKBEHIND) : word_start].rstrip(" \t")
    if not before or before[-1] in "\r\n:!?":
        return True
    if before[-1] != ".":
        return False
    # After a sentence's end ("Python. 2. Run"), not after an abbreviation ("Jan. 5. They").
    previous = _WORD_BEFORE.search(before[:-1])
    token = previous.group(1).lower().strip(".") if previous else ""
    return token not in _ABBREVIATIONS and token not in _NUMBER_ABBREVIATIONS


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    following = _NON_SPACE.search(text, match.end())
    if following is None:
        return True
    if following.group().islower():
        # "e.g. this", "… and then", "?” he asked": the sentence goes on.
        return False
    terminator = match.group()
    if not terminator.startswith(".") or terminator.startswith("..."):
        return True
    word = _WORD_BEFORE.search(text, max(0, match.start() - _LOOKBEHIND), match.start())
    if word is None:
        return True
    token = word.group(1).lower().strip(".")
    if token in _ABBREVIATIONS or _ACRONYM.fullmatch(token):
        return False  # "Mr. Smith", "U.S. Immigration", "U.S.A. today"
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. R. R. Tolkien"
    if token in _NUMBER_ABBREVIATIONS and following.group().isdigit():
        return False
    return not (token.isdigit() and len(token) <= 3 and _is_list_number(text, word.start(1)))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, trimmed; together they cover all its words."""
    cuts: list[int] = []
    for match in _TERMINATOR.finditer(text):
        if _is_boundary(text, match):
            cuts.append(match.end())
    cuts.extend(m.start() for m in _LIST_ITEM.finditer(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(text)]:
        if cut <= start:
            continue
        s, e = _trimmed(text, start, cut)
        if s < e:
            spans.append((s, e))
        start = cut
    return spans
