"""The HTML reader: a page's main content as text, with blocks over that text.

selectolax (lexbor, an HTML5 parser in C) builds the tree, so malformed pages parse the way a
browser would and entities are decoded. Only the main content is read — Sphinx's
``div[role=main]``/``div.body``, else ``<main>``, ``<article>``, else the element holding most
paragraph text — and navigation, sidebars, headers, footers, scripts, styles, forms and search
boxes inside it are dropped, as are Sphinx's "¶" header links and its tables of contents.

The text produced here (blocks separated by blank lines, white space in prose collapsed as a
browser shows it, ``<pre>`` kept exactly) is the document's text: it is what is stored with the
index and quoted, and every block's offsets point into it. Headings carry their ``id`` (or their
enclosing ``<section id>``) as anchor, so a citation can link into the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .blocks import Block, BlockKind

_MAIN_SELECTORS = (
    "div[role=main]",
    "[role=main]",
    "div.body",
    "main",
    "article",
    "div.document",
    "#content",
    "div.content",
)
_DROPPED = (
    "script, style, noscript, template, nav, header, footer, form, button, input, "
    "select, textarea, iframe, object, embed, svg, canvas, head, "
    "aside:not(.footnote):not(.footnote-list):not(.citation):not(.citation-list):not(.sidebar), "
    "aside.footnote > .label, aside.citation > .label, "
    "[role=navigation], [role=search], [role=banner], [role=contentinfo], [aria-hidden=true], "
    "a.headerlink, div.sphinxsidebar, div.related, div.toctree-wrapper, nav.contents, "
    "div.contents, div.topic.contents, .searchbox, #searchbox, div.footer, .skip-link, "
    "span.versionmodified"
)
"""Never content. An ``<aside>`` is a page's sidebar, except docutils' footnotes, citations
and ``sidebar`` directive (its HTML5 writer puts them in ``<aside>``; their ``[1]`` label
goes). ``span.versionmodified`` is Sphinx's own label on a version note ("Added
in version 3.1:"): the note is an admonition labelled with its kind, and its text is what the
author wrote — as the ``.rst`` reader gives it; a note with no text of its own gives nothing."""
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CONTAINERS = frozenset(
    {
        "div", "section", "article", "main", "body", "html", "center", "figure", "figcaption",
        "details", "summary", "address", "caption", "hgroup", "fieldset", "legend",
        "thead", "tbody", "tfoot", "tr", "td", "th", "dd", "dt", "span-block",
    }
)  # fmt: skip
_BLOCK_TAGS = _CONTAINERS | frozenset(_HEADINGS) | {
    "p", "pre", "ul", "ol", "li", "dl", "table", "blockquote", "hr", "menu",
}  # fmt: skip
_SPACE = re.compile(r"\s+")
_MAX_DEPTH = 150
"""Deeper than this, an element's text is taken whole: nesting that deep is never structure
(20 nested layout tables are ~60 levels), and recursion must stay bounded."""
_LANG_CLASS = re.compile(r"(?:^|\s)(?:highlight|language|lang)-([\w+#.-]+)")


@dataclass(slots=True)
class _Flow:
    """Where the walk is: what kind of block prose here becomes, and its label."""

    kind: BlockKind = BlockKind.PARAGRAPH
    label: str = ""
    depth: int = 0
    """List nesting depth."""


@dataclass(slots=True)
class _Out:
    """The extracted text being written, and the blocks over it."""

    parts: list[str] = field(default_factory=list)
    size: int = 0
    blocks: list[Block] = field(default_factory=list)

    prefix: str = ""
    """Written before the next block's text, outside its span (a list item's marker)."""
    marker_of: list[int] = field(default_factory=list)
    """For each block, the length of the marker written just before it (0: none)."""

    def add(self, kind: BlockKind, text: str, **fields: str | int) -> Block | None:
        text = text.strip() if kind is not BlockKind.CODE else text.strip("\n").rstrip()
        if not text.strip():
            return None
        lead = ("\n\n" if self.parts else "") + self.prefix
        self.prefix = ""
        self.parts.append(lead)
        self.size += len(lead)
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        block = Block(kind, start, self.size, **fields)  # type: ignore[arg-type]
        self.blocks.append(block)
        self.marker_of.append(len(lead) - (2 if lead.startswith("\n\n") else 0))
        return block


def _plain_list(inside: list[Block]) -> bool:
    """Is this a list to show whole: two items or more, and nothing but items (a list holding
    code or tables is shown by its parts)?"""
    return len(inside) > 1 and all(b.kind is BlockKind.LIST_ITEM for b in inside)


_LAYOUT_CELL_CHARS = 1000
"""A table cell holding more text than this is page layout, not data."""


def _layout_table(table: LexborNode) -> bool:
    """Is this table page layout rather than data: does it hold another table, a heading, a
    code block, a cell of page-sized text, or only one cell? Paragraphs and lists in cells do
    not count: docutils wraps every cell's text in ``<p>`` (``list-table`` cells hold lists),
    so a Sphinx table would otherwise never be read as a table."""
    inner = table.css("table, pre, h1, h2, h3, h4, h5, h6, form")
    if any(found.mem_id != table.mem_id for found in inner):  # css() includes the node
        return True
    cells = table.css("td, th")
    return len(cells) < 2 or any(len(cell.text(deep=True)) > _LAYOUT_CELL_CHARS for cell in cells)


def _signature_name(dt: LexborNode) -> str:
    """An API entry's dotted name as the page prints it ("flask.Flask", "template_filter"),
    else its whole signature."""
    names = [
        _SPACE.sub("", _inline_text(part))
        for part in dt.css(".sig-prename, .sig-name")
        if part.parent is not None and part.parent.mem_id == dt.mem_id
    ]
    return "".join(names) or _SPACE.sub(" ", _inline_text(dt)).strip().rstrip("¶").strip()


def _prose_follows(entries: LexborNode, known: dict[int, bool]) -> bool:
    """Does content other than more API entries follow this list of API entries in its
    section? Then its entries cannot be sections of their own (that prose would fall under
    the last entry's heading): their descriptions are read as the section's prose, as the
    ``.rst`` reader reads a hand-written ``.. function::`` entry's content. ``known`` holds
    the answer for the entries already passed, so a run of sibling entries is walked once
    (a page of 100,000 of them must not cost 100,000² steps)."""
    passed = [entries.mem_id]
    node = entries.next
    found = False
    while node is not None:
        tag = node.tag
        if tag in _HEADINGS or tag == "section":
            break
        if tag == "dl" and node.mem_id in known:
            found = known[node.mem_id]
            break
        if tag == "dl" and node.css_first("dt.sig") is not None:
            passed.append(node.mem_id)
        elif node.is_element_node and (node.text(deep=True) or "").strip():
            found = True
            break
        node = node.next
    known.update(dict.fromkeys(passed, found))
    return found


def _classes(node: LexborNode) -> str:
    return node.attributes.get("class") or ""


def _main_content(tree: LexborHTMLParser) -> LexborNode | None:
    """The page's main content element (see the module docstring for the order tried)."""
    for selector in _MAIN_SELECTORS:
        found = tree.css_first(selector)
        if found is not None and found.text(deep=True).strip():
            return found
    body = tree.body or tree.root
    if body is None:
        return None
    best, best_size = body, 0
    for candidate in body.css("div, section, td"):
        size = sum(len(p.text(deep=True)) for p in candidate.css("p"))
        if size > best_size * 1.5:  # prefer the outermost of near-equal candidates
            best, best_size = candidate, size
    total = sum(len(p.text(deep=True)) for p in body.css("p"))
    return best if best_size >= 0.6 * total and best_size > 0 else body


def _anchor(heading: LexborNode) -> str:
    """A heading's fragment: its own id, else its enclosing section's, else an id inside it."""
    own = heading.attributes.get("id")
    if own:
        return own
    parent = heading.parent
    if parent is not None and parent.tag in ("section", "div") and parent.attributes.get("id"):
        first = parent.css_first("h1, h2, h3, h4, h5, h6")
        if first is not None and first.mem_id == heading.mem_id:
            return parent.attributes.get("id") or ""
    inner = heading.css_first("[id], a[name]")
    if inner is not None:
        return inner.attributes.get("id") or inner.attributes.get("name") or ""
    return ""


def _inline_text(node: LexborNode) -> str:
    return node.text(deep=True, separator="")


def _code_lang(pre: LexborNode) -> str:
    node: LexborNode | None = pre
    for _ in range(3):
        if node is None:
            break
        found = _LANG_CLASS.search(_classes(node))
        if found and found.group(1) not in ("default", "none"):
            return found.group(1)
        node = node.parent
    code = pre.css_first("code")
    found = _LANG_CLASS.search(_classes(code)) if code is not None else None
    return found.group(1) if found else ""


class _Reader:
    """Walks the main content in document order, writing text and blocks."""

    def __init__(self) -> None:
        self.out = _Out()
        self.caption = ""
        """The caption of the code block that comes next (a file name), its label."""
        self.level = 0
        """The level of the heading the walk is under: an API entry's heading goes below."""
        self.entry_runs: dict[int, bool] = {}
        """For API entry lists already seen: does prose follow their run (see
        :func:`_prose_follows`)?"""

    def flow(self, node: LexborNode, flow: _Flow, depth: int) -> None:
        """The children of a container: runs of inline content become one prose block."""
        run: list[str] = []

        def flush() -> None:
            if run:
                text = _SPACE.sub(" ", "".join(run))
                self.out.add(flow.kind, text, level=flow.depth, label=flow.label)
                run.clear()

        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                run.append(child.text_content or "")
            elif tag in _BLOCK_TAGS:
                flush()
                self.block(child, flow, depth + 1)
            elif tag == "br":
                run.append(" ")
            elif child.is_element_node:
                run.append(_inline_text(child))
        flush()

    def block(self, node: LexborNode, flow: _Flow, depth: int) -> None:
        """One block element (a dispatch on its tag; each branch is short)."""
        tag = node.tag
        classes = _classes(node)
        if depth > _MAX_DEPTH:
            self.out.add(flow.kind, _SPACE.sub(" ", _inline_text(node)), label=flow.label)
        elif tag in _HEADINGS:
            words = _SPACE.sub(" ", _inline_text(node)).strip()
            self.level = _HEADINGS[tag]
            self.out.add(BlockKind.HEADING, words, level=self.level, heading=words,
                         anchor=_anchor(node))  # fmt: skip
        elif tag == "pre":
            text = node.text(deep=True)
            label, self.caption = self.caption or flow.label, ""
            self.out.add(BlockKind.CODE, text, lang=_code_lang(node), label=label)
        elif "code-block-caption" in classes:  # Sphinx's caption: the code's label, not prose
            self.caption = _SPACE.sub(" ", _inline_text(node)).strip()
        elif tag == "p" and "admonition-title" in classes:
            return
        elif tag == "details":
            self.disclosure(node, flow, depth)
        elif tag in ("ul", "ol", "menu"):
            self.listing(node, flow, depth)
        elif tag == "li":
            level = max(1, flow.depth)
            ordered = node.parent is not None and node.parent.tag == "ol"
            self.out.prefix = "  " * (level - 1) + ("1. " if ordered else "- ")
            self.flow(node, _Flow(BlockKind.LIST_ITEM, flow.label, level), depth)
            self.out.prefix = ""
        elif tag == "table":
            self.table(node, flow, depth)
        elif tag == "blockquote":
            self.flow(node, _Flow(BlockKind.QUOTE, flow.label, flow.depth), depth)
        elif tag == "dl":
            self.definitions(node, flow, depth)
        elif tag == "hr":
            return
        elif tag == "aside" and any(
            c in classes.split() for c in ("footnote", "footnote-list", "citation", "citation-list")
        ):
            self.flow(node, flow, depth)
        elif "admonition" in classes.split() or tag == "aside":
            title = node.css_first("p.admonition-title, .admonition-title")
            label = _SPACE.sub(" ", title.text(deep=True)).strip() if title is not None else ""
            if not label:
                label = next((c for c in classes.split() if c != "admonition"), "note")
            self.flow(node, _Flow(BlockKind.ADMONITION, label, flow.depth), depth)
        elif "versionadded" in classes or "versionchanged" in classes or "deprecated" in classes:
            label = next(
                c for c in ("versionadded", "versionchanged", "deprecated") if c in classes
            )
            self.flow(node, _Flow(BlockKind.ADMONITION, label, flow.depth), depth)
        else:
            self.flow(node, flow, depth)

    def disclosure(self, node: LexborNode, flow: _Flow, depth: int) -> None:
        """A ``<details>`` box: its ``<summary>`` is the box's label, not prose (a collapsed
        admonition — MkDocs' ``??? note "Title"``, sphinxcontrib-log-cabinet's "Changelog"),
        as the Markdown reader reads ``???``; the rest is its text."""
        summary = node.css_first("summary")
        label = ""
        if summary is not None:
            label = _SPACE.sub(" ", _inline_text(summary)).strip()
            summary.decompose()
        kind = BlockKind.ADMONITION if flow.kind is BlockKind.PARAGRAPH else flow.kind
        self.flow(node, _Flow(kind, label or flow.label, flow.depth), depth)

    def listing(self, node: LexborNode, flow: _Flow, depth: int) -> None:
        """A list: its items' prose as list items (each written after its marker), and for a
        top-level list also the whole list, markers and all, as one unit block before them."""
        inner = _Flow(BlockKind.LIST_ITEM, flow.label, flow.depth + 1)
        before = len(self.out.blocks)
        self.flow(node, inner, depth)
        inside = self.out.blocks[before:]
        if flow.depth == 0 and _plain_list(inside):
            start = inside[0].start - self.out.marker_of[before]
            whole = Block(BlockKind.LIST, start, inside[-1].end, 1, label=flow.label)
            self.out.blocks.insert(before, whole)
            self.out.marker_of.insert(before, 0)

    def table(self, node: LexborNode, flow: _Flow, depth: int) -> None:
        """A data table as rows of ``cell | cell``; a layout table is walked as containers
        instead (see :func:`_layout_table`)."""
        if _layout_table(node):
            self.flow(node, flow, depth)
            return
        rows = []
        for row in node.css("tr"):
            cells = [_SPACE.sub(" ", _inline_text(c)).strip() for c in row.css("th, td")]
            if any(cells):
                rows.append(" | ".join(cells))
        caption = node.css_first("caption")
        if caption is not None:
            self.out.add(flow.kind, _SPACE.sub(" ", _inline_text(caption)), label=flow.label)
        self.out.add(BlockKind.TABLE, "\n".join(rows), label=flow.label)

    def definitions(self, node: LexborNode, flow: _Flow, depth: int) -> None:
        """A definition list: each term with the first paragraph of its definition as one list
        item. An API entry (a Sphinx object description: ``dt.sig``, the signature) is a
        section of its own: the object's name is its heading, its ``id`` the anchor, so a
        quote from its description says which function it is about and links to it — unless
        prose follows the entries in their section (see :func:`_prose_follows`)."""
        term = ""
        outer = self.level
        sections = not _prose_follows(node, self.entry_runs)
        for child in node.iter():
            if child.tag == "dt":
                if "sig" in _classes(child).split():
                    if sections:
                        self.signature(child, outer)
                    term = ""
                    continue
                term = _SPACE.sub(" ", _inline_text(child)).strip()
            elif child.tag == "dd":
                first = child.css_first("p")
                if (
                    term
                    and first is not None
                    and first.parent is not None
                    and (first.parent.mem_id == child.mem_id)
                ):
                    words = _SPACE.sub(" ", _inline_text(first)).strip()
                    self.out.add(BlockKind.LIST_ITEM, f"{term}\n{words}", level=flow.depth + 1)
                    first.decompose()
                elif term:
                    self.out.add(BlockKind.LIST_ITEM, term, level=flow.depth + 1)
                term = ""
                self.flow(child, flow, depth)
        self.level = outer

    def signature(self, dt: LexborNode, outer: int) -> None:
        """An API entry's heading, one level below the section (or entry) it is in."""
        words = _signature_name(dt)
        self.level = outer + 1
        self.out.add(BlockKind.HEADING, words, level=self.level, heading=words,
                     anchor=dt.attributes.get("id") or "")  # fmt: skip


LINKS_ONLY = 0.7
"""A page whose main text is more than this share link text is an index or a table of
contents (Sphinx's genindex, py-modindex): nothing on it answers a question."""


@dataclass(frozen=True, slots=True)
class HtmlReading:
    text: str
    blocks: list[Block]
    link_share: float
    """Share of the main content's characters that are link text."""


def parse_html(raw: str) -> HtmlReading:
    """The main content of an HTML page as text, the blocks over that text, and how much of
    it is links."""
    tree = LexborHTMLParser(raw)
    main = _main_content(tree)
    if main is None:
        return HtmlReading("", [], 0.0)
    for dropped in main.css(_DROPPED):
        dropped.decompose()
    total = len(_SPACE.sub("", main.text(deep=True) or ""))
    linked = sum(len(_SPACE.sub("", a.text(deep=True) or "")) for a in main.css("a"))
    reader = _Reader()
    reader.flow(main, _Flow(), 0)
    return HtmlReading("".join(reader.out.parts), reader.out.blocks, linked / max(1, total))


def read_html(raw: str) -> tuple[str, list[Block]]:
    """The main content of an HTML page as text, and the blocks over that text."""
    reading = parse_html(raw)
    return reading.text, reading.blocks


def html_title(raw_head: str) -> str:
    """The page's ``<title>``, for a page whose content has no heading."""
    match = re.search(r"<title[^>]*>(.*?)</title>", raw_head, re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    return _SPACE.sub(" ", LexborHTMLParser(match.group(1)).text(deep=True) or "").strip()
