"""Answer units: the code block, table or list a quoted sentence introduces, quoted with it.

The hook after composing (:func:`attach_blocks`): for each quoted sentence that ends its
paragraph — the sentence that says "run this:" — the unit stored as following that paragraph
(:mod:`retrieval.splitting.units`) is quoted whole, verbatim, with the sentence's citation. A
block longer than :data:`MAX_BLOCK_CHARS` is cut at a line end (``QuotedBlock.cut``); front ends
cut further to their own budgets with :func:`cut_at_line` and offer the whole block one click
away. Kept apart from the composer's sentence choice on purpose: which sentences are quoted is
the composer's business, what they bring with them is this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from ..errors import CitationMismatchError
from ..splitting.units import UnitSpan
from ..types import Answer, Passage, QuotedBlock, Sentence

if TYPE_CHECKING:
    from .compose import AnalysedPassage

MAX_BLOCK_CHARS = 6000
"""The most of one block an answer carries (a 10,000-line listing is cut at a line end)."""
_TRAILING = " \t\r\n*_)]\"'”’"
"""What may follow a paragraph's last sentence inside the paragraph (closing emphasis,
brackets, quotes): the sentence still ends the paragraph."""


class Sliceable(Protocol):
    def __getitem__(self, span: slice, /) -> str: ...


def cut_at_line(text: str, limit: int) -> int:
    """The length of the longest prefix of ``text`` of at most ``limit`` characters that ends
    at a line end (without the line break); a first line longer than ``limit`` is cut at
    ``limit``. ``len(text)`` when all of it fits."""
    if len(text) <= limit:
        return len(text)
    cut = max(text.rfind("\n", 0, limit + 1), text.rfind("\r", 0, limit + 1))
    if cut <= 0:
        return max(0, limit)
    while cut > 0 and text[cut - 1] in "\r\n":
        cut -= 1
    return cut


def introduces(sentence: Sentence, passage: Passage) -> bool:
    """Whether ``sentence`` ends its paragraph (nothing but closing marks after it), so that
    what follows the paragraph follows the sentence."""
    offset = sentence.end - passage.start
    return 0 <= offset <= len(passage.text) and not passage.text[offset:].strip(_TRAILING)


_TAB = re.compile(r"([ \t]*)===[!+]?[ \t]+\"([^\"\n]*)\"[ \t]*\r?")
"""A content tab's label line (pymdown-extensions): ``=== "Zsh"``."""
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})([^\n]*)\n(?:.*?\n)??\1\2[ \t]*\r?$", re.M | re.S)
"""A fenced code block (its closing fence as indented as its opening one)."""
_TAB_REACH = 20_000
"""How far after the first tab's block its sibling tabs are looked for."""


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) of each line of ``text[start:end]``, line breaks left out."""
    spans, at = [], start
    while at < end:
        stop = text.find("\n", at, end)
        stop = end if stop < 0 else stop
        spans.append((at, stop))
        at = stop + 1
    return spans


def _later_tabs(text: str, after: int, indent: int) -> tuple[list[tuple[str, int]], int]:
    """The tabs of a set that follow offset ``after`` (each label and where its body starts),
    and where the set ends: at the first line as little indented as the labels that is not
    a label (prose after the tabs), or :data:`_TAB_REACH` on."""
    tabs: list[tuple[str, int]] = []
    end = min(len(text), after + _TAB_REACH)
    for lo, hi in _lines(text, after, end):
        line = text[lo:hi]
        if not line.strip():
            continue
        tab = _TAB.fullmatch(line)
        if tab is not None and len(tab.group(1)) == indent:
            tabs.append((tab.group(2), hi + 1))
        elif len(line) - len(line.lstrip(" \t")) <= indent:
            return tabs, lo
    return tabs, end


def _first_tab(text: str, unit: UnitSpan) -> re.Match[str] | None:
    """The label line of the tab ``unit`` is the code of, when a label stands right before
    it (the first of a set of content tabs); else None."""
    if unit.kind != "code":
        return None
    head = text[max(0, unit.start - 400) : unit.start]
    before = [line for line in head.split("\n")[:-1] if line.strip()]
    return _TAB.fullmatch(before[-1]) if before else None


def _tab_code(text: str, body: int, body_end: int) -> UnitSpan | None:
    """The first fenced code block of a tab's body ``text[body:body_end]`` (verbatim, as a
    unit of its own); None when it has none."""
    fence = _FENCE.search(text, body, body_end)
    if fence is None or fence.end() > body_end:
        return None
    start = fence.start() + len(fence.group(1))
    lang = fence.group(3).strip().split(" ")[0] if fence.group(3).strip() else ""
    return UnitSpan("code", start, fence.end(), lang.strip("{}."))


def named_tab(
    text: str,
    unit: UnitSpan,
    asked: Collection[str],
    label_terms: Callable[[str], Sequence[str]],
) -> UnitSpan | None:
    """When ``unit`` is the code of the first of a set of content tabs (``=== "Bash"``,
    ``=== "Zsh"``, …) and the question names a later tab's label and not the first's, that
    tab's first code block (verbatim, as a unit of its own); else None. A user who asks "in
    zsh" wants the Zsh tab's command, which the stored unit (the first tab's) is not."""
    first = _first_tab(text, unit) if asked else None
    if first is None:
        return None
    wanted = frozenset(asked)
    if not wanted.isdisjoint(label_terms(first.group(2))):
        return None  # the first tab is the one asked for
    tabs, stop = _later_tabs(text, unit.end, len(first.group(1)))
    for n, (label, body) in enumerate(tabs):
        if wanted.isdisjoint(label_terms(label)):
            continue
        return _tab_code(text, body, tabs[n + 1][1] if n + 1 < len(tabs) else stop)
    return None


