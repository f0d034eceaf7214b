"""Pseudo-relevance feedback: words the best paragraphs share that the question did not use.

A help-channel question often paraphrases the section that answers it ("update uv itself" for
"Upgrading uv", "monorepo" for "workspace"), so the section loses to one that shares more of the
question's own words. The classic remedy (RM3, Lavrenko and Croft; Abdul-Jaleel et al. 2004) is
to read the first ranking's best paragraphs as a sample of what the answer looks like: terms
frequent in them and rare in the corpus are what the question is about, named in the corpus's
words. :func:`expansion_terms` picks those terms; the engine scores the candidates with them in
a second BM25 query (and lets that query's best paragraphs join the candidates) and adds the
normalised score to the re-ranking key (``EngineOptions.prf_weight``). The first stage's scores
are never changed: every hit keeps the rank-bm25 score of the question's own terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence


def expansion_terms(
    feedback: Sequence[tuple[Sequence[str], float]],
    asked: Collection[str],
    idf: Callable[[str], float],
    count: int,
    min_docs: int = 2,
) -> list[str]:
    """The ``count`` best expansion terms from ``feedback`` (each paragraph's terms, in order
    and with repeats, and its first-stage score), best first.

    A term's weight is RM3's relevance model with the corpus's IDF as its background: the sum
    over feedback paragraphs of (its share of the paragraph's terms) × (the paragraph's share of
    the feedback's scores), times the term's IDF. A term in fewer than ``min_docs`` of them is
    one paragraph's topic, not the question's, and is left out; so are the question's terms.
    """
    if count <= 0 or not feedback:
        return []
    total = sum(score for _, score in feedback) or 1.0
    weight: dict[str, float] = {}
    seen: Counter[str] = Counter()
    for terms, score in feedback:
        if not terms:
            continue
        counts = Counter(terms)
        share = score / total / len(terms)
        for term, n in counts.items():
            weight[term] = weight.get(term, 0.0) + n * share
            seen[term] += 1
    ranked = [
        (w * idf(t), t)
        for t, w in weight.items()
        if t not in asked and seen[t] >= min_docs and not t.isdigit()
    ]
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [t for w, t in ranked[:count] if w > 0]
