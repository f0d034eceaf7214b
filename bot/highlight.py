"""Finding the words of a text that match the question, for highlighting.

Matching goes through the same analysis as search, so "passed" lights up for a question about
"pass", and a stopword never does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from retrieval.analysis import analyze

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose analysed form is one of ``terms``."""
    wanted = set(terms)
    if not wanted:
        return []
    return [
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if (stems := analyze(m.group())) and stems[0] in wanted
    ]


def mark(text: str, terms: Iterable[str], wrap: Callable[[str], str]) -> str:
    """``text`` with every matching word replaced by ``wrap(word)``; other text untouched."""
    out: list[str] = []
    last = 0
    for start, end in term_spans(text, terms):
        out.append(text[last:start])
        out.append(wrap(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)
