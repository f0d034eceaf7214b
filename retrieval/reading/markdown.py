"""The Markdown reader: a file read as structure by markdown-it-py, with exact source offsets.

CommonMark plus tables and YAML front matter (markdown-it-py and mdit-py-plugins), and the
containers documentation sites add on top, which CommonMark would read as prose or code:

* admonitions — ``!!! note "Title"`` / ``??? tip`` with an indented body (Python-Markdown,
  MkDocs) and GitHub's ``> [!NOTE]`` block quotes;
* content tabs — ``=== "pip"`` with an indented body (pymdown-extensions), so a fence indented
  inside a tab is code, not a paragraph;
* mkdocstrings' ``::: package.module`` directives (and their indented options): markup;
* containers opened and closed by marker lines: pymdown-extensions' Blocks (``/// note |
  Title`` … ``///``, tabs and details too: FastAPI's and pydantic's docs) and MyST directives
  (```` ```{note} ```` / ``:::{warning}`` … with their ``:option:`` lines; Sphinx sites written
  in Markdown), whose markers are markup and whose body is admonition prose, markup
  (``{toctree}``, ``{contents}``, ``{include}``…) or, for other directives, Markdown; a MyST
  code directive (```` ```{code-block} python ````) is code in its argument's language, and a
  MyST ``(label)=`` target line is markup.

Such a body is cut out, dedented and parsed as Markdown of its own; every offset still points
into the original file, because each region keeps, per line, which file line it is and how many
characters were dedented. Blocks are line ranges (markdown-it's token maps) turned into character
spans of the original text, so ``text[block.start:block.end]`` is always the file's own text.

Template and include syntax (``{* … *}``, ``{% … %}``, ``{{ … }}``, ``--8<--`` snippets,
``<!-- … -->``), raw HTML blocks and admonition/tab markers become ``MARKUP`` blocks: counted,
never searched or quoted. Headings get the anchor a published page gives them: an explicit
``{ #id }`` / ``{#id}`` attribute (removed from the heading's words) or Python-Markdown's ``toc``
slug, de-duplicated with ``_1``, ``_2`` as MkDocs does.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from .blocks import Block, BlockKind, trimmed_span
from .text import line_spans

MAX_NESTING = 120
"""Deeper block nesting than this (lists in lists…) is left to markdown-it's own limit."""

_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
_PARSER.disable(["inline", "text_join"])
"""Blocks only: inline markup is parsed just for headings (see :func:`heading_words`), which
halves the reading time."""
_TOP_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
_TOP_PARSER.use(front_matter_plugin)
_TOP_PARSER.disable(["inline", "text_join"])
"""The same, with mdit-py-plugins' YAML front matter: for the run at the top of the file only
(a ``---`` line at the top of a tab's body is a thematic break, not front matter)."""
_INLINE = MarkdownIt("commonmark")

