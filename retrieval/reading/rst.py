"""The reStructuredText reader: docutils parses, and every block is mapped back onto the source.

docutils gives the structure (sections from any adornment, paragraphs, lists, literal blocks,
tables, admonitions, field lists) but not character offsets, and its node text is the *rendered*
text. A quote must be the file's own characters, so each node's ``rawsource`` (its source text,
dedented) is searched for in the ``.rst`` source near the line docutils reports, line by line;
``text[block.start:block.end]`` is then exactly what the file says. A node that cannot be found
is left out rather than quoted wrongly.

Sphinx's roles and directives are not part of docutils. They are registered here as harmless:
a role shows its text (``:func:`flask.url_for``` → ``flask.url_for``, ``:ref:`Title <label>``` →
``Title``), ``code-block``/``sourcecode``/``code`` are code blocks with their language,
``literalinclude`` (and ``include::`` with ``:literal:``) is a reference to the file (never
read), object descriptions (``confval``, ``option``…) are headings, version notes are
admonitions, ``toctree`` and the autodoc directives carry no prose and give nothing, and any
other directive (known to Sphinx or not) keeps its content as reStructuredText. Another
``include::`` is not followed (``file_insertion_enabled`` is off): the included file is read on
its own when it is in the corpus, so nothing is indexed twice and a recursive include cannot
loop. docutils' own reports never reach stderr; errors are returned as problems for the caller's
warning.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from docutils import frontend, nodes, utils
from docutils.parsers.rst import Directive, Parser, directives, roles
from docutils.parsers.rst.languages import en as rst_english
from docutils.parsers.rst.states import Inliner

from .blocks import Block, BlockKind, trimmed_span
from .rst_inline import role_text

_DIRECTIVE_NAME = re.compile(r"^[ \t]*\.\.[ \t]+([A-Za-z0-9][\w:+.-]*)[ \t]*::", re.MULTILINE)
_ROLE_NAME = re.compile(r"(?<![\w`]):([A-Za-z0-9][\w:+.-]*):`")
_NO_PROSE = frozenset(
    {
        "toctree",
        "autosummary",
        "currentmodule",
        "module",
        "py:module",
        "py:currentmodule",
        "highlight",
        "index",
        "rst-class",
        "tabularcolumns",
        "automodule",
        "autoclass",
        "autofunction",
        "automethod",
        "autoattribute",
        "autodata",
        "autoexception",
    }
)
"""Sphinx directives whose content (if any) is names or options, never prose."""
_CODE_DIRECTIVES = ("code-block", "sourcecode", "code")
_VERSION_DIRECTIVES = ("versionadded", "versionchanged", "deprecated", "versionremoved")
_TAB_DIRECTIVES = ("tab", "group-tab")
_ENTRY_DIRECTIVES = ("confval", "option", "envvar", "globalvar", "std:confval", "std:option")
"""Sphinx object descriptions whose content is prose about one named object."""
_ADMONITIONS = (
    nodes.attention,
    nodes.caution,
    nodes.danger,
    nodes.error,
    nodes.hint,
    nodes.important,
    nodes.note,
    nodes.tip,
    nodes.warning,
    nodes.admonition,
)
_SKIPPED_NODES = (
    nodes.system_message,
    nodes.comment,
    nodes.substitution_definition,
    nodes.raw,
    nodes.problematic,
    nodes.image,
    nodes.pending,
)


@dataclass(frozen=True, slots=True)
class RstReading:
    """The blocks of one ``.rst`` text and the problems docutils reported (errors only)."""

    blocks: list[Block]
    problems: list[str] = field(default_factory=list)


# --- Sphinx roles and directives, registered as harmless -------------------------------------


def _sphinx_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: Sequence[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    return [nodes.literal(rawtext, utils.unescape(role_text(text)))], []


class _AnyOption(dict[str, Callable[[str], Any]]):
    """An option spec that accepts every option: Sphinx directives have many we do not know."""

    def __missing__(self, key: str) -> Callable[[str], Any]:
        return directives.unchanged

    def __bool__(self) -> bool:  # docutils parses options only when the spec is truthy
        return True


class _ProseDirective(Directive):
    """Any directive we do not model: its content is parsed as reStructuredText (prose kept,
    nested directives handled); its arguments and options are dropped."""

    has_content = True
    optional_arguments = 100
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = _AnyOption()

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        if self.name in _TAB_DIRECTIVES and self.arguments:
            container["tab"] = self.arguments[0]
        if self.content and self.name not in _NO_PROSE:
            self.state.nested_parse(self.content, self.content_offset, container)
        return [container]


class _VersionDirective(_ProseDirective):
    """``versionadded``/``versionchanged``/``deprecated``: an admonition labelled with its kind;
    text on the directive line after the version is a paragraph of it."""

    required_arguments = 1
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        note = nodes.admonition(classes=[self.name])
        note["label"] = self.name
        if len(self.arguments) > 1:
            words = self.arguments[1]
            paragraph = nodes.paragraph(words, words)
            paragraph.line = self.lineno
            note += paragraph
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, note)
        return [note]


class _CodeDirective(_ProseDirective):
    """``code-block``/``sourcecode``/``code``/``code-tab``: a literal block with its language."""

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        block = nodes.literal_block(code, code)
        block["language"] = self.arguments[0].split()[0] if self.arguments else ""
        caption = str(self.options.get("caption", "") or "")
        block["caption"] = " ".join(caption.replace("``", "").split())
        block.line = self.content_offset + 1
        return [block]


class _EntryDirective(_ProseDirective):
    """A Sphinx object description with prose (``confval``, ``option``, ``envvar``,
    ``globalvar``): a container carrying the object's name and the id Sphinx gives its entry,
    its content parsed as usual. The walker makes the name a heading (see ``_Walker.entry``),
    as the HTML reader does for an API entry, so a quote from its description says which
    option it is about and links to it."""

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        argument = " ".join(self.arguments)
        container["entry"] = " ".join(argument.split())
        container["entry_id"] = _entry_id(self.name, argument, self.state.document)
        container["entry_line"] = self.lineno
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, container)
        return [container]


class _ProgramDirective(_ProseDirective):
    """``program::``: names the program whose ``option::`` entries follow (part of their ids)."""

    def run(self) -> list[nodes.Node]:
        document = self.state.document
        document["citebot_program"] = self.arguments[0].strip() if self.arguments else ""
        return []


_OPTION_NAME = re.compile(r"((?:/|--|-|\+)?[^\s=\[]+)")


def _sphinx_id(text: str) -> str:
    """Sphinx's ``_make_id``: docutils' ``make_id`` keeping capitals, dots and underscores."""
    text = text.translate(nodes._non_id_translate_digraphs)  # type: ignore[attr-defined]
    text = text.translate(nodes._non_id_translate)  # type: ignore[attr-defined]
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-zA-Z0-9._]+", "-", " ".join(text.split()))
    return re.sub(r"^[-0-9._]+|-+$", "", text)


def _entry_id(directive: str, argument: str, document: nodes.document) -> str:
    """The id of a ``confval``/``envvar``/``globalvar`` entry (``confval-addopts``: the
    directive's name, then the object's, as ``sphinx.util.nodes.make_id`` makes it) or an
    ``option`` entry (``cmdoption-x`` for ``-x, --exitfirst``: its first option, after the
    ``program::`` named before it, if any)."""
    if directive != "option":
        return _sphinx_id(f"{directive}-{argument.strip()}")
    first = argument.split(",")[0].strip()
    found = _OPTION_NAME.match(first)
    name = found.group(1) if found else first
    prefix = ["cmdoption"]
    program = str(document.get("citebot_program", "") or "")
    if program:
        prefix.append(program.replace(" ", "-"))
    if not name.startswith(("-", "/")):
        prefix.append("arg")
    return _sphinx_id("-".join(prefix) + "-" + name)


class _LiteralIncludeDirective(_ProseDirective):
    """``literalinclude``: the directive itself is shown as a reference; the file is not read."""

    def run(self) -> list[nodes.Node]:
        block = nodes.literal_block(self.block_text, "")
        block["reference"] = self.arguments[0] if self.arguments else ""
        block["language"] = str(self.options.get("language", ""))
        block.line = self.lineno
        return [block]


class _IncludeDirective(_ProseDirective):
    """``include::`` with ``:literal:`` or ``:code:``: a file shown as code, a reference as
    ``literalinclude`` is. An include of reStructuredText is not followed and gives nothing:
    the included file is indexed on its own when it is in the corpus."""

    def run(self) -> list[nodes.Node]:
        if "literal" not in self.options and "code" not in self.options:
            return []
        block = nodes.literal_block(self.block_text, "")
        block["reference"] = self.arguments[0] if self.arguments else ""
        code = str(self.options.get("code", "") or "").split()
        block["language"] = code[0] if code else ""
        block.line = self.lineno
        return [block]


_ENGLISH: Any = rst_english
"""docutils' English names for directives and roles (its stubs type the module narrowly)."""

