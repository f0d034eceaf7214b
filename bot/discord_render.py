"""Answers, sources and help as Discord message payloads: pure functions, no I/O, no discord.py.

Everything a user or a document wrote is escaped here, once, so that neither a question nor a
file can ping anyone or break the layout, and every payload is cut to fit Discord's limits here,
so the bot never gets a 400 for a long paragraph. Keeping this pure is what lets the limits be
property-tested against any input instead of a handful of examples.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from retrieval import AbstainReason, Answer, Citation, Passage, QuotedBlock, SourceSummary

from .display import clip_graphemes, isolate
from .highlight import display_line, mark
from .markup import (
    Piece,
    Resolver,
    block_lines,
    cut_lines,
    included_file,
    inline_pieces,
    is_markdown,
    is_rst,
    join_list_lines,
    list_item,
    quote_resolver,
)

# --- Discord's limits (https://discord.com/developers/docs/resources/message#embed-object) ---
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
BUTTONS_MAX = 25  # five action rows of five buttons
ROW_MAX = 5
ROWS_MAX = 5

# Our own, tighter budgets: a message that uses every last character is unreadable anyway.
QUESTION_BUDGET = 300
ANSWER_BUDGET = 3000
CITATIONS_SHOWN = 10
PARAGRAPH_BUDGET = 3800
NEIGHBOUR_BUDGET = 300
BLOCK_BUDGET = 1200
"""The most characters of one quoted block in an answer (its whole text: Show paragraph)."""
BLOCK_LINES = 20
SHOWN_BLOCK_BUDGET = 3900
"""The most characters of a block under "Show paragraph" (a second embed)."""

COLOUR_ANSWER = 0x2B7A78
COLOUR_ABSTAIN = 0x8A8A8A
ELLIPSIS = "…"
SHOW_PREFIX = "citebot:p:"
"""custom_id prefix of the "Show paragraph" buttons; the rest is the passage id and, when the
answer quoted a block after it, ``:`` and where that block starts counted from the paragraph's
end (not from the file's start: an edit above the paragraph keeps its id, and must keep this)."""
SHOW_CUSTOM_ID = re.compile(
    re.escape(SHOW_PREFIX) + r"(?P<passage>[\w-]{1,80})(?::(?P<at>\d{1,9}))?"
)
"""The one rule for a button's custom_id: rendered buttons and the bot's handler share it."""


def show_custom_id(passage_id: str, block_after: int | None = None) -> str:
    """A "Show paragraph" button's custom_id: the passage and, when given, where the block the
    answer quoted after it starts, as an offset past the paragraph's end (a content tab the
    question named, not the first tab's), so that the button shows that block."""
    at = "" if block_after is None or block_after < 0 else f":{block_after}"
    return SHOW_PREFIX + passage_id + at


def show_target(key: str) -> tuple[str, int | None]:
    """The passage id and the quoted block's offset past the paragraph's end (None: not given,
    an older button) of a "Show paragraph" custom_id without its prefix
    (:func:`show_custom_id`)."""
    passage_id, _, at = key.partition(":")
    return passage_id, int(at) if at.isdigit() else None


VOTE_PREFIX = "citebot:vote:"
VOTE_CUSTOM_ID = re.compile(
    re.escape(VOTE_PREFIX) + r"(?P<vote>up|down):(?P<answer>[A-Za-z0-9_-]{1,40})"
)
"""custom_id of the 👍/👎 buttons: the vote and the answer's id in the feedback database, which
holds the question and citations, so the button needs nothing else to work after a restart."""
VOTE_REPLIES = {
    "up": "Thanks — noted.",
    "down": "Thanks — we'll use this to improve the answers.",
    "unknown": "Sorry, I no longer have a record of that answer, so I couldn't note your vote. "
    "Ask again and vote on the new answer, if you like.",
    "off": "Thanks, but feedback is switched off now, so I couldn't note your vote.",
    "failed": "Sorry, I couldn't save your vote just now. Please try again in a moment.",
}
"""The private reply to a vote, by outcome: stored ("up"/"down"), or why not."""

ABSTAIN_MESSAGES = {
    AbstainReason.NO_MATCH: "I couldn't find anything about that in the documents.",
    AbstainReason.LOW_CONFIDENCE: (
        "The documents don't seem to answer that: the closest paragraphs match only part of "
        "the question, so I'd rather not quote them as an answer."
    ),
}
APOLOGY = "Sorry, something went wrong while answering that. Please try again in a moment."


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    custom_id: str
    row: int | None = None
    """The action row (0-4) it must sit in; None: the next free place, as Discord lays out."""


@dataclass(frozen=True, slots=True)
class Payload:
    """A message as Discord receives it: ``embeds`` are embed objects in Discord's JSON shape."""

    content: str = ""
    embeds: tuple[dict[str, Any], ...] = ()
    buttons: tuple[Button, ...] = ()


# --- escaping ---

# Any ASCII punctuation Discord's markdown could act on. Its parser treats a backslash before any
# non-alphanumeric character as an escape and hides the backslash, so over-escaping is invisible.
_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:+]|(?<=\d)\.)")
# Mentions that could ping (or render as a pill) even with the angle bracket escaped.
_AT = re.compile(r"@(?=everyone|here|[!&]?\d|[^\s@]{2,32}#\d{4})", re.IGNORECASE)
ZWSP = "\u200b"


