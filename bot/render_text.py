"""Answers as terminal text: the quoted sentences with [n], then where each quote comes from.

Quoted Markdown is shown as a reader knows it (:mod:`bot.markup`): no raw ``**`` or backticks,
links as ``text (url)``, and a code block, list or table a sentence introduces set apart and
indented under it, cut at a line with "…" past :data:`BLOCK_LINES` lines (``:source n`` in the
REPL shows it whole). Colour (ANSI) is used only when asked, which the front ends do only for a
real terminal, so piped output and test transcripts stay plain text.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence

from retrieval import AbstainReason, Answer, Citation, Passage, QuotedBlock, SourceSummary

from .display import fit_width, isolate, width
from .display import width as display_width
from .display import wrap as wrap_display
from .highlight import display_line, mark
from .markup import (
    Resolver,
    block_lines,
    cut_lines,
    included_file,
    inline_pieces,
    is_markdown,
    is_rst,
    join_list_lines,
    list_item,
    plain_text,
    quote_resolver,
)

LinkResolver = Callable[[str, str], str | None]
"""(source file, link target as written) → absolute URL, or None: how relative links in quotes
become links a reader can open (the corpus's published base URL)."""

SNIPPET_CHARS = 90
"""Snippet length when the width is unknown (piped output)."""
MIN_SNIPPET_CHARS = 30
_MARKER = re.compile(r"\[\d+\]")
_BOLD_YELLOW = "\x1b[1;33m"
_CYAN = "\x1b[36m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"
_GREEN = "\x1b[32m"
BLOCK_LINES = 25
"""The most lines of a quoted block shown in an answer (the rest: ``:source n``)."""
BLOCK_CHARS = 2500
BLOCK_INDENT = "    "


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text`` in at most ``limit`` characters, cut at a word boundary with "…"."""
    flat = display_line(text)
    if width(flat) <= limit:
        return flat
    room = max(1, limit - 2)
    head = fit_width(flat, room)  # by display columns, never splitting a character
    cut = head.rsplit(" ", 1)[0] or head
    if width(cut) < width(head) * 2 // 3:
        # No space near the end: text without spaces (Chinese, Japanese, Thai) or one long
        # word; cut by width rather than fall back to the last space, however early it is.
        cut = head
    return cut.rstrip(",;:") + " …"


def _highlight(text: str, terms: Sequence[str], color: bool, language: str = "en") -> str:
    if not color:
        return text
    return mark(text, terms, lambda w: _paint(w, _BOLD_YELLOW, True), language=language)


def _wrap(text: str, width: int | None) -> list[str]:
    """Word-wrapped lines on a terminal (no word cut in two); one line when piped."""
    if width is None:
        return [text]
    if not text.isascii():  # by display columns: CJK characters take two, marks none
        return wrap_display(text, width)
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


HEADING_CHARS = 40
"""The nearest heading shown in a citation line is cut to this many characters."""
SHARED_SNIPPET_CHARS = 40
"""On a narrow terminal the heading is cut first, so the snippet keeps at least this much."""


def passage_place(passage: Passage, page: int = 0) -> str:
    """A paragraph's place as a reader opens it: ``guide.md:42`` (1-based line),
    ``manual.pdf p.3`` (``page``: a citation's, where its quote is; else the paragraph's), or
    ``page.html ¶7`` where neither is known."""
    where = display_line(passage.source)
    if page or passage.page:
        return f"{where} p.{page or passage.page}"
    if passage.line:
        return f"{where}:{passage.line}"
    return f"{where} ¶{passage.paragraph}"


def citation_place(citation: Citation, heading_chars: int = HEADING_CHARS) -> str:
    """Where a citation points, as a reader opens it: ``guides/install.md:42 › Installing
    Python`` (file, 1-based line, nearest heading cut to ``heading_chars``; none below 8),
    ``report.pdf p.3``, or ``file ¶p`` when the line is not known."""
    passage = citation.passage
    where = passage_place(passage, citation.shown_page)
    if passage.headings and heading_chars >= 8:
        where += f" › {snippet(passage.headings[-1], heading_chars)}"
    return where


def citation_line(
    citation: Citation,
    terms: Sequence[str],
    color: bool,
    width: int | None = None,
    language: str = "en",
) -> str:
    """``  [n] file:line › heading  "start of the paragraph …"``, fitted to one line of
    ``width``; the section's URL follows on a line of its own when the corpus has one."""
    passage = citation.passage
    where = citation_place(citation)
    if width is not None:  # the heading gives way first, so the snippet keeps its room
        bare = len(f"  [{citation.n}] {citation_place(citation, 0)}  ") + 5
        where = citation_place(citation, min(HEADING_CHARS, width - bare - SHARED_SNIPPET_CHARS))
    prefix = f"  [{citation.n}] {where}  "
    room = SNIPPET_CHARS if width is None else width - display_width(prefix) - 2
    below = room < MIN_SNIPPET_CHARS and width is not None  # a narrow terminal: the quote
    if below:  # goes on a line of its own rather than past the edge
        room = max(MIN_SNIPPET_CHARS // 2, (width or 0) - 8)
    pieces = inline_pieces(
        passage.text, markdown=is_markdown(passage.source), rst=is_rst(passage.source)
    )
    words = "".join(p.text for p in pieces)  # a link by its words: a URL would fill the snippet
    quote = _highlight(snippet(words, room), terms, color, language)
    marker = _paint(f"[{citation.n}]", _CYAN, color)
    gap = "\n      " if below else "  "
    line = f'  {marker} {_paint(where, _DIM, color)}{gap}"{quote}"'
    if citation.url:
        line += "\n      " + _paint(citation.url, _DIM, color)
    return line


def abstention_message(answer: Answer) -> str:
    lead = "I couldn't find an answer to that in the documents"
    if answer.abstain_reason is AbstainReason.LOW_CONFIDENCE:
        lacking = ", ".join(f'"{w}"' for w in answer.missing)
        reason = (
            f"the closest paragraph does not mention {lacking}"
            if lacking
            else "the closest paragraphs match too little of what it asks about"
        )
        return f"{lead}: {reason} (confidence {answer.confidence:.2f} that it would be right)."
    if answer.related:
        return f"{lead}: the closest paragraphs do not contain what it asks about."
    return f"{lead}: no paragraph mentions any of its words."


def follow_up_line(answer: Answer, limit: int = SNIPPET_CHARS) -> str | None:
    """``(follow-up to question 1: "Who is the mayor of Denver?")``: which earlier question the
    answer leaned on, so a wrong guess about "he" is visible; None for a question on its own."""
    follow_up = answer.follow_up
    if follow_up is None:
        return None
    return f'(follow-up to question {follow_up.turn}: "{snippet(follow_up.question, limit)}")'


def _sentence_text(
    text: str,
    passage: Passage,
    color: bool,
    resolve: LinkResolver | None,
    fallback: Resolver | None = None,
) -> str:
    """A quoted sentence's words as a terminal shows them: no markup; inline code coloured on a
    terminal; links as ``text (url)`` when they can be made absolute (by ``resolve``, else by
    ``fallback``, the citation's own page rules)."""
    resolver = fallback
    if resolve is not None:

        def resolver(href: str) -> str | None:
            return resolve(passage.source, href)

    out = []
    for piece in inline_pieces(
        display_line(text),
        markdown=is_markdown(passage.source),
        resolve=resolver,
        rst=is_rst(passage.source),
    ):
        words = _paint(piece.text, _GREEN, True) if piece.code and color else piece.text
        out.append(f"{words} ({piece.url})" if piece.url and piece.url != piece.text else words)
    return "".join(out)


def block_display(
    block: QuotedBlock, *, markdown: bool = True, max_lines: int = BLOCK_LINES, rst: bool = False
) -> list[str]:
    """A quoted block as indented terminal lines: code verbatim without its fences, list items
    with "•" and their words without markup, table rows with cells without markup; cut at a
    line with "…" and how to see the whole block."""
    included = included_file(block.text, block.kind) if rst else None
    if included is not None:
        return [f"{BLOCK_INDENT}(here the page shows the file {included})"]
    shown = block_lines(block.text, block.kind, block.lang, block.indent)
    lines, cut = cut_lines(shown.lines, max_lines=max_lines, max_chars=BLOCK_CHARS)
    if block.kind == "list" and (markdown or rst):
        lines = tuple(join_list_lines(lines))
    out = []
    for line in lines:
        verbatim = block.kind == "code" or (rst and block.kind == "table")  # columns line up
        clean = _strip_controls(line) if verbatim else display_line(line)
        if not line.strip():
            out.append("")  # a loose list's gap: no indent left as trailing white space
            continue
        if block.kind == "list" and (markdown or rst):
            item = list_item(line)
            indent = len(line) - len(line.lstrip())
            body = plain_text(item[2] if item else line, markdown=markdown, rst=rst)
            bullet = ("• " if item[1] in "-*+" else item[1] + " ") if item else "  "
            clean = " " * indent + bullet + body
        elif block.kind == "table" and markdown:
            if set(clean) <= set("|:- "):
                continue
            cells = [plain_text(c, markdown=True) for c in clean.strip().strip("|").split("|")]
            clean = " │ ".join(cells)
        out.append(BLOCK_INDENT + clean)
    if cut or block.cut:
        out.append(f"{BLOCK_INDENT}…  (the whole block: :source {block.citation})")
    return out


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _strip_controls(line: str) -> str:
    """A code line as it stands, tabs as spaces, without control or direction characters."""
    return _CONTROLS.sub("", line.replace("\t", "    "))


def render_answer(
    answer: Answer,
    *,
    color: bool = False,
    width: int | None = None,
    resolve: LinkResolver | None = None,
) -> str:
    """The answer as terminal text; ``width`` wraps it to a terminal (None: one line each).
    Blocks a sentence introduces follow it, set apart; ``resolve`` makes relative links
    absolute."""
    terms = answer.query_terms
    note = follow_up_line(answer, max(MIN_SNIPPET_CHARS, (width or SNIPPET_CHARS) - 30))
    head = [_paint(note, _DIM, color)] if note else []
    if not answer.answered:
        lines = head + _wrap(abstention_message(answer), width)
        if answer.related:
            lines.append("Maybe related:")
            lines.extend(
                citation_line(c, terms, color, width, answer.language) for c in answer.related
            )
        return "\n".join(lines)
    lines = head
    passages = {c.n: c.passage for c in answer.citations}
    resolvers = {c.n: quote_resolver(c, answer.source_url) for c in answer.citations}
    after: dict[int, list[QuotedBlock]] = {}
    for block in answer.blocks:
        after.setdefault(block.after, []).append(block)
    pending: list[str] = []

    def flush() -> None:
        body = " ".join(pending)
        lines.extend(
            _MARKER.sub(
                lambda m: _paint(m.group(), _CYAN, color),
                _highlight(line, terms, color, answer.language),
            )
            for line in _wrap(body, width)
            if body
        )
        pending.clear()

    for i, sentence in enumerate(answer.sentences):
        passage = passages[sentence.citation]
        words = _sentence_text(
            sentence.text, passage, color, resolve, resolvers.get(sentence.citation)
        )
        pending.append(f"{isolate(words)} [{sentence.citation}]")
        for block in after.get(i, []):
            flush()
            shown = block_display(
                block, markdown=is_markdown(passage.source), rst=is_rst(passage.source)
            )
            if shown:  # an empty fence shows nothing, not a gap
                lines += ["", *shown, ""]
    flush()
    if lines and not lines[-1]:
        lines.pop()
    lines.extend(citation_line(c, terms, color, width, answer.language) for c in answer.citations)
    return "\n".join(lines)


def render_source(
    passage: Passage,
    block: QuotedBlock | None,
    n: int | None = None,
    resolve: Resolver | None = None,
) -> str:
    """A cited paragraph whole and the block it introduces whole (what ``:source n`` shows):
    the location, the paragraph's words as the answer shows them (no raw ``**`` or backticks,
    links as ``text (url)`` made absolute by ``resolve``; one line, which the REPL wraps), the
    block indented."""
    label = f"[{n}] " if n is not None else ""
    lines = [f"{label}{citation_place(Citation(n or 0, passage, 0.0))}"]
    if passage.context:
        lines.append(f"  ({display_line(passage.context)})")
    lines.append("")
    words = plain_text(
        _strip_controls(passage.text),
        markdown=is_markdown(passage.source),
        resolve=resolve,
        rst=is_rst(passage.source),
    )
    lines.append(isolate(words))
    if block is not None:
        lines.append("")
        lines += block_display(
            block,
            markdown=is_markdown(passage.source),
            max_lines=10**9,
            rst=is_rst(passage.source),
        )
    return "\n".join(lines)


def render_sources(sources: Sequence[SourceSummary]) -> str:
    total = sum(s.paragraphs for s in sources)
    lines = [f"{len(sources)} document(s), {total} paragraph(s):"]
    for s in sources:
        title = f"  — {display_line(s.title)}" if s.title else ""
        lines.append(f"  {display_line(s.source)}  ({s.paragraphs} ¶){title}")
    return "\n".join(lines)


def render_why(answer: Answer, idf: dict[str, float]) -> str:
    """The numbers behind an answer: term weights, paragraph scores, sentence scores."""
    weights = ", ".join(
        f"{t}={idf[t]:.2f}" if idf[t] > 0 else f"{t}=absent" for t in answer.query_terms
    )
    lines = [f"Question terms (IDF; stemmed): {weights}"]
    if answer.variants:
        shown = ", ".join(f"{asked} → {found}" for asked, found in answer.variants)
        lines.append(
            f"Spelling variants (in no paragraph as typed; searched at part weight): {shown}"
        )
    verdict = "answered" if answer.answered else f"abstained ({answer.abstain_reason})"
    lines.append(
        f"Confidence {answer.confidence:.2f} (calibrated: the chance it is right) → {verdict}"
    )
    evidence = answer.evidence
    if evidence is not None:
        lines.append(
            f"Evidence: the question's weight found {evidence.paragraph_share:.2f} in the "
            f"paragraph, {evidence.sentence_share:.2f} in a sentence;"
        )
        lines.append(
            f"  rarest words {evidence.rare_share:.2f}, names {evidence.name_share:.2f}, "
            f"in no paragraph {evidence.missing_share:.2f}, hits agree {evidence.focus:.2f}"
        )
    if answer.missing:
        lines.append("Not in the closest paragraph: " + ", ".join(answer.missing))
    lines.append("Paragraphs (BM25):")
    cited = {c.passage.id: c.n for c in answer.citations}
    for hit in answer.hits:
        tag = f" [{cited[hit.passage.id]}]" if hit.passage.id in cited else ""
        place = passage_place(hit.passage)
        if hit.passage.page:  # a page holds several paragraphs: say which
            place += f" ¶{hit.passage.paragraph}"
        lines.append(f"  #{hit.rank} {hit.score:7.3f}  {place}{tag}")
    if answer.sentences:
        lines.append("Sentences quoted (score):")
        for s in answer.sentences:
            lines.append(f"  [{s.citation}] {s.score:.3f}  {snippet(s.text, 70)}")
    return "\n".join(lines)