_SPECIAL: dict[str, type[Directive]] = {
    **dict.fromkeys(_CODE_DIRECTIVES, _CodeDirective),
    "code-tab": _CodeDirective,
    "literalinclude": _LiteralIncludeDirective,
    "include": _IncludeDirective,
    **dict.fromkeys(_VERSION_DIRECTIVES, _VersionDirective),
    **dict.fromkeys(_ENTRY_DIRECTIVES, _EntryDirective),
    "program": _ProgramDirective,
}
for _name, _directive in _SPECIAL.items():
    directives.register_directive(_name, _directive)
for _name in _NO_PROSE:
    directives.register_directive(_name, _ProseDirective)


def _register_unknown(text: str, document: nodes.document) -> None:
    """Register every directive and role the text uses that docutils does not know, so that
    Sphinx-only (or misspelt) names keep their content instead of becoming error blocks."""
    for name in set(_DIRECTIVE_NAME.findall(text)):
        found, _ = directives.directive(name, _ENGLISH, document)
        if found is None:
            directives.register_directive(name, _ProseDirective)
    for name in set(_ROLE_NAME.findall(text)):
        role, _ = roles.role(name, _ENGLISH, 0, document.reporter)
        if role is None:
            roles.register_local_role(name, _sphinx_role)  # type: ignore[arg-type]


