"""Spelling variants: a question word the documents lack is searched as a one-letter variant.

"povertly" is in no paragraph, "poverty" is: a question word of five letters or more whose term
the index does not hold is replaced by the most common vocabulary word one edit away (a letter
deleted, inserted, replaced, or two neighbours swapped), weighing only part of its weight, so a
typo costs less than a word the documents really lack, but never counts as much as the word
itself. Shorter words have too many neighbours ("cat" → "car", "hat", "act") to guess. The
replacement is shown by the REPL's ``:why``.

Only the answering layer decides this: analysis (:mod:`retrieval.analysis`) is used as it is,
through its public ``chunk_terms``, so per-language analysis changes nothing here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..analysis import chunk_terms, normalize
from ..analysis.tokenizer import words as word_tokens

MIN_LETTERS = 5
"""Words shorter than this are never replaced: too many real words lie one edit away."""
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Variant:
    """A question word the documents lack, and the vocabulary word searched in its place."""

    asked: str
    """The word as it was typed (normalised)."""
    found: str
    """The one-edit variant the documents hold."""
    term: str
    """The question's term for ``asked`` (what it replaces)."""
    found_term: str
    """The index term of ``found``."""


def one_edit(word: str) -> set[str]:
    """Every string one edit from ``word``: deletes, swaps of neighbours, replacements and
    insertions (of ASCII letters and the word's own letters, so "Gospic" reaches accented
    forms only through letters it has)."""
    letters = set(_ALPHABET) | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    edits.update(a + c + b[1:] for a, b in splits if b for c in letters)
    edits.update(a + c + b for a, b in splits for c in letters)
    edits.discard(word)
    return edits


def find_variants(
    question: str,
    terms: Sequence[str],
    idf: Callable[[str], float],
    maybe_known: Callable[[list[str]], list[str]] | None = None,
) -> tuple[Variant, ...]:
    """The variants for the question's words whose terms are in ``terms`` but not in the index
    (``idf`` 0). The edits are made to the word's term (its stem), so no candidate needs
    analysing; ``maybe_known`` (optional) narrows the candidates to those the vocabulary may
    hold in one vectorised pass, ``idf`` confirms them. Among several, the most common in the
    documents (lowest IDF) wins: a typo is more likely of a frequent word. ``found`` is the
    term itself; the engine replaces it by the word as the documents spell it."""
    absent = {t for t in terms if not idf(t)}
    if not absent:
        return ()
    found: dict[str, Variant] = {}
    for word in word_tokens(normalize(question)):
        if len(word) < MIN_LETTERS or not word.isalpha():
            continue
        own = chunk_terms(word)
        if len(own) != 1 or own[0] not in absent or own[0] in found:
            continue
        candidates = sorted(one_edit(own[0]) - absent)
        if maybe_known is not None:
            candidates = maybe_known(candidates)
        weighed = [(weight, c) for c in candidates if (weight := idf(c))]
        if weighed:
            _, best = min(weighed)
            found[own[0]] = Variant(word, best, own[0], best)
    return tuple(found.values())
