"""Text as shown to people, shared by the terminal and Discord front ends.

:func:`display_line` makes a document's text safe to show on one line; :func:`mark` wraps the
words that match the question. Matching is :func:`retrieval.analysis.term_spans`: the same
analysis as search, so "passed" lights up for a question about "pass", and a stopword never does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from retrieval.analysis import analyzer_for

# Control characters (ESC could clear a terminal) and bidirectional overrides (U+202E reverses
# the rest of a line, [n] markers included) carry no words: they are dropped before display.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


_IDENTIFIER = re.compile(r"[^\W_]+(?:_+[^\W_]+)+")
"""A name joined by underscores (``ASN1_ELEMENT_NOT_FOUND``, ``element_name``): one word to its
reader, so a match on any part of it marks all of it."""


def display_line(text: str) -> str:
    """One printable line: hard wraps and runs of white space become one space, control and
    direction-override characters are dropped. For display only; quotes keep the file's text."""
    return " ".join(_INVISIBLE.sub("", text).split())


def _identity(text: str) -> str:
    return text


def mark(
    text: str,
    terms: Iterable[str],
    wrap: Callable[[str], str],
    plain: Callable[[str], str] = _identity,
    language: str = "en",
) -> str:
    """``text`` with each run of matching words passed through ``wrap`` and the rest through
    ``plain``. Adjacent matches ("2.5mg") make one run, so markup like ``**…**`` never touches
    itself; a match inside a name joined by underscores marks the whole name. ``language`` is
    the answer's: its analysis found the terms."""
    names = [m.span() for m in _IDENTIFIER.finditer(text)] if "_" in text else []
    runs: list[tuple[int, int]] = []
    for start, end in analyzer_for(language).spans(text, terms):
        for a, b in names:
            if a <= start and end <= b:
                start, end = a, b
                break
        if runs and runs[-1][1] >= start:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    out: list[str] = []
    last = 0
    for start, end in runs:
        out.append(plain(text[last:start]))
        out.append(wrap(text[start:end]))
        last = end
    out.append(plain(text[last:]))
    return "".join(out)