# --- mapping nodes back onto the source --------------------------------------------------------


class _Source:
    """The source text by lines, and the search that finds a node's raw text in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for match in re.finditer(r"\r\n|\r|\n", text):
            self.starts.append(match.end())
        self.lines = [
            text[s : (self.starts[i + 1] if i + 1 < len(self.starts) else len(text))].rstrip("\r\n")
            for i, s in enumerate(self.starts)
        ]

    def line_of(self, offset: int) -> int:
        """1-based line of an offset."""
        return bisect.bisect_right(self.starts, offset)

    def _matches_at(self, first: int, raw: list[str]) -> tuple[int, int] | None:
        """The span of ``raw`` (dedented lines) if it sits at source line index ``first``:
        each source line ends with its raw line, and only white space precedes lines after
        the first (the first may follow a list marker, a field name or a directive)."""
        if first + len(raw) > len(self.lines):
            return None
        for k, want in enumerate(raw):
            have = self.lines[first + k].rstrip()
            want = want.rstrip()
            if not have.endswith(want):
                return None
            if k and have[: len(have) - len(want)].strip():
                return None
        start = self.starts[first] + len(self.lines[first].rstrip()) - len(raw[0].rstrip())
        last = first + len(raw) - 1
        end = self.starts[last] + len(self.lines[last].rstrip())
        return start, end

    def find(self, raw: str, line: int | None, cursor: int) -> tuple[int, int] | None:
        """Where ``raw`` is in the source: nearest its reported 1-based ``line`` (docutils
        reports the start for some nodes, the end for others), else the first place after
        the ``cursor`` line index."""
        raw_lines = raw.strip("\n").split("\n")
        while raw_lines and not raw_lines[0].strip():
            raw_lines.pop(0)
        if not raw_lines or not raw_lines[0].strip():
            return None
        if line:
            hint = line - 1
            reach = len(raw_lines) + 3
            order = sorted(
                range(max(0, hint - reach), min(len(self.lines), hint + 4)),
                key=lambda i: abs(i - hint),
            )
            for i in order:
                span = self._matches_at(i, raw_lines)
                if span is not None:
                    return span
        first = raw_lines[0].rstrip()
        for i in range(max(0, cursor), len(self.lines)):
            if self.lines[i].rstrip().endswith(first):
                span = self._matches_at(i, raw_lines)
                if span is not None:
                    return span
        return None


@dataclass(slots=True)
class _Context:
    kind: BlockKind = BlockKind.PARAGRAPH
    label: str = ""
    depth: int = 0
    """List nesting depth."""


def _line_of(node: nodes.Node) -> int | None:
    """The node's line, or its nearest descendant's (docutils leaves many nodes without one)."""
    for each in node.findall(include_self=True):
        line = getattr(each, "line", None)
        if line:
            return int(line)
    return None


class _Walker:
    """Walks the doctree in order and emits blocks with source offsets."""

    def __init__(self, text: str) -> None:
        self.source = _Source(text)
        self.blocks: list[Block] = []
        self.cursor = 0
        """Source line index after which the next node is searched when it has no line."""
        self.pending_anchors: list[str] = []
        """The ids of the explicit targets (``.. _label:``) just above the next node."""

    def emit(
        self,
        kind: BlockKind,
        span: tuple[int, int],
        *,
        level: int = 0,
        heading: str = "",
        anchor: str = "",
        lang: str = "",
        label: str = "",
    ) -> Block | None:
        start, end = trimmed_span(self.source.text, *span)
        if start >= end:
            return None
        line = self.source.line_of(start)
        block = Block(kind, start, end, level, heading, anchor, line, 0, lang, label)
        self.blocks.append(block)
        self.cursor = max(self.cursor, line - 1)
        return block

    def locate(self, node: nodes.Element, raw: str | None = None) -> tuple[int, int] | None:
        return self.source.find(node.rawsource if raw is None else raw, _line_of(node), self.cursor)

    def walk(self, node: nodes.Node, context: _Context, depth: int = 0) -> None:
        """One node and its children (a dispatch on node type; each branch is short)."""
        if isinstance(node, _SKIPPED_NODES) or not isinstance(node, nodes.Element):
            return
        if isinstance(node, nodes.target):
            if not node.get("refuri") and not node.children and node["ids"]:
                self.pending_anchors.append(node["ids"][0])
            return
        if isinstance(node, nodes.section):
            self.section(node, context, depth + 1)
            return
        if not isinstance(node, nodes.title):
            self.pending_anchors = []
        if isinstance(node, nodes.paragraph):
            span = self.locate(node)
            if span is not None:
                span = _without_literal_marker(self.source.text, span)
                self.emit(context.kind, span, level=context.depth, label=context.label)
        elif isinstance(node, (nodes.literal_block, nodes.doctest_block)):
            self.code(node, context)
        elif isinstance(node, nodes.table):
            self.table(node)
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            self.listing(node, context, depth)
        elif isinstance(node, _ADMONITIONS):
            self.admonition(node, context, depth)
        elif isinstance(node, nodes.block_quote) and context.kind is BlockKind.PARAGRAPH:
            self.children(node, _Context(BlockKind.QUOTE, context.label, context.depth), depth)
        elif isinstance(node, nodes.container) and node.get("entry"):
            self.entry(node, context, depth)
        elif isinstance(node, nodes.container) and node.get("tab"):
            self.children(node, _Context(context.kind, str(node["tab"]), context.depth), depth)
        elif isinstance(node, (nodes.field, nodes.definition_list_item)):
            self.item(node, context, depth)
        elif isinstance(node, nodes.title):
            return  # titles of sections are headings; of topics/tables, not prose
        else:
            self.children(node, context, depth)

    def children(self, node: nodes.Element, context: _Context, depth: int) -> None:
        _mark_entry_headings(node)
        for child in node.children:
            self.walk(child, context, depth)

    def section(self, node: nodes.section, context: _Context, depth: int) -> None:
        labels, self.pending_anchors = self.pending_anchors, []
        title = node.next_node(nodes.title)
        if title is not None and title.parent is node:
            line = _line_of(title)
            span = self.source.find(title.rawsource, (line - 1) if line else None, self.cursor)
            if span is not None:
                heading = " ".join(title.astext().split())
                anchor = _section_id(heading, node["ids"], labels)
                self.emit(BlockKind.HEADING, span, level=depth, heading=heading, anchor=anchor)
        self.children(node, context, depth)

    def entry(self, node: nodes.Element, context: _Context, depth: int) -> None:
        """An object description (``.. confval:: addopts``): the object's name, where the
        directive line gives it, is a heading one level below the section the entry is in,
        anchored at the entry's id, unless prose follows the entries in their section (it
        would be filed under the last entry's name; see ``_Walker.children``)."""
        line = int(node.get("entry_line", 0) or 0)
        source = self.source
        if node.get("entry_heading") and 0 < line <= len(source.lines):
            text = source.lines[line - 1]
            marker = text.find("::")
            name = text[marker + 2 :].strip() if marker >= 0 else ""
            if name:
                start = source.starts[line - 1] + text.index(name, marker + 2)
                self.emit(
                    BlockKind.HEADING,
                    (start, start + len(name)),
                    level=depth + 1,
                    heading=str(node["entry"]),
                    anchor=str(node.get("entry_id", "")),
                )
        self.children(node, context, depth + 1)

    def code(self, node: nodes.Element, context: _Context) -> None:
        """A literal block, code directive or ``>>>`` doctest block (language "pycon")."""
        span = self.locate(node)
        if span is None:
            return
        lang = "pycon" if isinstance(node, nodes.doctest_block) else ""
        lang = lang or str(node.get("language", "") or "")
        if not lang:
            given: list[str] = list(node.get("classes", []))
            classes = [c for c in given if c not in ("code", "literal-block")]
            lang = classes[0] if classes else ""
        caption = str(node.get("caption", "") or "")  # the file a listing shows, if named
        self.emit(BlockKind.CODE, span, lang=lang, label=caption or context.label)

    def table(self, node: nodes.table) -> None:
        """A table: the source lines from the one holding its first cell's text to the one
        holding its last cell's, widened to the border lines around them (cells sit
        mid-line, so they are found by containment, not by the line search prose uses)."""
        cells = [
            words
            for paragraph in node.findall(nodes.paragraph)
            if (words := paragraph.rawsource.strip().split("\n")[0].strip())
        ]
        line = _line_of(node)
        if not cells or line is None:
            return
        source = self.source
        lines = source.lines
        begin = _first_row(lines, cells[0], max(0, line - 3))
        if begin is None:
            return
        last = begin
        for cell in cells[1:]:
            found = next(
                (i for i in range(last, min(len(lines), last + 50)) if cell in lines[i]), None
            )
            if found is None:
                break
            last = found
        first = begin
        while first > 0 and _is_border(lines[first - 1]):
            first -= 1
        while last + 1 < len(lines) and _is_border(lines[last + 1]):
            last += 1
        self.emit(BlockKind.TABLE, (source.starts[first], source.starts[last] + len(lines[last])))

    def listing(self, node: nodes.Element, context: _Context, depth: int) -> None:
        """Each item's prose as list items, and the whole list as one unit before them."""
        before = len(self.blocks)
        inner = _Context(BlockKind.LIST_ITEM, context.label, context.depth + 1)
        self.children(node, inner, depth)
        items = self.blocks[before:]
        # Shown whole only at the top, with two items or more and nothing but items (a list
        # holding code or tables is shown by its parts): as the HTML reader does.
        if (
            context.depth == 0
            and len(items) > 1
            and all(b.kind is BlockKind.LIST_ITEM for b in items)
        ):
            text = self.source.text
            line = self.source.line_of(items[0].start) - 1
            line_start = self.source.starts[line]
            start = (
                line_start + len(self.source.lines[line]) - len(self.source.lines[line].lstrip())
            )
            whole = Block(
                BlockKind.LIST,
                *trimmed_span(text, start, max(b.end for b in items)),
                context.depth + 1,
                line=line + 1,
                label=context.label,
            )
            self.blocks.insert(before, whole)

    def admonition(self, node: nodes.Element, context: _Context, depth: int) -> None:
        label = str(node.get("label", "")) or type(node).__name__
        if isinstance(node, nodes.admonition) and not node.get("label"):
            title = node.next_node(nodes.title)
            label = " ".join(title.astext().split()) if title is not None else "admonition"
        self.children(node, _Context(BlockKind.ADMONITION, label, context.depth), depth)

    def item(self, node: nodes.Element, context: _Context, depth: int) -> None:
        """A field (``:name: body``) or a definition (term, then its text): one list item from
        the name or term to the end of the first paragraph, then the rest as usual."""
        head = node.children[0] if node.children else None
        body = node.children[1] if len(node.children) > 1 else None
        if not isinstance(head, nodes.Element) or not isinstance(body, nodes.Element):
            self.children(node, context, depth)
            return
        shown = [c for c in body.children if not isinstance(c, _SKIPPED_NODES)]
        opening = shown[0] if shown and isinstance(shown[0], nodes.paragraph) else None
        if opening is None:
            # The body opens with a list, code or a quote (a changelog entry's bullets under
            # its one-line summary): the term is a line of its own, and the body follows in
            # order. Its first paragraph, further down, is not the term's text: taking it
            # here put it before the blocks above it, out of the file's order.
            if isinstance(head, nodes.term):
                span = self.locate(head)
                if span is not None:
                    self.emit(BlockKind.LIST_ITEM, span, level=context.depth + 1)
            for child in body.children:
                self.walk(child, context, depth)
            return
        paragraphs = [opening]
        first = self.locate(opening)
        if first is not None:
            source = self.source
            line = source.line_of(first[0]) - 1
            before = source.text[source.starts[line] : first[0]]
            if before.strip():  # ":name: text" on one line
                start = source.starts[line] + len(before) - len(before.lstrip())
            else:  # the term on the line above
                term = head.astext().strip() if isinstance(head, nodes.term) else ""
                above = source.lines[line - 1] if line > 0 else ""
                start = first[0]
                if term and line > 0 and above.strip() and term.split()[0] in above:
                    start = source.starts[line - 1] + len(above) - len(above.lstrip())
            self.emit(BlockKind.LIST_ITEM, (start, first[1]), level=context.depth + 1)
            rest = [c for c in body.children if c is not paragraphs[0]]
        else:
            rest = list(body.children)
        for child in rest:
            self.walk(child, context, depth)


