"""Measuring answer quality: question sets in, retrieval / answer / abstention metrics out.

Pure library code (no printing, no settings). Three input formats become the same
:class:`EvalSet` — documents to index (or none: use the corpus folder) plus :class:`EvalCase` s:

* citebot JSONL, one case per line:
  ``{"question", "answers"?, "source"?, "paragraph"?, "answerable"? (default true),
  "not_cited"?}``; ``"answerable": null`` means "not judged" (answering and abstaining both
  pass) and ``"not_cited": [{"source", "paragraph"}]`` lists paragraphs a person said were
  wrong for the question: citing any of them fails the case. ``citebot feedback export``
  writes its 👎 cases this way;
* a SQuAD JSON file: one document per article (``# Title`` then its paragraphs, one block
  each), ``is_impossible`` questions become cases that must abstain;
* a BEIR folder (``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``): one document per
  corpus entry (``# title`` then the text), judged documents as the relevant set.

:func:`evaluate` asks every question of an :class:`~retrieval.Engine` and returns an
:class:`EvalReport` with R@k, MRR@10, nDCG@10, answer containment (SQuAD normalisation),
abstention rates, latency percentiles, per-case results, and :func:`worst_failures` for error
analysis. :func:`tradeoff` recomputes the abstention rates at other confidence thresholds from one
run (an answer is given exactly when its confidence reaches ``min_confidence``).
"""

from __future__ import annotations

import json
import math
import re
import string
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..answering.engine import Engine
from ..errors import CitebotError, QuestionError
from ..splitting.passages import split_passages
from ..types import Answer, Document, Hit

RETRIEVAL_DEPTH = 100
"""How deep the ranking is read for retrieval metrics (R@100 needs 100)."""


class EvalFileError(CitebotError):
    """A question file (JSONL, SQuAD or BEIR) cannot be read; the message names file and line."""


