"""``citebot eval``: run a question set through the engine and print quality metrics.

Wired into ``bot.cli`` as ``configure_parser(parser, "eval")`` and ``run(context)`` (the CLI
builds the settings, with ``--top-k`` and ``--min-confidence`` applied, and reports bad ones);
``python -m bot.eval_cmd FILE [options]`` is the same as ``citebot eval FILE [options]``.

Output: a table on stdout (or one JSON object with ``--json``; ``--json-out FILE`` writes that
object to FILE as well as printing the table, so one run gives both), a progress bar on stderr
when stderr is a terminal or the run is long, and with ``--failures N`` the N worst cases.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from retrieval import CitebotError, Engine, EngineOptions
from retrieval.evaluation import (
    DOCS_TARGETS,
    CaseResult,
    EvalReport,
    EvalSet,
    at_threshold,
    evaluate,
    load_beir,
    load_docs,
    load_jsonl,
    load_squad,
    rejected_at_kept,
    reliability,
    summarize,
    tradeoff,
    worst_failures,
)

from .context import Context
from .files import write_atomically
from .opening import open_engine
from .options import add_answer_options, add_corpus_options, positive
from .progress import ProgressBar

LONG_RUN = 200
"""Runs with more questions than this show progress even when stderr is not a terminal."""
CURVE_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(21))

_LABELS = {
    "questions": "questions",
    "answerable": "  answerable",
    "unanswerable": "  unanswerable",
    "not_judged": "  not judged (answerable: null)",
    "passed": "cases passed",
    "recall@1": "retrieval R@1",
    "recall@5": "retrieval R@5",
    "recall@100": "retrieval R@100",
    "mrr@10": "retrieval MRR@10",
    "ndcg@10": "retrieval nDCG@10",
    "top_sentence_contains": "top sentence contains gold",
    "answer_contains": "answer contains gold",
    "answered_when_answerable": "answerable: answered",
    "cited_right": "docs: first citation in gold file",
    "section_right": "docs: ... and in gold section",
    "useful": "docs: useful (must_show shown)",
    "abstained_when_unanswerable": "unanswerable: abstained",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p99_ms": "latency p99 (ms)",
}


def configure_parser(parser: argparse.ArgumentParser, name: str = "eval") -> None:
    """The ``eval`` subcommand's arguments."""
    parser.description = (
        "Ask every question of FILE and report retrieval (R@1, R@5, MRR@10, nDCG@10, R@100), "
        "answer (gold contained in the top sentence / the whole answer) and abstention "
        "metrics, with latency."
    )
    parser.add_argument(
        "file",
        metavar="FILE",
        help="JSONL question file; a docs question file (source, section, must_show) with "
        "--format docs; a SQuAD JSON file with --format squad; a BEIR folder with --format beir",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "docs", "squad", "beir"),
        default=None,
        dest="eval_format",
        help="default: docs when the file's first case has section or must_show, else jsonl",
    )
    _add_dataset_options(parser)
    add_corpus_options(parser)  # --corpus: the JSONL and docs formats' documents
    add_answer_options(parser)
    _add_report_options(parser)


def _add_dataset_options(parser: argparse.ArgumentParser) -> None:
    """Options of one question-set format or another (docs, SQuAD, BEIR) and the subset."""
    parser.add_argument(
        "--sources-map",
        type=Path,
        default=None,
        metavar="FILE",
        help="docs: where each gold source is in other builds (flask-sources.json)",
    )
    parser.add_argument(
        "--target",
        choices=DOCS_TARGETS,
        default="source",
        help="docs: score the gold sources as named (source), or their HTML pages or PDF "
        "through --sources-map",
    )
    parser.add_argument(
        "--subset",
        choices=("all", "odd", "even"),
        default="all",
        help="only the questions whose id number is odd / even (tune on one half, report "
        "the other)",
    )
    parser.add_argument(
        "--answerable-only",
        action="store_true",
        help="SQuAD: skip the questions marked is_impossible",
    )
    parser.add_argument(
        "--corpus-articles",
        type=positive,
        default=None,
        metavar="N",
        help="SQuAD: index only the first N articles; the others' questions must abstain",
    )
    parser.add_argument("--split", default="test", help="BEIR qrels split (default: test)")


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    """What the run prints and writes, and when it fails."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--json-out",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the JSON object to FILE (the table still goes to stdout): "
        "both reports from one run",
    )
    parser.add_argument(
        "--failures", type=positive, default=0, metavar="N", help="print the N worst failed cases"
    )
    parser.add_argument(
        "--limit", type=positive, default=None, metavar="N", help="first N cases only"
    )
    parser.add_argument(
        "--curve", action="store_true", help="also print the abstention trade-off curve"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every case passes")


def sniff_format(path: str) -> str:
    """``docs`` for a JSONL file whose first case names a ``section`` or ``must_show`` (a docs
    question file: scored as plain JSONL, its cited-right, section-right and useful figures
    were silently left out), else ``jsonl``; a file that cannot be read is left to the loader."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    case = json.loads(line)
                    docs = isinstance(case, dict) and ("must_show" in case or "section" in case)
                    return "docs" if docs else "jsonl"
    except (OSError, ValueError):
        pass
    return "jsonl"