_ADMONITION = re.compile(
    r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]*(?P<type>[\w-]+)(?:[ \t]+[\w-]+)*"
    r"(?:[ \t]+\"(?P<title>.*)\")?[ \t]*$"
)
"""Python-Markdown's admonition line (the space after ``!!!`` is optional there too; a title
may hold quotes)."""
_AUTODOC = re.compile(r"^(?P<indent>[ \t]*):::[ \t]*\S")
"""mkdocstrings' ``::: package.module`` (with indented options): documentation generated from
code at build time, nothing to read here."""
_TAB = re.compile(r"^(?P<indent>[ \t]*)===\+?[ \t]+\"(?P<title>[^\"]*)\"[ \t]*$")
_FENCE_OPEN = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_FENCE_LANG = re.compile(r"^[\s{.]*(?P<lang>[\w+#-]+)")
"""The language a fence names: ``python``, ``{.python .numberLines}``, ``c++`` / ``c#``."""
_GITHUB_ALERT = re.compile(r"^\[!(?P<type>[A-Za-z]+)\][ \t]*$")
_ATTRIBUTES = re.compile(
    r"[ \t]*\{:?[ \t]*(?P<body>(?:[#.][^\s{}]+|[\w-]+=\S+)(?:[ \t]+[^{}]*)?)\}[ \t]*$"
)
_EXPLICIT_ID = re.compile(r"(?:^|[ \t])#(?P<id>[^\s{}#]+)")
_FRONT_MATTER_OPEN = re.compile(r"^(?P<dashes>-{3,})")
_MARKUP_OPENERS = (
    ("{*", "*}"),
    ("{%", "%}"),
    ("{{", "}}"),
    ("{#", "#}"),
    ("<!--", "-->"),
)
"""Template/include syntax that starts a line, and what ends it (maybe lines later)."""
_REFERENCE_LINK = re.compile(r"\[([^\[\]]*)\]\[[^\[\]]*\]")
"""``[text][ref]`` whose reference is defined elsewhere (mkdocstrings' autorefs): its words."""
_INLINE_MARKUP = re.compile(r"[`*_\[\]<>&\\!]")
"""A heading without any of these has no inline markup: its words are its text."""
_SNIPPET = "--8<--"
_MARKUP_LINE = re.compile(
    r"^(?:\[TOC\]|\*\[[^\]]+\]:.*|\{:.*\}|\[\[_TOC_\]\]|\([\w.:-]+\)=)[ \t]*$"
)
"""Whole lines that are directives, not prose: ``[TOC]``, abbreviation definitions, attribute
lists on a line of their own, MyST's ``(label)=`` targets."""
_BLOCK_OPEN = re.compile(
    r"^[ \t]*(?P<slashes>/{3,})[ \t]*(?P<type>[A-Za-z][\w-]*)"
    r"(?:[ \t]*\|[ \t]*(?P<title>.*?))?[ \t]*$"
)
"""pymdown-extensions' Blocks (``/// note | Title`` … ``///``), which FastAPI's and pydantic's
docs use for admonitions, details, tabs and version notes."""
_BLOCK_OPTION = re.compile(r"^[ \t]+[\w-]+:(?:[ \t]|$)")
"""An indented ``key: value`` line right after a Blocks opener: its options, not its body."""
_BLOCK_MARKUP = frozenset({"html", "caption"})
"""Blocks whose body is no prose of its own (raw HTML, a figure's caption)."""
_MYST_OPEN = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,}|:{3,})[ \t]*"
    r"\{(?P<name>[A-Za-z][\w:.+-]*)\}[ \t]*(?P<arg>.*?)[ \t]*$"
)
"""A MyST directive (Sphinx's Markdown: ```` ```{note} ````, ``:::{warning}``)."""
_MYST_OPTION = re.compile(r"^[ \t]*:[\w-]+:(?:[ \t].*)?$")
"""A directive option line (``:caption: x.py``, ``:maxdepth: 2``)."""
MYST_CODE = frozenset({"code-block", "code", "sourcecode", "code-cell", "eval-rst"})
"""Directives whose body is code (``eval-rst`` holds reStructuredText, shown as such)."""
_MYST_ADMONITIONS = frozenset(
    {
        "note", "warning", "tip", "hint", "important", "caution", "attention", "danger",
        "error", "seealso", "admonition", "versionadded", "versionchanged", "deprecated",
        "versionremoved", "todo", "dropdown",
    }
)  # fmt: skip
_MYST_MARKUP = frozenset(
    {
        "toctree", "contents", "currentmodule", "module", "include", "literalinclude",
        "image", "raw", "mermaid", "graphviz", "csv-table", "autosummary", "index",
        "highlight", "default-domain", "default-role", "sectionauthor", "moduleauthor",
        "codeauthor", "program", "tabularcolumns",
    }
)  # fmt: skip
"""Directives that carry no prose to quote (navigation, includes, build settings); other
unknown directives keep their body as Markdown, as the reStructuredText reader does."""


@dataclass(slots=True)
class _Region:
    """Lines of the file read as one Markdown text: file line numbers and dedent per line."""

    lines: list[int]
    cols: list[int]
    kind: BlockKind | None = None
    """ADMONITION for an admonition's body (its prose is quoted as admonition text)."""
    label: str = ""


@dataclass(slots=True)
class _Reader:
    text: str
    starts: list[int]
    ends: list[int]
    blocks: list[Block] = field(default_factory=list)
    explicit: set[int] = field(default_factory=set)
    """Indexes in ``blocks`` of headings whose anchor was given explicitly."""

    def content(self, region: _Region, k: int) -> str:
        line = region.lines[k]
        return self.text[self.starts[line] + region.cols[k] : self.ends[line]]

    def span(self, region: _Region, first: int, last: int) -> tuple[int, int]:
        """The trimmed character span of region lines ``first..last`` (inclusive)."""
        start = self.starts[region.lines[first]] + region.cols[first]
        return trimmed_span(self.text, start, self.ends[region.lines[last]])

    def add(
        self,
        kind: BlockKind,
        start: int,
        end: int,
        line: int,
        *,
        level: int = 0,
        heading: str = "",
        anchor: str = "",
        lang: str = "",
        label: str = "",
    ) -> None:
        """Add a block (``line`` the 0-based file line of ``start``); empty spans are dropped."""
        if end > start:
            self.blocks.append(
                Block(kind, start, end, level, heading, anchor, line + 1, 0, lang, label)
            )