def _section_id(heading: str, ids: Sequence[str], labels: Sequence[str]) -> str:
    """The id a Sphinx page gives a section (every one of its ids is on the page, the first as
    the ``<section>``'s and the rest as ``<span>``s; this picks one that surely is).

    Its title's slug when the section has it, or when a label just above it is that slug
    (``.. _sessions:`` over "Sessions", or ``.. _`contact channels`:`` above another label);
    else the first label; else its own id, which for a repeated title is ``id1``-style:
    Sphinx sets docutils' ``auto_id_prefix`` to "id" (see :func:`_settings`), so an id such as
    ``sessions-1``, docutils' default, is never on the page. Checked against Flask's HTML
    build: ``<section id="sessions"><span id="id5">``, ``<section
    id="running-commands-with-the-cli-runner"><span id="testing-cli">``."""
    slug = nodes.make_id(heading)
    own = ids[0] if ids else ""
    if slug and (slug == own or slug in labels):
        return slug
    return labels[0] if labels else own


def _is_entry(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and bool(node.get("entry"))


def _mark_entry_headings(node: nodes.Element) -> None:
    """Marks the object descriptions among ``node``'s children that become headings: all of
    them when nothing but entries, sections, targets and markup follows the first (a run of
    ``confval::`` entries up to the next section), none when prose does — a heading has no
    end, so that prose would read as the last entry's."""
    entries = [i for i, child in enumerate(node.children) if _is_entry(child)]
    if not entries:
        return
    after = node.children[entries[0] :]
    quiet = all(
        _is_entry(child)
        or isinstance(child, (nodes.section, nodes.target, *_SKIPPED_NODES))
        or (isinstance(child, nodes.container) and not child.children)
        or not isinstance(child, nodes.Element)
        for child in after
    )
    for i in entries:
        entry = node.children[i]
        if isinstance(entry, nodes.Element):
            entry["entry_heading"] = quiet


def _first_row(lines: Sequence[str], cell: str, begin: int) -> int | None:
    """The line index of a table's first row, the first from ``begin`` holding ``cell``.

    A grid or simple table's first row follows its top border, so a line holding the cell's
    words that does not (a paragraph just above, "Released pytest versions support …" above
    a "pytest version" cell) is passed over for one that does, within a few lines; a
    list-table has no border: then the first line holding the words."""
    first = None
    for i in range(begin, len(lines)):
        if cell in lines[i]:
            if i and _is_border(lines[i - 1]):
                return i
            if first is None:
                first = i
        if first is not None and i > first + 10:
            break
    return first


def _is_border(line: str) -> bool:
    """A grid or simple table's border line (``+---+``, ``===  ===``)."""
    stripped = line.strip()
    return bool(stripped) and set(stripped) <= set("+-=| ")


def _without_literal_marker(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A paragraph ending in ``::`` reads, as rendered, with one colon (``code:``) or none
    (``code ::``): the span is narrowed to what a reader of the page sees."""
    start, end = span
    if text[start:end].endswith("::"):
        end -= 1
        if end - 1 > start and text[end - 2].isspace():
            end -= 1
    return trimmed_span(text, start, end)


# --- parsing ----------------------------------------------------------------------------------


def _settings() -> Any:
    settings = frontend.get_default_settings(Parser)
    settings.report_level = 5
    settings.halt_level = 5
    settings.warning_stream = False
    settings.file_insertion_enabled = False
    settings.raw_enabled = False
    settings.syntax_highlight = "none"
    settings.character_level_inline_markup = False
    settings.line_length_limit = 10_000_000
    settings.auto_id_prefix = "id"  # as Sphinx: a repeated title's section is "id3", not "x-1"
    return settings


_SETTINGS = _settings()


def parse_rst(text: str, source: str = "<rst>") -> RstReading:
    """The blocks of a reStructuredText text, with the errors docutils reported."""
    problems: list[str] = []
    document = utils.new_document(source, _SETTINGS)

    def observe(message: nodes.system_message) -> None:
        if message["level"] >= 3 and len(problems) < 20:
            where = f"line {message['line']}: " if message.get("line") else ""
            problems.append(where + " ".join(message.children[0].astext().split()))

    document.reporter.attach_observer(observe)
    _register_unknown(text, document)
    Parser().parse(text, document)
    walker = _Walker(text)
    walker.children(document, _Context(), 0)
    return RstReading(walker.blocks, problems)


def read_rst(text: str) -> list[Block]:
    """The blocks of a reStructuredText text (offsets into ``text``)."""
    return parse_rst(text).blocks
