"""The same Flask docs in three formats: does the same content reach the index from each?

    .venv/bin/python -m bench.docs_formats [--data ../shared/bench-data/docs] [--subset odd]

For ``flask-rst/``, ``flask-html/`` and ``flask-pdf/`` (see ``../shared/bench-data/docs/
README.md``) it builds each index in memory (timed, one worker, so the times compare readers and
not the machine's free cores), runs ``flask.jsonl`` through ``citebot eval``'s own scoring
(answered, cited-right, section-right, useful, off-topic abstained), and adds the two figures
of issue 11 that the eval table does not have:

* html vs rst: the share of the 60 answerable questions whose first citation is the same
  section in both builds (same page — the ``.rst``'s HTML page — and same nearest heading), or
  that both leave unanswered;
* pdf: the share of the 13 tutorial questions whose first citation is on the gold page (where
  the section's heading is printed) or the page after; and, to tell the reader from the
  ranking, the share whose first citation has the same nearest heading as the ``.rst``
  build's first citation (or that both leave unanswered), and the page figure the ``.rst``
  build's own answers would score, each found in the PDF's text; and, to tell the page
  attribution from the rest, how many first citations name the page their first quoted
  sentence is printed on, by pypdf's own text of that page (not the reader's).

Also the index-time ratio html/rst (target ≤ 3). Nothing is written unless ``--json-out``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from bot.eval_cmd import subset
from retrieval import Engine, EngineOptions
from retrieval.evaluation import CaseResult, EvalReport, evaluate
from retrieval.evaluation.datasets import load_docs
from retrieval.reading import PAGE_BREAK, PROSE_KINDS
from retrieval.reading.pdf import parse_pdf
from retrieval.reading.rst_inline import rst_display


@dataclass(frozen=True)
class Run:
    name: str
    seconds: float
    report: EvalReport
    documents: int
    paragraphs: int


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _run(data: Path, target: str, folder: str, which: str, exclude: tuple[str, ...] = ()) -> Run:
    corpus = data / folder
    started = time.perf_counter()
    options = EngineOptions(exclude=exclude)
    engine = Engine.from_folder(corpus, options, workers=1)
    seconds = time.perf_counter() - started
    eval_set = load_docs(
        data / "flask.jsonl",
        sources_map=data / "flask-sources.json" if target != "source" else None,
        target=target,  # type: ignore[arg-type]
        corpus=corpus,
    )
    report = evaluate(engine, subset(eval_set, which))
    return Run(folder, seconds, report, engine.document_count, len(engine.passages))


def _first(result: CaseResult) -> tuple[str, str] | None:
    """(page, nearest heading) of the first citation; None when unanswered."""
    judged = result.docs
    if judged is None or not result.answered or not judged.first_cited:
        return None
    page = judged.first_cited.split(" ¶")[0]
    page = re.sub(r"\.(rst|html)$", "", page)
    heading = judged.first_headings[-1] if judged.first_headings else ""
    return page, _norm(heading)


def same_section_share(rst: EvalReport, html: EvalReport) -> float:
    """Share of answerable questions whose first citation is the same section in both."""
    by_id = {r.case.id: r for r in html.results}
    same = total = 0
    for result in rst.results:
        if not result.case.answerable or result.case.id not in by_id:
            continue
        total += 1
        same += _first(result) == _first(by_id[result.case.id])
    return same / total if total else 0.0


def tutorial_same_section_share(rst: EvalReport, pdf: EvalReport) -> float:
    """Share of the PDF's answerable questions whose first citation has the same nearest
    heading as the ``.rst`` build's (or that both leave unanswered): does the PDF give the
    answers the sources give? The PDF is one file, so the page name is not compared."""
    by_id = {r.case.id: r for r in rst.results}
    same = total = 0
    for result in pdf.results:
        if not result.case.answerable or result.case.id not in by_id:
            continue
        total += 1
        ours, theirs = _first(result), _first(by_id[result.case.id])
        same += (ours and ours[1]) == (theirs and theirs[1])
    return same / total if total else 0.0


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.replace("\u2019", "'").lower()))


def rst_answers_page_share(rst: EvalReport, pdf: EvalReport, pdf_file: Path) -> float:
    """Share of the PDF's tutorial questions whose *rst* answer, found in the PDF, starts on
    the gold page or the next: what the page figure would be if the PDF were answered exactly
    as the sources are — the part of the gap that is the PDF reading's. An rst answer from
    outside the tutorial, or not found in the PDF's text, counts as a miss."""
    pages = pdf_pages(pdf_file)
    by_id = {r.case.id: r for r in rst.results}
    right = total = 0
    for result in pdf.results:
        if not result.case.answerable:
            continue
        total += 1
        theirs = by_id.get(result.case.id)
        page = rst_answer_page(theirs, pages) if theirs is not None else 0
        right += page in (result.case.gold_page, result.case.gold_page + 1)
    return right / total if total else 0.0


Pages = list[tuple[int, str, tuple[int, ...]]]
"""(page, words, where each later page starts in ``words``) of each block of the PDF."""


