"""The ``--json`` contract: one object per question. Fields are only ever added, never removed.

    {"question", "answered", "answer", "sentences": [{"text", "citation", "start", "end"}],
     "citations": [{"n", "source", "paragraph", "start", "end", "score", "text", "context",
                    "line", "headings", "page", "format", "url"}],
     "related": [same shape as citations], "hits": [{"source", "paragraph", "start", "end",
     "score", "text", "context", "line", "headings", "page", "format", "rank"}],
     "abstain_reason", "confidence", "error",
     "follow_up": null | {"turn", "question", "terms", "cited": [{"source", "paragraph"}]},
     "blocks": [{"kind", "lang", "text", "start", "end", "citation", "after", "full_end"}]}

``context`` is the title and headings above the paragraph (" › "-joined), never quoted;
``headings`` is the same path as a list (anchors and inline markup removed). ``line`` is the
paragraph's 1-based line in its file (0: not known, e.g. text extracted from a PDF), ``page``
its 1-based PDF page (0 for other formats), ``format`` the reader that read the file
("markdown", "text", …), ``url`` where a reader opens the section ("" unless the corpus has a
published base URL, ``CITEBOT_SOURCE_URL``).
``score`` is the paragraph's BM25 score; ``hits`` are in citebot's rank order (BM25 re-ranked),
so scores need not decrease down the list. ``follow_up`` is set when the question was
answered as a follow-up in a conversation (``citebot ask --conversation``): the earlier
question's number and text, the (stemmed) terms borrowed from it, and the paragraphs it cited.
``blocks`` are the code blocks, tables and lists that quoted sentences introduce: ``kind``
("code", "table", "list"), ``lang`` (for code, when known), ``text`` verbatim (fences and
markup kept; ``file[start:end] == text``), ``citation`` (the introducing sentence's ``[n]``),
``after`` (index in ``sentences`` of that sentence) and ``full_end`` (past ``end`` when a very
long block was cut at a line end).
"""

from __future__ import annotations

from typing import Any

from retrieval import Answer, Citation, FollowUp, Hit, Passage, QuotedBlock
from retrieval.reading import format_of


def _passage_fields(passage: Passage, score: float) -> dict[str, Any]:
    return {
        "source": passage.source,
        "paragraph": passage.paragraph,
        "start": passage.start,
        "end": passage.end,
        "score": round(score, 6),
        "text": passage.text,
        "context": passage.context,
        "line": passage.line,
        "headings": list(passage.headings),
        "page": passage.page,
        "format": format_of(passage.source),
    }


def _citation(citation: Citation) -> dict[str, Any]:
    return {
        "n": citation.n,
        **_passage_fields(citation.passage, citation.score),  # "page": where the paragraph starts
        "url": citation.url,
        "quote_page": citation.shown_page,  # PDF: the page its first quoted sentence is on
    }


def _hit(hit: Hit) -> dict[str, Any]:
    return {**_passage_fields(hit.passage, hit.score), "rank": hit.rank}


def _follow_up(follow_up: FollowUp | None) -> dict[str, Any] | None:
    if follow_up is None:
        return None
    return {
        "turn": follow_up.turn,
        "question": follow_up.question,
        "terms": list(follow_up.terms),
        "cited": [{"source": p.source, "paragraph": p.paragraph} for p in follow_up.cited],
    }


def _block(block: QuotedBlock) -> dict[str, Any]:
    return {
        "kind": block.kind,
        "lang": block.lang,
        "text": block.text,
        "start": block.start,
        "end": block.end,
        "citation": block.citation,
        "after": block.after,
        "full_end": max(block.end, block.full_end),
    }


def answer_to_json(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "answered": answer.answered,
        "answer": answer.text,
        "sentences": [
            {"text": s.text, "citation": s.citation, "start": s.start, "end": s.end}
            for s in answer.sentences
        ],
        "citations": [_citation(c) for c in answer.citations],
        "related": [_citation(c) for c in answer.related],
        "hits": [_hit(h) for h in answer.hits],
        "abstain_reason": answer.abstain_reason.value if answer.abstain_reason else None,
        "confidence": round(answer.confidence, 4),
        "error": None,
        "follow_up": _follow_up(answer.follow_up),
        "blocks": [_block(b) for b in answer.blocks],
        "language": answer.language,
    }


def error_to_json(question: str, message: str) -> dict[str, Any]:
    """A question that could not be searched: same keys, nothing answered, the reason said."""
    return {
        "question": question,
        "answered": False,
        "answer": "",
        "sentences": [],
        "citations": [],
        "related": [],
        "hits": [],
        "abstain_reason": None,
        "confidence": 0.0,
        "error": message,
        "follow_up": None,
        "blocks": [],
    }
