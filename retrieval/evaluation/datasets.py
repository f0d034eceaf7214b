"""Question sets: citebot JSONL, docs questions, SQuAD and BEIR, read into one :class:`EvalSet`.

Pure library code. Every loader turns a bad file into :class:`EvalFileError` naming the file and
line, never a traceback. Formats:

* citebot JSONL, one case per line:
  ``{"question", "answers"?, "source"?, "paragraph"?, "answerable"? (default true),
  "not_cited"?}``; ``"answerable": null`` means "not judged" (answering and abstaining both
  pass) and ``"not_cited": [{"source", "paragraph"}]`` lists paragraphs a person said were
  wrong for the question: citing any of them fails the case. ``citebot feedback export``
  writes its 👎 cases this way;
* docs questions (``../shared/bench-data/docs/*.jsonl``): ``{"id", "question", "answerable",
  "source", "section", "must_show"}``, optionally re-targeted through a sources map (the gold
  ``.rst`` file → its ``.html`` page or the PDF) by :func:`load_docs`;
* a SQuAD JSON file: one document per article (``# Title`` then its paragraphs, one block
  each), ``is_impossible`` questions become cases that must abstain;
* a BEIR folder (``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``): one document per
  corpus entry (``# title`` then the text), judged documents as the relevant set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import CitebotError
from ..splitting.passages import split_passages
from ..types import Document


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
    section: str | None = None
    """Docs questions: the heading of the gold section (markup removed), judged against the
    first citation's heading context."""
    must_show: tuple[str, ...] = ()
    """Docs questions: strings a useful answer shows (ignoring case), in its quoted sentences
    or blocks."""
    gold_page: int = 0
    """Docs questions scored on a PDF: the 1-based page the gold section's heading is on."""

    @property
    def is_docs(self) -> bool:
        """A docs question (``section``/``must_show``): scored by the docs rules."""
        return self.section is not None or bool(self.must_show)

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


def case_key(source: str, paragraph: int | None) -> str:
    """The key a ranking and a gold paragraph are compared by: "source#paragraph" (or source)."""
    return source if paragraph is None else f"{source}#{paragraph}"


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
        keys.add(case_key(source, paragraph))
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
        # A context longer than the splitter's bound is cut into several passages that keep
        # its paragraph number; together they must still be exactly that context.
        spans: dict[int, tuple[int, int]] = {}
        for passage in split_passages(document):
            first = spans.get(passage.paragraph, (passage.start, passage.end))
            spans[passage.paragraph] = (first[0], passage.end)
        if [text[a:z] for a, z in spans.values()] != contexts:
            raise EvalFileError(f"SQuAD article {title!r}: its paragraphs do not split cleanly.")
        result.append((document, list(spans)))
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


# --- docs questions --------------------------------------------------------------------------

DocsTarget = Literal["source", "html", "pdf"]
DOCS_TARGETS: tuple[DocsTarget, ...] = ("source", "html", "pdf")
"""Which build of the docs is scored: the sources the questions name, or (with a sources map)
the HTML pages or the PDF built from them."""


def _strings(value: Any, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(s, str) and s for s in value):
        raise EvalFileError(f'{where}: "{name}" must be a non-empty list of non-empty strings.')
    return tuple(value)


def _docs_case(obj: Any, where: str, number: int) -> EvalCase:
    """One docs question: an answerable one needs ``source``, ``section`` and ``must_show``."""
    case = _case_from_json(obj, where)
    case = replace(case, id=case.id or str(number))
    if case.answerable is not True:
        if case.answerable is None:
            raise EvalFileError(f'{where}: "answerable" must be true or false in a docs file.')
        return case
    section = obj.get("section")
    if not isinstance(section, str) or not section.strip():
        raise EvalFileError(f'{where}: "section" must be a non-empty string.')
    if case.source is None:
        raise EvalFileError(f'{where}: an answerable docs question needs a "source".')
    return replace(
        case, section=section, must_show=_strings(obj.get("must_show"), where, "must_show")
    )


