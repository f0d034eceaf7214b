"""The plain-text reader: blank-line paragraphs, with light Markdown headings and fences.

Every span produced here indexes the original text as decoded, line endings and all, so a
quote can always be checked against its file: ``text[start:end]`` is the quote, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .blocks import Block, BlockKind, trimmed_span

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_TITLE_MAX_CHARS = 120
_FINAL_PUNCTUATION = ".!?:;,…\"'”’)]"


_MARKED = re.compile(r" {0,3}[`~#=*_-]").match
"""What every pattern above that starts a block (fence, ATX heading, setext underline,
thematic break) begins with: a line without it is one of a paragraph's or a blank one."""

_LINE_CONTENT = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n)?")
"""``_LINE`` with the line's content as group 1 (its end is the line's end, no string made)."""


def line_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line without its line ending; handles \\n, \\r\\n and \\r."""
    if "\r" not in text:  # str.split finds the ends in C; the pattern reads every character
        start = 0
        pieces = text.split("\n")
        if not pieces[-1]:  # a final line ending ends the last line, it starts none
            pieces.pop()
        for piece in pieces:
            end = start + len(piece)
            yield start, end
            start = end + 1
        return
    for match in _LINE_CONTENT.finditer(text):
        start, end = match.span()
        if start == end:
            return
        yield start, match.end(1)


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
    and front matter are blocks that are never quoted; thematic breaks (``---``) are dropped.

    Long because it is one state machine over the lines (front matter, fences, headings, titles,
    paragraphs): its states share the open block, so splitting it would pass that state around.
    """
    lines = list(line_spans(text))
    strings = text.split("\n") if "\r" not in text else [text[a:b] for a, b in lines]
    if len(strings) > len(lines):  # the empty piece after a final line ending
        strings.pop()
    """Each line's text, cut once (the loop reads each line twice: as itself, as following)."""
    marked = [_MARKED(line) is not None for line in strings]
    """Lines that may be a fence, heading, underline or break (the others skip those regexes)."""
    blocks: list[Block] = []
    pending: list[int] = []
    """Line numbers (0-based) of the paragraph being gathered."""
    line_at = strings.__getitem__

    def add(kind: BlockKind, first: int, last: int, level: int = 0, heading: str = "") -> None:
        s, e = trimmed_span(text, lines[first][0], lines[last][1])
        blocks.append(Block(kind, s, e, level, heading, line=first + 1))

    def flush() -> None:
        if pending:
            s, e = trimmed_span(text, lines[pending[0]][0], lines[pending[-1]][1])
            blocks.append(Block(BlockKind.PARAGRAPH, s, e, line=pending[0] + 1))
            pending.clear()

    i = 0
    if lines and line_at(0).strip() == "---":  # YAML front matter
        for j in range(1, min(len(lines), 200)):
            if _FRONT_MATTER_END.match(line_at(j)):
                add(BlockKind.FRONT_MATTER, 0, j)
                i = j + 1
                break
    count = len(lines)
    while i < count:
        line = strings[i]
        if not marked[i] and (i + 1 == count or not marked[i + 1]):
            # Neither a fence, heading nor break, nor followed by an underline: a paragraph's
            # line or a blank one (the same outcome as the branches below, without the regexes).
            if line.strip():
                pending.append(i)
            else:
                flush()
            i += 1
            continue
        following = strings[i + 1] if i + 1 < count else ""
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
            pending.append(i)
        i += 1
    flush()

    if blocks and blocks[0].kind is BlockKind.PARAGRAPH:
        first = blocks[0]
        block_text = text[first.start : first.end]
        block_lines = [block_text[s:e] for s, e in line_spans(block_text)]
        if _is_title_line(block_text):
            blocks[0] = Block(
                BlockKind.TITLE, first.start, first.end, 0, block_text.strip(), line=first.line
            )
        elif len(block_lines) > 1 and _title_glued_to_text(block_lines):
            title_end = first.start + len(block_lines[0].rstrip())
            body_start, body_end = trimmed_span(text, title_end, first.end)
            blocks[0:1] = [
                Block(
                    BlockKind.TITLE,
                    first.start,
                    title_end,
                    0,
                    block_lines[0].strip(),
                    line=first.line,
                ),
                Block(BlockKind.PARAGRAPH, body_start, body_end, line=first.line + 1),
            ]
    return blocks


def document_title(text: str) -> str:
    """The document's title: its first block if that is a title line or a heading."""
    return title_of(split_blocks(text))


def title_of(blocks: Sequence[Block]) -> str:
    """The title given a document's blocks (so a builder that has them splits only once): the
    first block's heading when it is a title or heading, past front matter and markup."""
    for block in blocks:
        if block.kind in (BlockKind.FRONT_MATTER, BlockKind.MARKUP):
            continue
        return block.heading if block.kind in (BlockKind.TITLE, BlockKind.HEADING) else ""
    return ""