def _load(args: argparse.Namespace, stderr: TextIO = sys.stderr) -> EvalSet:
    if args.eval_format is None:
        args.eval_format = sniff_format(args.file)
        if args.eval_format == "docs":
            stderr.write(
                f"citebot eval: {args.file} has section/must_show: scored as a docs question "
                "file (--format jsonl to score it as plain JSONL).\n"
            )
    if args.eval_format == "squad":
        return load_squad(
            args.file,
            corpus_articles=args.corpus_articles,
            include_impossible=not args.answerable_only,
        )
    if args.eval_format == "beir":
        return load_beir(args.file, args.split)
    if args.eval_format == "docs":
        eval_set = load_docs(
            args.file, sources_map=args.sources_map, target=args.target, corpus=args.corpus
        )
    else:
        eval_set = load_jsonl(args.file)
    return subset(eval_set, getattr(args, "subset", "all"))


def subset(eval_set: EvalSet, which: str) -> EvalSet:
    """The cases whose id ends in an odd / even number ("all": every case); ids without a
    number count by their line order."""
    if which == "all":
        return eval_set
    wanted = 1 if which == "odd" else 0
    kept = []
    for order, case in enumerate(eval_set.cases, start=1):
        digits = re.search(r"(\d+)\D*$", case.id)
        number = int(digits.group(1)) if digits else order
        if number % 2 == wanted:
            kept.append(case)
    return replace(eval_set, name=f"{eval_set.name} [{which} ids]", cases=tuple(kept))


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3f}"


def render_table(report: EvalReport, extra: dict[str, Any]) -> str:
    rows = [(_LABELS.get(k, k), _fmt(v)) for k, v in report.metrics.items() if v is not None]
    width = max(len(label) for label, _ in rows)
    lines = [f"citebot eval: {report.name}", ""]
    lines += [f"{label:<{width}}  {value:>8}" for label, value in rows]
    if "rejected_at_95_kept" in extra:
        threshold, rejected = extra["rejected_at_95_kept"]
        lines.append(
            f"{'unanswerable abstained at 95% kept':<{width}}  {rejected:>8.3f}  "
            f"(min_confidence {threshold:.3f})"
        )
    table = extra.get("calibration")
    if table is not None:
        lines += ["", f"calibration ({table.judged:,} answers judged): ECE {table.ece:.3f}"]
        lines.append("confidence      answers  mean confidence  right")
        for b in table.bins:
            share = f"{b.mean_confidence:>15.3f}  {b.right:>5.3f}"
            lines.append(f"{b.low:.1f}-{b.high:.1f}  {b.count:>12,}  {share}")
    if "curve" in extra:
        lines += ["", "min_confidence  answerable answered  unanswerable abstained"]
        for t, kept, rejected in extra["curve"]:
            lines.append(f"{t:>14.2f}  {kept:>19.3f}  {rejected:>23.3f}")
    return "\n".join(lines)


def _describe_gold(result: CaseResult) -> str:
    case = result.case
    wrong = ""
    if case.not_cited:
        wrong = "not: " + ", ".join(sorted(k.replace("#", " ¶") for k in case.not_cited))
    if case.answerable is None:
        return f"(abstain, or cite other paragraphs; {wrong})" if wrong else "(not judged)"
    if not case.answerable:
        return f"(should abstain{', ' + case.tag if case.tag else ''})"
    parts = [wrong] if wrong else []
    if case.is_docs:
        must = ", ".join(repr(m) for m in case.must_show)
        page = f" (page {case.gold_page})" if case.gold_page else ""
        return f"{case.source}{page} › {case.section}; must show {must}"
    if case.answers:
        parts.append(" | ".join(case.answers[:3]))
    if case.source:
        parts.append(case.source + (f" ¶{case.paragraph}" if case.paragraph else ""))
    if case.relevant:
        parts.append("relevant: " + ", ".join(list(case.relevant)[:5]))
    return "; ".join(parts) or "(answerable)"


