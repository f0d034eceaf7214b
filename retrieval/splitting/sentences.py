"""Splitting a paragraph into sentences, keeping exact offsets.

Boundaries are found with bounded look-behind (abbreviations, initials, list numbers), so splitting
stays linear in the text.
"""

from __future__ import annotations

import re

from ..reading.blocks import trimmed_span

# Abbreviations after which a period never ends a sentence (titles, "e.g.", "U.S." …).
# Words that are also ordinary words ("no", "sun", "sat") or usually end a sentence when a
# capital follows ("etc.", "Inc.", "p.m.") are not here: a lowercase next word already keeps
# those sentences together.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs e.g i.e cf al approx dept univ fig figs vol gen gov sen
    rep col lt capt sgt cmdr adm maj rev hon pres supt ph.d u.s u.k u.n d.c
    """.split()
)
# Abbreviations that do not end a sentence when a number follows: "No. 5", "Jan. 5", "pp. 3".
_NUMBER_ABBREVIATIONS = frozenset(
    "no nos jan feb mar apr jun jul aug sep sept oct nov dec p pp ch sec art".split()
)
# A terminator: . ! ? (or the Arabic question mark, the Urdu full stop, the Devanagari danda) or
# an ellipsis, then closing quotes/brackets, an optional footnote marker ("[3]", "¹"), then white
# space or the end. Or a Chinese/Japanese full stop, exclamation or question mark (full width),
# then closing quotes/brackets: those need no space after them.
_TERMINATOR = re.compile(
    r"(?:\.{3}|…|[.!?؟۔।॥])+[\"'”’)\]]*(?:\[\d{1,3}\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?=\s|$)"
    r"|[。！？｡]+[」』）〕】〉》”’\"')\]]*"
)
_TERMINATOR_START = re.compile(r"[.!?؟۔।॥…。！？｡]")
"""Every character a terminator can begin with: found with a plain character-class scan, far
quicker than trying the whole alternation at every position as ``finditer`` would."""
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_NON_SPACE = re.compile(r"\S")
_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LIST_ITEM = re.compile(r"[\r\n][ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_ORDINAL_DOT = frozenset("de da no nb nn fi et hu cs sk pl tr sl hr sr lt lv is".split())
"""Languages that write ordinals with a dot ("am 7. Februar", "20. yüzyıl"): there a number of
at most two digits before "." does not end the sentence (a year still does: "im Jahr 2016.")."""
_LANGUAGE_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "de": frozenset("bzw ca nr usw jh chr evtl ggf vgl sog bspw inkl zb mio mrd str".split()),
    "es": frozenset("sra srta etc núm pág aprox".split()),
    "fr": frozenset("mme mlle env av apr".split()),
    "it": frozenset("sig ecc".split()),
    "pt": frozenset("sra aprox".split()),
    "ru": frozenset("гг вв тыс млн млрд им ок".split()),
    "tr": frozenset("yy vb vs".split()),
    "el": frozenset("π.χ μ.χ κ.λπ".split()),
    "ro": frozenset("dl dna etc".split()),
}
"""Abbreviations after which a period never ends a sentence, beyond the English list."""
_LOOKBEHIND = 64
"""Characters looked at before a terminator: bounded, so splitting stays linear in the text."""


def _word_before(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """(start, end) of the word ``_WORD_BEFORE.search(text, lo, hi)`` finds (the run of word
    characters and dots that ends at ``hi``, or just before a line break at ``hi``, as ``$``
    allows), found by walking back from ``hi``: the regex tries every one of the up to 64
    positions before a terminator, the build's most frequent call per sentence."""
    end = hi
    if end > lo and text[end - 1] == "\n":
        end -= 1
        if end == lo or not _is_word_char(text[end - 1]):
            return None
    start = end
    while start > lo and _is_word_char(text[start - 1]):
        start -= 1
    return (start, end) if start < end else None


def _is_word_char(character: str) -> bool:
    """``[\\w.]`` of a str pattern: alphanumeric, "_" or "."."""
    return character.isalnum() or character in "_."


def _is_list_number(text: str, word_start: int) -> bool:
    """Is the number ending at a "." a list marker ("1. Install"), not a sentence's last word?"""
    before = text[max(0, word_start - _LOOKBEHIND) : word_start].rstrip(" \t")
    if not before or before[-1] in "\r\n:!?":
        return True
    if before[-1] != ".":
        return False
    # After a sentence's end ("Python. 2. Run"), not after an abbreviation ("Jan. 5. They").
    previous = _word_before(before, 0, len(before) - 1)
    token = before[previous[0] : previous[1]].lower().strip(".") if previous else ""
    return token not in _ABBREVIATIONS and token not in _NUMBER_ABBREVIATIONS


def _is_boundary(text: str, match: re.Match[str], language: str = "en") -> bool:
    following = _NON_SPACE.search(text, match.end())
    if following is None:
        return True
    if following.group().islower():
        # "e.g. this", "… and then", "?” he asked": the sentence goes on.
        return False
    terminator = match.group()
    if not terminator.startswith(".") or terminator.startswith("..."):
        return True
    word = _word_before(text, max(0, match.start() - _LOOKBEHIND), match.start())
    if word is None:
        return True
    token = text[word[0] : word[1]].lower().strip(".")
    if language != "en":
        if token in _LANGUAGE_ABBREVIATIONS.get(language, ()):
            return False
        if language in _ORDINAL_DOT and token.isdigit() and len(token) <= 2:
            return False
    if token in _ABBREVIATIONS or _ACRONYM.fullmatch(token):
        return False  # "Mr. Smith", "U.S. Immigration", "U.S.A. today"
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. R. R. Tolkien"
    if token in _NUMBER_ABBREVIATIONS and following.group().isdigit():
        return False
    return not (token.isdigit() and len(token) <= 3 and _is_list_number(text, word[0]))


def _terminators(text: str) -> list[re.Match[str]]:
    """``list(_TERMINATOR.finditer(text))``, about five times quicker: a match can only begin
    at a terminator character, so the pattern is tried there alone, scanning on from each
    match's end exactly as ``finditer`` does."""
    found = []
    position = 0
    candidate, terminator = _TERMINATOR_START.search, _TERMINATOR.match
    while (start := candidate(text, position)) is not None:
        match = terminator(text, start.start())
        if match is None:
            position = start.start() + 1
        else:
            found.append(match)
            position = match.end()
    return found


def split_sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, trimmed; together they cover all its words.
    ``language`` (ISO 639-1) adds that language's abbreviations and ordinal dots."""
    # Terminator matches come in order and do not overlap, so their cuts are already sorted
    # and distinct; list items (which need a line break) are merged in only when there are any.
    cuts = [m.end() for m in _terminators(text) if _is_boundary(text, m, language)]
    if "\n" in text or "\r" in text:
        items = [m.start() for m in _LIST_ITEM.finditer(text)]
        if items:
            cuts = sorted(set(cuts).union(items))
    cuts.append(len(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in cuts:
        if cut <= start:
            continue
        s, e = trimmed_span(text, start, cut)
        if s < e:
            spans.append((s, e))
        start = cut
    return spans