def read_markdown(text: str) -> list[Block]:
    """The blocks of a Markdown document, in document order (see the module docstring)."""
    spans = list(line_spans(text))
    reader = _Reader(text, [s for s, _ in spans], [e for _, e in spans])
    everything = _Region(list(range(len(spans))), [0] * len(spans))
    first = _front_matter(reader, everything)
    body = _Region(everything.lines[first:], everything.cols[first:])
    _read_region(reader, body)
    _assign_anchors(reader.blocks, reader.explicit)
    return reader.blocks


def _front_matter(reader: _Reader, region: _Region) -> int:
    """Front matter that never closes: up to the first blank line (so a forgotten ``---`` costs
    no prose, and the YAML is never read as a paragraph); the number of lines it took. Closed
    front matter is left to mdit-py-plugins' rule (0 lines here), whose closing rules — a line
    of at least as many dashes, or ``...`` — are the ones checked."""
    if not region.lines:
        return 0
    opened = _FRONT_MATTER_OPEN.match(reader.content(region, 0))
    if opened is None:
        return 0
    dashes = len(opened.group("dashes"))
    for k in range(1, len(region.lines)):
        line = reader.content(region, k).rstrip()
        if line == "..." or (len(line) >= dashes and not line.strip("-")):
            return 0
    last = next(
        (k - 1 for k in range(1, len(region.lines)) if not reader.content(region, k).strip()),
        len(region.lines) - 1,
    )
    start, end = reader.span(region, 0, last)
    reader.add(BlockKind.FRONT_MATTER, start, end, region.lines[0])
    return last + 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


MAX_CONTAINER_DEPTH = 20
"""Admonitions and tabs nested deeper than this are read as the text they hold (a real page
nests two or three; a generated or hostile one must not exhaust the stack)."""


def _read_region(reader: _Reader, region: _Region, depth: int = 0) -> None:
    """Cut ``region`` into plain runs (parsed by markdown-it) and admonition/tab containers
    (their opener a MARKUP block, their indented body a region of its own, recursively).

    A container indented under something (an admonition in a list item) may be followed by
    more of that something's indented text: those lines, up to the first line indented less
    than the container, are a run of their own, dedented, so they are not read as code.
    """
    plain_from = 0
    continuing = False
    """Whether the run from ``plain_from`` continues an indented container's parent."""
    nested_indent = 0
    k = 0
    fence: str | None = None
    count = len(region.lines)
    while k < count:
        line = reader.content(region, k)
        if continuing and line.strip() and _indent(line) < nested_indent:
            _read_plain(reader, region, plain_from, k, dedent=True)
            plain_from, continuing = k, False
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            k += 1
            continue
        delimited = None if depth >= MAX_CONTAINER_DEPTH else _delimited(reader, region, k)
        if delimited is not None:
            _read_plain(reader, region, plain_from, k, dedent=continuing)
            _read_delimited(reader, region, delimited, depth)
            plain_from = k = delimited.end
            continue
        opened = _FENCE_OPEN.match(line)
        if opened:
            fence = opened.group("fence")
            k += 1
            continue
        container = _ADMONITION.match(line) or _TAB.match(line) or _AUTODOC.match(line)
        if container is None or depth >= MAX_CONTAINER_DEPTH:
            k += 1
            continue
        _read_plain(reader, region, plain_from, k, dedent=continuing)
        end = _body_end(reader, region, k, _indent(line))
        if container.re is _AUTODOC:  # the directive and its indented options: all markup
            start, stop = reader.span(region, k, end - 1)
            reader.add(BlockKind.MARKUP, start, stop, region.lines[k])
        else:
            start, stop = reader.span(region, k, k)
            reader.add(BlockKind.MARKUP, start, stop, region.lines[k])
        if end > k + 1 and container.re is not _AUTODOC:
            is_tab = container.re is _TAB
            label = container.group("title") if is_tab else container.group("type").lower()
            _read_region(reader, _body(reader, region, k + 1, end, is_tab, label), depth + 1)
        nested_indent = _indent(line)
        continuing = nested_indent > 0
        plain_from = k = end
    _read_plain(reader, region, plain_from, count, dedent=continuing)


