"""The PDF reader: a text layer rebuilt into paragraphs, code, list items and headings, by page.

pypdf reads the text layer. Its plain extraction loses the spaces of tightly set (justified)
lines, because TeX and most typesetters move the pen instead of printing a space; so each
``TJ`` gap wider than a tenth of an em is shown to pypdf as a full word gap (the pen still moves
exactly as in the file), and a change of font between two letters is a word boundary too.
``visitor_text`` gives each run's position and font, from which lines are rebuilt; then

* running headers and footers (a line at the top or bottom of a page that repeats on many
  pages, digits aside), printed page numbers, table-of-contents lines with dot leaders, and
  Sphinx's "(continues on next page)" are dropped;
* paragraphs are rebuilt from line geometry (a wider gap, a change of font size or of
  monospace, a bullet or number starts a new block); monospace runs are code (indentation
  recovered from x positions); words hyphenated at a line end are joined unless the document
  spells them with the hyphen elsewhere;
* sections come from the PDF outline (bookmarks) when there is one, matched to the heading line
  on its page, else from numbered or larger-type heading lines.

The text produced is the document's text (stored with the index and quoted); every block's
offsets point into it and carry the 1-based physical page. Work is bounded: at most
``max_pages`` pages and ``time_budget`` seconds per file, and no page with more than 16 MB of
content streams, with a warning when cut short.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError
from pypdf.generic import ArrayObject, FloatObject, NumberObject

from .blocks import PAGE_BREAK, Block, BlockKind

_log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd files are noise

MAX_PAGES = 5000
MAX_PAGE_CONTENT_BYTES = 16 * 1024 * 1024
"""A page whose content streams are larger than this is left out (with a warning)."""
TIME_BUDGET_SECONDS = 120.0
_WORD_GAP = -100.0
"""A ``TJ`` offset (thousandths of an em) at or below this is a space between words."""
_MONO = re.compile(r"(?i)(mono|courier|tt\b|xtt|code|consol|menlo|inconsolata|\+cm?tt)")
_BULLET = re.compile(r"^(?:[•◦▪‣●○■□–·*-]|\(?\d{1,3}[.)]|[a-z][.)])\s+")
_SURE_BULLETS = "•◦▪‣●○■□"
"""Markers that never open a wrapped line of prose (unlike "1.", "-" or "*")."""
_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ]?(?:one|two|three|four"
    r"|five|six|seven|eight|nine))?)"
)
_CHAPTER_LABEL = re.compile(
    rf"(?i)^(?:(?:chapter|part|appendix)(?:\s+(?:\d{{1,3}}|[ivxlc]{{1,6}}|{_NUMBER_WORD}|[a-z]))?"
    rf"|\d{{1,3}}|{_NUMBER_WORD})$"
)
"""The line a book class prints above a chapter's title: "CHAPTER" and "ONE" (Sphinx's
LaTeX, fncychap), "Chapter 3", "Appendix A", or the number alone. It is not a heading."""
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?$", re.I
)
_FRONT_NUMBER = re.compile(r"^[ivxlc]{1,6}$")
"""A front-matter page number ("ii"), as LaTeX prints it alone on the blank back of a
contents page."""
_CONTENTS_TITLE = re.compile(r"(?i)^(?:table of )?contents$")
_CONTINUATION = re.compile(r"^\((?:continues on next page|continued from previous page)\)$")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = ".!?:;"
_ADMONITION_TITLE = re.compile(
    r"^(Note|Warning|Attention|Caution|Danger|Error|Hint|Important|Tip|See also|Todo)$"
)
"""The title line Sphinx's LaTeX (and docutils') admonition boxes print above their text."""
_CAPTION = re.compile(r"^(?:Listing|Code|Example)\s+\d+(?:\.\d+)*\s*:\s*(\S.{0,200})$")


@dataclass(slots=True)
class _Line:
    page: int
    y: float
    x: float
    size: float
    mono: bool
    parts: list[tuple[str, float]] = field(default_factory=list)
    """(text, x) runs."""
    starts_mono: bool = False
    """Whether the line's first run is in a monospace font (an inline literal may open it)."""
    ends_mono: bool = False
    """Whether its last run is (an inline literal the typesetter broke may end it)."""

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts).strip()


