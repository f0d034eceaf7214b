"""Text measured and cut as people see it: by display columns and whole grapheme clusters.

A terminal gives a Chinese character two columns and a combining accent none, so wrapping by
``len`` overflows CJK lines and cutting by ``len`` can split "é" (e + U+0301), a flag or a family
emoji into pieces that show as garbage. Every renderer that wraps or trims text calls these pure
helpers (wcwidth: UAX #11 widths and UAX #29 grapheme clusters). Right-to-left quotes (Arabic,
Hebrew) are wrapped in Unicode bidi isolates, so the ``[1]`` after an Arabic sentence stays
after it instead of being reordered into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_NARROW = re.compile("[\x20-\x7e\xa0-\u017f\u2010-\u2027\u2030-\u205e]*")
"""Text that wcwidth would measure one column per code point and split into one-code-point
clusters: printable ASCII, Latin-1 and Latin Extended-A, and general punctuation (’ “ ” – —
…), none of them wide, combining or joining (``tests/test_display.py`` checks every one).
Measured directly, so that an answer in such text never imports wcwidth, whose import (its
tables and escape-sequence patterns) costs a one-shot question more than measuring does."""
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide CJK characters count two, marks zero)."""
    if _NARROW.fullmatch(text):
        return len(text)
    import wcwidth

    return max(0, int(wcwidth.width(text)))


def _clusters(text: str) -> Iterable[str]:
    if _NARROW.fullmatch(text):
        return text
    import wcwidth

    return wcwidth.iter_graphemes(text)


def graphemes(text: str) -> list[str]:
    """``text`` as user-perceived characters (extended grapheme clusters)."""
    return list(_clusters(text))


def clip_graphemes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` code points that ends on a grapheme
    cluster boundary: what a length-limited field (Discord counts characters) can hold."""
    if len(text) <= limit:
        return text
    if text.isascii():
        return text[: max(0, limit)]
    kept = 0
    for cluster in _clusters(text):
        if kept + len(cluster) > limit:
            break
        kept += len(cluster)
    return text[:kept]


def fit_width(text: str, columns: int) -> str:
    """The longest prefix of whole grapheme clusters that fits in ``columns``."""
    if text.isascii() and len(text) <= columns:
        return text
    head = text[: columns + 1]
    if columns > 0 and head.isascii() and head.isprintable():
        # Printable ASCII before and after the cut: each of these characters is a cluster of
        # its own (no mark can join it) one column wide, so the clusters are the characters.
        return text[:columns]
    used = kept = 0
    for cluster in _clusters(text):
        cells = width(cluster)
        if used + cells > columns:
            break
        used += cells
        kept += len(cluster)
    return text[:kept]


def _is_wide(cluster: str) -> bool:
    return width(cluster) >= 2


def _pieces(word: str) -> list[str]:
    """A word as the pieces a line may break between: around each wide (CJK) character, whose
    scripts break lines between any two characters; other clusters stay together."""
    pieces: list[str] = []
    for cluster in _clusters(word):
        if pieces and not _is_wide(cluster) and not _is_wide(pieces[-1][-1:] or " "):
            pieces[-1] += cluster
        else:
            pieces.append(cluster)
    return pieces


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns, broken at spaces, or between
    Chinese/Japanese characters; a word wider than a line is cut between grapheme clusters."""
    columns = max(1, columns)
    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        cells = width(word)
        gap = 1 if line else 0
        if used + gap + cells <= columns:
            line, used = line + (" " if line else "") + word, used + gap + cells
            continue
        pieces = _pieces(word) if cells > columns or _is_wide(word[:1]) else [word]
        for n, piece in enumerate(pieces):
            piece_cells = width(piece)
            join = " " if line and n == 0 else ""
            if used + len(join) + piece_cells > columns and line:
                lines.append(line)
                line, used, join = "", 0, ""
            while piece_cells > columns:  # a single piece wider than a line: cut it
                head = fit_width(piece, columns) or graphemes(piece)[0]
                lines.append(head)
                piece = piece[len(head) :]
                piece_cells = width(piece)
            line, used = line + join + piece, used + len(join) + piece_cells
    if line or not lines:
        lines.append(line)
    return lines


def isolate(text: str) -> str:
    """``text`` inside a first-strong isolate when it holds right-to-left letters, so that the
    citation markers and punctuation around it keep their order on screen."""
    if text.isascii() or not _RTL.search(text):
        return text
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