def pdf_pages(pdf_file: Path) -> Pages:
    """Each block of the PDF as its first page, its words, and the offsets in those words
    where the block goes on onto the next page (a prose block's ``PAGE_BREAK``s)."""
    reading = parse_pdf(pdf_file.read_bytes())
    out: Pages = []
    for block in reading.blocks:
        text = reading.text[block.start : block.end]
        pieces = text.split(PAGE_BREAK) if block.kind in PROSE_KINDS else [text]
        words, breaks = "", []
        for i, piece in enumerate(pieces):
            if i:
                breaks.append(len(words) + 1 if words else 0)
            more = _words(piece)
            words = f"{words} {more}" if words and more else words or more
        out.append((block.page, words, tuple(breaks)))
    return out


def rst_answer_page(result: CaseResult, pages: Pages) -> int:
    """The PDF page the rst answer's first quoted sentence starts on (a block going on onto
    the next page counts its page breaks before it, as a citation does); 0 when it
    abstained or the sentence is not in the PDF (an answer from outside the tutorial)."""
    if not result.answered or not result.sentences:
        return 0
    quoted = _words(rst_display(result.sentences[0]))
    for page, words, breaks in pages:
        at = words.find(quoted) if quoted else -1
        if at >= 0:
            return page + sum(1 for b in breaks if b <= at)
    return 0


def page_right_share(pdf: EvalReport) -> float:
    """Share of the PDF's answerable questions cited first on the gold page or the next."""
    answerable = [r for r in pdf.results if r.case.answerable]
    right = sum(
        1
        for r in answerable
        if r.answered
        and r.docs is not None
        and r.case.gold_page
        and r.docs.first_page in (r.case.gold_page, r.case.gold_page + 1)
    )
    return right / len(answerable) if answerable else 0.0


def _letters(text: str) -> str:
    """Letters and digits only, ligatures unfolded: pypdf's plain text loses the spaces of
    tightly set lines and keeps a hyphen at a line end, which the reader mends."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


QUOTE_PROBE = 40
"""Letters of a quote's start looked for on its cited page (a sentence may go on overleaf)."""


def pdf_page_letters(pdf_file: Path) -> list[str]:
    """Each page's text as pypdf extracts it by itself, reduced to :func:`_letters`."""
    return [_letters(page.extract_text() or "") for page in PdfReader(pdf_file).pages]


def quote_on_cited_page(quote: str, page: int, pages: list[str]) -> bool:
    """Is the start of ``quote`` printed on ``page`` (1-based) of a PDF whose pages'
    :func:`_letters` are ``pages``? A check of the reader's page attribution that does not
    go through the reader."""
    probe = _letters(quote)[:QUOTE_PROBE]
    return bool(probe) and 1 <= page <= len(pages) and probe in pages[page - 1]


def quotes_on_cited_pages(pdf: EvalReport, pages: list[str]) -> tuple[int, int]:
    """(right, answered): the answered questions whose first citation's page holds its first
    quoted sentence (the first sentence is always citation 1's)."""
    right = answered = 0
    for result in pdf.results:
        if result.answered and result.docs is not None and result.sentences:
            answered += 1
            right += quote_on_cited_page(result.sentences[0], result.docs.first_page, pages)
    return right, answered


def _describe(result: CaseResult) -> str:
    """One line: where the first citation is, its headings and the start of the answer."""
    if not result.answered:
        return f"abstained ({result.abstain_reason}, confidence {result.confidence:.3f})"
    judged = result.docs
    where = judged.first_cited if judged else (result.cited[0] if result.cited else "?")
    page = f" p. {judged.first_page}" if judged and judged.first_page else ""
    headings = " › ".join(judged.first_headings) if judged else ""
    said = result.sentences[0][:90] if result.sentences else ""
    return f"{where}{page} [{headings}] conf {result.confidence:.3f}: {said!r}"


def print_details(rst: EvalReport, html: EvalReport, pdf: EvalReport, pages: Pages) -> None:
    """The questions behind the figures that miss: for reading a miss, not for scoring."""
    html_by_id = {r.case.id: r for r in html.results}
    rst_by_id = {r.case.id: r for r in rst.results}
    print("\n# html first section differs from rst's")
    for result in rst.results:
        other = html_by_id.get(result.case.id)
        if result.case.answerable and other and _first(result) != _first(other):
            print(
                f"{result.case.id} {result.case.question!r} gold {result.case.source} "
                f"[{result.case.section}]"
            )
            print(f"    rst:  {_describe(result)}")
            print(f"    html: {_describe(other)}")
    print("\n# pdf first citation not on the gold page or the next")
    for result in pdf.results:
        if not result.case.answerable:
            continue
        page = result.docs.first_page if result.docs else 0
        if result.answered and page in (result.case.gold_page, result.case.gold_page + 1):
            continue
        print(
            f"{result.case.id} {result.case.question!r} gold p. {result.case.gold_page} "
            f"[{result.case.section}]"
        )
        print(f"    pdf:  {_describe(result)}")
        if result.case.id in rst_by_id:
            theirs = rst_by_id[result.case.id]
            page = rst_answer_page(theirs, pages)
            print(f"    rst:  {_describe(theirs)} (in the PDF: p. {page or '-'})")
    for name, report in (("rst", rst), ("html", html), ("pdf", pdf)):
        print(f"\n# {name}: off-topic questions answered")
        for result in report.results:
            if not result.case.answerable and result.answered:
                print(f"{result.case.id} {result.case.question!r}")
                print(f"    {_describe(result)}")
                for sentence in result.sentences[1:]:
                    print(f"      + {sentence[:100]!r}")