@dataclass(frozen=True, slots=True)
class PdfReading:
    """What a PDF gave: its text, blocks over it, warnings for the user, and its page count."""

    text: str
    blocks: list[Block]
    warnings: list[str]
    pages: int = 0
    title: str = ""


def _spaced_tj(operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
    """Make every word gap in a ``TJ`` array visible to pypdf as one: a gap ``g`` becomes a
    full em back (which pypdf reads as a space) and ``1000 + g`` forward, so the pen ends
    where the file puts it."""
    if operator != b"TJ" or not operands or not isinstance(operands[0], ArrayObject):
        return
    spaced: list[Any] = []
    for item in operands[0]:
        if isinstance(item, (FloatObject, NumberObject)) and float(item) <= _WORD_GAP:
            spaced += [FloatObject(-1000), FloatObject(1000 + float(item))]
        else:
            spaced.append(item)
    operands[0][:] = spaced


class _PageLines:
    """Collects one page's text runs from pypdf's visitor into lines."""

    def __init__(self, page: int) -> None:
        self.page = page
        self.lines: list[_Line] = []
        self.current: _Line | None = None
        self.last_font = ""

    def visit(self, text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text:
            return
        x = float(tm[4]) * float(cm[0]) + float(cm[4])
        y = float(tm[5]) * float(cm[3]) + float(cm[5])
        scale = abs(float(tm[3]) * float(cm[3])) or 1.0
        name = str(font.get("/BaseFont", "")) if font else ""
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                self.current = None
            if not piece.strip():
                continue
            line = self.current
            if line is None or abs(line.y - y) > 2.0:
                line = self.current = _Line(self.page, y, x, size * scale, bool(_MONO.search(name)))
                self.lines.append(line)
                self.last_font = name
            elif name != self.last_font and line.parts:
                piece = _font_change(line, piece, bool(_MONO.search(name)))
            if piece.strip():
                mono = bool(_MONO.search(name))
                line.size = max(line.size, size * scale)
                line.mono = line.mono and mono
                line.starts_mono = mono if not line.parts else line.starts_mono
                line.ends_mono = mono
                line.parts.append((piece, x))
                self.last_font = name


def _font_change(line: _Line, piece: str, mono: bool) -> str:
    """``piece``, the next run of ``line`` in another font, with a space before it where the
    change is a word boundary the typesetter set as a pen move, not a space: between two
    letters ("the``flaskr``"), and in prose after a comma, semicolon or colon ("page,
    ``url_for()``"; code's own fonts change inside "div:first-of-type")."""
    before = line.parts[-1][0][-1:]
    punctuation = before in ",;:" and not line.mono
    if (before.isalnum() or before in ")]}" or punctuation) and piece[:1].isalnum():
        return " " + piece
    return piece


def _open(data: bytes) -> tuple[PdfReader | None, str]:
    """A reader for the bytes, or None and why the file cannot be read."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return None, "skipped: it is password-protected."
            except (DependencyError, NotImplementedError):
                return None, "skipped: it is encrypted with a method that cannot be read."
        _ = len(reader.pages)
    except FileNotDecryptedError:
        return None, "skipped: it is password-protected."
    except Exception as error:  # pypdf raises many types for broken files
        _log.info("unreadable PDF", exc_info=True)
        kind = "damaged" if isinstance(error, PdfReadError) else "damaged or not a PDF"
        return (
            None,
            f"skipped: {kind} ({' '.join(str(error).split())[:120] or type(error).__name__}).",
        )
    return reader, ""


def _page_lines(
    reader: PdfReader, max_pages: int, budget: float, max_page_bytes: int
) -> tuple[list[list[_Line]], list[str]]:
    """Every page's lines, within the page and time bounds; warnings for pages cut or broken."""
    warnings: list[str] = []
    pages: list[list[_Line]] = []
    deadline = time.monotonic() + budget
    total = len(reader.pages)
    broken = oversized = 0
    for number in range(min(total, max_pages)):
        if time.monotonic() > deadline:
            warnings.append(f"read only the first {number} of {total} pages (time limit).")
            break
        collector = _PageLines(number + 1)
        try:
            page = reader.pages[number]
            if _content_bytes(page) > max_page_bytes:
                oversized += 1
                pages.append([])
                continue
            page.extract_text(visitor_operand_before=_spaced_tj, visitor_text=collector.visit)
        except Exception:  # one broken page must not cost the rest
            _log.info("unreadable PDF page %d", number + 1, exc_info=True)
            broken += 1
        pages.append(collector.lines)
    else:
        if total > max_pages:
            warnings.append(f"read only the first {max_pages} of {total} pages (page limit).")
    if broken:
        warnings.append(f"{broken} page(s) could not be read and were left out.")
    if oversized:
        mib = 1024 * 1024
        limit = (
            f"{max_page_bytes / mib:g} MB" if max_page_bytes >= mib else f"{max_page_bytes:,} bytes"
        )
        warnings.append(f"{oversized} page(s) with over {limit} of drawing commands left out.")
    return pages, warnings


def _content_bytes(page: Any) -> int:
    """The stored (still compressed) size of a page's content streams — nothing is decoded:
    one page of hundreds of megabytes would hold pypdf for minutes. pypdf keeps a stream's
    bytes as ``_data`` and drops its ``/Length`` once read, so that is what is measured."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    return sum(len(getattr(stream.get_object(), "_data", b"") or b"") for stream in streams)


_TOC_ENTRY = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?(.+?)\s+\d{1,4}$")
_EDGE_NUMBERED = re.compile(r"^\d{1,4}\s+\S|\S\s+\d{1,4}$")


def _is_furniture(
    line: _Line, at_edge: bool, repeats: bool, titles: set[str], short: bool = False
) -> bool:
    """Is the line page furniture rather than content? Continuation notes, table-of-contents
    entries (dot leaders, or an outline title followed by a page number), and at the top or
    bottom of a page: page numbers, lines repeated across pages, and a numbered running
    header naming a section ("12 Chapter 3. Templates", "Chapter 2: Naming 3").

    On a ``short`` page (one or two lines) every line is at an edge, so a lone number there
    may be content: only repeated lines, numbered running headers and a front-matter page
    number in lower-case roman count — the blank page LaTeX leaves before a chapter carries
    just its header and footer, and the one after the contents just its "ii"."""
    text = line.text
    if _CONTINUATION.match(text) or _DOT_LEADER.search(text):
        return True
    entry = _TOC_ENTRY.match(text)
    if entry and _norm(entry.group(1)) in titles:
        return True
    if not at_edge:
        return False
    if repeats or (_PAGE_NUMBER.match(text) and not short) or (short and _FRONT_NUMBER.match(text)):
        return True
    if not _EDGE_NUMBERED.search(text):
        return False
    # Digits aside on both sides: Texinfo's "Chapter 2: ASN.1 structure handling 3" names the
    # outline's "2 ASN.1 structure handling".
    letters = _norm(_DIGITS.sub("", text))
    return any(bare and bare in letters for bare in (_DIGITS.sub("", t) for t in titles))


def _drop_furniture(pages: list[list[_Line]], titles: set[str]) -> list[list[_Line]]:
    """Without running headers/footers, page numbers, TOC entries and continuation notes.
    Lines in larger type than the body are never taken for headers or footers."""
    sizes = Counter(round(line.size, 1) for lines in pages for line in lines)
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    edge_counts: Counter[str] = Counter()
    for lines in pages:  # counted on pages with a body: there, a repeated edge is furniture
        if len(lines) > 2:
            edge_counts.update({_DIGITS.sub("#", line.text) for line in lines[:2] + lines[-2:]})
    repeated = max(3, len(pages) // 8)
    kept: list[list[_Line]] = []
    for lines in pages:
        edge = {id(line) for line in lines[:2] + lines[-2:] if line.size <= body_size * 1.1}
        short = len(lines) <= 2
        left = [
            line
            for line in lines
            if not _is_furniture(
                line,
                id(line) in edge,
                edge_counts[_DIGITS.sub("#", line.text)] >= repeated,
                titles,
                short,
            )
        ]
        if len(lines) - len(left) >= 3:  # a contents page: its title goes with its entries
            left = [line for line in left if not _CONTENTS_TITLE.match(line.text)]
        kept.append(left)
    return kept


_WRAP_MARKS = ("˓→", "↪")
"""What a typesetter prints at the start of a code line it had to wrap: Sphinx's LaTeX
``\\sphinxafterbreak`` (a hook and an arrow), listings/minted's hooked arrow."""
_VISIBLE_SPACE = "␣"
"""Sphinx prints a wrapped line's trailing space visibly."""


def _join_wrapped_code(lines: list[_Line]) -> list[_Line]:
    """Code lines that the typesetter wrapped put back on one line: a line opening with a
    wrap mark after a code line continues it (the mark's font is not monospace, so the piece
    would otherwise be read as a one-line paragraph after the code)."""
    joined: list[_Line] = []
    for line in lines:
        text = line.text
        mark = next((m for m in _WRAP_MARKS if text.startswith(m)), "")
        if not (mark and joined and joined[-1].mono):
            joined.append(line)
            continue
        previous = joined[-1]
        last, x = previous.parts[-1]
        if last.rstrip().endswith(_VISIBLE_SPACE):
            previous.parts[-1] = (last.rstrip()[: -len(_VISIBLE_SPACE)] + " ", x)
        rest = text[len(mark) :].lstrip()
        previous.parts.append((rest, line.parts[-1][1]))
    return joined


def _margins(pages: list[list[_Line]]) -> dict[int, float]:
    """The text's left edge on odd and on even pages (a two-sided layout shifts it): the
    commonest leftmost x of a page's prose lines."""
    lefts: dict[int, Counter[float]] = {0: Counter(), 1: Counter()}
    for lines in pages:
        prose = [line.x for line in lines if not line.mono]
        if lines and prose:
            lefts[lines[0].page % 2][round(min(prose), 1)] += 1
    found = {parity: c.most_common(1)[0][0] for parity, c in lefts.items() if c}
    if len(found) == 1:
        found[1 - next(iter(found))] = next(iter(found.values()))
    return found


def _monospace_width(pages: list[list[_Line]]) -> float:
    """A monospace letter's width in ems, measured where a code line is set in several
    runs (TeX's typewriter font is 0.525 em, Courier 0.6): indentation is counted in it."""
    widths = [
        (x2 - x) / len(text) / line.size
        for lines in pages
        for line in lines
        if line.mono and line.size > 0
        for (text, x), (_, x2) in pairwise(line.parts)
        if text and x2 > x
    ]
    plausible = [w for w in widths if 0.4 <= w <= 0.7]
    return statistics.median(plausible) if plausible else 0.55


def _outline(reader: PdfReader) -> dict[int, list[tuple[str, int]]]:
    """Outline entries by 1-based page: (title, level)."""
    found: dict[int, list[tuple[str, int]]] = {}

    def walk(items: Sequence[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                number = reader.get_destination_page_number(item)
                page = number + 1 if number is not None else 0
                title = " ".join(str(item.title).split())
            except Exception:
                continue
            if title and page > 0:
                found.setdefault(page, []).append((title, level))

    try:
        walk(reader.outline, 1)
    except Exception:
        _log.info("unreadable PDF outline", exc_info=True)
    return found


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


@dataclass(slots=True)
class _Writer:
    parts: list[str] = field(default_factory=list)
    size: int = 0
    blocks: list[Block] = field(default_factory=list)

    def add(
        self,
        kind: BlockKind,
        text: str,
        page: int,
        prefix: str = "",
        tight: bool = False,
        **fields: Any,
    ) -> None:
        """Append a block; ``tight``: after a line break, not a blank line (the next item of
        a list, so the whole list reads as one)."""
        text = text.strip("\n").rstrip() if kind is BlockKind.CODE else text.strip()
        if not text.strip():
            return
        lead = (("\n" if tight else "\n\n") if self.parts else "") + prefix
        self.parts.append(lead + text)
        start = self.size + len(lead)
        self.size = start + len(text)
        self.blocks.append(Block(kind, start, self.size, page=page, **fields))


class _Builder:
    """Turns the kept lines into blocks (headings, paragraphs, list items, code)."""

    def __init__(self, pages: list[list[_Line]], outline: dict[int, list[tuple[str, int]]]):
        self.pages = pages
        self.outline = outline
        body = [line for lines in pages for line in lines if not line.mono]
        sizes = Counter(round(line.size, 1) for line in body)
        self.body_size = sizes.most_common(1)[0][0] if sizes else 10.0
        gaps = [
            a.y - b.y
            for lines in pages
            for a, b in pairwise(lines)
            if round(a.size, 1) == round(b.size, 1) == self.body_size and 0 < a.y - b.y < 40
        ]
        self.leading = statistics.median(gaps) if gaps else self.body_size * 1.2
        words = " ".join(line.text for lines in pages for line in lines)
        self.hyphenated = set(re.findall(r"\w+-\w+", words))
        self.out = _Writer()
        self.caption: tuple[str, int, str] | None = None
        """A code listing's caption ("Listing 1: flaskr/db.py") waiting for its code, which
        gets the file name as its label: the caption is not a paragraph between the sentence
        that introduces the code and the code."""
        self.admonition = ""
        """The label of an admonition whose title line ("Note") was just read: the prose
        that follows is its text, as the reStructuredText and HTML readers give it."""
        self.section_level = 0
        """The level of the last outline entry read (0: none yet)."""
        self.margin = _margins(pages)
        self.mono_em = _monospace_width(pages)
        self.indent = self.body_size * 0.3
        """How far right of the text's left edge a line must start to be indented."""
        self.items: list[tuple[float, float, int]] = []
        """The list items open at this point, outermost first: (marker x, text x, level),
        x measured from the page's left margin."""
        self.list_first = -1
        """Index in the output of the open list's first item (-1: no list open)."""
        self.list_start = 0
        """Offset in the text of the open list's first marker."""
        self.list_plain = True
        """Whether the open list holds nothing but items (no code, no note inside it)."""

    def heading_of(self, line: _Line) -> tuple[str, int] | None:
        """(heading, level) when the line is a section heading."""
        text = line.text
        large = line.size >= self.body_size * 1.15
        if len(text) > 120 or line.mono or not large:
            return None
        if self.outline:
            for title, level in self.outline.get(line.page, []):
                if _norm(title) and _norm(title) in _norm(text):
                    return title, level
            return self.subheading(line)
        if _CHAPTER_LABEL.match(text):
            return None
        numbered = _NUMBERED_HEADING.match(text)
        if numbered is None:
            return text, 1
        # "2.1 The Application Factory": the section is "The Application Factory", as the
        # outline and the source call it; the block's text keeps the number as printed.
        words = text[numbered.end(1) :].lstrip(". ").strip()
        return words or text, numbered.group(1).count(".") + 1

    def subheading(self, line: _Line) -> tuple[str, int] | None:
        """With an outline, a large line it does not list, inside an outlined section, of a
        few words and no sentence's end (Texinfo's function entries, "asn1 read value"): a
        heading one level below that section's. Before the first outlined page (a title
        page) large lines stay text."""
        text = line.text
        if not self.section_level or len(text.split()) > 12 or text[-1:] in ".!?:;,":
            return None
        if len(_norm(text)) < 3:  # an index's letter groups ("A", "F") head no text
            return None
        return text, self.section_level + 1

    def build(self) -> list[Block]:
        """Blocks page by page; a paragraph cut by a page break (no final punctuation, the
        next page going on in lower case) is one block, on the page where it starts."""
        group: list[_Line] = []
        for lines in self.pages:
            if group and not (lines and self.continues(group[-1], lines[0])):
                self.flush(group)
                group = []
            for line in lines:
                if self.decoration(line):
                    continue
                heading = self.heading_of(line)
                if heading is not None:
                    self.flush(group)
                    group = []
                    self.close_list()
                    if self.outline and heading != self.subheading(line):
                        self.section_level = heading[1]  # an outline entry's level
                    self.write(BlockKind.HEADING, line.text, line.page, level=heading[1],
                                 heading=heading[0])  # fmt: skip
                elif group and self.breaks(group, line):
                    self.flush(group)
                    group = [line]
                else:
                    group.append(line)
        self.flush(group)
        self.write_caption()
        self.close_list()
        return self.out.blocks

    def continues(self, last: _Line, first: _Line) -> bool:
        """Does the first line of a page go on with the block the last page ended? A code
        listing does when the page starts with code of the same size (its "(continues on next
        page)" notes are gone); a paragraph does when it did not end a sentence and the page
        goes on in lower case."""
        if abs(last.size - first.size) >= 0.1 * self.body_size:
            return False
        if last.mono or first.mono:
            return last.mono and first.mono
        return last.text[-1:] not in _SENTENCE_END and first.text[:1].islower()

    def decoration(self, line: _Line) -> bool:
        """A large line above a chapter's title that is not a section: its label
        ("CHAPTER", "ONE", "Chapter 3"), or — when the outline names the sections — any
        capitals-only word or two that is no outline title."""
        text = line.text
        if line.size < self.body_size * 1.15 or line.mono:
            return False
        if _CHAPTER_LABEL.match(text):
            return True
        return (
            bool(self.outline)
            and len(text.split()) <= 2
            and text.upper() == text
            and self.heading_of(line) is None
        )

    def breaks(self, group: list[_Line], line: _Line) -> bool:
        """Does ``line`` start a new block after the lines of ``group``? A gap of 1.4 lines
        does; one of 1.25 lines when a sentence ended or the line does not go on in lower
        case (a tall inline element can widen a paragraph's own gap that much). A line
        opening with a number or a dash ("0. With this…", "- 1") starts an item only after a
        sentence's end, a wider gap or another item: a wrapped line of prose may open so
        too."""
        previous = group[-1]
        if previous.mono != line.mono or abs(previous.size - line.size) > 0.1 * self.body_size:
            return True
        gap = previous.y - line.y if previous.page == line.page else self.leading
        if not line.mono and (gap > self.leading * 1.4 or gap < 0):
            return True
        if (
            not line.mono
            and gap > self.leading * 1.15
            and (previous.text[-1:] in _SENTENCE_END or not line.text[:1].islower())
        ):
            return True  # Texinfo and DocBook set paragraphs 1.15-1.4 lines apart
        if line.mono and (gap > self.leading * 3.2 or gap < 0):
            return True
        if line.mono:
            return False
        marker = _BULLET.match(line.text)
        if marker is None:
            return False
        return (
            marker.group()[0] in _SURE_BULLETS
            or previous.text[-1:] in _SENTENCE_END
            or gap > self.leading * 1.1
            or bool(_BULLET.match(group[0].text))
        )

    def flush(self, group: list[_Line]) -> None:
        if not group:
            return
        page = group[0].page
        if group[0].mono:
            xs = [self.x_of(line) for line in group]
            self.inside_list(min(xs), item=False)
            left = min(xs)
            width = group[0].size * self.mono_em
            rows: list[str] = []
            for before, line, x in zip([None, *group], group, xs, strict=False):
                if before is not None and before.y - line.y > self.leading * 1.6:
                    rows.append("")  # a blank line inside the listing
                rows.append(" " * max(0, round((x - left) / width)) + line.text)
            caption, self.caption = self.caption, None
            self.admonition = ""
            self.out.add(BlockKind.CODE, "\n".join(rows), page, label=caption[0] if caption else "")
            return
        text = self.joined(group)
        title = _ADMONITION_TITLE.match(text)
        if title and len(group) == 1:
            self.write_caption()
            self.inside_list(self.x_of(group[0]), item=False)
            self.admonition = title.group(1).lower()
            return
        listing = _CAPTION.match(text)
        if listing and len(group) == 1:
            self.write_caption()
            self.caption = (listing.group(1), page, text)
            return
        bullet = _BULLET.match(text)
        if bullet:
            self.list_item(group, text, bullet)
            return
        # The block's leftmost line: a paragraph whose first line alone is indented (as
        # Texinfo sets them) is not inside the list above it.
        level = self.inside_list(min(self.x_of(line) for line in group), item=True)
        if level:  # a further paragraph of an open item
            self.write(BlockKind.LIST_ITEM, text, page, prefix=self.item_prefix(level, ""),
                       tight=True, level=level)  # fmt: skip
        else:
            self.write(BlockKind.PARAGRAPH, text, page)

    def x_of(self, line: _Line) -> float:
        """The line's x from its page's left margin (odd and even pages may differ)."""
        return line.x - self.margin.get(line.page % 2, 0.0)

    def item_prefix(self, level: int, marker: str) -> str:
        """What is written before an item's text: its marker, indented by its level, so
        that the whole list reads with its nesting (an item's further paragraph is indented
        to its text)."""
        return "   " * (level - 1) + marker if marker else "   " * level

    def list_item(self, group: list[_Line], text: str, bullet: re.Match[str]) -> None:
        """A line opening with a marker: an item, nested under an open item whose text
        starts left of its marker, else a sibling of the open item at its x."""
        x = self.x_of(group[0])
        while self.items and self.items[-1][0] > x + self.indent:
            self.items.pop()
        if self.items and abs(self.items[-1][0] - x) <= self.indent:
            level = self.items.pop()[2]
        else:
            level = self.items[-1][2] + 1 if self.items else 1
        text_x = self.text_x(group, bullet.group().strip())
        if not self.items and level == 1 and self.list_first < 0:
            self.write_caption()
            self.list_first = len(self.out.blocks)
            self.list_start = self.out.size + (2 if self.out.parts else 0)  # its marker
            self.list_plain = self.admonition == ""
        self.items.append((x, text_x, level))
        marker = bullet.group()
        self.write(BlockKind.LIST_ITEM, text[bullet.end() :], group[0].page,
                   prefix=self.item_prefix(level, marker), tight=self.list_first >= 0
                   and len(self.out.blocks) > self.list_first, level=level)  # fmt: skip

    def text_x(self, group: list[_Line], marker: str) -> float:
        """Where an item's text starts, from its page's margin: the run after the marker
        when the marker is a run of its own, else the item's second line, else an estimate
        (the marker and a space at half an em a letter)."""
        first = group[0]
        if len(first.parts) > 1 and first.parts[0][0].strip() == marker:
            return first.parts[1][1] - self.margin.get(first.page % 2, 0.0)
        if len(group) > 1:
            return self.x_of(group[1])
        return self.x_of(first) + (len(marker) + 1) * 0.5 * first.size

    def inside_list(self, x: float, item: bool) -> int:
        """For a block that is not an item's first paragraph, starting at ``x``: the level of
        the open item it belongs to (indented to its text or further), else 0 — and a block
        at the margin ends the list. A code block or note inside a list makes it no longer
        a plain list (shown whole)."""
        while self.items and x < self.items[-1][1] - self.indent:
            self.items.pop()
        if not self.items or x <= self.indent:
            self.close_list()
            return 0
        if not item:
            self.list_plain = False
        return self.items[-1][2]

    def close_list(self) -> None:
        """The open list ends: a top-level list of two items or more and nothing else is
        also one block, markers and all, before its items (as the other readers give it)."""
        first, self.list_first = self.list_first, -1
        self.items = []
        if first < 0:
            return
        items = self.out.blocks[first:]
        if self.list_plain and len(items) > 1 and all(b.kind is BlockKind.LIST_ITEM
                                                      for b in items):  # fmt: skip
            whole = Block(
                BlockKind.LIST, self.list_start, items[-1].end, level=1, page=items[0].page
            )
            self.out.blocks.insert(first, whole)

    def write(self, kind: BlockKind, text: str, page: int, **fields: Any) -> None:
        """A block that is not code: a caption held for code that did not follow is written
        first, as the paragraph it is."""
        if kind is not BlockKind.LIST_ITEM and kind is not BlockKind.HEADING:
            self.close_list()
        self.write_caption()
        if self.admonition and kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM):
            kind, fields = BlockKind.ADMONITION, {**fields, "label": self.admonition}
        self.admonition = ""
        self.out.add(kind, text, page, **fields)

    def write_caption(self) -> None:
        if self.caption is not None:
            _, page, text = self.caption
            self.caption = None
            self.out.add(BlockKind.PARAGRAPH, text, page)

    def joined(self, group: list[_Line]) -> str:
        """The lines as one paragraph, words hyphenated at line ends joined. Where the
        paragraph goes on on the next page, the lines are joined by a line feed instead of a
        space (:data:`~retrieval.reading.blocks.PAGE_BREAK`, one per page turned): a prose
        block's text has no other, so a quote's page is found from its offset
        (:func:`~retrieval.reading.blocks.page_at`). A word hyphenated across the page break
        is joined whole, and the break goes at the first word gap after it."""
        text = group[0].text
        pending = ""  # page breaks not yet written: a hyphenated word was joined across them
        for before, line in pairwise(group):
            following = line.text
            if line.page > before.page:
                pending += PAGE_BREAK * (line.page - before.page)
            end = re.search(r"(\w+)-$", text)
            start = re.match(r"([a-z]\w*)", following)
            if end and start is None and end.group(1).isupper():
                # Capitals split the same way: "OP-" + "TIONAL", "ASN1_ELE-" + "MENT_NOT_FOUND".
                start = re.match(r"([A-Z]\w*)", following)
                start = start if start and start.group(1).isupper() else None
            if end and start:  # "configu-" + "ration"; "top-" + "level" where spelt so
                compound = f"{end.group(1)}-{start.group(1)}" in self.hyphenated
                if pending and " " in following:  # "confi-" | "dence. He": "dence.\nHe"
                    word, rest = following.split(" ", 1)
                    following, pending = f"{word}{pending}{rest}", ""
                text = (text if compound else text[:-1]) + following
            elif self.literal_break(before, line, text):
                text = f"{text}{pending}{following}"  # "flaskr/static/" | "style.css"
                pending = ""
            else:
                text = f"{text}{pending or ' '}{following}"
                pending = ""
        return " ".join(text.split(" ")) if text else text

    @staticmethod
    def literal_break(before: _Line, line: _Line, text: str) -> bool:
        """Did the typesetter break an inline literal after a "/" or "." inside it (as
        Sphinx's LaTeX lets it: ``flaskr/static/`` | ``style.css``, ``yourproject.`` |
        ``whl``)? Then the two halves are one word: the line ends in a monospace run with
        the mark and the next starts with one. In prose only (a code listing's lines are
        never joined so), and not when the mark ends a sentence in the prose's own font."""
        return (
            not before.mono
            and before.ends_mono
            and line.starts_mono
            and text[-1:] in _LITERAL_BREAKS
            and not text[-2:-1].isspace()
            and bool(line.text[:1])
            and not line.text[:1].isspace()
        )


_LITERAL_BREAKS = "/."
"""Where Sphinx's LaTeX may break an inline literal without a hyphen (a path's or a
dotted name's separator)."""


def parse_pdf(
    data: bytes,
    *,
    max_pages: int = MAX_PAGES,
    time_budget: float = TIME_BUDGET_SECONDS,
    max_page_bytes: int = MAX_PAGE_CONTENT_BYTES,
) -> PdfReading:
    """A PDF's text, blocks and warnings. An unreadable file gives empty text and, as its
    first warning, the reason it is skipped (password-protected, damaged, no text layer)."""
    reader, reason = _open(data)
    if reader is None:
        return PdfReading("", [], [reason])
    pages, warnings = _page_lines(reader, max_pages, time_budget, max_page_bytes)
    if not any(pages):
        return PdfReading(
            "", [], ["skipped: it has no text layer (a scan or images only; OCR it first)."]
        )
    outline = _outline(reader)
    titles = {_norm(title) for entries in outline.values() for title, _ in entries}
    kept = [_join_wrapped_code(lines) for lines in _drop_furniture(pages, titles - {""})]
    builder = _Builder(kept, outline)
    blocks = builder.build()
    text = "".join(builder.out.parts)
    title = ""
    try:
        meta = reader.metadata
        title = " ".join(str(meta.title).split()) if meta is not None and meta.title else ""
    except Exception:
        title = ""
    return PdfReading(text, blocks, warnings, len(reader.pages), title)


def read_pdf(data: bytes) -> tuple[str, list[Block], list[str]]:
    """The text of a PDF, the blocks over it (with pages), and warnings for the user."""
    reading = parse_pdf(data)
    return reading.text, reading.blocks, reading.warnings
