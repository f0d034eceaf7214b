"""What the integrity checks cost (issue 14): question latency, index open time, freshness.

    python -m bench.integrity [--code DIR] [--open-paragraphs 1M] [--skip-open]

1. **Question latency at 100k paragraphs**: the whole answer (``engine.ask`` + the text
   rendering) for the scale benchmark's 1,000 questions (``bench/scale_corpus.py``, generated
   or reused under ``~/.cache/citebot-bench``), from the saved index, after 50 warm-up
   questions; p50 and p99. Every answer runs the lazy checksums of the rows and postings it
   reads and the final check of its quotes against the files (``pread``). ``--code DIR`` runs
   the same measurement with the citebot code in DIR (e.g. ``/work/main`` before this change)
   in a subprocess, for the before/after comparison.
2. **Open time at 1M paragraphs**: ``citebot index`` over the 100k corpus copied ten times
   (1,000 files, 1M paragraphs), its saved index fresh: the "time:" line (opening the index,
   verifying its small arrays, and the freshness walk over every file), median of 5 runs.
3. **Freshness check over 3,000 unchanged files**: ``engine.changed_files()`` — what the REPL
   and the bot run before every answer — median of 50 runs.

Results: ``bench/results/integrity.json`` and ``.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
RESULTS = ROOT / "bench" / "results"
WARM_UP = 50

LATENCY = r"""
import json, sys, time
from pathlib import Path
corpus, index_dir, questions = sys.argv[1:4]
try:
    from retrieval import open_engine
    engine, report = open_engine(corpus, index_dir=index_dir)
    status = str(report)
except ImportError:  # the code before open_engine
    from retrieval import Engine
    engine = Engine.open(corpus, index_dir=index_dir)
    status = engine.status
from bot.render_text import render_answer
from retrieval.errors import QuestionError
asked = [json.loads(line)["question"] for line in open(questions, encoding="utf-8")]
def answer(q):
    try:
        return render_answer(engine.ask(q))
    except QuestionError as error:
        return str(error)
for q in asked[:50]:
    answer(q)
times = []
for q in asked:
    started = time.perf_counter()
    answer(q)
    times.append(time.perf_counter() - started)
print(json.dumps({"status": status, "times": times}))
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _scale_corpus(paragraphs: int) -> tuple[Path, Path]:
    from bench import scale_corpus

    data_dir = scale_corpus.default_data_dir()
    scale_corpus.ensure(data_dir, paragraphs, 1000)
    corpus, _, questions = scale_corpus.paths(data_dir, paragraphs)
    return corpus, questions


def question_latency(code: Path, work: Path) -> dict[str, Any]:
    """p50/p99 of the whole answer at 100k, with the citebot code in ``code``."""
    corpus, questions = _scale_corpus(100_000)
    index_dir = work / f"index-{code.name or 'code'}"
    env = {**os.environ, "PYTHONPATH": str(code)}
    for _ in range(2):  # the first run builds and saves the index; the second loads it
        done = subprocess.run(
            [sys.executable, "-c", LATENCY, str(corpus), str(index_dir), str(questions)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=code,
        )
    result = json.loads(done.stdout)
    times = result["times"]
    return {
        "code": str(code),
        "opened": result["status"],
        "questions": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 3),
        "p99_ms": round(_percentile(times, 0.99) * 1000, 3),
    }


def open_time(work: Path, copies: int) -> dict[str, Any]:
    """`citebot index` over ``copies`` copies of the 100k corpus, its index fresh."""
    corpus, _ = _scale_corpus(100_000)
    big = work / f"corpus-{copies}x"
    if not big.exists():
        for n in range(copies):
            shutil.copytree(corpus, big / f"copy{n:02}")
    index_dir = work / "index-open"
    command = [sys.executable, "-m", "bot.cli", "index", "--corpus", str(big)]
    command += ["--index-dir", str(index_dir)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs: list[float] = []
    output = ""
    for n in range(6):  # the first builds (or finds it fresh); five timed runs after it
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        output = done.stdout
        if n:
            line = next(x for x in output.splitlines() if x.startswith("time:"))
            runs.append(float(line.split()[1].replace(",", "")) / 1000)
    fields = dict(line.split(":", 1) for line in output.splitlines() if ":" in line)
    return {
        "paragraphs": int(fields["paragraphs"].strip().replace(",", "")),
        "documents": int(fields["documents"].strip().replace(",", "")),
        "index": fields["index"].strip(),
        "runs_s": runs,
        "median_s": round(statistics.median(runs), 3),
    }


def freshness(work: Path, files: int = 3000) -> dict[str, Any]:
    """``changed_files()`` over ``files`` unchanged files (30 folders), median of 50."""
    from retrieval import open_engine

    corpus = work / f"fresh-{files}"
    if not corpus.exists():
        for n in range(files):
            folder = corpus / f"part{n % 30:02}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"doc{n:04}.md").write_text(
                f"# Document {n}\n\nParagraph {n} of the freshness benchmark.\n", "utf-8"
            )
        time.sleep(2.1)  # older than the "racy" window, like files not edited this second
    engine, _ = open_engine(corpus, index_dir=work / "index-fresh")
    times = []
    for _ in range(50):
        started = time.perf_counter()
        changed = engine.changed_files()
        times.append(time.perf_counter() - started)
        assert changed == [], changed
    return {
        "files": files,
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p90_ms": round(_percentile(times, 0.9) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, help="also measure latency with the code in DIR")
    parser.add_argument("--copies", type=int, default=10, help="copies of 100k for the open")
    parser.add_argument("--skip-open", action="store_true", help="skip the 1M open time")
    parser.add_argument("--work", type=Path, default=Path("/tmp/citebot-bench-integrity"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"load_average": os.getloadavg()}
    results["latency_100k"] = [question_latency(ROOT, args.work)]
    if args.code:
        results["latency_100k"].append(question_latency(args.code.resolve(), args.work))
    results["freshness"] = freshness(args.work)
    if not args.skip_open:
        results["open"] = open_time(args.work, args.copies)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "integrity.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"$ python -m bench.integrity {' '.join(sys.argv[1:])}".rstrip()]
    lines.append(f"load average at start: {results['load_average']}")
    for row in results["latency_100k"]:
        lines.append(
            f"100k whole answer ({row['code']}, {row['opened']}): "
            f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms over {row['questions']} questions"
        )
    fresh = results["freshness"]
    lines.append(
        f"freshness over {fresh['files']:,} files: median {fresh['median_ms']} ms, "
        f"p90 {fresh['p90_ms']} ms"
    )
    if "open" in results:
        opened = results["open"]
        lines.append(
            f"citebot index at {opened['paragraphs']:,} paragraphs ({opened['documents']:,} "
            f"files, {opened['index']}): median {opened['median_s']} s of {opened['runs_s']}"
        )
    (RESULTS / "integrity.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