@dataclass(frozen=True, slots=True)
class _Delimited:
    """A container opened and closed by marker lines, not by indentation: a pymdown Blocks
    ``/// type`` … ``///`` or a MyST directive ```` ```{name} ```` … ```` ``` ````."""

    opener: int
    """Region line of the opening marker."""
    body: int
    """First body line (past the opener's option lines)."""
    close: int
    """Region line of the closing marker (``end`` when it never closes)."""
    end: int
    """One past the closing marker: where reading resumes."""
    kind: BlockKind | None
    """ADMONITION, MARKUP (the whole body is markup), or None: the body read as the text
    around it is (a tab, an unknown directive)."""
    label: str


def _delimited(reader: _Reader, region: _Region, k: int) -> _Delimited | None:
    """The Blocks container or MyST directive opened at region line ``k`` (None: none is, or
    it is a MyST code directive, which markdown-it reads as the fence it is)."""
    line = reader.content(region, k)
    if "/" not in line and "{" not in line:
        return None
    block = _BLOCK_OPEN.match(line)
    if block is not None:
        kind_name = block.group("type").lower()
        marker = block.group("slashes")
        body = k + 1
        while body < len(region.lines) and _BLOCK_OPTION.match(reader.content(region, body)):
            body += 1
        kind: BlockKind | None = BlockKind.ADMONITION
        label = kind_name
        if kind_name in _BLOCK_MARKUP:
            kind = BlockKind.MARKUP
        elif kind_name == "tab":
            kind, label = None, block.group("title") or ""
        close = _closing_line(reader, region, body, lambda s: s == marker)
        return _Delimited(k, body, close, min(close + 1, len(region.lines)), kind, label)
    myst = _MYST_OPEN.match(line)
    if myst is None or myst.group("name").lower() in MYST_CODE:
        return None
    name, fence = myst.group("name").lower(), myst.group("fence")
    body = k + 1
    while body < len(region.lines) and _MYST_OPTION.match(reader.content(region, body)):
        body += 1
    close = _closing_line(
        reader,
        region,
        body,
        lambda s: s.startswith(fence) and not s.strip(fence[0]) and len(s) >= len(fence),
        skip_fences=False,
    )
    if name in _MYST_MARKUP or name.startswith("auto"):
        kind = BlockKind.MARKUP
    elif name in _MYST_ADMONITIONS:
        kind = BlockKind.ADMONITION
    else:
        kind = None
    return _Delimited(k, body, close, min(close + 1, len(region.lines)), kind, name)


def _closing_line(
    reader: _Reader,
    region: _Region,
    first: int,
    closes: Callable[[str], bool],
    *,
    skip_fences: bool = True,
) -> int:
    """The first region line from ``first`` that ``closes`` (stripped) accepts, outside code
    fences when ``skip_fences``; the region's length when none does (unclosed: to the end)."""
    fence: str | None = None
    for j in range(first, len(region.lines)):
        stripped = reader.content(region, j).strip()
        if fence is not None:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        if closes(stripped):
            return j
        opened = _FENCE_OPEN.match(stripped) if skip_fences else None
        if opened:
            fence = opened.group("fence")
    return len(region.lines)


def _read_delimited(reader: _Reader, region: _Region, found: _Delimited, depth: int) -> None:
    """A delimited container's markers (and options) as MARKUP, its body as admonition prose,
    as markup, or as the text around it is."""
    start, stop = reader.span(region, found.opener, found.body - 1)
    reader.add(BlockKind.MARKUP, start, stop, region.lines[found.opener])
    if found.close > found.body:
        if found.kind is BlockKind.MARKUP:
            first = next(
                (j for j in range(found.body, found.close) if reader.content(region, j).strip()),
                found.body,
            )
            start, stop = reader.span(region, first, found.close - 1)
            reader.add(BlockKind.MARKUP, start, stop, region.lines[first])
        else:
            body = _sub_region(reader, region, found.body, found.close, dedent=True)
            if found.kind is BlockKind.ADMONITION:
                body.kind = BlockKind.ADMONITION
            body.label = found.label
            _read_region(reader, body, depth + 1)
    if found.close < len(region.lines):
        start, stop = reader.span(region, found.close, found.close)
        reader.add(BlockKind.MARKUP, start, stop, region.lines[found.close])


