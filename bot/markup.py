"""Quoted Markdown as a reader knows it: the one conversion both renderers share (pure).

A quote is verbatim source text, so a Markdown file's quote holds ``**``, backticks and
``[text](cors.md)``. Shown raw, that is noise in a terminal and, escaped for Discord, dead
relative links. This module reads the quote's inline Markdown with markdown-it-py (CommonMark)
into :class:`Piece` s — plain text, inline code, emphasis, links made absolute by a resolver —
and a quoted block (fenced or indented code, a list, a table) into its lines and language.
The renderers format those pieces their way (:mod:`bot.render_text`, :mod:`bot.discord_render`);
JSON keeps the verbatim text. Nothing here decides what is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from retrieval import Citation
from retrieval.answering import page_url, resolve_link
from retrieval.reading import rst_spans

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

Resolver = Callable[[str], str | None]
"""A link target as written in the file (``../concepts/x.md#a``) → an absolute URL, or None
when it cannot be made one (the corpus is not published)."""

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
RST_SUFFIXES = (".rst", ".rest")
_ABSOLUTE = re.compile(r"(?i)^(?:https?://|mailto:)[^\s<>]+$")
_STRAY_MARKS = re.compile(r"(?<![\w\\])(\*\*+|__+)|(\*\*+|__+)(?![\w])")
"""Emphasis markers left unmatched in a quote (its closing half is in the next sentence)."""
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*([^\n]*)$")
_QUOTE_MARKERS = re.compile(r"\n(?:[ \t]{0,3}>[ \t]?)+")
"""A block quote's markers at the start of its continuation lines: a quote's span runs from its
first word to its last, so its later lines keep their ``>`` (a paragraph line cannot start
with one: it would open a block quote)."""
_DIRECTIVE_OPTION = re.compile(r"^[ \t]*:[\w-]+:(?:[ \t].*)?$")
"""A MyST directive's option line (``:caption: prompt.py``) at the top of its fence."""
_MYST_CODE_INFO = re.compile(r"^\s*\{(code-block|code|sourcecode|code-cell|eval-rst)\}\s*(.*)$")
_ROLE_BEFORE = re.compile(r"\{(?P<role>[A-Za-z][\w:+.-]*)\}$")
"""A MyST role's name just before its backticked body (``{func}`echo```)."""
_REFERENCE_LINK = re.compile(r"(?<![\w\]\\!])\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
"""A full or collapsed reference link (``[`httpx`][httpx]``, ``[the client][]``): its definition
is elsewhere in the file, never in the quote, so CommonMark left it as bracketed text. Not after
a word (``a[0][1]`` indexes) nor an image's ``!``."""
_LETTER = re.compile(r"[^\W\d_]")
"""A letter: a reference link's words have one; ``[1][2]`` (numbered citations) has none."""
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1(?!`)")
_LIST_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of quoted text and how it is marked up."""

    text: str
    code: bool = False
    strong: bool = False
    em: bool = False
    url: str = ""
    """Where the text links to, absolute; empty when it is no link or one that cannot be made
    absolute (then only its words are shown)."""


def is_markdown(source: str) -> bool:
    """Whether a corpus file's quotes are Markdown (by its name, as the readers decide)."""
    return source.lower().endswith(MARKDOWN_SUFFIXES)


def is_rst(source: str) -> bool:
    """Whether a corpus file's quotes are reStructuredText (by its name, as the readers
    decide): their roles, ````literals```` and links are shown as the built page shows them."""
    return source.lower().endswith(RST_SUFFIXES)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported here: a one-shot question about a text file never needs markdown-it-py.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def citation_resolver(citation: Citation) -> Resolver | None:
    """How relative links in a citation's quotes become absolute: by the same page rules as the
    citation's own URL (:mod:`retrieval.answering.links`), with the base URL recovered from that
    URL; None when the corpus is not published (the citation has no URL)."""
    source = citation.passage.source
    page = citation.url.split("#", 1)[0]
    if not page:
        return None
    suffix = page_url(source, "https://x.invalid/").removeprefix("https://x.invalid/")
    if not page.endswith(suffix):
        return None
    base = page[: len(page) - len(suffix)]

    def resolve(href: str) -> str | None:
        return resolve_link(source, href, base) or None

    return resolve


def quote_resolver(citation: Citation, source_url: str = "") -> Resolver | None:
    """How relative links in a citation's quotes become absolute: against the corpus's base URL
    when the answer carries it (``Answer.source_url``), else by the citation's own URL."""
    if not source_url:
        return citation_resolver(citation)
    source = citation.passage.source

    def resolve(href: str) -> str | None:
        return resolve_link(source, href, source_url) or None

    return resolve


def absolute_link(href: str, resolve: Resolver | None) -> str:
    """``href`` as an absolute URL: as it is when already absolute, else the resolver's answer;
    "" when neither (a relative link of an unpublished corpus is shown as its words only)."""
    href = href.strip()
    if _ABSOLUTE.match(href):
        return href
    if resolve is None or not href:
        return ""
    resolved = resolve(href)
    return resolved if resolved and _ABSOLUTE.match(resolved) else ""


def inline_pieces(
    text: str, *, markdown: bool = True, resolve: Resolver | None = None, rst: bool = False
) -> list[Piece]:
    """The pieces of a quoted sentence: its inline reStructuredText read (``rst``: roles and
    literals as code, references as their words, links with their targets), else its inline
    Markdown (``markdown``), else the text as one plain piece. Line breaks become spaces; HTML
    tags are dropped, their words kept; emphasis markers with no partner are dropped."""
    if markdown and not rst and "\n" in text:
        text = _QUOTE_MARKERS.sub("\n", text)
    flat = " ".join(text.split())
    if rst and flat:
        return _merge(
            Piece(s.text, s.code, s.strong, s.em, absolute_link(s.target, resolve))
            for s in rst_spans(flat)
        )
    if not markdown or not flat:
        return [Piece(flat)] if flat else []
    tokens = _parser().parseInline(_unreferenced(flat))
    children = tokens[0].children or [] if tokens else []
    return _merge(_walk(children, resolve))


def _unreferenced(text: str) -> str:
    """Reference links (not inside a code span) as links with no target: shown as their words."""
    if "][" not in text:
        return text
    spans = [m.span() for m in _CODE_SPAN.finditer(text)]

    def unlink(match: re.Match[str]) -> str:
        if any(a < match.start() < b for a, b in spans) or not _LETTER.search(match.group(1)):
            return match.group()  # in code, or no words to show: "[1][2]" citations, "[0][1]"
        return f"[{match.group(1)}]()"

    return _REFERENCE_LINK.sub(unlink, text)


def _walk(tokens: Sequence[Token], resolve: Resolver | None) -> Iterable[Piece]:
    strong = em = 0
    url = ""
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "text":
            words = _STRAY_MARKS.sub("", token.content)
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if following is not None and following.type == "code_inline":
                words = _ROLE_BEFORE.sub("", words)
            if words:
                yield Piece(words, strong=strong > 0, em=em > 0, url=url)
        elif kind == "code_inline":
            role = (
                _ROLE_BEFORE.search(tokens[i - 1].content)
                if i and tokens[i - 1].type == "text"
                else None
            )
            if role is not None:  # MyST's {func}`~click.echo`: shown as Sphinx shows the role
                for span in rst_spans(f":{role.group('role')}:`{token.content}`"):
                    yield Piece(
                        span.text,
                        code=span.code,
                        strong=strong > 0 or span.strong,
                        em=em > 0 or span.em,
                        url=url,
                    )
                continue
            yield Piece(token.content, code=True, strong=strong > 0, em=em > 0, url=url)
        elif kind in ("softbreak", "hardbreak"):
            yield Piece(" ", url=url)
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong = max(0, strong - 1)
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em = max(0, em - 1)
        elif kind == "link_open":
            url = absolute_link(str(token.attrs.get("href", "")), resolve)
        elif kind == "link_close":
            url = ""
        elif kind == "image":
            alt = "".join(c.content for c in token.children or [])
            if alt:
                yield Piece(alt, strong=strong > 0, em=em > 0, url=url)
        # html_inline: the tag itself is never shown; the words between tags are text tokens.


def _merge(pieces: Iterable[Piece]) -> list[Piece]:
    """Neighbouring pieces with the same marks as one."""
    merged: list[Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last is not None and (last.code, last.strong, last.em, last.url) == (
            piece.code,
            piece.strong,
            piece.em,
            piece.url,
        ):
            merged[-1] = Piece(
                last.text + piece.text, piece.code, piece.strong, piece.em, piece.url
            )
        else:
            merged.append(piece)
    if merged and not merged[0].code:
        merged[0] = Piece(merged[0].text.lstrip(), *_marks(merged[0]))
    if merged and not merged[-1].code:
        merged[-1] = Piece(merged[-1].text.rstrip(), *_marks(merged[-1]))
    return [p for p in merged if p.text]


def _marks(piece: Piece) -> tuple[bool, bool, bool, str]:
    return piece.code, piece.strong, piece.em, piece.url


def plain_text(
    text: str, *, markdown: bool = True, resolve: Resolver | None = None, rst: bool = False
) -> str:
    """A quote's words without markup, links as ``text (url)``: for snippets and terminals."""
    return "".join(
        f"{p.text} ({p.url})" if p.url and p.url != p.text else p.text
        for p in inline_pieces(text, markdown=markdown, resolve=resolve, rst=rst)
    )


# --- blocks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockLines:
    """A quoted block made ready to display: its lines without fences or common indent."""

    kind: str
    """"code", "table" or "list"."""
    lang: str
    lines: tuple[str, ...]


_INCLUDED = re.compile(r"^\.\.[ \t]+(?:literalinclude|include)::[ \t]*(\S[^\n]*?)[ \t]*(?:\n|$)")


def included_file(text: str, kind: str) -> str | None:
    """The file a reStructuredText ``literalinclude::`` (or ``include:: … :literal:``) block
    names, or None. The reader keeps the directive as the block (the file is not read): shown
    as code, a reader saw ``.. literalinclude:: /example/xfail_demo.py`` where the page shows
    that file's code, so the front ends say what the page shows there instead."""
    found = _INCLUDED.match(text) if kind == "code" else None
    return found.group(1) if found else None


def block_lines(text: str, kind: str, lang: str = "", indent: int = 0) -> BlockLines:
    """The displayable lines of a quoted block's verbatim text: a fence's opening and closing
    lines removed (its info string naming the language when the reader did not), the common
    indent removed (code inside a list item or a content tab is indented in the file, a
    reStructuredText literal block always is). ``indent`` is the white space before the
    block's first character on its line (``QuotedBlock.indent``): the quote starts after it,
    so it is put back before dedenting, or the other lines would keep theirs."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if indent and lines:
        lines[0] = " " * indent + lines[0]
    if kind == "code" and lines:
        opening = _FENCE.match(lines[0])
        if opening:
            marker = opening.group(2)
            info = opening.group(3)
            lang = lang or _fence_lang(info)
            lines = lines[1:]
            if info.lstrip().startswith("{"):  # a MyST directive: its options are no code
                while lines and _DIRECTIVE_OPTION.match(lines[0]):
                    lines = lines[1:]
            closing = lines[-1].strip() if lines else ""
            if len(closing) >= len(marker) and not closing.strip(marker[0]):
                lines = lines[:-1]
    if kind == "code" and lang == "console":
        lines = [_COLOUR_SPAN.sub("", line) for line in lines]
    return BlockLines(kind, lang, tuple(_dedent(lines)))


_COLOUR_SPAN = re.compile(r'<span style="[^"<>]*">|</span>')
"""The colour tags of FastAPI's console blocks (``<span style="color: green;">INFO</span>``),
which its page's terminal widget renders as coloured words: shown, only their words are kept
(``--json`` keeps the verbatim text)."""


def _fence_lang(info: str) -> str:
    """``python title="x.py"`` → "python"; ``{ .python }`` → "python"; a MyST code
    directive's argument (``{code-block} python`` → "python", ``{eval-rst}`` → "rst")."""
    myst = _MYST_CODE_INFO.match(info)
    if myst is not None:
        return "rst" if myst.group(1) == "eval-rst" else _fence_lang(myst.group(2) or "")
    word = info.strip().strip("{}").strip().split(" ", 1)[0] if info.strip() else ""
    return re.sub(r"[^\w+#.-]", "", word.lstrip(".")).lower()


def _dedent(lines: Sequence[str]) -> list[str]:
    """``lines`` without their common leading white space (tabs count as one character) and
    without trailing white space; blank lines at either end dropped."""
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[0]:
        stripped.pop(0)
    while stripped and not stripped[-1]:
        stripped.pop()
    indents = [len(line) - len(line.lstrip()) for line in stripped if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in stripped]


def list_item(line: str) -> tuple[str, str, str] | None:
    """A list line as (indent, marker, text): ``"  - run it"`` → ("  ", "-", "run it")."""
    match = _LIST_ITEM.match(line)
    return (match.group(1), match.group(2), match.group(4)) if match else None


def join_list_lines(lines: Sequence[str]) -> list[str]:
    """A list's lines with each item's wrapped lines joined to it: a line with no marker,
    indented past the item it follows, continues that item ("-   autoescaping is enabled
    for all templates ending in ``.html``," then "    ``.htm``, ``.xml``"), so a display
    shows one entry per item instead of stray indented fragments."""
    joined: list[str] = []
    item_indent = -1
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if line.strip() and list_item(line) is None and joined and indent > item_indent >= 0:
            joined[-1] = f"{joined[-1]} {line.strip()}"
            continue
        joined.append(line)
        item_indent = indent if line.strip() and list_item(line) is not None else -1
    return joined


def cut_lines(
    lines: Sequence[str], *, max_lines: int, max_chars: int
) -> tuple[tuple[str, ...], bool]:
    """The first lines that fit both budgets (a line longer than ``max_chars`` alone is cut),
    and whether anything was left out: cut at a line boundary, never inside a later line."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if len(kept) >= max_lines or used + len(line) + 1 > max_chars:
            if not kept:
                kept.append(line[: max(1, max_chars - 1)])
            return tuple(kept), True
        kept.append(line)
        used += len(line) + 1
    return tuple(kept), False