@dataclass(frozen=True, slots=True)
class SourcesMap:
    """Where each gold source is in another build (``flask-sources.json``): gold path →
    ``{"html": page, "pdf": file, "sections": {heading: {"html_anchor", "pdf_page"}}}``.

    HTML pages are relative to the HTML corpus folder; the PDF is relative to the map's own
    folder, so it is re-based on the corpus folder being scored (see :meth:`target_of`).
    """

    path: Path
    entries: Mapping[str, Mapping[str, Any]]

    @classmethod
    def load(cls, path: str | Path) -> SourcesMap:
        path = Path(path)
        raw = _load_json(path)
        if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
            raise EvalFileError(f"{path}: expected an object of gold source → {{html, pdf}}.")
        return cls(path, raw)

    def target_of(self, case: EvalCase, target: DocsTarget, corpus: Path | None) -> EvalCase | None:
        """``case`` with its gold source (and PDF page) in ``target``'s build; None when that
        build does not hold the gold (a non-tutorial page in the tutorial PDF)."""
        if case.source is None or target == "source":
            return case
        entry = self.entries.get(case.source)
        mapped = entry.get(target) if entry is not None else None
        if mapped is None:
            if target == "pdf":
                return None
            raise EvalFileError(f"{self.path}: no {target} page for {case.source} ({case.id}).")
        if not isinstance(mapped, str):
            raise EvalFileError(f"{self.path}: {case.source}: {target!r} must be a path.")
        sections = entry.get("sections", {}) if entry is not None else {}
        section = sections.get(case.section, {}) if isinstance(sections, dict) else {}
        page = section.get("pdf_page", 0) if isinstance(section, dict) else 0
        if target == "pdf":
            mapped = self._rebased(mapped, corpus)
        return replace(case, source=mapped, gold_page=page if isinstance(page, int) else 0)

    def _rebased(self, mapped: str, corpus: Path | None) -> str:
        """A path relative to the map's folder, made relative to the scored corpus folder
        (without a corpus folder: the path minus its first folder, "flask-pdf/")."""
        if corpus is not None:
            try:
                full = (self.path.parent / mapped).resolve()
                return full.relative_to(corpus.resolve()).as_posix()
            except ValueError:
                pass
        parts = Path(mapped).parts
        return Path(*parts[1:]).as_posix() if len(parts) > 1 else mapped


def load_docs(
    path: str | Path,
    *,
    sources_map: str | Path | None = None,
    target: DocsTarget = "source",
    corpus: str | Path | None = None,
) -> EvalSet:
    """Docs questions, scored by the rules of ``../shared/bench-data/docs/README.md``.

    With ``sources_map`` and ``target`` "html" or "pdf", each gold source becomes its page in
    that build (and for "pdf" only the questions whose gold is in the PDF are kept, with every
    unanswerable one); ``corpus`` is the folder being scored, to place the PDF's path.
    """
    path = Path(path)
    if target not in DOCS_TARGETS:
        raise EvalFileError(
            f"unknown docs target {target!r}: use one of {', '.join(DOCS_TARGETS)}."
        )
    if target != "source" and sources_map is None:
        raise EvalFileError(f"scoring the {target} build needs a sources map (--sources-map).")
    mapping = SourcesMap.load(sources_map) if sources_map is not None else None
    folder = Path(corpus) if corpus is not None else None
    cases = []
    for number, obj in _jsonl_lines(path):
        case: EvalCase | None = _docs_case(obj, f"{path}:{number}", number)
        if mapping is not None and case is not None:
            case = mapping.target_of(case, target, folder)
        if case is not None:
            cases.append(case)
    if not cases:
        raise EvalFileError(f"{path}: no questions in the file.")
    name = path.name if target == "source" else f"{path.name} ({target})"
    return EvalSet(name, tuple(cases))