def _body_end(reader: _Reader, region: _Region, opener: int, indent: int) -> int:
    """One past the last line of the body under the opener: lines indented deeper than it,
    and blank lines between them (trailing blank lines are not the body's)."""
    end = opener + 1
    k = opener + 1
    while k < len(region.lines):
        line = reader.content(region, k)
        if line.strip():
            if _indent(line) <= indent:
                break
            end = k + 1
        k += 1
    return end


def _sub_region(reader: _Reader, region: _Region, first: int, end: int, *, dedent: bool) -> _Region:
    """Region lines ``first..end-1`` as a region of their own, dedented by their common
    indentation when ``dedent`` (kind and label are the caller's to set)."""
    contents = [reader.content(region, k) for k in range(first, end)]
    common = min((_indent(c) for c in contents if c.strip()), default=0) if dedent else 0
    cols = [region.cols[first + j] + min(common, len(c)) for j, c in enumerate(contents)]
    return _Region(region.lines[first:end], cols, region.kind, region.label)


def _body(
    reader: _Reader, region: _Region, first: int, end: int, is_tab: bool, label: str
) -> _Region:
    """A container's body, dedented (admonition prose keeps the admonition's kind; a tab's
    body is read as the text around it is)."""
    body = _sub_region(reader, region, first, end, dedent=True)
    body.kind = region.kind if is_tab else BlockKind.ADMONITION
    body.label = label
    return body


def _read_plain(
    reader: _Reader, region: _Region, first: int, end: int, *, dedent: bool = False
) -> None:
    """Parse region lines ``first..end-1`` with markdown-it and turn its tokens into blocks
    (dedented first when they continue an indented container's parent, see
    :func:`_read_region`)."""
    if end <= first:
        return
    run = _sub_region(reader, region, first, end, dedent=dedent)
    if not any(reader.content(run, k).strip() for k in range(len(run.lines))):
        return
    source = "\n".join(reader.content(run, k) for k in range(len(run.lines)))
    top = run.lines[0] == 0 and run.cols[0] == 0
    _Tokens(reader, run, (_TOP_PARSER if top else _PARSER).parse(source)).read()


@dataclass(slots=True)
class _Container:
    kind: BlockKind
    label: str = ""
    depth: int = 0
    """For list items: how deep the list is (1 = top level)."""
    alert_line: int = -1
    """For a GitHub alert (``> [!NOTE]``): the region line of its marker, which is skipped."""