def flatten(text: str) -> str:
    """One line, single spaces: a hard-wrapped or multi-line text can't start a heading or list."""
    return display_line(text)


def _escape_inline(text: str) -> str:
    text = _AT.sub("@" + ZWSP, text)
    return _MARKDOWN.sub(r"\\\1", text)


def escape(text: str) -> str:
    """``text`` shown literally: no markdown, no mention, no emoji or channel pill, one line."""
    return _escape_inline(flatten(text))


def highlight(text: str, terms: frozenset[str], language: str = "en") -> str:
    """``text`` escaped, with each word whose analysed form is a query term in bold."""
    return mark(
        flatten(text), terms, lambda w: f"**{_escape_inline(w)}**", _escape_inline, language
    )


# --- quoted Markdown, sent as Markdown ---

_CODE_MENTION = re.compile(r"@(?=everyone|here)|<(?=[@#][!&]?\d)", re.IGNORECASE)
_LANG = re.compile(r"[^\w+#.-]")
_URL_UNSAFE = {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", "`": "%60"}


def _code_text(text: str) -> str:
    """Code shown inside backticks: mentions broken with a zero-width space (a code span
    never pings, but a copy pasted elsewhere might), control characters dropped."""
    return _CODE_MENTION.sub(
        lambda m: m.group() + ZWSP, display_line(text) if "\n" not in text else text
    )


def _inline_code(text: str) -> str:
    """One inline code span: single backticks, or double ones around code holding a backtick;
    a run of two backticks inside is broken so the span always closes where it should."""
    code = _code_text(text).replace("``", "`" + ZWSP + "`")
    if not code.strip():
        return ""
    if "`" in code:
        return f"`` {code} ``"
    return f"`{code}`"


def _safe_url(url: str) -> str:
    return "".join(_URL_UNSAFE.get(ch, ch) for ch in url)


def _piece(piece: Piece) -> str:
    text = _inline_code(piece.text) if piece.code else _escape_inline(piece.text)
    if not text:
        return ""
    if piece.strong and piece.em:
        text = f"***{text}***"
    elif piece.strong:
        text = f"**{text}**"
    elif piece.em:
        text = f"*{text}*"
    if piece.url:
        text = f"[{text}]({_safe_url(piece.url)})"
    return text


def markdown_line(
    text: str, *, markdown: bool = True, resolve: Resolver | None = None, rst: bool = False
) -> str:
    """A quote on one line as Discord Markdown: inline code, emphasis and links kept (links only
    when absolute), everything else escaped, mentions impossible. A reStructuredText quote's
    roles, literals and links become the same Markdown; other sources are escaped as plain
    text."""
    if not markdown and not rst:
        return escape(text)
    pieces = inline_pieces(display_line(text), markdown=markdown, resolve=resolve, rst=rst)
    out: list[str] = []
    for piece in pieces:
        rendered = _piece(piece)
        # Two marked pieces side by side ("**a***b*") would merge their markers: a space-free
        # join is kept only where a marker cannot touch another.
        if out and rendered[:1] in "*[`" and out[-1][-1:] in "*)`":
            out.append(ZWSP)
        out.append(rendered)
    return "".join(out)


def _fence_body(lines: Sequence[str]) -> str:
    """Lines that can sit inside a fence: a run of three backticks is broken so that it cannot
    close the fence early, mentions broken, control characters (but tabs) dropped."""
    cleaned = []
    for line in lines:
        line = "".join(ch for ch in line.replace("\t", "    ") if ch.isprintable())
        cleaned.append(
            _CODE_MENTION.sub(lambda m: m.group() + ZWSP, line).replace("``", "`" + ZWSP + "`")
        )
    return "\n".join(cleaned)


def render_block(
    block: QuotedBlock,
    limit: int,
    *,
    max_lines: int = BLOCK_LINES,
    markdown: bool = True,
    resolve: Resolver | None = None,
    rst: bool = False,
) -> str:
    """A quoted block in at most ``limit`` characters: code and tables as a fenced block (code
    with its language), lists as "•" lines of Markdown; cut at a line with "…" when it does
    not fit, and then a pointer to the button that shows it whole. "" when nothing fits."""
    included = included_file(block.text, block.kind) if rst else None
    if included is not None:
        rendered = f"*(here the page shows the file {_inline_code(included)})*"
        return rendered if len(rendered) <= limit else ""
    shown = block_lines(block.text, block.kind, block.lang, block.indent)
    note = f"\n*(the whole block: Show paragraph [{block.citation}])*" if block.citation else ""
    budget = limit - len(note) - 16
    while budget > 0:
        lines, cut = cut_lines(shown.lines, max_lines=max_lines, max_chars=budget)
        cut = cut or block.cut
        if block.kind == "list" and (markdown or rst):
            body = "\n".join(_list_line(line, resolve, rst) for line in join_list_lines(lines))
            body += "\n…" if cut else ""
        else:
            lang = _LANG.sub("", shown.lang)[:20] if block.kind == "code" else ""
            body = f"```{lang}\n{_fence_body(lines)}" + ("\n…" if cut else "") + "\n```"
        rendered = body + (note if cut else "")
        if len(rendered) <= limit:
            return rendered
        budget = min(budget - 1, budget * limit // max(len(rendered), 1))
    return ""


def _list_line(line: str, resolve: Resolver | None, rst: bool = False) -> str:
    item = list_item(line)
    depth = (len(line) - len(line.lstrip())) // 2
    pad = "\u00a0\u00a0" * min(depth, 8)
    markdown = not rst
    if item is None:
        return pad + markdown_line(line, markdown=markdown, resolve=resolve, rst=rst)
    marker = "•" if item[1] in "-*+" else escape(item[1])
    return f"{pad}{marker} {markdown_line(item[2], markdown=markdown, resolve=resolve, rst=rst)}"


def clip(text: str, limit: int) -> str:
    """Plain (not yet escaped) text cut to ``limit`` characters at a word boundary, with "…"."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = clip_graphemes(text, limit - 1)  # never half of "é" or of an emoji
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _fit(raw: str, limit: int, render: Callable[[str], str]) -> str:
    """``render(clip(raw, n))`` for the largest n whose rendering fits in ``limit``.

    Escaping and bold grow the text by an amount that depends on its characters, so the window
    is shrunk until the rendering fits; it always ends, since an empty window renders to "".
    Rendering never shortens text, so the search starts at ``limit``, not at a huge paragraph.
    """
    size = min(len(raw), limit)
    while True:
        rendered = render(clip(raw, size))
        if len(rendered) <= limit:
            return rendered
        if size <= 1:
            return ""
        size = min(size - 1, size * limit // max(len(rendered), 1))


def _continues_cluster(ch: str) -> bool:
    """A combining mark, joiner or variation selector: never the start of a character."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch in "\u200d\ufe0e\ufe0f"


def _window(text: str, start: int, end: int, size: int) -> str:
    """About ``size`` characters of ``text`` around ``text[start:end]``, "…" where cut."""
    if len(text) <= size:
        return text
    if end - start >= size:
        left, right = start, start + size
    else:
        spare = size - (end - start)
        left = max(0, start - spare // 2)
        right = min(len(text), left + size)
        left = max(0, right - size)
    if left > 0:
        space = text.find(" ", left, start if start > left else left + 1)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", max(end, left + 1), right)
        right = space if space != -1 else right
    right = left + len(clip_graphemes(text[left:right], right - left))
    while left < right and _continues_cluster(text[left]):
        left += 1  # a cut inside "é" or an emoji moves to the next whole character
    head = ELLIPSIS if left > 0 else ""
    tail = ELLIPSIS if right < len(text) else ""
    return head + text[left:right] + tail


def excerpt(
    passage: Passage,
    focus: tuple[int, int] | None,
    terms: frozenset[str],
    limit: int,
    language: str = "en",
) -> str:
    """The passage, query terms bold, trimmed around ``focus`` (file offsets) to ``limit``.

    A Markdown or reStructuredText passage is shown by its words (as
    :func:`markup.inline_pieces` reads them; links by their words, which the answer above
    links), since the excerpt is escaped: its raw backticks, ``{func}`` roles and
    ``[text](url)`` would otherwise show literally beside an answer that renders them."""
    markdown, rst = is_markdown(passage.source), is_rst(passage.source)

    def words(raw: str) -> str:
        if not (markdown or rst):
            return flatten(raw)
        return flatten("".join(p.text for p in inline_pieces(raw, markdown=markdown, rst=rst)))

    text = words(passage.text)
    if focus is not None:
        # Locate the quoted sentence in the flattened text by its flattened words.
        quoted = words(passage.text[focus[0] - passage.start : focus[1] - passage.start])
        at = text.find(quoted) if quoted else -1
        start, end = (at, at + len(quoted)) if at >= 0 else (0, 0)
    else:
        start = end = 0
    size = min(len(text), limit)  # rendering never shortens text
    while True:
        rendered = highlight(_window(text, start, end, size), terms, language)
        if len(rendered) <= limit:
            return rendered
        if size <= 1:
            return ""
        size = min(size - 1, size * limit // max(len(rendered), 1))


def _cap(text: str, limit: int) -> str:
    """A last-resort hard cut of already-rendered text (our own wording, never user text)."""
    return text if len(text) <= limit else clip_graphemes(text, limit - 1) + ELLIPSIS


# --- answers ---


def _location(passage: Passage, page: int = 0) -> str:
    """Where a passage is, as the terminal cites it, so a reader can open the file there:
    ``guide.md:42``, ``manual.pdf p. 12`` (``page``: a citation's, where its quote is), or
    ``notes · ¶ 3`` when no line is known (a paragraph number cannot be looked up in an
    editor)."""
    if page or passage.page:
        return f"{passage.source} p. {page or passage.page}"
    if passage.line:
        return f"{passage.source}:{passage.line}"
    return f"{passage.source} · ¶ {passage.paragraph}"


LINK_TITLE_MAX = 100
"""The linked citation title at the top of a field is cut to this many characters."""


def linked_title(citation: Citation, limit: int = LINK_TITLE_MAX) -> str:
    """The citation's place as a Discord link to its section — ``[guide/install.md ›
    Installing Python](https://…/guide/install/#installing-python)`` — or "" when the corpus
    has no published URL (field names cannot hold links, so this leads the field's value)."""
    if not citation.url or not citation.url.startswith(("https://", "http://")):
        return ""
    passage = citation.passage
    place = passage.source + (f" › {passage.headings[-1]}" if passage.headings else "")
    url = citation.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    text = _fit(place, max(10, limit), escape)
    return f"[{text}]({url})"


def _answer_text(answer: Answer, limit: int, resolve: Resolver | None = None) -> str:
    """The quoted sentences with their ``[n]`` as Markdown, each block a sentence introduces on
    lines of its own after it; whole sentences dropped (or the first trimmed) rather than
    cutting a quote and its citation apart, and a block cut at a line to what is left."""
    sources = {c.n: c.passage.source for c in answer.citations}
    resolvers = {c.n: resolve or quote_resolver(c, answer.source_url) for c in answer.citations}
    after: dict[int, list[QuotedBlock]] = {}
    for block in answer.blocks:
        after.setdefault(block.after, []).append(block)
    out = ""
    block_last = False  # a block (code, table, list) ends ``out``: the next sentence starts a line
    for i, sentence in enumerate(answer.sentences):
        markdown = is_markdown(sources.get(sentence.citation, ""))
        rst = is_rst(sources.get(sentence.citation, ""))
        linker = resolvers.get(sentence.citation)

        def render(
            text: str, markdown: bool = markdown, linker: Resolver | None = linker, rst: bool = rst
        ) -> str:
            return markdown_line(text, markdown=markdown, resolve=linker, rst=rst)

        marker = f" [{sentence.citation}]"
        joint = "" if not out else ("\n" if block_last else " ")
        budget = limit - len(out) - len(joint) - len(marker)
        rendered = isolate(render(sentence.text))
        if len(rendered) > budget:
            if out or budget < 40:
                break
            rendered = _fit(sentence.text, budget, render)
        out += joint + rendered + marker
        block_last = False
        for block in after.get(i, []):
            room = min(BLOCK_BUDGET, limit - len(out) - 1)
            shown = (
                render_block(block, room, markdown=markdown, resolve=linker, rst=rst)
                if room > 40
                else ""
            )
            if shown:
                out += "\n" + shown
                block_last = True
    return out


def _citation_fields(
    citations: Sequence[Citation],
    focus: dict[int, tuple[int, int]],
    terms: frozenset[str],
    budget: int,
    prefix: str,
    language: str = "en",
) -> list[tuple[Citation, dict[str, Any]]]:
    """One field per citation, as many as the remaining embed budget can show readably."""
    shown = list(citations[:CITATIONS_SHOWN])
    fields: list[tuple[Citation, dict[str, Any]]] = []
    while shown:
        per_field = budget // len(shown)
        name_limit = min(FIELD_NAME_MAX, 120, per_field // 3)
        if per_field >= 60:
            for citation in shown:
                label = f"{prefix}[{citation.n}] "
                link = linked_title(citation)
                place = _location(citation.passage, citation.shown_page)
                headings = citation.passage.headings
                if not link and headings:  # else the link, in the value, names the section
                    place += f" › {headings[-1]}"
                name = label + _fit(place, name_limit - len(label), escape)
                value_limit = min(FIELD_VALUE_MAX, per_field - len(name))
                if link and len(link) + 60 < value_limit:
                    value_limit -= len(link) + 1
                else:
                    link = ""
                value = excerpt(
                    citation.passage, focus.get(citation.n), terms, value_limit, language
                )
                value = f"{link}\n{value}" if link and value else value
                field = {"name": name, "value": value or ELLIPSIS, "inline": False}
                fields.append((citation, field))
            return fields
        shown.pop()
    return fields


def _footer(answer: Answer) -> str:
    if answer.answered:
        return (
            f"Quoted verbatim from the documents · confidence {answer.confidence:.0%} · "
            "Show paragraph: the buttons below"
        )
    return "Nothing was quoted: these paragraphs only share some words with the question."


def render_answer(answer: Answer) -> Payload:
    """The reply to a question: one embed with the answer (or the abstention), the cited
    passages as fields, and a "Show paragraph" button per shown citation."""
    terms = frozenset(answer.query_terms)
    question = "**Question:** " + _fit(answer.question, QUESTION_BUDGET, escape)
    if answer.answered:
        title = "Answer"
        body = _answer_text(answer, ANSWER_BUDGET)
        citations: Sequence[Citation] = answer.citations
        focus: dict[int, tuple[int, int]] = {}
        for sentence in answer.sentences:
            focus.setdefault(sentence.citation, (sentence.start, sentence.end))
        colour, prefix = COLOUR_ANSWER, ""
    else:
        title = "No answer found"
        reason = answer.abstain_reason or AbstainReason.NO_MATCH
        body = ABSTAIN_MESSAGES[reason]
        if answer.related:
            body += "\nMaybe related:"
        citations, focus, colour, prefix = answer.related, {}, COLOUR_ABSTAIN, "Maybe "
    if answer.follow_up is not None:
        earlier = _fit(answer.follow_up.question, QUESTION_BUDGET, escape)
        question += f"\n*Follow-up to question {answer.follow_up.turn}: {earlier}*"
    description = _cap(f"{question}\n\n{body}", DESCRIPTION_MAX)
    footer = _cap(_footer(answer), FOOTER_MAX)
    budget = EMBED_TOTAL_MAX - len(title) - len(description) - len(footer)
    fields = _citation_fields(citations, focus, terms, budget, prefix, answer.language)
    embed = {
        "title": title,
        "description": description,
        "color": colour,
        "fields": [f for _, f in fields],
        "footer": {"text": footer},
    }
    quoted = {b.citation: b.start for b in answer.blocks} if answer.answered else {}
    ids = (
        (c, show_custom_id(c.passage.id, _after(quoted.get(c.n), c.passage.end))) for c, _ in fields
    )
    buttons = tuple(
        Button(label=f"Show paragraph [{c.n}]", custom_id=custom_id)
        for c, custom_id in ids
        if SHOW_CUSTOM_ID.fullmatch(custom_id)
    )[:BUTTONS_MAX]
    return Payload(embeds=(embed,), buttons=buttons)


def _after(start: int | None, end: int) -> int | None:
    """A quoted block's ``start`` as an offset past its paragraph's ``end`` (None: no block)."""
    return None if start is None else start - end


THREAD_NAME_MAX = 100


def thread_name(question: str) -> str:
    """A thread's name from the question that started it: one line, within Discord's 100."""
    return clip(flatten(question), THREAD_NAME_MAX).strip() or "citebot"


# --- other replies ---


def with_votes(payload: Payload, answer_id: str) -> Payload:
    """``payload`` with 👍 and 👎 buttons for the answer stored as ``answer_id``, in a row of
    their own under the "Show paragraph" buttons (which lose their last row if all five rows
    were taken). An id the handler could not route leaves the payload as it was."""
    up, down = (f"{VOTE_PREFIX}{vote}:{answer_id}" for vote in ("up", "down"))
    if not VOTE_CUSTOM_ID.fullmatch(up):
        return payload
    shown = payload.buttons[: (ROWS_MAX - 1) * ROW_MAX]
    row = len(button_rows(shown))
    votes = (Button("👍", up, row), Button("👎", down, row))
    return Payload(payload.content, payload.embeds, shown + votes)


def button_rows(buttons: Sequence[Button]) -> list[list[Button]]:
    """The action rows Discord (and discord.py's View) makes of ``buttons``: each button in its
    ``row``, or else in the first row from the top with room for it."""
    rows: dict[int, list[Button]] = {}
    for button in buttons:
        row = button.row
        if row is None:
            row = next(r for r in range(len(buttons) + 1) if len(rows.get(r, [])) < ROW_MAX)
        rows.setdefault(row, []).append(button)
    return [rows.get(r, []) for r in range(max(rows, default=-1) + 1)]


def render_vote(outcome: str) -> Payload:
    """The private reply to a 👍/👎 click, by outcome (the keys of :data:`VOTE_REPLIES`)."""
    return Payload(content=VOTE_REPLIES.get(outcome, VOTE_REPLIES["failed"]))


def render_paragraph(
    passage: Passage,
    before: Passage | None = None,
    after: Passage | None = None,
    block: QuotedBlock | None = None,
) -> Payload:
    """The whole paragraph (up to what one message can hold) and its neighbours' first lines;
    with ``block`` (the code, list or table the paragraph introduces, whole), that block in a
    second embed, as much of it as the message can hold."""
    text = flatten(passage.text)
    markdown, rst = is_markdown(passage.source), is_rst(passage.source)

    def render(raw: str) -> str:  # Markdown/rst as Discord Markdown, as the answer shows it
        return markdown_line(raw, markdown=markdown, rst=rst)

    description = _fit(text, PARAGRAPH_BUDGET, render)
    if len(description) < len(render(text)):
        description += f"\n*(cut: the paragraph is {len(text):,} characters long)*"
    fields: list[dict[str, Any]] = []
    for label, neighbour in (("Before", before), ("After", after)):
        if neighbour is not None:
            first_line = next((ln for ln in neighbour.text.splitlines() if ln.strip()), "")
            name = f"{label}: " + (
                f"line {neighbour.line}"
                if neighbour.line and not neighbour.page
                else f"¶ {neighbour.paragraph}"
            )
            fields.append({"name": name, "value": _fit(first_line, NEIGHBOUR_BUDGET, escape)})
    if passage.context:
        description = f"*{_fit(passage.context, 200, escape)}*\n\n{description}"
    embed: dict[str, Any] = {
        "title": _fit(_location(passage), TITLE_MAX, escape),
        "description": description,
        "fields": [f for f in fields if f["value"]],
    }
    if block is None:
        return Payload(embeds=(embed,))
    used = (
        len(embed["title"])
        + len(description)
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    )
    room = min(SHOWN_BLOCK_BUDGET, EMBED_TOTAL_MAX - used - 10)
    whole = QuotedBlock(
        block.kind, block.text, block.start, block.end, 0, block.lang, indent=block.indent
    )
    shown = render_block(
        whole,
        room,
        max_lines=10**6,
        markdown=is_markdown(passage.source),
        rst=is_rst(passage.source),
    )
    if not shown:
        return Payload(embeds=(embed,))
    return Payload(embeds=(embed, {"description": shown}))


def render_sources(sources: Sequence[SourceSummary]) -> Payload:
    """The documents as "name — N paragraphs" lines, as many as fit, then how many more."""
    lines: list[str] = []
    used = 0
    budget = DESCRIPTION_MAX - 100
    for i, (source, title, paragraphs) in enumerate(
        (s.source, s.title, s.paragraphs) for s in sources
    ):
        line = f"• {_fit(source, 200, escape)} — {paragraphs:,} paragraph" + (
            "s" if paragraphs != 1 else ""
        )
        if title:
            line += f" · *{_fit(title, 150, escape)}*"
        if used + len(line) + 1 > budget:
            lines.append(f"… and {len(sources) - i:,} more")
            break
        lines.append(line)
        used += len(line) + 1
    total = sum(s.paragraphs for s in sources)
    embed = {
        "title": f"Sources ({len(sources):,} documents, {total:,} paragraphs)",
        "description": "\n".join(lines) or "No documents.",
    }
    return Payload(embeds=(embed,))


HELP_TEXT = (
    "**citebot** answers questions from a folder of documents by quoting them, word for word, "
    "with a numbered citation `[n]` for every sentence. It never makes anything up: if the "
    "documents don't answer, it says so and shows what may be related.\n\n"
    "• `/ask question:<your question>` — ask in this channel.\n"
    "• Mention me with a question, e.g. `@citebot when was the ordinance passed?` — I reply "
    "to your message.\n"
    "• **Show paragraph** buttons under an answer show the whole cited paragraph, only to you.\n"
    "• `/sources` — the documents I answer from.\n\n"
    "Ask about something specific: I search for the words of your question, so names and "
    "rare words work best."
)


def render_help() -> Payload:
    return Payload(embeds=({"title": "How to use citebot", "description": HELP_TEXT},))


def render_notice(text: str) -> Payload:
    """A short plain message (errors, cooldowns): escaped, since it may quote the user."""
    return Payload(content=_fit(text, CONTENT_MAX, escape))


def render_apology() -> Payload:
    return Payload(content=APOLOGY)


def render_cooldown(seconds: float) -> Payload:
    wait = max(1, round(seconds + 0.49))
    return Payload(content=f"You're asking quickly! Please try again in {wait} s.")


def limit_problems(payload: Payload) -> list[str]:
    """Every Discord limit ``payload`` breaks (empty when it can be sent)."""
    problems: list[str] = []
    if len(payload.content) > CONTENT_MAX:
        problems.append(f"content {len(payload.content)} > {CONTENT_MAX}")
    if len(payload.embeds) > EMBEDS_MAX:
        problems.append(f"{len(payload.embeds)} embeds > {EMBEDS_MAX}")
    total = 0
    for embed in payload.embeds:
        checks = [
            ("title", embed.get("title", ""), TITLE_MAX),
            ("description", embed.get("description", ""), DESCRIPTION_MAX),
            ("footer", embed.get("footer", {}).get("text", ""), FOOTER_MAX),
        ]
        fields = embed.get("fields", [])
        if len(fields) > FIELDS_MAX:
            problems.append(f"{len(fields)} fields > {FIELDS_MAX}")
        for f in fields:
            checks += [("field name", f["name"], FIELD_NAME_MAX)]
            checks += [("field value", f["value"], FIELD_VALUE_MAX)]
            if not f["name"] or not f["value"]:
                problems.append("empty field name or value")
        for what, text, limit in checks:
            total += len(text)
            if len(text) > limit:
                problems.append(f"{what} {len(text)} > {limit}")
    if total > EMBED_TOTAL_MAX:
        problems.append(f"embed text {total} > {EMBED_TOTAL_MAX}")
    if len(payload.buttons) > BUTTONS_MAX:
        problems.append(f"{len(payload.buttons)} buttons > {BUTTONS_MAX}")
    for button in payload.buttons:
        if len(button.label) > BUTTON_LABEL_MAX or len(button.custom_id) > CUSTOM_ID_MAX:
            problems.append(f"button {button.label!r} too long")
    rows = button_rows(payload.buttons)
    if len(rows) > ROWS_MAX:
        problems.append(f"{len(rows)} button rows > {ROWS_MAX}")
    if any(len(row) > ROW_MAX for row in rows):
        problems.append(f"a button row holds more than {ROW_MAX}")
    return problems
