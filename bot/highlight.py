"""Marking the words of a text that match the question, for highlighting.

Matching is :func:`retrieval.analysis.term_spans`: the same analysis as search, so "passed"
lights up for a question about "pass", and a stopword never does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from retrieval.analysis import term_spans


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