_SHOWN = ("answered", "abstained", "cited_right", "section_right", "useful")


def _figures(report: EvalReport) -> dict[str, Any]:
    keys = {
        "answered": "answered_when_answerable",
        "abstained": "abstained_when_unanswerable",
        "cited_right": "cited_right",
        "section_right": "section_right",
        "useful": "useful",
    }
    return {name: report.metrics.get(key) for name, key in keys.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/bench-data/docs"))
    parser.add_argument("--subset", choices=("all", "odd", "even"), default="all")
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument(
        "--details",
        action="store_true",
        help="also print each question where html's first section differs from rst's, each "
        "tutorial question whose PDF citation misses the gold page, and each off-topic "
        "question answered",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave files out of every build (e.g. 'api.*' 'changes.*': pages whose HTML holds "
        "text the .rst source does not — autodoc docstrings, an included changelog)",
    )
    args = parser.parse_args(argv)
    if not (args.data / "flask.jsonl").exists():
        print(f"docs_formats: no {args.data / 'flask.jsonl'}", file=sys.stderr)
        return 2
    runs = {
        target: _run(args.data, target, folder, args.subset, tuple(args.exclude))
        for target, folder in (
            ("source", "flask-rst"),
            ("html", "flask-html"),
            ("pdf", "flask-pdf"),
        )
    }
    figures = {run.name: _figures(run.report) for run in runs.values()}
    pdf_file = args.data / "flask-pdf" / "flask-tutorial.pdf"
    tutorial = sum(1 for r in runs["pdf"].report.results if r.case.answerable)  # 13: 7 even, 6 odd
    on_page, quoted = quotes_on_cited_pages(runs["pdf"].report, pdf_page_letters(pdf_file))
    out: dict[str, Any] = {
        "subset": args.subset,
        "exclude": args.exclude,
        "formats": {
            run.name: {
                "index_seconds": round(run.seconds, 3),
                "documents": run.documents,
                "paragraphs": run.paragraphs,
                **figures[run.name],
            }
            for run in runs.values()
        },
        "html_over_rst_index_time": round(runs["html"].seconds / runs["source"].seconds, 3),
        "html_same_first_section_as_rst": round(
            same_section_share(runs["source"].report, runs["html"].report), 3
        ),
        "pdf_first_citation_on_gold_page_or_next": round(page_right_share(runs["pdf"].report), 3),
        "pdf_page_right_with_rst_answers": round(
            rst_answers_page_share(
                runs["source"].report,
                runs["pdf"].report,
                pdf_file,
            ),
            3,
        ),
        "pdf_same_first_section_as_rst": round(
            tutorial_same_section_share(runs["source"].report, runs["pdf"].report), 3
        ),
        "pdf_first_quote_on_cited_page": [on_page, quoted],
    }
    header = f"{'format':<11}{'index s':>9}{'docs':>6}{'paras':>7}" + "".join(
        f"{name:>15}" for name in _SHOWN
    )
    print(header)
    for name, row in out["formats"].items():
        values = "".join(
            f"{row[k]:>15.3f}" if isinstance(row[k], float) else f"{'—':>15}" for k in _SHOWN
        )
        print(
            f"{name:<11}{row['index_seconds']:>9.2f}{row['documents']:>6}{row['paragraphs']:>7}"
            + values
        )
    print(f"html/rst index time:                 {out['html_over_rst_index_time']:.2f}  (≤ 3)")
    print(f"html first citation = rst's section: {out['html_same_first_section_as_rst']:.3f}")
    print(
        "pdf first citation on gold page/next: "
        f"{out['pdf_first_citation_on_gold_page_or_next']:.3f}  ({tutorial} tutorial questions)"
    )
    print(f"pdf first citation = rst's section:  {out['pdf_same_first_section_as_rst']:.3f}")
    print(
        "rst's answers on the pdf's pages:     "
        f"{out['pdf_page_right_with_rst_answers']:.3f}  (the page figure if the PDF answered "
        "as the .rst does)"
    )
    print(
        f"pdf first quote on its cited page:    {on_page}/{quoted}  (answered; by pypdf's "
        "own page text)"
    )
    if args.details:
        print_details(
            runs["source"].report,
            runs["html"].report,
            runs["pdf"].report,
            pdf_pages(pdf_file),
        )
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
