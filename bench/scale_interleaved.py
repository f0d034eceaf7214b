"""First stage, citebot and tantivy asked in turn, question by question, in one process.

``bench/scale.py`` times each system in its own process, one after another; on a machine whose
load moves, their ratio moves with it. Here both answer each question once, the order
alternating, so both see the same load (an aid for loaded machines, not the benchmark):

    .venv/bin/python -m bench.scale_interleaved ~/.cache/citebot-bench/idx-scalespeed

WORK_DIR is ``bench.scale``'s ``--work-dir`` after a 1M run (citebot's and tantivy's indexes).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from bench import scale


def main(work: Path, size: str = "1M") -> None:
    data = Path.home() / ".cache/citebot-bench" / f"real-{size}"
    questions_file = data / "questions.jsonl"
    questions = [json.loads(line)["question"] for line in questions_file.open(encoding="utf-8")]
    citebot = scale.citebot_load_first_stage(data / "corpus", work / f"real-{size}" / "citebot")
    tantivy = scale.tantivy_load(work / f"real-{size}" / "tantivy")
    for question in questions[: scale.WARMUP]:
        citebot(question)
        tantivy(question)
    times: dict[str, list[float]] = {"citebot": [], "tantivy": []}
    for i, question in enumerate(questions):
        turn = [("citebot", citebot), ("tantivy", tantivy)]
        for name, ask in turn if i % 2 == 0 else turn[::-1]:
            started = time.perf_counter()
            ask(question)
            times[name].append(time.perf_counter() - started)
    p50, p99 = {}, {}
    for name, values in times.items():
        ms = np.asarray(values) * 1000
        p50[name], p99[name] = float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
        print(f"{name:8s} p50 {p50[name]:.3f} ms  p99 {p99[name]:.3f} ms  ({len(ms)} questions)")
    print(
        f"citebot / tantivy: p50 {p50['citebot'] / p50['tantivy']:.2f}, "
        f"p99 {p99['citebot'] / p99['tantivy']:.2f}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser(), *sys.argv[2:3])
