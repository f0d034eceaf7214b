"""XQuAD in every language: the same 240 paragraphs and 1,190 questions, translated.

    python -m bench.xquad [--languages en,de,...] [--half even|odd|all] [--json-out FILE]

Each language's corpus is its 48 articles (one document each, as ``citebot eval --format
squad`` builds them), indexed with ``language="auto"``: the language is identified from the
text, as a user's corpus would be. Prints one row per language: the identified language, R@1,
R@5, top sentence contains gold, answerable answered, indexing CPU time (second build, cold
word caches), and question latency p50 (wall clock, as ``citebot eval`` reports it, and CPU time,
which a busy machine does not inflate).
``--half even`` keeps only the even-numbered articles' questions (where defaults are chosen),
``odd`` the others (where they are reported); the corpus is always all 48 articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrieval import Engine, EngineOptions
from retrieval.analysis.analyzer import clear_caches
from retrieval.evaluation.evaluate import evaluate, load_squad

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench-data" / "xquad"
LANGUAGES = "en de es el ru tr ar vi th zh hi ro".split()


def _half(eval_set: Any, half: str) -> Any:
    if half == "all":
        return eval_set
    order = {doc.source: n for n, doc in enumerate(eval_set.documents)}
    parity = 0 if half == "even" else 1
    cases = tuple(c for c in eval_set.cases if order.get(c.source or "", 0) % 2 == parity)
    return replace(eval_set, cases=cases)


def run_language(
    language: str, half: str, options: EngineOptions, data: Path = DATA
) -> dict[str, Any]:
    eval_set = _half(load_squad(data / f"xquad.{language}.json"), half)
    started = time.perf_counter()
    engine = Engine(eval_set.documents, options)
    first_seconds = time.perf_counter() - started
    # Indexing speed is the second build's: the first also loads the language identifier's
    # model and a segmenter's dictionary, once per process. Word caches are emptied between.
    # CPU time, not wall time: the ratio between languages is what is compared, and a busy
    # machine stretches wall time unevenly.
    clear_caches()
    started = time.process_time()
    engine = Engine(eval_set.documents, options)
    index_seconds = time.process_time() - started
    report = evaluate(engine, eval_set)
    m = report.metrics
    cpu = []  # CPU time per question: wall time on a shared machine measures the neighbours
    for case in eval_set.cases:
        started = time.process_time()
        engine.ask(case.question)
        cpu.append(time.process_time() - started)
    cpu.sort()
    return {
        "language": language,
        "identified": engine.language.language,
        "questions": len(eval_set.cases),
        "r1": m["recall@1"],
        "r5": m["recall@5"],
        "top_contains": m["top_sentence_contains"],
        "answered": m["answered_when_answerable"],
        "index_seconds": index_seconds,
        "first_index_seconds": first_seconds,
        "p50_ms": m["latency_p50_ms"],
        "p50_cpu_ms": cpu[len(cpu) // 2] * 1000 if cpu else 0.0,
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| language | identified | R@1 | R@5 | top sentence contains gold | answerable answered "
        "| index CPU s | p50 ms | p50 CPU ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['language']} | {r['identified']} | {r['r1']:.3f} | {r['r5']:.3f} | "
            f"{r['top_contains']:.3f} | {r['answered']:.3f} | {r['index_seconds']:.2f} | "
            f"{r['p50_ms']:.2f} | {r['p50_cpu_ms']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--half", choices=("even", "odd", "all"), default="all")
    parser.add_argument("--min-confidence", type=float, default=None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    options = EngineOptions()
    if args.min_confidence is not None:
        options = replace(
            options, composer=replace(options.composer, min_confidence=args.min_confidence)
        )
    rows = []
    for language in args.languages.split(","):
        rows.append(run_language(language.strip(), args.half, options, args.data))
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
