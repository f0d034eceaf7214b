"""Running an evaluation: ask every question of an :class:`~retrieval.Engine`, judge, summarise.

Pure library code (no printing, no settings). The question sets come from
:mod:`.datasets` and the numbers from :mod:`.metrics`; both are re-exported here so that
``retrieval.evaluation.evaluate`` keeps every name it had.

:func:`evaluate` returns an :class:`EvalReport` with R@k, MRR@10, nDCG@10, answer containment
(SQuAD normalisation), abstention rates, latency percentiles, for docs questions cited-right,
section-right and useful (the rules of ``../shared/bench-data/docs/README.md``), per-case
results, and :func:`worst_failures` for error analysis. :func:`tradeoff` recomputes the
abstention rates at other confidence thresholds from one run (an answer is given exactly when
its confidence reaches ``min_confidence``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from ..answering.engine import Engine
from ..errors import QuestionError
from ..reading.blocks import CONTEXT_SEPARATOR
from ..types import Answer, Hit, Passage
from .datasets import (
    DOCS_TARGETS,
    DocsTarget,
    EvalCase,
    EvalFileError,
    EvalSet,
    SourcesMap,
    beir_document,
    case_key,
    load_beir,
    load_docs,
    load_jsonl,
    load_squad,
    squad_documents,
)
from .metrics import (
    contains_answer,
    first_relevant_rank,
    headings_contain,
    missing_strings,
    ndcg_at,
    normalize_answer,
    normalize_heading,
    percentile,
    recall_at,
    reciprocal_rank,
)

__all__ = [
    "DOCS_TARGETS",
    "RETRIEVAL_DEPTH",
    "CaseResult",
    "DocsJudgement",
    "DocsTarget",
    "EvalCase",
    "EvalFileError",
    "EvalReport",
    "EvalSet",
    "SourcesMap",
    "at_threshold",
    "beir_document",
    "contains_answer",
    "evaluate",
    "first_relevant_rank",
    "headings_contain",
    "judge_docs",
    "load_beir",
    "load_docs",
    "load_jsonl",
    "load_squad",
    "missing_strings",
    "ndcg_at",
    "normalize_answer",
    "normalize_heading",
    "passage_headings",
    "percentile",
    "recall_at",
    "reciprocal_rank",
    "rejected_at_kept",
    "run_case",
    "shown_blocks",
    "squad_documents",
    "summarize",
    "tradeoff",
    "worst_failures",
]

RETRIEVAL_DEPTH = 100
"""How deep the ranking is read for retrieval metrics (R@100 needs 100)."""


# --- running ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: EvalCase
    answered: bool
    sentences: tuple[str, ...]
    """The quoted sentences, in order (empty when abstaining)."""
    cited: tuple[str, ...]
    """The cited passages as "source ¶n" (or the related ones when abstaining)."""
    confidence: float
    abstain_reason: str | None
    ranked: tuple[str, ...]
    """Retrieved keys, best first: "source#paragraph", or sources for document-level sets."""
    gold_rank: int | None
    top_contains: bool | None
    """None when the case has no gold answer text (or is unanswerable)."""
    answer_contains: bool | None
    seconds: float
    passed: bool
    error: str | None = None
    blocks: tuple[str, ...] = ()
    """The quoted blocks (code, lists, tables) shown with the sentences, verbatim."""
    docs: DocsJudgement | None = None
    """For docs questions (answerable ones): the docs rules' verdicts."""


@dataclass(frozen=True, slots=True)
class DocsJudgement:
    """One answerable docs question judged by the rules of the docs bench README."""

    cited_right: bool
    """The first citation is in the gold file."""
    section_right: bool
    """...and its heading context contains the gold section."""
    useful: bool
    """Answered, every must-show string shown, and some citation in the gold file."""
    missing: tuple[str, ...]
    """The must-show strings the answer did not show."""
    first_cited: str = ""
    """The first citation ("source ¶n", with its line when known), for failure reports."""
    first_headings: tuple[str, ...] = ()
    first_page: int = 0