class _Tokens:
    """One markdown-it token stream of a region, turned into blocks."""

    def __init__(self, reader: _Reader, region: _Region, tokens: Sequence[Token]) -> None:
        self.reader = reader
        self.region = region
        self.tokens = tokens
        self.stack: list[_Container] = []
        self.lists = 0

    def read(self) -> None:
        reader, region = self.reader, self.region
        for i, token in enumerate(self.tokens):
            kind = token.type
            if kind.endswith("_close"):
                if kind in ("list_item_close", "blockquote_close") and self.stack:
                    self.stack.pop()
                elif kind in ("bullet_list_close", "ordered_list_close"):
                    self.lists -= 1
                continue
            if token.map is None:
                continue
            first, last = token.map[0], max(token.map[0], token.map[1] - 1)
            line = region.lines[first]
            if kind == "heading_open":
                self._heading(token, self.tokens[i + 1], first, last)
            elif kind == "paragraph_open":
                self._paragraph(self.tokens[i + 1], first, last)
            elif kind in ("fence", "code_block"):
                start, end = reader.span(region, first, last)
                lang = fence_language(token.info)
                reader.add(BlockKind.CODE, start, end, line, lang=lang, label=region.label)
            elif kind == "table_open":
                start, end = reader.span(region, first, last)
                reader.add(BlockKind.TABLE, start, end, line, label=region.label)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.lists += 1
                start, end = reader.span(region, first, last)
                reader.add(BlockKind.LIST, start, end, line, level=self.lists)
            elif kind == "list_item_open":
                self.stack.append(_Container(BlockKind.LIST_ITEM, depth=self.lists))
            elif kind == "blockquote_open":
                self.stack.append(self._quote(i, first))
            elif kind == "html_block":
                start, end = reader.span(region, first, last)
                reader.add(BlockKind.MARKUP, start, end, line)
            elif kind == "front_matter":
                start, end = reader.span(region, first, last)
                reader.add(BlockKind.FRONT_MATTER, start, end, line)

    def _quote(self, i: int, first: int) -> _Container:
        """A block quote, or a GitHub alert (``> [!NOTE]``) read as an admonition."""
        following = self.tokens[i + 2] if i + 2 < len(self.tokens) else None
        if following is not None and following.type == "inline":
            alert = _GITHUB_ALERT.match(following.content.split("\n", 1)[0])
            if alert and following.map and following.map[0] == first:
                return _Container(BlockKind.ADMONITION, alert.group("type").lower(), 0, first)
        return _Container(BlockKind.QUOTE)

    def _prose_kind(self) -> tuple[BlockKind, str, int]:
        if self.stack:
            top = self.stack[-1]
            return top.kind, top.label, top.depth
        return self.region.kind or BlockKind.PARAGRAPH, self.region.label, 0

    def _paragraph(self, inline: Token, first: int, last: int) -> None:
        """A paragraph's lines as prose blocks, with template/include lines cut out as markup
        (an include macro may sit inside a paragraph, or span several of its lines)."""
        kind, label, depth = self._prose_kind()
        lines = inline.content.split("\n")
        if all(line.lstrip().startswith("|") for line in lines):
            # A pipe table GFM would not take (columns that do not match its header): a table.
            start, end = self.reader.span(self.region, first, last)
            self.reader.add(BlockKind.TABLE, start, end, self.region.lines[first], label=label)
            return
        if len(lines) != last - first + 1:
            lines = [self.reader.content(self.region, k).strip() for k in range(first, last + 1)]
        if self.stack and self.stack[-1].alert_line == first:
            lines[0] = ""  # the "[!NOTE]" marker line: not prose
        for is_markup, a, b in _markup_runs(lines):
            if is_markup:
                start, end = self.reader.span(self.region, first + a, first + b - 1)
                self.reader.add(BlockKind.MARKUP, start, end, self.region.lines[first + a])
                continue
            start = self._content_start(first + a, lines[a])
            _, end = self.reader.span(self.region, first + b - 1, first + b - 1)
            start, end = trimmed_span(self.reader.text, start, end)
            reader_line = self.region.lines[first + a]
            level = depth if kind is BlockKind.LIST_ITEM else 0
            self.reader.add(kind, start, end, reader_line, level=level, label=label)

    def _content_start(self, k: int, content: str) -> int:
        """Where a paragraph line's text starts in the file: past list markers, ``>`` and
        indentation (the parser's content line is the end of the source line)."""
        line = self.reader.content(self.region, k)
        stripped, wanted = line.rstrip(), content.rstrip()
        base = self.reader.starts[self.region.lines[k]] + self.region.cols[k]
        if wanted and stripped.endswith(wanted):
            return base + len(stripped) - len(wanted)
        return base + _indent(line)

    def _heading(self, token: Token, inline: Token, first: int, last: int) -> None:
        start, end = self.reader.span(self.region, first, last)
        words, explicit = heading_words(inline)
        if explicit:
            self.reader.explicit.add(len(self.reader.blocks))
        level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
        self.reader.add(
            BlockKind.HEADING,
            start,
            end,
            self.region.lines[first],
            level=level,
            heading=words,
            anchor=explicit,
        )


def fence_language(info: str) -> str:
    """The language a fence's info string names: ``python``, ``{.python .numberLines}``, and
    for a MyST code directive its argument (```` ```{code-block} python ```` → ``python``;
    ``{eval-rst}`` → ``rst``)."""
    myst = _MYST_INFO.match(info)
    if myst is not None:
        name = myst.group("name").lower()
        if name == "eval-rst":
            return "rst"
        if name in MYST_CODE:
            words = myst.group("arg").split()
            return words[0] if words else ""
    named = _FENCE_LANG.match(info)
    return named.group("lang") if named else ""


_MYST_INFO = re.compile(r"^[ \t]*\{(?P<name>[A-Za-z][\w:.+-]*)\}[ \t]*(?P<arg>.*)$")