def _docs_failure_lines(r: CaseResult) -> list[str]:
    """What a docs answer showed (every sentence and block, blocks cut at 12 lines), where
    its first citation stands, and which must-show strings it missed."""
    assert r.docs is not None
    judged = r.docs
    lines = [f"   returned: (confidence {r.confidence:.2f})"]
    lines += [f"     > {' '.join(s.split())}" for s in r.sentences]
    for block in r.blocks:
        block_lines = block.splitlines()
        shown = block_lines[:12] + (["…"] if len(block_lines) > 12 else [])
        lines += [f"     | {line}" for line in shown]
    headings = " › ".join(judged.first_headings) or "(no heading)"
    page = f", page {judged.first_page}" if judged.first_page else ""
    lines.append(f"   first:    {judged.first_cited}{page} › {headings}")
    lines.append(f"   cited:    {', '.join(r.cited)}")
    verdict = [
        "file " + ("right" if judged.cited_right else "wrong"),
        "section " + ("right" if judged.section_right else "wrong"),
    ]
    if judged.missing:
        verdict.append("missing " + ", ".join(repr(m) for m in judged.missing))
    lines.append(f"   verdict:  {'; '.join(verdict)}")
    return lines


def render_failures(failures: list[CaseResult]) -> str:
    if not failures:
        return "No failed cases."
    lines = [f"{len(failures)} worst failed case(s):"]
    for n, r in enumerate(failures, start=1):
        rank = "not retrieved" if r.gold_rank is None else f"rank {r.gold_rank}"
        lines.append("")
        lines.append(f"{n}. {r.case.question}")
        lines.append(
            f"   gold:     {_describe_gold(r)}" + (f"  [{rank}]" if r.case.has_gold_passage else "")
        )
        if r.error:
            lines.append(f"   returned: error: {r.error}")
        elif r.answered and r.docs is not None:
            lines += _docs_failure_lines(r)
        elif r.answered:
            quoted = " ".join(r.sentences)
            if len(quoted) > 400:
                quoted = quoted[:397] + "..."
            lines.append(f"   returned: {quoted}  (confidence {r.confidence:.2f})")
            lines.append(f"   cited:    {', '.join(r.cited)}")
        else:
            lines.append(
                f"   returned: abstained ({r.abstain_reason}, confidence {r.confidence:.2f}); "
                f"top: {', '.join(r.ranked[:3]) or 'nothing'}"
            )
    return "\n".join(lines)


def _failure_json(r: CaseResult) -> dict[str, Any]:
    return {
        "question": r.case.question,
        "id": r.case.id,
        "answerable": r.case.answerable,
        "answers": list(r.case.answers),
        "source": r.case.source,
        "paragraph": r.case.paragraph,
        "gold_rank": r.gold_rank,
        "answered": r.answered,
        "sentences": list(r.sentences),
        "cited": list(r.cited),
        "confidence": r.confidence,
        "abstain_reason": r.abstain_reason,
        "top_retrieved": list(r.ranked[:5]),
        **_docs_failure_json(r),
    }


def _docs_failure_json(r: CaseResult) -> dict[str, Any]:
    if not r.case.is_docs:
        return {}
    fields: dict[str, Any] = {"section": r.case.section, "must_show": list(r.case.must_show)}
    fields["blocks"] = list(r.blocks)
    if r.docs is not None:
        fields.update(
            cited_right=r.docs.cited_right,
            section_right=r.docs.section_right,
            useful=r.docs.useful,
            missing=list(r.docs.missing),
            first_cited=r.docs.first_cited,
            first_headings=list(r.docs.first_headings),
        )
    return fields


def run(context: Context) -> int:
    """Run the evaluation; returns the exit code (2 for a bad file or option)."""
    try:
        return _run(context)
    except CitebotError as error:
        context.stderr.write(f"citebot eval: {error}\n")
        return 2