def passage_headings(passage: Passage) -> tuple[str, ...]:
    """The headings above a passage: its ``headings`` when the reader gave them, else its
    context line split back into headings."""
    headings = getattr(passage, "headings", None)
    if headings:
        return tuple(str(h) for h in headings)
    return tuple(h for h in passage.context.split(CONTEXT_SEPARATOR) if h)


def shown_blocks(answer: Answer) -> tuple[str, ...]:
    """The texts of the blocks an answer quotes (code, lists, tables), verbatim."""
    return tuple(str(getattr(b, "text", "")) for b in getattr(answer, "blocks", ()))


def judge_docs(case: EvalCase, answer: Answer | None) -> DocsJudgement:
    """The docs rules for one answerable question (an unanswered one is wrong on all three)."""
    if answer is None or not answer.answered:
        return DocsJudgement(False, False, False, case.must_show)
    first_citation = answer.citations[0]
    first = first_citation.passage
    cited_right = first.source == case.source
    section_right = cited_right and headings_contain(passage_headings(first), case.section or "")
    shown = "\n".join([*(s.text for s in answer.sentences), *shown_blocks(answer)])
    missing = missing_strings(shown, case.must_show)
    in_gold = any(c.passage.source == case.source for c in answer.citations)
    line = int(getattr(first, "line", 0) or 0)
    where = f"{first.source} ¶{first.paragraph}" + (f" (line {line})" if line else "")
    return DocsJudgement(
        cited_right=cited_right,
        section_right=section_right,
        useful=in_gold and not missing,
        missing=missing,
        first_cited=where,
        first_headings=passage_headings(first),
        first_page=int(getattr(first_citation, "shown_page", 0) or getattr(first, "page", 0) or 0),
    )


@dataclass(frozen=True, slots=True)
class EvalReport:
    name: str
    results: tuple[CaseResult, ...]
    metrics: dict[str, float | int | None]
    """Named numbers; None when no case measures that metric (no gold paragraphs, say)."""

    @property
    def all_passed(self) -> bool:
        return all(r.passed for r in self.results)


def _ranked_keys(hits: Sequence[Hit], document_level: bool) -> tuple[str, ...]:
    keys = (
        hit.passage.source
        if document_level
        else case_key(hit.passage.source, hit.passage.paragraph)
        for hit in hits
    )
    return tuple(dict.fromkeys(keys))


def _gold(case: EvalCase, document_level: bool) -> dict[str, int]:
    if case.relevant:
        return {k: g for k, g in case.relevant.items() if g > 0}
    if case.source is None:
        return {}
    return {case_key(case.source, None if document_level else case.paragraph): 1}


def _gold_rank(ranked: Sequence[str], case: EvalCase) -> int | None:
    if case.relevant:
        return first_relevant_rank(ranked, [k for k, g in case.relevant.items() if g > 0])
    if case.source is None:
        return None
    if case.paragraph is None:  # any paragraph of the expected file
        sources = [key.split("#", 1)[0] for key in ranked]
        return first_relevant_rank(sources, [case.source])
    return first_relevant_rank(ranked, [case_key(case.source, case.paragraph)])


