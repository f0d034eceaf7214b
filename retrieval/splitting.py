"""Splitting documents into paragraphs and paragraphs into sentences, keeping exact offsets.

Every span produced here indexes the original text as decoded, line endings and all, so a
quote can always be checked against its file: ``text[start:end]`` is the quote, byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from .types import Document, Passage

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_TITLE_MAX_CHARS = 120
_FINAL_PUNCTUATION = ".!?:;,…\"'”’)]"
CONTEXT_SEPARATOR = " › "


class BlockKind(Enum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"


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
    )


def split_blocks(text: str) -> list[Block]:
    """Blocks separated by blank lines; Markdown headings become blocks of their own."""
    raw: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for start, end in _lines(text):
        if text[start:end].strip():
            current.append((start, end))
        elif current:
            raw.append(current)
            current = []
    if current:
        raw.append(current)

    blocks: list[Block] = []
    for lines in raw:
        pending: list[tuple[int, int]] = []

        def flush(pending: list[tuple[int, int]]) -> None:
            if pending:
                s, e = _trimmed(text, pending[0][0], pending[-1][1])
                blocks.append(Block(BlockKind.PARAGRAPH, s, e))

        index = 0
        while index < len(lines):
            start, end = lines[index]
            line = text[start:end]
            atx = _ATX_HEADING.match(line)
            next_line = text[slice(*lines[index + 1])] if index + 1 < len(lines) else ""
            if atx:
                flush(pending)
                pending = []
                s, e = _trimmed(text, start, end)
                blocks.append(Block(BlockKind.HEADING, s, e, len(atx.group(1)), atx.group(2)))
            elif not pending and next_line and _SETEXT_UNDERLINE.match(next_line):
                level = 1 if next_line.strip().startswith("=") else 2
                s, e = _trimmed(text, start, lines[index + 1][1])
                blocks.append(Block(BlockKind.HEADING, s, e, level, line.strip()))
                index += 1
            else:
                pending.append((start, end))
            index += 1
        flush(pending)

    if blocks and blocks[0].kind is BlockKind.PARAGRAPH:
        first = blocks[0]
        if _is_title_line(text[first.start : first.end]):
            heading = text[first.start : first.end].strip()
            blocks[0] = Block(BlockKind.TITLE, first.start, first.end, 0, heading)
    return blocks


def document_title(text: str) -> str:
    """The document's title: its first block if that is a title line or a heading."""
    blocks = split_blocks(text)
    if blocks and blocks[0].kind is not BlockKind.PARAGRAPH:
        return blocks[0].heading
    return ""


def _passage_id(content_hash: str, start: int, end: int) -> str:
    return hashlib.blake2b(f"{content_hash}:{start}:{end}".encode(), digest_size=8).hexdigest()


def split_passages(document: Document) -> list[Passage]:
    """The document's answerable paragraphs, each with the headings above it as context.

    Paragraph numbers count every block (titles and headings too), so "¶3" is the third block
    a reader sees in the file; titles and headings are never passages themselves.
    """
    text = document.text
    content_hash = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    passages: list[Passage] = []
    trail: list[tuple[int, str]] = []
    for number, block in enumerate(split_blocks(text), start=1):
        if block.kind is not BlockKind.PARAGRAPH:
            trail = [(lvl, h) for lvl, h in trail if lvl < block.level] + [
                (block.level, block.heading)
            ]
            continue
        passages.append(
            Passage(
                id=_passage_id(content_hash, block.start, block.end),
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

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al approx est dept univ inc ltd co corp
    no nos fig figs vol gen gov sen rep col lt capt sgt cmdr adm maj rev hon pres supt
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    u.s u.k u.n a.m p.m ph.d b.a m.a d.c l.a n.y
    """.split()
)
# A terminator: . ! ? or an ellipsis, then any closing quotes/brackets, then space or the end.
_TERMINATOR = re.compile(r"(?:\.{3}|…|[.!?])+[\"'”’)\]]*(?=\s|$)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_LIST_ITEM = re.compile(r"\n[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    after = text[match.end() :].lstrip()
    if not after:
        return True
    following = after[0]
    if following.islower():
        # "e.g. this", "… and then", "?” he asked": the sentence goes on.
        return False
    terminator = match.group()
    if terminator.startswith(".") and not terminator.startswith("..."):
        word = _WORD_BEFORE.search(text[: match.start()])
        if word:
            token = word.group(1).lower().strip(".")
            if token in _ABBREVIATIONS:
                return False
            # Initials ("J. Smith") and dotted acronyms ("U.S.A.") are not sentence ends.
            if len(token) == 1 and token.isalpha():
                return False
            if re.fullmatch(r"(?:\w\.)+\w", token):
                return False
    return True


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
