"""Section and page evidence for documentation: BM25 over sections, and the words of page paths.

A section (the run of paragraphs under one heading) can be scored as one document.

A documentation question is often answered by a section as a whole: its heading names the task
("Upgrading locked package versions"), one paragraph holds the flag and the next the command, and
no single paragraph holds all of the question's words. The first stage ranks paragraphs (exactly
rank-bm25's); this module scores the *sections* of its candidates with the same formula, a
section's text being its paragraphs as they were indexed (words, the repeated headings, the
searched terms of their blocks) end to end, so that the composer can lead with a sentence whose
section matches the question best (``ComposerOptions.lead_section_weight``).

Everything is read from the paragraph index's postings (each term's paragraphs in corpus order,
so a section's term frequency is a sum over a contiguous range of rows): nothing is stored or
analysed again, and a question costs a few array operations per term.

A page's path names its topic (``guides/integration/pytorch.md``, ``tutorial/database.rst``):
:class:`PageWords` gives those words, for the composer to prefer a page a question names.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..caches import method_cache
from ..index import arrays as views
from ..index.bm25 import BM25Index

if TYPE_CHECKING:  # numpy is imported for an index held in numpy arrays only
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SectionRuns:
    """The sections of a corpus: runs of consecutive paragraphs with the same file, path of
    headings, anchor and context line (see ``PassageStore.section_starts``)."""

    starts: Sequence[int] | IntArray
    """The first row of each section, ascending, then the number of paragraphs (an end)."""
    cumulative: IntArray | None
    """``cumulative[r]``: the summed indexed length of rows before ``r`` (length 1 + rows);
    None over a saved index's memoryviews, whose few ranges are summed where asked."""
    average: float
    """The mean section length in indexed terms: BM25's ``avgdl`` for sections."""
    doc_len: Any = None
    """The paragraphs' indexed lengths (a memoryview: see ``cumulative``)."""

    @classmethod
    def of(cls, starts: Sequence[int] | IntArray, doc_len: Any) -> SectionRuns:
        """The runs beginning at ``starts`` (ending with the row count) over paragraphs of
        indexed lengths ``doc_len``."""
        sections = len(starts) - 1
        if isinstance(doc_len, memoryview):  # a saved index read without numpy
            total = views.total(doc_len)
            average = float(total) / sections if sections > 0 else 1.0
            return cls(starts, None, average or 1.0, doc_len)
        import numpy as np

        cumulative = np.concatenate(([0], np.cumsum(doc_len, dtype=np.int64)))
        average = float(cumulative[-1]) / sections if sections > 0 else 1.0
        return cls(starts, cumulative, average or 1.0)

    def bounds(self, row: int) -> tuple[int, int]:
        """The rows ``[start, end)`` of paragraph ``row``'s section."""
        n = bisect.bisect_right(self.starts, row) - 1
        return int(self.starts[n]), int(self.starts[n + 1])

    def length(self, lo: int, hi: int) -> int:
        """The summed indexed length of rows ``lo:hi``."""
        if self.cumulative is None:
            return int(sum(self.doc_len[lo:hi].tolist()))
        return int(self.cumulative[hi] - self.cumulative[lo])


def range_scores(
    index: BM25Index, runs: SectionRuns, terms: Sequence[str], ranges: Sequence[tuple[int, int]]
) -> list[float]:
    """BM25 of each run of rows ``[lo, hi)`` in ``ranges`` as one document, for ``terms``: its
    term frequency is the sum of its paragraphs', its length theirs, ``avgdl`` the mean section
    length (k1, b and IDF the paragraph index's; a repeated query term counts each time, as in
    rank-bm25)."""
    if not ranges:
        return []
    if runs.cumulative is None:
        return _plain_range_scores(index, runs, terms, ranges)
    import numpy as np

    lo = np.fromiter((r[0] for r in ranges), dtype=np.int64, count=len(ranges))
    hi = np.fromiter((r[1] for r in ranges), dtype=np.int64, count=len(ranges))
    lengths = (runs.cumulative[hi] - runs.cumulative[lo]).astype(np.float64)
    norm = index.k1 * (1 - index.b + index.b * lengths / runs.average)
    scores = np.zeros(len(ranges), dtype=np.float64)
    for term in terms:
        term_id = index.vocabulary.id(term)
        if term_id is None:
            continue
        # Each range's term frequency (a sum of integers: exact in float64), from only the
        # postings blocks the ranges overlap.
        tf = np.asarray(index.term_sums(term_id, ranges), dtype=np.float64)
        if not tf.any():
            continue
        part = np.divide(tf * (index.k1 + 1), tf + norm, out=np.zeros_like(tf), where=tf > 0)
        scores += float(index.idf_table[term_id]) * part
    return [float(s) for s in scores]


def _plain_range_scores(
    index: BM25Index, runs: SectionRuns, terms: Sequence[str], ranges: Sequence[tuple[int, int]]
) -> list[float]:
    """:func:`range_scores` in plain Python, for a saved index read as memoryviews: each
    range's term frequency summed by the compiled loop over the blocks it overlaps, and the
    same float64 operations in the same order (a term frequency is a sum of integers, exact
    either way), so the same numbers to the bit."""
    k1, b = index.k1, index.b
    norms = [k1 * (1 - b + b * float(runs.length(lo, hi)) / runs.average) for lo, hi in ranges]
    scores = [0.0] * len(ranges)
    for term in terms:
        term_id = index.vocabulary.id(term)
        if term_id is None:
            continue
        sums = index.term_sums(term_id, ranges)
        if not any(sums):
            continue
        idf = float(index.idf_table[term_id])
        for i, total in enumerate(sums):
            tf = float(total)
            part = (tf * (k1 + 1)) / (tf + norms[i]) if tf > 0 else 0.0
            scores[i] += idf * part
    return scores


_PATH_SPLIT = re.compile(r"[/\\_.\-\s]+")
_FOLDER_PAGES = frozenset({"index", "readme"})
"""A file that is its folder's page (MkDocs' ``index.md``, Sphinx's ``index.rst``): its name
says nothing, its folder's does."""
COMMON_PATH_SHARE = 0.2
"""A path word in more than this share of the corpus's file paths ("guides", "concepts",
"api") names a part of the site, not a page's topic."""


def path_words(source: str) -> list[str]:
    """The words of a file's path, lower-cased, without its extension and without the name of a
    folder's own page: ``guides/install-python.md`` → guides, install, python."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,8}$", "", source)
    words = [w for w in _PATH_SPLIT.split(stem.casefold()) if w]
    if words and words[-1] in _FOLDER_PAGES:
        words.pop()
    return words


class PageWords:
    """The terms of each page's path that name its topic (``guides/integration/pytorch.md`` →
    "pytorch"): a question that uses one is likely about that page, whatever its sentences'
    overlap with other pages. Words in more than :data:`COMMON_PATH_SHARE` of the paths are
    left out; the rest are analysed as the corpus is, per page on first use."""

    def __init__(self, sources: Sequence[str], terms: Callable[[str], list[str]]) -> None:
        counts = Counter(w for source in sources for w in set(path_words(source)))
        limit = COMMON_PATH_SHARE * len(sources)
        self._common = frozenset(w for w, n in counts.items() if n > limit)
        self._analyse = terms
        self.of: Callable[[str], frozenset[str]] = method_cache(self._of, 4096)
        """A page's topic terms, by its source path."""

    def _of(self, source: str) -> frozenset[str]:
        words = [w for w in path_words(source) if w not in self._common]
        return frozenset(self._analyse(" ".join(words))) if words else frozenset()