@dataclass(frozen=True, slots=True)
class EvalCase:
    question: str
    answers: tuple[str, ...] = ()
    source: str | None = None
    paragraph: int | None = None
    answerable: bool | None = True
    """True: must be answered; False: must abstain; None: not judged (a 👎 from feedback says
    what was wrong, not whether the documents answer), so only ``not_cited`` is checked."""
    relevant: Mapping[str, int] = field(default_factory=dict)
    """BEIR relevance judgments: document source → grade (> 0 is relevant)."""
    id: str = ""
    tag: str = ""
    """Where the case comes from, for reports: "", "impossible", "out_of_corpus"."""
    not_cited: frozenset[str] = frozenset()
    """Paragraphs ("source#paragraph") judged wrong for this question: an answer citing one of
    them fails the case, whatever else it gets right."""

    @property
    def has_gold_passage(self) -> bool:
        return self.answerable is True and (self.source is not None or bool(self.relevant))


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    cases: tuple[EvalCase, ...]
    documents: tuple[Document, ...] = ()
    """Documents to index; empty means "use the corpus folder"."""
    document_level: bool = False
    """Retrieval is judged per document (BEIR), not per paragraph."""


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
    (for an answer in Chinese, Japanese or Thai, which have no spaces to mark word edges, or
    next to such text, as a substring, as MLQA's evaluation compares characters)."""
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


# --- loading ---------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalFileError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise EvalFileError(f"{path}: is a folder, not a file.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(f"{path}: cannot be read ({error}).") from None


def _case_from_json(obj: Any, where: str) -> EvalCase:
    if not isinstance(obj, dict):
        raise EvalFileError(f"{where}: expected a JSON object, got {type(obj).__name__}.")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise EvalFileError(f'{where}: "question" must be a non-empty string.')
    answers = obj.get("answers", [])
    if isinstance(answers, str):
        answers = [answers]
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise EvalFileError(f'{where}: "answers" must be a list of strings.')
    source = obj.get("source")
    if source is not None and not isinstance(source, str):
        raise EvalFileError(f'{where}: "source" must be a string.')
    paragraph = obj.get("paragraph")
    if paragraph is not None and (
        isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 1
    ):
        raise EvalFileError(f'{where}: "paragraph" must be a whole number ≥ 1.')
    if paragraph is not None and source is None:
        raise EvalFileError(f'{where}: "paragraph" needs a "source".')
    answerable = obj.get("answerable", True)
    if answerable is not None and not isinstance(answerable, bool):
        raise EvalFileError(f'{where}: "answerable" must be true, false or null.')
    return EvalCase(
        question=question,
        answers=tuple(answers),
        source=source,
        paragraph=paragraph,
        answerable=answerable,
        id=str(obj.get("id", "")),
        not_cited=_not_cited(obj.get("not_cited", []), where),
    )


def _not_cited(value: Any, where: str) -> frozenset[str]:
    """``[{"source": str, "paragraph": int}, ...]`` as "source#paragraph" keys."""
    problem = f'{where}: "not_cited" must be a list of {{"source": ..., "paragraph": n}} objects.'
    if not isinstance(value, list):
        raise EvalFileError(problem)
    keys = set()
    for item in value:
        if not isinstance(item, dict):
            raise EvalFileError(problem)
        source, paragraph = item.get("source"), item.get("paragraph")
        if (
            not isinstance(source, str)
            or isinstance(paragraph, bool)
            or not isinstance(paragraph, int)
            or paragraph < 1
        ):
            raise EvalFileError(problem)
        keys.add(_key(source, paragraph))
    return frozenset(keys)


def load_jsonl(path: str | Path) -> EvalSet:
    """Cases from a citebot JSONL file; blank lines are skipped."""
    path = Path(path)
    cases = []
    for number, obj in _jsonl_lines(path):
        case = _case_from_json(obj, f"{path}:{number}")
        cases.append(replace(case, id=case.id or str(number)))
    if not cases:
        raise EvalFileError(f"{path}: no questions in the file.")
    return EvalSet(path.name, tuple(cases))


def _jsonl_lines(path: Path) -> Iterable[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line; a bad line is an error naming it."""
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalFileError(f"{path}:{number}: not valid JSON ({error.msg}).") from None


def _load_json(path: Path) -> Any:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise EvalFileError(f"{path}: not valid JSON ({error.msg}, line {error.lineno}).") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _source_name(index: int, title: str) -> str:
    slug = re.sub(r"[^\w]+", "_", title).strip("_")[:60] or "article"
    return f"{index:03d}_{slug}.txt"


def squad_documents(data: Sequence[Mapping[str, Any]]) -> list[tuple[Document, list[int]]]:
    """One document per SQuAD article and the paragraph number of each of its contexts.

    The text is ``# Title``, then each context on one line (inner line breaks become spaces),
    separated by blank lines, so each context is exactly one paragraph block.
    """
    result = []
    for index, article in enumerate(data):
        title = _one_line(str(article.get("title", "")).replace("_", " ")) or f"Article {index}"
        contexts = [_one_line(str(p.get("context", ""))) for p in article.get("paragraphs", [])]
        text = "\n\n".join([f"# {title}", *contexts]) + "\n"
        document = Document(_source_name(index, title), text, title, "utf-8")
        passages = split_passages(document)
        if [p.text for p in passages] != contexts:
            raise EvalFileError(f"SQuAD article {title!r}: its paragraphs do not split cleanly.")
        result.append((document, [p.paragraph for p in passages]))
    return result


def load_squad(
    path: str | Path,
    *,
    corpus_articles: int | None = None,
    include_impossible: bool = True,
) -> EvalSet:
    """A SQuAD (1.1 or 2.0) JSON file as documents and cases.

    Questions marked ``is_impossible`` (or with no answer) must abstain, tagged "impossible".
    With ``corpus_articles=n`` only the first ``n`` articles are indexed; answerable questions
    of the other articles become out-of-corpus cases that must abstain (tag "out_of_corpus").
    """
    path = Path(path)
    raw = _load_json(path)
    data = raw.get("data") if isinstance(raw, dict) else None
    if not isinstance(data, list) or not all(isinstance(a, dict) for a in data):
        raise EvalFileError(f'{path}: not a SQuAD file (expected {{"data": [articles]}}).')
    built = squad_documents(data)
    keep = len(built) if corpus_articles is None else max(0, corpus_articles)
    cases: list[EvalCase] = []
    for index, (article, (document, numbers)) in enumerate(zip(data, built, strict=True)):
        in_corpus = index < keep
        for paragraph, number in zip(article.get("paragraphs", []), numbers, strict=True):
            for qa in paragraph.get("qas", []):
                answers = tuple(
                    dict.fromkeys(
                        str(a.get("text", "")) for a in qa.get("answers", []) if a.get("text")
                    )
                )
                impossible = bool(qa.get("is_impossible", False)) or not answers
                if impossible and not include_impossible:
                    continue
                if impossible and not in_corpus:
                    continue
                tag = "impossible" if impossible else ("" if in_corpus else "out_of_corpus")
                answerable = not impossible and in_corpus
                cases.append(
                    EvalCase(
                        question=str(qa.get("question", "")),
                        answers=answers,
                        source=document.source if answerable else None,
                        paragraph=number if answerable else None,
                        answerable=answerable,
                        id=str(qa.get("id", "")),
                        tag=tag,
                    )
                )
    if not cases:
        raise EvalFileError(f"{path}: no questions in the file.")
    documents = tuple(document for document, _ in built[:keep])
    if not documents:
        raise EvalFileError(f"{path}: no articles to index.")
    return EvalSet(path.name, tuple(cases), documents)


def _read_jsonl_objects(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    for number, obj in _jsonl_lines(path):
        if not isinstance(obj, dict) or "_id" not in obj:
            raise EvalFileError(f'{path}:{number}: expected an object with an "_id".')
        yield number, obj


def beir_document(doc_id: str, title: str, text: str) -> Document:
    """A BEIR corpus entry: ``# title`` (a heading, kept as the passage context) then the text."""
    title = _one_line(title)
    body = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if not body:
        body, title = title, ""
    content = f"# {title}\n\n{body}\n" if title else f"{body}\n"
    return Document(doc_id, content, title, "utf-8")


def load_beir(folder: str | Path, split: str = "test") -> EvalSet:
    """A BEIR dataset folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EvalFileError(f"{folder}: not a folder (a BEIR dataset is a folder).")
    documents = []
    seen: set[str] = set()
    for _, obj in _read_jsonl_objects(folder / "corpus.jsonl"):
        doc_id = str(obj["_id"])
        if doc_id in seen:
            continue
        seen.add(doc_id)
        documents.append(beir_document(doc_id, str(obj.get("title", "")), str(obj.get("text", ""))))
    queries = {
        str(obj["_id"]): str(obj.get("text", ""))
        for _, obj in _read_jsonl_objects(folder / "queries.jsonl")
    }
    qrels_path = folder / "qrels" / f"{split}.tsv"
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(_read_text(qrels_path).splitlines(), start=1):
        parts = line.split("\t") if "\t" in line else line.split()
        if not parts or not line.strip():
            continue
        if number == 1 and not parts[-1].strip().lstrip("-").isdigit():
            continue  # header
        if len(parts) != 3:
            raise EvalFileError(f"{qrels_path}:{number}: expected query-id, corpus-id, score.")
        try:
            grade = int(parts[2])
        except ValueError:
            raise EvalFileError(f"{qrels_path}:{number}: the score must be a number.") from None
        qrels.setdefault(parts[0].strip(), {})[parts[1].strip()] = grade
    cases = []
    for query_id, relevant in qrels.items():
        if query_id not in queries:
            raise EvalFileError(f"{qrels_path}: query {query_id!r} is not in queries.jsonl.")
        cases.append(EvalCase(queries[query_id], relevant=relevant, id=query_id))
    if not cases:
        raise EvalFileError(f"{qrels_path}: no relevance judgments.")
    if not documents:
        raise EvalFileError(f"{folder / 'corpus.jsonl'}: no documents.")
    return EvalSet(folder.name, tuple(cases), tuple(documents), document_level=True)


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


@dataclass(frozen=True, slots=True)
class EvalReport:
    name: str
    results: tuple[CaseResult, ...]
    metrics: dict[str, float | int | None]
    """Named numbers; None when no case measures that metric (no gold paragraphs, say)."""

    @property
    def all_passed(self) -> bool:
        return all(r.passed for r in self.results)


def _key(source: str, paragraph: int | None) -> str:
    return source if paragraph is None else f"{source}#{paragraph}"


def _ranked_keys(hits: Sequence[Hit], document_level: bool) -> tuple[str, ...]:
    keys = (
        hit.passage.source if document_level else _key(hit.passage.source, hit.passage.paragraph)
        for hit in hits
    )
    return tuple(dict.fromkeys(keys))


def _gold(case: EvalCase, document_level: bool) -> dict[str, int]:
    if case.relevant:
        return {k: g for k, g in case.relevant.items() if g > 0}
    if case.source is None:
        return {}
    return {_key(case.source, None if document_level else case.paragraph): 1}


def _gold_rank(ranked: Sequence[str], case: EvalCase) -> int | None:
    if case.relevant:
        return first_relevant_rank(ranked, [k for k, g in case.relevant.items() if g > 0])
    if case.source is None:
        return None
    if case.paragraph is None:  # any paragraph of the expected file
        sources = [key.split("#", 1)[0] for key in ranked]
        return first_relevant_rank(sources, [case.source])
    return first_relevant_rank(ranked, [_key(case.source, case.paragraph)])


def run_case(engine: Engine, case: EvalCase, document_level: bool = False) -> CaseResult:
    """Ask one question and judge the answer and the ranking (the first ``RETRIEVAL_DEPTH`` hits
    of the search the answer came from); ``seconds`` times that one search and the composing."""
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
    if passed and answered and answer is not None and case.not_cited:
        passed = not any(
            _key(c.passage.source, c.passage.paragraph) in case.not_cited for c in answer.citations
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
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(name: str, results: Sequence[CaseResult], document_level: bool = False) -> EvalReport:
    """The report's metrics from per-case results."""
    answerable = [r for r in results if r.case.answerable is True]
    unanswerable = [r for r in results if r.case.answerable is False]
    unjudged = len(results) - len(answerable) - len(unanswerable)
    judged = [r for r in answerable if r.case.has_gold_passage]
    gold = {id(r): _gold(r.case, document_level) for r in judged}

    def recall(k: int) -> float | None:
        return _mean([recall_at(r.ranked, gold[id(r)], k) for r in judged])

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
        "mrr@10": _mean([reciprocal_rank(r.ranked, gold[id(r)], 10) for r in judged]),
        "ndcg@10": _mean([ndcg_at(r.ranked, gold[id(r)], 10) for r in judged]),
        "top_sentence_contains": _mean([float(bool(r.top_contains)) for r in with_answers]),
        "answer_contains": _mean([float(bool(r.answer_contains)) for r in with_answers]),
        "answered_when_answerable": _mean([float(r.answered) for r in answerable]),
        "abstained_when_unanswerable": _mean([float(not r.answered) for r in unanswerable]),
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
            )
        changed.append(r)
    return changed