def tab_at(text: str, unit: UnitSpan, at: int) -> UnitSpan | None:
    """The code block starting at offset ``at`` of a later tab of the set whose first tab's
    code is ``unit`` (what :func:`named_tab` quoted in its place), else None: the block an
    answer quoted, found again without its question ("Show paragraph", ``:source n``)."""
    first = _first_tab(text, unit) if at > unit.end else None
    if first is None:
        return None
    tabs, stop = _later_tabs(text, unit.end, len(first.group(1)))
    for n, (_, body) in enumerate(tabs):
        code = _tab_code(text, body, tabs[n + 1][1] if n + 1 < len(tabs) else stop)
        if code is not None and code.start == at:
            return code
    return None


def _windowed(
    view: Sliceable, unit: UnitSpan, find: Callable[[str, UnitSpan], UnitSpan | None]
) -> UnitSpan:
    """``find`` run on the text around ``unit`` (the text after it is read only when a tab
    label stands right before it), its unit in file offsets; ``unit`` when it finds none."""
    offset = max(0, unit.start - 400)
    if "===" not in view[offset : unit.start]:
        return unit
    near = view[offset : unit.end + _TAB_REACH]
    local = UnitSpan(unit.kind, unit.start - offset, unit.end - offset, unit.lang)
    tab = find(near, local)
    if tab is None:
        return unit
    return UnitSpan(tab.kind, tab.start + offset, tab.end + offset, tab.lang)


def _markdown(source: str) -> bool:
    return source.lower().endswith((".md", ".markdown"))


def _tab_asked(
    view: Sliceable,
    unit: UnitSpan,
    asked: Collection[str],
    label_terms: Callable[[str], Sequence[str]],
) -> UnitSpan:
    """``unit``, or the content tab the question names in its place (:func:`named_tab`)."""
    return _windowed(view, unit, lambda near, local: named_tab(near, local, asked, label_terms))


def quoted_unit(source: str, view: Sliceable, unit: UnitSpan, at: int | None) -> UnitSpan:
    """The unit an answer quoted after a paragraph whose stored unit is ``unit``, given where
    the quoted block started (``at``; None: not known): a later content tab's code
    (:func:`tab_at`) when it started there, else ``unit``."""
    if at is None or at == unit.start or unit.kind != "code" or not _markdown(source):
        return unit
    return _windowed(
        view, unit, lambda near, local: tab_at(near, local, at - (unit.start - local.start))
    )


