"""Where a one-shot ``citebot ask`` spends its CPU time, in one process: the imports (and
within them the creation of dataclasses and module-level regular expressions), and the question
itself (opening the saved index, searching, composing, rendering), and whether numpy was
imported at all (it is not, when the compiled loops exist: the saved index is read as
memoryviews). CPU time (``time.process_time``), so a busy machine inflates it less than wall
time.

    .venv/bin/python -m bench.startup_profile [--runs 5] [ASK ARGUMENTS ...]

Each run is a fresh interpreter (``python -c``) that answers once, after a first run that saves
the index and the settings snapshot; the minimum of each figure over the runs is printed, and
the modules the question imported beyond numpy's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import dataclasses, io, json, re, sys, time
made = {"dataclasses": [0.0, 0], "patterns": [0.0, 0]}
process_class = dataclasses._process_class
def timed_class(*args, **kwargs):
    started = time.process_time()
    try:
        return process_class(*args, **kwargs)
    finally:
        made["dataclasses"][0] += time.process_time() - started
        made["dataclasses"][1] += 1
dataclasses._process_class = timed_class
compile_pattern = re._compile
def timed_pattern(pattern, flags):
    started = time.process_time()
    try:
        return compile_pattern(pattern, flags)
    finally:
        made["patterns"][0] += time.process_time() - started
        made["patterns"][1] += 1
re._compile = timed_pattern
before = set(sys.modules)
start = time.process_time()
import bot.cli, bot.commands, bot.render_text, config.snapshot
import retrieval.answering.conversation
imports_done = time.process_time()
code = bot.cli.main(json.loads(sys.argv[1]), stdout=io.StringIO())
asked = time.process_time()
print(json.dumps({
    "code": code,
    "imports_ms": 1000 * (imports_done - start),
    "question_ms": 1000 * (asked - imports_done),
    "dataclass_ms": 1000 * made["dataclasses"][0], "dataclasses": made["dataclasses"][1],
    "pattern_ms": 1000 * made["patterns"][0], "patterns": made["patterns"][1],
    "modules": sorted(set(sys.modules) - before),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("ask", nargs="*", default=["Who is the mayor?"])
    args = parser.parse_args()
    argv = json.dumps(["ask", *args.ask])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = []
    for n in range(args.runs + 1):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, argv], capture_output=True, text=True, env=env
        )
        if done.returncode != 0:
            sys.exit(done.stderr)
        if n:  # the first run saves the index and the settings snapshot
            runs.append(json.loads(done.stdout.splitlines()[-1]))
    best = {k: min(r[k] for r in runs) for k in runs[0] if k.endswith("_ms")}
    last = runs[-1]
    numpy = any(m == "numpy" for m in last["modules"])
    print(f"citebot ask {' '.join(args.ask)!r}: min CPU over {args.runs} runs")
    print(f"  the imports             {best['imports_ms']:6.0f} ms")
    print(f"  the question            {best['question_ms']:6.0f} ms")
    print(f"  of both: {last['dataclasses']} dataclasses made {best['dataclass_ms']:6.0f} ms")
    print(f"           {last['patterns']} patterns compiled  {best['pattern_ms']:6.0f} ms (re)")
    print(f"  numpy imported: {'yes' if numpy else 'no'}")
    modules = [m for m in last["modules"] if not m.startswith("numpy")]
    print(f"  modules imported: {len(modules)}{' beyond numpy' if numpy else ''}")
    print("   ", " ".join(m for m in modules if "." not in m or m.startswith("retrieval.")))


if __name__ == "__main__":
    main()