def run_case(engine: Engine, case: EvalCase, document_level: bool = False) -> CaseResult:
    """Ask one question and judge the answer and the ranking (the first ``RETRIEVAL_DEPTH`` hits
    of the search the answer came from); ``seconds`` times that one search and the composing.

    Long because it judges one case on every measure at once (ranking, quotes, abstention, not-
    cited paragraphs, docs rules) from the same answer.
    """
    started = time.perf_counter()
    answer: Answer | None
    hits: Sequence[Hit]
    try:  # one search gives the answer and the ranking judged for R@100
        answer, hits = engine.ask_ranked(case.question, RETRIEVAL_DEPTH)
        error = None
    except QuestionError as problem:
        answer, hits, error = None, [], str(problem)
    seconds = time.perf_counter() - started
    ranked = _ranked_keys(hits, document_level)
    gold_rank = _gold_rank(ranked, case) if case.has_gold_passage else None
    sentences = tuple(s.text for s in answer.sentences) if answer else ()
    answered = bool(sentences)
    top_contains = answer_contains = None
    if case.answerable and case.answers:
        top_contains = answered and contains_answer(sentences[0], case.answers)
        answer_contains = answered and contains_answer(" ".join(sentences), case.answers)
    cited: tuple[str, ...] = ()
    if answer is not None:
        shown = answer.citations if answered else answer.related
        cited = tuple(f"{c.passage.source} ¶{c.passage.paragraph}" for c in shown)
    if case.answerable is None:
        passed = True
    elif case.answerable:
        passed = answered and answer_contains is not False
        if passed and answer is not None and case.source is not None:
            passed = any(
                c.passage.source == case.source
                and (case.paragraph is None or c.passage.paragraph == case.paragraph)
                for c in answer.citations
            )
        if case.relevant:
            passed = answered and gold_rank is not None and gold_rank <= engine.options.top_k
    else:
        passed = not answered
    docs = judge_docs(case, answer) if case.is_docs and case.answerable else None
    if docs is not None:
        passed = docs.useful
    if passed and answered and answer is not None and case.not_cited:
        passed = not any(
            case_key(c.passage.source, c.passage.paragraph) in case.not_cited
            for c in answer.citations
        )
    return CaseResult(
        case=case,
        answered=answered,
        sentences=sentences,
        cited=cited,
        confidence=answer.confidence if answer else 0.0,
        abstain_reason=(str(answer.abstain_reason) if answer and answer.abstain_reason else None),
        ranked=ranked,
        gold_rank=gold_rank,
        top_contains=top_contains,
        answer_contains=answer_contains,
        seconds=seconds,
        passed=passed,
        error=error,
        blocks=shown_blocks(answer) if answer is not None and answered else (),
        docs=docs,
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _judged_ranking(r: CaseResult, document_level: bool) -> tuple[str, ...]:
    """The ranking a case's gold is looked for in: its files, best first, when the gold is a
    file without a paragraph (docs questions), else the ranked keys as they are."""
    case = r.case
    if document_level or case.relevant or case.source is None or case.paragraph is not None:
        return r.ranked
    return tuple(dict.fromkeys(key.split("#", 1)[0] for key in r.ranked))


def _docs_metrics(answerable: Sequence[CaseResult]) -> dict[str, float | None]:
    """cited-right, section-right and useful over the answerable docs questions (absent, None,
    when the set has none)."""
    judged = [r.docs for r in answerable if r.docs is not None]
    return {
        "cited_right": _mean([float(d.cited_right) for d in judged]),
        "section_right": _mean([float(d.section_right) for d in judged]),
        "useful": _mean([float(d.useful) for d in judged]),
    }


def summarize(name: str, results: Sequence[CaseResult], document_level: bool = False) -> EvalReport:
    """The report's metrics from per-case results."""
    answerable = [r for r in results if r.case.answerable is True]
    unanswerable = [r for r in results if r.case.answerable is False]
    unjudged = len(results) - len(answerable) - len(unanswerable)
    judged = [r for r in answerable if r.case.has_gold_passage]
    gold = {id(r): _gold(r.case, document_level) for r in judged}
    ranked = {id(r): _judged_ranking(r, document_level) for r in judged}

    def recall(k: int) -> float | None:
        return _mean([recall_at(ranked[id(r)], gold[id(r)], k) for r in judged])

    with_answers = [r for r in answerable if r.top_contains is not None]
    latencies = [r.seconds * 1000.0 for r in results]
    metrics: dict[str, float | int | None] = {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "not_judged": unjudged or None,  # shown only when a file has such cases
        "passed": sum(r.passed for r in results),
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@100": recall(100),
        "mrr@10": _mean([reciprocal_rank(ranked[id(r)], gold[id(r)], 10) for r in judged]),
        "ndcg@10": _mean([ndcg_at(ranked[id(r)], gold[id(r)], 10) for r in judged]),
        "top_sentence_contains": _mean([float(bool(r.top_contains)) for r in with_answers]),
        "answer_contains": _mean([float(bool(r.answer_contains)) for r in with_answers]),
        "answered_when_answerable": _mean([float(r.answered) for r in answerable]),
        "abstained_when_unanswerable": _mean([float(not r.answered) for r in unanswerable]),
        **_docs_metrics(answerable),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p99_ms": percentile(latencies, 99),
    }
    return EvalReport(name, tuple(results), metrics)


def evaluate(
    engine: Engine,
    eval_set: EvalSet,
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Run every case of ``eval_set`` (the first ``limit`` of them) against ``engine``."""
    cases = eval_set.cases[:limit] if limit else eval_set.cases
    results = []
    for done, case in enumerate(cases, start=1):
        results.append(run_case(engine, case, eval_set.document_level))
        if progress is not None:
            progress(done, len(cases))
    return summarize(eval_set.name, results, eval_set.document_level)


def tradeoff(
    results: Sequence[CaseResult], thresholds: Iterable[float]
) -> list[tuple[float, float, float]]:
    """(threshold, share of answerable answered, share of unanswerable abstained) per threshold.

    Valid for results of a run whose ``min_confidence`` was at or below every threshold: a case
    is answered at threshold t when it was answered then and its confidence is ≥ t.
    """
    answerable = [r for r in results if r.case.answerable is True]
    unanswerable = [r for r in results if r.case.answerable is False]
    curve = []
    for t in thresholds:
        kept = sum(r.answered and r.confidence >= t for r in answerable)
        rejected = sum(not (r.answered and r.confidence >= t) for r in unanswerable)
        curve.append(
            (
                t,
                kept / len(answerable) if answerable else 0.0,
                rejected / len(unanswerable) if unanswerable else 0.0,
            )
        )
    return curve


def rejected_at_kept(results: Sequence[CaseResult], kept: float = 0.95) -> tuple[float, float]:
    """The best (threshold, unanswerable abstained share) keeping ≥ ``kept`` of answerable ones."""
    thresholds = sorted({r.confidence for r in results if r.answered} | {0.0})
    best = (0.0, 0.0)
    for t, answered, abstained in tradeoff(results, thresholds):
        if answered >= kept and abstained >= best[1]:
            best = (t, abstained)
    return best


def worst_failures(report: EvalReport, n: int) -> list[CaseResult]:
    """The ``n`` worst failed cases: answerable ones whose gold passage ranked lowest (or not at
    all) first, then unanswerable ones answered with the highest confidence."""

    def severity(r: CaseResult) -> tuple[int, float]:
        if r.case.answerable:
            rank = r.gold_rank if r.gold_rank is not None else RETRIEVAL_DEPTH + 1
            return (0, -float(rank))
        return (1, -r.confidence)

    failed = [r for r in report.results if not r.passed]
    return sorted(failed, key=severity)[: max(0, n)]


def at_threshold(results: Sequence[CaseResult], min_confidence: float) -> list[CaseResult]:
    """The results as a run with ``min_confidence`` would have given them (from a run whose own
    threshold was lower): answers below the threshold become low-confidence abstentions."""
    changed = []
    for r in results:
        if r.answered and r.confidence < min_confidence:
            r = replace(
                r,
                answered=False,
                sentences=(),
                abstain_reason="low_confidence",
                top_contains=None if r.top_contains is None else False,
                answer_contains=None if r.answer_contains is None else False,
                passed=r.case.answerable is not True,
                blocks=(),
                docs=None if r.docs is None else judge_docs(r.case, None),
            )
        changed.append(r)
    return changed