def _markup_runs(lines: Sequence[str]) -> Iterator[tuple[bool, int, int]]:
    """(is markup, first, end) runs of a paragraph's lines: template/include syntax, snippets,
    comments and directive lines are markup, until what closes them; empty lines are skipped."""
    k = 0
    prose_from: int | None = None
    while k < len(lines):
        stripped = lines[k].strip()
        closer = _markup_closer(stripped)
        if closer is None and not _MARKUP_LINE.match(stripped) and stripped:
            if prose_from is None:
                prose_from = k
            k += 1
            continue
        if prose_from is not None:
            yield False, prose_from, k
            prose_from = None
        if not stripped:
            k += 1
            continue
        end = k + 1
        if closer:
            # Closed on this line (after the opener) or on a later one; unclosed: the rest.
            opener_len = 6 if closer == _SNIPPET else 2
            if closer not in stripped[opener_len:]:
                end = next(
                    (j + 1 for j in range(k + 1, len(lines)) if closer in lines[j]), len(lines)
                )
        yield True, k, end
        k = end
    if prose_from is not None:
        yield False, prose_from, len(lines)


def _markup_closer(line: str) -> str | None:
    """What closes the template syntax ``line`` starts with ("" if the line alone is it)."""
    if line.startswith(_SNIPPET):
        return _SNIPPET if line.strip() == _SNIPPET else ""
    for opener, closer in _MARKUP_OPENERS:
        if line.startswith(opener):
            return closer
    return None


def heading_words(inline: Token) -> tuple[str, str]:
    """A heading's words without inline markup (code keeps its text, links their words, HTML
    tags go) and its explicit anchor, from a ``{ #id }`` / ``{#id}`` attribute list at the end
    (removed from the words)."""
    content = inline.content
    explicit = ""
    attributes = _ATTRIBUTES.search(content)
    if attributes:
        found = _EXPLICIT_ID.search(attributes.group("body"))
        explicit = found.group("id") if found else ""
    words = content if _INLINE_MARKUP.search(content) is None else _plain_inline(content)
    if attributes:
        trailing = _ATTRIBUTES.search(words)
        if trailing:
            words = words[: trailing.start()]
    words = _REFERENCE_LINK.sub(r"\1", words)
    words = "".join(ch if ch.isprintable() else " " for ch in words)
    return " ".join(words.split()), explicit


def _plain_inline(content: str) -> str:
    """Inline Markdown as the words a reader sees (code keeps its text, images their alt)."""
    parts: list[str] = []
    parsed = _INLINE.parseInline(content)
    children = parsed[0].children if parsed and parsed[0].children else []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def slugify(value: str, separator: str = "-") -> str:
    """Python-Markdown's ``toc`` slug (MkDocs' default): accents folded to ASCII, anything not a
    word character, space or hyphen dropped, lower case, runs of spaces/separators joined."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{re.escape(separator)}\s]+", separator, value)


_COUNTED = re.compile(r"^(.*)_([0-9]+)$")


def unique_anchor(anchor: str, used: set[str], resume: dict[str, str] | None = None) -> str:
    """``anchor``, or with ``_1``, ``_2``… when taken or empty, as the ``toc`` extension does.

    ``resume`` (kept across the calls for one page) remembers where each search ended: every
    id before it is taken and ids are never freed, so the next search for the same anchor may
    start there — the same result, without walking ``_1`` … ``_n`` again for the n-th
    "Bug fixes" of a release-notes page (quadratic otherwise).
    """
    start = anchor
    if resume is not None:
        anchor = resume.get(start, anchor)
    while anchor in used or not anchor:
        counted = _COUNTED.match(anchor)
        anchor = f"{counted.group(1)}_{int(counted.group(2)) + 1}" if counted else f"{anchor}_1"
    used.add(anchor)
    if resume is not None:
        resume[start] = anchor
    return anchor


def _assign_anchors(blocks: list[Block], explicit: set[int]) -> None:
    """Every heading's anchor: explicit ids are reserved first (the ``toc`` extension collects
    the ids already in the page), then slugs are made unique in document order."""
    used = {blocks[i].anchor for i in explicit}
    resume: dict[str, str] = {}
    for i, block in enumerate(blocks):
        if block.kind is BlockKind.HEADING and i not in explicit:
            anchor = unique_anchor(slugify(block.heading), used, resume)
            blocks[i] = dataclasses.replace(block, anchor=anchor)
