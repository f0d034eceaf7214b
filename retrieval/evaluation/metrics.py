"""The numbers of an evaluation, as pure functions of rankings and texts.

SQuAD answer normalisation, rank metrics as BEIR/trec_eval compute them, percentiles, and the
docs-question rules of ``../shared/bench-data/docs/README.md``: a heading compared with inline
markup removed, white space collapsed, ignoring case; a must-show string found, ignoring case,
in what an answer shows.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

# --- SQuAD answer normalisation ---------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def _is_punctuation(ch: str) -> bool:
    """ASCII punctuation (SQuAD's) or any Unicode punctuation ("،", "。", "«"), as MLQA's
    multilingual version of the SQuAD script removes it."""
    return ch in _PUNCTUATION or (not ch.isascii() and unicodedata.category(ch).startswith("P"))


def normalize_answer(text: str) -> str:
    """The official SQuAD ``normalize_answer``: lower case, no punctuation, no a/an/the, one space
    between words (punctuation as MLQA's extension counts it: every script's)."""
    text = text.lower()
    text = "".join(ch for ch in text if not _is_punctuation(ch))
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


_UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Thai, Japanese kana and CJK ideographs: scripts written without spaces between words."""


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether ``text`` contains one of ``answers`` after SQuAD normalisation, on word edges
    (in Chinese, Japanese or Thai text, which has no spaces to mark word edges, as a substring,
    as MLQA's evaluation compares characters)."""
    normal = normalize_answer(text)
    haystack = f" {normal} "
    for answer in answers:
        needle = normalize_answer(answer)
        if needle and f" {needle} " in haystack:
            return True
        if needle and _UNSPACED.search(normal) and needle in normal:
            return True
    return False


# --- metrics ---------------------------------------------------------------------------------


def first_relevant_rank(ranked: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based rank of the first relevant key in ``ranked``, or None."""
    wanted = set(relevant)
    for rank, key in enumerate(ranked, start=1):
        if key in wanted:
            return rank
    return None


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """Share of the relevant keys (grade > 0) found in the top ``k`` (BEIR's recall)."""
    wanted = {key for key, grade in relevant.items() if grade > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    rank = first_relevant_rank(ranked[:k], [key for key, g in relevant.items() if g > 0])
    return 0.0 if rank is None else 1.0 / rank


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains, as trec_eval / pytrec_eval (and so BEIR) compute it."""
    dcg = sum(relevant.get(key, 0) / math.log2(i + 1) for i, key in enumerate(ranked[:k], start=1))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    lo = math.floor(position)
    hi = math.ceil(position)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (position - lo)


# --- docs questions --------------------------------------------------------------------------

_ROLE = re.compile(r":[\w.+-]+(?::[\w.+-]+)*:`([^`]*)`")
"""reStructuredText roles (``:func:`flask.Flask```, ``:ref:`text <target>```)."""
_RST_REFERENCE = re.compile(r"`([^`<]*?)\s*<[^`>]*>`_{0,2}")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|!?\[([^\]]*)\]\[[^\]]*\]")
_EXPLICIT_ANCHOR = re.compile(r"\{\s*#[^}]*\}")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1")
_MARKS = re.compile(r"`+|\|")


def normalize_heading(text: str) -> str:
    """A heading as the docs rules compare it: roles, references, links, explicit anchors,
    emphasis and backticks removed, white space collapsed, lower case."""
    text = _ROLE.sub(lambda m: _RST_REFERENCE.sub(r"\1", f"`{m.group(1)}`_").strip("`_"), text)
    text = _RST_REFERENCE.sub(r"\1", text)
    text = _MD_LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _EXPLICIT_ANCHOR.sub(" ", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _MARKS.sub("", text)
    text = re.sub(r"`_{1,2}", "", text)
    return " ".join(text.split()).casefold()


def headings_contain(headings: Iterable[str], section: str) -> bool:
    """Whether one of ``headings`` (a paragraph's heading context) contains the gold section,
    both normalised by :func:`normalize_heading` (so "2.1 The Application Factory" on a PDF
    page contains "The Application Factory")."""
    wanted = normalize_heading(section)
    return bool(wanted) and any(wanted in normalize_heading(h) for h in headings)


def missing_strings(shown: str, must_show: Iterable[str]) -> tuple[str, ...]:
    """The ``must_show`` strings that do not appear in ``shown``, ignoring case."""
    haystack = shown.casefold()
    return tuple(s for s in must_show if s.casefold() not in haystack)