def _run(context: Context) -> int:
    """Load the question set, open the engine, evaluate, and print (and write) the report."""
    args, settings, out = context.args, context.settings, context.stdout
    if args.json_out is not None and not args.json_out.parent.is_dir():
        raise CitebotError(f"cannot write {args.json_out}: {args.json_out.parent} is not a folder.")
    eval_set = _load(args, context.stderr)
    options = settings.engine_options()  # --top-k and --min-confidence are in the settings
    min_confidence = options.composer.min_confidence
    if args.curve:  # one run at threshold 0; the chosen threshold is applied afterwards
        options = replace(options, composer=replace(options.composer, min_confidence=0.0))
    if eval_set.documents:
        engine = Engine(eval_set.documents, options)
    else:  # the same saved index as ask/repl/discord (composing differs)
        engine, _ = open_engine(context.corpus(), settings, context.stderr, options=options)
    progress = ProgressBar(context.stderr, label="eval", delay=0.0, counts=True, log_lines=True)
    total = len(eval_set.cases) if args.limit is None else min(len(eval_set.cases), args.limit)
    progress.log_lines = progress.log_lines and total > LONG_RUN
    report = evaluate(engine, eval_set, limit=args.limit, progress=progress)
    progress.finish()
    extra: dict[str, Any] = {"calibration": reliability(report.results)}
    if args.curve:
        raw = report.results
        bar = engine.answer_bar  # a run at min_confidence t abstains below t × bar
        report = summarize(
            report.name, at_threshold(raw, min_confidence * bar), eval_set.document_level
        )
        # Rows and the 95% threshold are min_confidence settings, as --min-confidence takes them.
        applied = tradeoff(raw, [t * bar for t in CURVE_THRESHOLDS])
        extra["curve"] = [(t, a, r) for t, (_, a, r) in zip(CURVE_THRESHOLDS, applied, strict=True)]
        if any(r.case.answerable is False for r in raw) and any(r.case.answerable for r in raw):
            threshold, rejected = rejected_at_kept(raw, 0.95)
            extra["rejected_at_95_kept"] = (min(1.0, threshold / bar), rejected)
    failures = worst_failures(report, args.failures) if args.failures > 0 else []
    if args.json or args.json_out is not None:
        asked = failures if args.failures > 0 else None
        payload = _payload(report, extra, asked, options, min_confidence, engine)
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        if args.json_out is not None:
            write_atomically(args.json_out, text + "\n")
    if args.json:
        print(text, file=out)
    else:
        print(render_table(report, extra), file=out)
        if args.failures > 0:
            print("", file=out)
            print(render_failures(failures), file=out)
    return 1 if args.strict and not report.all_passed else 0


def _payload(
    report: EvalReport,
    extra: dict[str, Any],
    failures: list[CaseResult] | None,
    options: EngineOptions,
    min_confidence: float,
    engine: Engine,
) -> dict[str, Any]:
    """The ``--json`` report: metrics, the settings that produced them, curve and failures."""
    payload: dict[str, Any] = {
        "name": report.name,
        "metrics": report.metrics,
        "all_passed": report.all_passed,
        "settings": {
            "top_k": options.top_k,
            "k1": options.k1,
            "b": options.b,
            "min_confidence": min_confidence,
            "max_sentences": options.composer.max_sentences,
        },
        "index_seconds": engine.build_seconds,
    }
    table = extra["calibration"]
    if table is not None:
        payload["calibration"] = {
            "ece": table.ece,
            "judged": table.judged,
            "bins": [
                {"low": b.low, "high": b.high, "count": b.count,
                 "mean_confidence": b.mean_confidence, "right": b.right}
                for b in table.bins
            ],
        }  # fmt: skip
    if "curve" in extra:
        payload["curve"] = [
            {"min_confidence": t, "answered": a, "abstained": r} for t, a, r in extra["curve"]
        ]
    if "rejected_at_95_kept" in extra:
        threshold, rejected = extra["rejected_at_95_kept"]
        payload["rejected_at_95_kept"] = {"min_confidence": threshold, "abstained": rejected}
    if failures is not None:  # asked for with --failures N
        payload["failures"] = [_failure_json(r) for r in failures]
    return payload


if __name__ == "__main__":  # ``python -m bot.eval_cmd ARGS``: exactly ``citebot eval ARGS``
    from bot.cli import main

    sys.exit(main(["eval", *sys.argv[1:]]))