def attach_blocks(
    answer: Answer,
    unit_after: Callable[[Passage], UnitSpan | None],
    source_text: Callable[[str], Sliceable],
    *,
    max_chars: int = MAX_BLOCK_CHARS,
    label_terms: Callable[[str], Sequence[str]] | None = None,
) -> Answer:
    """``answer`` with the blocks its quoted sentences introduce (each block once). With
    ``label_terms`` (how a tab's label is analysed), a block that opens a set of content tabs
    is replaced by the tab the question names (:func:`named_tab`)."""
    if not answer.sentences:
        return answer
    by_number = {c.n: c.passage for c in answer.citations}
    blocks: list[QuotedBlock] = []
    seen: set[tuple[str, int]] = set()
    for index, sentence in enumerate(answer.sentences):
        passage = by_number.get(sentence.citation)
        if passage is None or not introduces(sentence, passage):
            continue
        unit = unit_after(passage)
        if unit is None or (passage.source, unit.start) in seen:
            continue
        seen.add((passage.source, unit.start))
        if label_terms is not None and unit.kind == "code" and _markdown(passage.source):
            unit = _tab_asked(source_text(passage.source), unit, answer.query_terms, label_terms)
        whole = source_text(passage.source)[unit.start : unit.end]
        end = unit.start + cut_at_line(whole, max_chars)
        blocks.append(
            QuotedBlock(
                kind=unit.kind,
                text=whole[: end - unit.start],
                start=unit.start,
                end=end,
                citation=sentence.citation,
                lang=unit.lang,
                after=index,
                full_end=unit.end,
                indent=line_indent(source_text(passage.source), unit.start),
            )
        )
    if not blocks:
        return answer
    result = replace(answer, blocks=tuple(blocks))
    verify_blocks(result, source_text)
    return result


def line_indent(text: Sliceable, start: int) -> int:
    """How many spaces or tabs precede ``start`` on its line (0 when anything else does)."""
    before = text[max(0, start - 400) : start]
    head = before[before.rfind("\n") + 1 :]
    return len(head) if head and not head.strip(" \t") else 0


def verify_blocks(answer: Answer, source_text: Callable[[str], Sliceable]) -> None:
    """Raise CitationMismatchError unless every quoted block is exactly its span of its cited
    file, follows its cited paragraph, and follows a sentence of the answer."""
    by_number = {c.n: c.passage for c in answer.citations}
    for block in answer.blocks:
        passage = by_number.get(block.citation)
        if passage is None:
            raise CitationMismatchError(f"block cites [{block.citation}], not in citations")
        if not passage.end <= block.start < block.end <= max(block.end, block.full_end):
            raise CitationMismatchError(f"block {block.start}:{block.end} is not after its passage")
        if not 0 <= block.after < len(answer.sentences):
            raise CitationMismatchError(f"block follows sentence {block.after}, not in the answer")
        if source_text(passage.source)[block.start : block.end] != block.text:
            raise CitationMismatchError(f"block differs from {passage.source}")


def with_unit_terms(analysed: AnalysedPassage, unit_terms: Sequence[str]) -> AnalysedPassage:
    """``analysed`` with the (analysed) terms of the block after the paragraph counted as
    terms of its last sentence (and of the paragraph): the sentence that brings a block is
    chosen for what the block shows ("how do I prune the cache?" → "Remove unused entries:"
    + ``uv cache prune``). Tokens, and so phrase pairs, stay the sentence's own."""
    if not analysed.sentences:
        return analysed
    terms = frozenset(unit_terms)
    *rest, last = analysed.sentences
    widened = replace(last, terms=last.terms | terms)
    return replace(analysed, sentences=(*rest, widened), terms=analysed.terms | terms)
