"""Scale benchmark: citebot against rank-bm25, bm25s and tantivy at 10k / 100k / 1M paragraphs.

    .venv/bin/python -m bench.scale --sizes 10k,100k,1M \\
        --systems citebot,citebot-answer,rank-bm25,bm25s,tantivy --questions 1000

(or ``make bench-scale``, which first installs bench/requirements-scale.txt into .venv).

The corpus and questions come from :mod:`bench.scale_corpus` (cached outside the repository).
Every system and phase runs in its own subprocess, so peak RSS is that system's alone:

* build: build the index (and save it, where the system can) → build s, peak RSS, MB on disk;
* query: a fresh process loads the index (load s, RSS after load), warms up, then answers each
  question once, timed one by one (p50 / p99 ms, questions/s single-threaded), RSS after.

Every query time includes tokenizing the question with ``retrieval.analysis.analyze``, and every
system indexes the same terms (tokens.txt: citebot's analysis of each paragraph, its title
repeated as citebot repeats it), except where the table says otherwise. A system that is missing,
fails or runs out of time is reported as such; the run goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from bench import scale_corpus
from bench.scale_corpus import parse_size, size_label

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "scale.json"
SYSTEMS = ("citebot", "citebot-answer", "rank-bm25", "bm25s", "tantivy")
K1, B = 1.5, 0.85
"""citebot's defaults (EngineOptions); bm25s and rank-bm25 use them too, tantivy cannot."""
TOP_K = 10
WARMUP = 20
ANSWER_MAX_SIZE = 1_000_000
"""The whole-answer measurement runs up to 1M (issue 18's targets are there)."""
CHECK_MAX_SIZE = 100_000
RESULT_PREFIX = "RESULT "


# --- measuring in the child ------------------------------------------------------------------


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """This process's peak RSS since it started (VmHWM). Not ``ru_maxrss``: Linux carries the
    parent's RSS at fork over into a child's ``ru_maxrss`` across exec, which put a floor of
    the parent's size under every child's peak."""
    return _status_mb("VmHWM:")


def current_rss_mb() -> float:
    return _status_mb("VmRSS:")


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def read_tokens(path: Path) -> list[list[str]]:
    """tokens.txt as lists of interned terms (a corpus of 1M paragraphs holds ~50M tokens)."""
    terms: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        return [[terms.setdefault(t, t) for t in line.split()] for line in lines]


def read_questions(path: Path, limit: int) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["question"] for line in lines][:limit]


Query = Callable[[str], object]


def time_questions(query: Query, questions: Sequence[str], budget_s: float) -> dict[str, Any]:
    """Warm up, then time each question once; stop early when the time budget is spent."""
    for q in questions[:WARMUP]:
        query(q)
    times: list[float] = []
    started = time.perf_counter()
    for q in questions:
        t0 = time.perf_counter()
        query(q)
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - started > budget_s and len(times) >= 20:
            break
    ms = np.asarray(times) * 1000
    return {
        "questions_timed": len(times),
        "budget_s": budget_s,
        "complete": len(times) == len(questions),
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "mean_ms": float(ms.mean()),
        "qps": len(times) / max(float(sum(times)), 1e-12),
    }


def measure_queries(
    load: Callable[[], Query], questions: Sequence[str], budget_s: float
) -> dict[str, Any]:
    base = current_rss_mb()
    t0 = time.perf_counter()
    _OPEN_S.clear()
    query = load()
    load_s = time.perf_counter() - t0
    loaded = current_rss_mb()
    result = time_questions(query, questions, budget_s)
    return {
        "load_s": load_s,
        # of load_s, citebot's open_engine alone (the rest: importing its modules, which this
        # fresh process compiles from source when bytecode is not cached)
        "open_s": _OPEN_S[0] if _OPEN_S else None,
        "rss_before_load_mb": base,
        "loaded_rss_mb": loaded,
        "load_rss_delta_mb": loaded - base,
        "rss_after_queries_mb": current_rss_mb(),
        # Anonymous (objects, caches) and file-backed (mapped index pages, libraries) memory.
        "rss_anon_after_queries_mb": _status_mb("RssAnon:"),
        "rss_file_after_queries_mb": _status_mb("RssFile:"),
        "query_peak_rss_mb": peak_rss_mb(),
        **result,
    }


# --- the systems: one function per system and phase (edit here when an interface changes) ----


_LOGGED_CLI = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.WARNING, format='%(name)s: %(message)s')\n"
    "logging.getLogger('retrieval.index.build').setLevel(logging.INFO)\n"
    "from bot.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
"""``citebot index`` itself (bot.cli.main), with the build's stage lines logged to stderr."""


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (the build's worker processes)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
                        break
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    return total


def _stage_lines(stderr: str) -> list[dict[str, Any]]:
    """The build's ``build stage NAME: S s, RSS R MB, peak P MB, worker peak W MB`` lines."""
    import re

    pattern = re.compile(
        r"build stage (\w+): ([\d.]+) s, RSS (\d+) MB, peak (\d+) MB, worker peak (\d+) MB"
    )
    stages = []
    for match in pattern.finditer(stderr):
        name, seconds, rss, peak, worker = match.groups()
        stages.append(
            {
                "stage": name,
                "s": float(seconds),
                "rss_mb": int(rss),
                "peak_rss_mb": int(peak),
                "worker_peak_rss_mb": int(worker),
            }
        )
    return stages


def citebot_build(corpus: Path, index_dir: Path) -> dict[str, Any]:
    """citebot (a): ``citebot index --corpus DIR --index-dir DIR`` as its own process; its
    wall time, its peak RSS, the peak RSS of it and its workers together (sampled every
    0.1 s), and the stages it logs (analyse: reading and tokenizing on every core, with the
    joining of parts as they arrive; postings; store)."""
    import threading

    index_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", _LOGGED_CLI, "index", "--corpus", str(corpus)]
    command += ["--index-dir", str(index_dir)]
    t0 = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree_peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal tree_peak
        while not stop.wait(0.1):
            tree_peak = max(tree_peak, _tree_rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    build_s = time.perf_counter() - t0
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"citebot index exited {process.returncode}: {stderr.strip()[-500:]}")
    stages = _stage_lines(stderr)
    paragraphs = scale_corpus_paragraphs(stdout)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "build_s": build_s,
        # CPU seconds of citebot and its workers: the figure a loaded machine moves least.
        "build_cpu_s": usage.ru_utime + usage.ru_stime,
        # ru_maxrss of the largest process: the citebot process or one of its workers.
        "build_peak_rss_mb": usage.ru_maxrss / 1024,
        "build_tree_peak_rss_mb": tree_peak,
        "build_rss_floor_mb": current_rss_mb(),
        "build_paragraphs_per_s": paragraphs / build_s if paragraphs else None,
        "build_stages": stages,
        "index_mb": dir_mb(index_dir),
        "index_parts_mb": citebot_index_parts(index_dir),
        "note": "",
        "cli_output": stdout.strip(),
    }


POSTINGS_ARRAYS = (
    *("postings_doc", "postings_tf", "block_max"),  # format 5 and before
    *("postings_data", "block_last", "block_offset", "block_bits"),
)
INDEX_PARTS = (
    ("text", ("text", "text_z", "text_z_offsets", "text_dict")),
    (
        "sentence term ids",
        ("tokens", "tokens_z", "tokens_z_offsets", "tokens_low", "tokens_high_at", "tokens_high"),
    ),
    ("sentence spans", ("sentence_ptr", "sentence_start", "sentence_end", "token_ptr")),
    *(
        (f"{part} postings", tuple(prefix + name for name in POSTINGS_ARRAYS))
        for part, prefix in (("paragraph", "p."), ("document", "d."))
    ),
)
"""How the saved index's arrays are grouped in the size breakdown (the rest: "other")."""


def citebot_index_parts(index_dir: Path) -> dict[str, float]:
    """MB (2**20 bytes) of citebot's saved index by part: where the bytes on disk go."""
    from retrieval.index import persist

    sizes: dict[str, float] = {}
    for path in index_dir.glob("*.citebot-index"):
        handle, mapped = persist._map(path)
        try:
            header, start = persist._read_header(mapped)
            specs = persist._parse_table(header, len(mapped), start)
        finally:
            mapped.close()
            handle.close()
        group = {name: part for part, names in INDEX_PARTS for name in names}
        stored: dict[tuple[int, int], str] = {}  # an array saved under two names: counted once
        for name, spec in specs.items():
            stored.setdefault((spec.offset, spec.nbytes), name)
        for (_, nbytes), name in stored.items():
            part = group.get(name, "other")
            sizes[part] = sizes.get(part, 0.0) + nbytes / 2**20
        arrays = sum(nbytes for _, nbytes in stored)
        sizes["header and alignment"] = (path.stat().st_size - arrays) / 2**20
    return sizes


def scale_corpus_paragraphs(cli_output: str) -> int:
    """The paragraph count ``citebot index`` printed ("paragraphs:  1,000,000")."""
    for line in cli_output.splitlines():
        if line.startswith("paragraphs:"):
            return int(line.split(":", 1)[1].strip().replace(",", ""))
    return 0


_OPEN_S: list[float] = []
"""The last load's open_engine time (citebot's only; see measure_queries)."""


def _citebot_open(corpus: Path, index_dir: Path) -> Any:
    """The saved index ``citebot index`` wrote (it must be fresh: a rebuild here is an error,
    since it would be timed as a load)."""
    from retrieval import Opening, open_engine

    t0 = time.perf_counter()
    engine, report = open_engine(corpus, index_dir=index_dir)
    _OPEN_S.append(time.perf_counter() - t0)
    if report.opening is not Opening.LOADED:
        raise RuntimeError(f"expected the saved index, got: {report}")
    return engine


def citebot_load_first_stage(corpus: Path, index_dir: Path) -> Query:
    """citebot (a) load + first-stage query: ``engine.index.top(analyze(q), 10)``."""
    from retrieval.analysis import analyze

    engine = _citebot_open(corpus, index_dir)
    index = engine.index
    return lambda q: index.top(analyze(q), TOP_K)


def citebot_load_answer(corpus: Path, index_dir: Path) -> Query:
    """citebot (b) whole answer: ``engine.ask(q)`` rendered by ``bot.render_text``."""
    from bot.render_text import render_answer
    from retrieval.errors import QuestionError

    engine = _citebot_open(corpus, index_dir)

    def answer(q: str) -> str:
        try:
            return render_answer(engine.ask(q))
        except QuestionError as error:  # only stopwords: the asker gets this message
            return str(error)

    return answer


def citebot_indexed_tokens(engine: Any) -> list[list[str]]:
    """The terms citebot indexed for each paragraph (for the correctness check), by the corpus's
    own analyzer (English's folds accents, which the bare ``analyze`` does not)."""
    analyze = engine.analyzer.terms
    repeat = engine.options.context_repeat if engine.options.index_context else 0
    return [analyze(p.context) * repeat + analyze(p.text) for p in engine.passages]


def citebot_reference(tokens: list[list[str]], engine: Any) -> Any:
    """rank-bm25 itself (``BM25Okapi``, or its Lucene-IDF subclass), as citebot is set up."""
    from retrieval.index import rank_bm25_model

    return rank_bm25_model(tokens, k1=engine.options.k1, b=engine.options.b, idf=engine.options.idf)


def rank_bm25_all(tokens_path: Path, questions: Sequence[str], budget_s: float) -> dict[str, Any]:
    """rank-bm25 ``BM25Okapi``: no persistence, so build and questions in one process."""
    from rank_bm25 import BM25Okapi

    from retrieval.analysis import analyze

    tokens = read_tokens(tokens_path)
    base = current_rss_mb()
    t0 = time.perf_counter()
    bm25 = BM25Okapi(tokens, k1=K1, b=B)
    build_s = time.perf_counter() - t0
    del tokens  # BM25Okapi keeps its own per-document term counts
    loaded = current_rss_mb()

    def query(q: str) -> object:
        scores = bm25.get_scores(analyze(q))
        top = np.argpartition(-scores, TOP_K)[:TOP_K]
        return top[np.argsort(-scores[top])]

    return {
        "build_s": build_s,
        "build_peak_rss_mb": peak_rss_mb(),
        "index_mb": None,
        "load_s": None,
        "rss_before_load_mb": base,
        "loaded_rss_mb": loaded,
        "load_rss_delta_mb": loaded - base,
        **time_questions(query, questions, budget_s),
        "rss_after_queries_mb": current_rss_mb(),
        "note": "in memory only (no save/load); build RSS includes the input token lists",
    }


def bm25s_backend() -> str:
    try:
        import numba  # noqa: F401
    except ImportError:
        return "numpy"
    return "numba"


def bm25s_build(tokens_path: Path, index_dir: Path) -> dict[str, Any]:
    import bm25s

    tokens = read_tokens(tokens_path)
    t0 = time.perf_counter()
    retriever = bm25s.BM25(method="lucene", k1=K1, b=B, backend=bm25s_backend())
    retriever.index(tokens, show_progress=False)
    index_s = time.perf_counter() - t0
    retriever.save(str(index_dir), show_progress=False)
    return {
        "build_s": time.perf_counter() - t0,
        "index_only_s": index_s,
        "build_peak_rss_mb": peak_rss_mb(),
        "index_mb": dir_mb(index_dir),
        "note": f"method=lucene, backend={bm25s_backend()}, loaded with mmap=True",
    }


def bm25s_load(index_dir: Path) -> Query:
    import bm25s

    from retrieval.analysis import analyze

    retriever = bm25s.BM25.load(str(index_dir), mmap=True)
    vocabulary = retriever.vocab_dict

    def query(q: str) -> object:
        terms = [t for t in analyze(q) if t in vocabulary]
        if not terms:
            return None
        return retriever.retrieve([terms], k=TOP_K, show_progress=False, n_threads=0)

    return query


def tantivy_build(tokens_path: Path, index_dir: Path, threads: int) -> dict[str, Any]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field("id", stored=True, indexed=False, fast=True)
    schema = builder.build()
    index_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    index = tantivy.Index(schema, path=str(index_dir))
    writer = index.writer(heap_size=256_000_000, num_threads=threads)
    with tokens_path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            writer.add_document(tantivy.Document(body=line.rstrip("\n"), id=number))
    writer.commit()
    writer.wait_merging_threads()
    return {
        "build_s": time.perf_counter() - t0,
        "build_peak_rss_mb": peak_rss_mb(),
        "index_mb": dir_mb(index_dir),
        "note": f"pre-tokenized citebot terms, whitespace tokenizer, k1=1.2 b=0.75 (fixed), "
        f"{threads} indexing thread(s); query = OR of term queries + stored id fetch",
    }


def tantivy_load(index_dir: Path) -> Query:
    import tantivy

    from retrieval.analysis import analyze

    index = tantivy.Index.open(str(index_dir))
    index.reload()
    schema = index.schema
    searcher = index.searcher()

    def query(q: str) -> object:
        terms = analyze(q)
        if not terms:
            return []
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t, index_option="freq"))
            for t in terms
        ]
        hits = searcher.search(tantivy.Query.boolean_query(clauses), TOP_K, count=False).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    return query


# --- the correctness check -------------------------------------------------------------------


def citebot_check(corpus: Path, questions: Sequence[str], sample: int) -> dict[str, Any]:
    """citebot's top 10 (ids and scores) against rank-bm25 ``get_scores`` on the same terms:
    with citebot's default IDF (rank-bm25's BM25Okapi with Lucene's IDF), and again with plain
    ``BM25Okapi`` (its own IDF, epsilon floor included: ``EngineOptions(idf="okapi")``)."""
    result = _check_variant(corpus, questions, sample, "lucene")
    result["okapi"] = _check_variant(corpus, questions, sample, "okapi")
    return result


def _check_variant(corpus: Path, questions: Sequence[str], sample: int, idf: str) -> dict[str, Any]:
    from retrieval import Engine, EngineOptions
    from retrieval.analysis import analyze

    engine = Engine.from_folder(corpus, EngineOptions(idf=idf))  # type: ignore[arg-type]
    reference = citebot_reference(citebot_indexed_tokens(engine), engine)
    same_ids = same_scores = checked = 0
    max_diff = 0.0
    mismatches: list[dict[str, Any]] = []
    for q in questions[:sample]:
        terms = analyze(q)
        if not terms:
            continue
        checked += 1
        ours = engine.index.top(terms, TOP_K)
        scores = np.asarray(reference.get_scores(terms), dtype=np.float64)
        order = np.argsort(-scores, kind="stable")[:TOP_K]
        theirs = [(int(i), float(scores[i])) for i in order if scores[i] > 0]
        ids_equal = [i for i, _ in ours] == [i for i, _ in theirs]
        diffs = [abs(a - b) for (_, a), (_, b) in zip(ours, theirs, strict=False)]
        scores_equal = len(ours) == len(theirs) and all(
            d <= 1e-9 * max(1.0, abs(b)) for d, (_, b) in zip(diffs, theirs, strict=False)
        )
        max_diff = max([max_diff, *diffs])
        same_ids += ids_equal
        same_scores += scores_equal
        if not (ids_equal and scores_equal) and len(mismatches) < 5:
            mismatches.append({"question": q, "citebot": ours[:3], "rank_bm25": theirs[:3]})
    return {
        "questions_checked": checked,
        "top10_ids_identical": same_ids / max(checked, 1),
        "top10_scores_identical": same_scores / max(checked, 1),
        "max_abs_score_diff": max_diff,
        "examples_of_mismatch": mismatches,
        "reference": f"rank-bm25 get_scores (retrieval.index.rank_bm25_model, idf={idf}) "
        "on citebot's indexed terms",
    }


# --- the child process -----------------------------------------------------------------------


def run_child(args: argparse.Namespace) -> dict[str, Any]:
    corpus, tokens, questions_path = scale_corpus.paths(args.data_dir, args.size, args.vocabulary)
    # The whole-answer run reads the index the first-stage run built.
    owner = "citebot" if args.system == "citebot-answer" else args.system
    index_dir = args.work_dir / f"{args.vocabulary}-{size_label(args.size)}" / owner
    system, phase = args.system, args.phase
    if phase == "corpus":
        t0 = time.perf_counter()
        stats = scale_corpus.ensure(
            args.data_dir, args.size, args.questions, vocabulary=args.vocabulary
        )
        stats["ensure_s"] = round(time.perf_counter() - t0, 1)
        stats["ensure_peak_rss_mb"] = round(peak_rss_mb())
        return stats
    questions = read_questions(questions_path, args.questions)
    if phase == "check":
        return citebot_check(corpus, questions, args.check_questions)
    if system == "rank-bm25":
        return rank_bm25_all(tokens, questions, args.query_budget)
    if phase == "build":
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.parent.mkdir(parents=True, exist_ok=True)
        if system == "citebot":
            return citebot_build(corpus, index_dir)
        if system == "bm25s":
            return bm25s_build(tokens, index_dir)
        if system == "tantivy":
            return tantivy_build(tokens, index_dir, args.tantivy_threads)
    loaders: dict[str, Callable[[], Query]] = {
        "citebot": lambda: citebot_load_first_stage(corpus, index_dir),
        "citebot-answer": lambda: citebot_load_answer(corpus, index_dir),
        "bm25s": lambda: bm25s_load(index_dir),
        "tantivy": lambda: tantivy_load(index_dir),
    }
    return measure_queries(loaders[system], questions, args.query_budget)


# --- the parent ------------------------------------------------------------------------------


def spawn(args: argparse.Namespace, system: str, phase: str, size: int) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.scale", "--child",
        "--system", system, "--phase", phase, "--size", str(size),
        "--data-dir", str(args.data_dir), "--work-dir", str(args.work_dir),
        "--questions", str(args.questions), "--query-budget", str(args.query_budget),
        "--check-questions", str(args.check_questions),
        "--tantivy-threads", str(args.tantivy_threads), "--vocabulary", args.vocabulary,
    ]  # fmt: skip
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout:.0f} s"}
    wall = time.perf_counter() - started
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            result["wall_s"] = wall
            result["loadavg_1m_after"] = os.getloadavg()[0]  # other work on the machine?
            return result
    tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
    return {"error": f"exit {done.returncode}: " + " | ".join(tail)}


def missing_module(system: str) -> str | None:
    module = {"bm25s": "bm25s", "tantivy": "tantivy", "rank-bm25": "rank_bm25"}.get(system)
    if module is None:
        return None
    try:
        __import__(module)
    except ImportError:
        return (
            f"{system} is not installed: "
            f"{sys.executable} -m pip install -r bench/requirements-scale.txt"
        )
    return None


def rank_bm25_estimate(previous: dict[str, Any], factor: float) -> dict[str, Any]:
    """rank-bm25 at a size it would not finish: extrapolated linearly from a smaller size."""
    per_q = previous["mean_ms"] / 1000 * factor
    return {
        "skipped": True,
        "estimated": True,
        "build_s": previous["build_s"] * factor,
        "build_peak_rss_mb": previous["build_peak_rss_mb"] * factor,
        "p50_ms": previous["p50_ms"] * factor,
        "p99_ms": previous["p99_ms"] * factor,
        "qps": 1 / per_q,
        "note": f"too slow: est. {per_q:.2f} s/question (linear extrapolation, not run)",
    }


def run_system(
    args: argparse.Namespace, system: str, size: int, done: dict[tuple[str, int], dict[str, Any]]
) -> dict[str, Any]:
    problem = missing_module(system)
    if problem:
        return {"error": problem}
    if system == "citebot-answer" and size > ANSWER_MAX_SIZE:
        return {"skipped": True, "note": f"whole answer measured up to {ANSWER_MAX_SIZE:,} only"}
    if system == "rank-bm25":
        smaller = [(n, r) for (s, n), r in done.items() if s == system and "p50_ms" in r]
        if smaller:
            n, previous = max(smaller)
            factor = size / n
            est_build = previous["build_s"] * factor
            est_query = previous["mean_ms"] / 1000 * factor * min(args.questions, 20)
            if est_build + est_query > args.rank_bm25_limit and not previous.get("estimated"):
                return rank_bm25_estimate(previous, factor)
        return spawn(args, system, "all", size)
    result: dict[str, Any] = {}
    reused = reused_build(args, system, size)
    if reused is not None:
        result.update(reused)
    elif system != "citebot-answer":
        build = spawn(args, system, "build", size)
        if "error" in build:
            return {"error": f"build: {build['error']}"}
        result.update(build)
    query = spawn(args, system, "query", size)
    if "error" in query:
        result["error"] = f"query: {query['error']}"
        return result
    note = " ; ".join(n for n in (result.get("note"), query.get("note")) if n)
    result.update(query)
    result["note"] = note
    return result


def reused_build(args: argparse.Namespace, system: str, size: int) -> dict[str, Any] | None:
    """With ``--reuse-index``: the build row of an index already in the work folder (from the
    previous results file), so that only its questions are timed again; None to build."""
    if not args.reuse_index or system in ("citebot-answer", "rank-bm25"):
        return None
    folder = args.work_dir / f"{args.vocabulary}-{size_label(size)}" / system
    if not folder.is_dir() or not any(folder.iterdir()):
        return None
    build_keys = ("build_s", "build_peak_rss_mb", "build_rss_floor_mb", "index_mb", "index_only_s")
    previous: dict[str, Any] = {}
    if args.previous_rows is None:  # read once: the file is rewritten as systems finish
        text = args.out.read_text(encoding="utf-8") if args.out.exists() else "{}"
        args.previous_rows = json.loads(text).get("rows", [])
    for row in args.previous_rows:
        if row["size"] == size and row["system"] == system:
            previous = {k: row["result"][k] for k in build_keys if k in row["result"]}
    previous["index_mb"] = dir_mb(folder)
    if system == "citebot":
        previous["index_parts_mb"] = citebot_index_parts(folder)
    previous["note"] = f"index reused from {folder} (build figures from the earlier run)"
    return previous


def _fmt(value: Any, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


COLUMNS = (
    ("build s", "build_s", 1),
    ("build RSS MB", "build_peak_rss_mb", 0),
    ("+workers MB", "build_tree_peak_rss_mb", 0),
    ("build CPU s", "build_cpu_s", 0),
    ("par./s", "build_paragraphs_per_s", 0),
    ("index MB", "index_mb", 0),
    ("load s", "load_s", 2),
    ("open s", "open_s", 3),
    ("loaded RSS MB", "loaded_rss_mb", 0),
    ("Δ load MB", "load_rss_delta_mb", 0),
    ("RSS after q MB", "rss_after_queries_mb", 0),
    ("anon MB", "rss_anon_after_queries_mb", 0),
    ("file MB", "rss_file_after_queries_mb", 0),
    ("p50 ms", "p50_ms", 3),
    ("p99 ms", "p99_ms", 3),
    ("q/s", "qps", 0),
)


def table(rows: list[dict[str, Any]]) -> str:
    header = ["size", "system", *(c[0] for c in COLUMNS), "notes"]
    lines = [header]
    for row in rows:
        r = row["result"]
        cells = [size_label(row["size"]), row["system"]]
        if "error" in r and "build_s" not in r:
            cells += ["-"] * len(COLUMNS) + [f"FAILED: {r['error']}"]
        else:
            prefix = "~" if r.get("estimated") else ""
            cells += [
                (prefix + _fmt(r.get(key), digits)) if r.get(key) is not None else "-"
                for _, key, digits in COLUMNS
            ]
            notes = [r.get("note", "")]
            if r.get("complete") is False:
                notes.append(
                    f"too slow: {r['mean_ms'] / 1000:.2f} s/question, only "
                    f"{r['questions_timed']} questions timed in the {r['budget_s']:.0f} s budget"
                )
            if "error" in r:
                notes.append(f"FAILED: {r['error']}")
            cells.append("; ".join(n for n in notes if n))
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(
            cell.rjust(w) if 1 < i < len(header) - 1 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(line[:-1], widths, strict=True))
        )
        + "  "
        + line[-1]
        for line in lines
    )


def environment() -> dict[str, Any]:
    versions = {}
    for package in ("citebot", "rank-bm25", "bm25s", "tantivy", "numba", "numpy", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_count": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "bm25s_backend": bm25s_backend(),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated, e.g. 10k,100k,1M")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"of {', '.join(SYSTEMS)}")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument(
        "--vocabulary",
        choices=scale_corpus.VOCABULARIES,
        default="real",
        help="real: real sentences + a Zipf tail (>= 300k terms at 1M); small: the first "
        "generator (recombined stdlib sentences, ~6k terms)",
    )
    parser.add_argument("--data-dir", type=Path, default=scale_corpus.default_data_dir())
    parser.add_argument("--work-dir", type=Path, default=None, help="indexes (default: DATA/idx)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the JSON results file (default bench/results/scale.json, or scale-small.json)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per subprocess")
    parser.add_argument(
        "--query-budget", type=float, default=120, help="seconds of timed questions per system"
    )
    parser.add_argument(
        "--rank-bm25-limit",
        type=float,
        default=900,
        help="estimate rank-bm25 instead of running it above this many extrapolated seconds",
    )
    parser.add_argument("--check-questions", type=int, default=200)
    parser.add_argument("--no-check", action="store_true", help="skip the correctness check")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of other sizes/systems already in --out (re-measure a subset)",
    )
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="time the questions against the indexes already in --work-dir instead of "
        "building them again (a 1M build takes minutes; citebot's must match the code, or its "
        "question phase fails rather than time a rebuild)",
    )
    parser.add_argument("--tantivy-threads", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--system", help=argparse.SUPPRESS)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.previous_rows = None
    if args.work_dir is None:
        args.work_dir = args.data_dir / "idx"
    if args.out is None:
        args.out = RESULTS if args.vocabulary == "real" else RESULTS.with_name("scale-small.json")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(RESULT_PREFIX + json.dumps(run_child(args)), flush=True)
        return 0
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        print(f"unknown system(s): {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
        return 2
    report: dict[str, Any] = {"environment": environment(), "corpora": {}, "rows": []}
    if args.merge and args.out.exists():
        # Re-measure some sizes/systems, keeping the others' rows from the previous run.
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        report["corpora"] = previous.get("corpora", {})
        report["correctness"] = previous.get("correctness", {})
        report["rows"] = [
            row
            for row in previous.get("rows", [])
            if not (row["size"] in sizes and row["system"] in systems)
        ]
    report["settings"] = {
        "k1": K1,
        "b": B,
        "top_k": TOP_K,
        "warmup_questions": WARMUP,
        "questions": args.questions,
        "query_budget_s": args.query_budget,
        "data_dir": str(args.data_dir),
        "vocabulary": args.vocabulary,
    }
    print(f"environment: {json.dumps(report['environment'])}", flush=True)
    done: dict[tuple[str, int], dict[str, Any]] = {}
    for size in sizes:
        stats = spawn(args, "corpus", "corpus", size)  # its own process: keeps this one small
        report["corpora"][size_label(size)] = stats
        if "error" in stats:
            print(f"[corpus {size_label(size)}] FAILED: {stats['error']}", flush=True)
            write(report, args.out)
            continue
        print(
            f"[corpus {size_label(size)}] {stats['paragraphs']:,} paragraphs in "
            f"{stats['documents']:,} files ({stats['text_mb']} MB), "
            f"{stats['tokens']:,} tokens ({stats['avg_tokens_per_paragraph']}/paragraph), "
            f"{stats['unique_terms']:,} unique terms, {stats['postings']:,} postings; "
            f"{'reused' if stats['reused'] else 'generated'} in {stats['ensure_s']} s",
            flush=True,
        )
        for system in systems:
            t1 = time.perf_counter()
            result = run_system(args, system, size, done)
            done[(system, size)] = result
            report["rows"].append({"size": size, "system": system, "result": result})
            report["rows"].sort(key=lambda row: (row["size"], SYSTEMS.index(row["system"])))
            status = result.get("error") or result.get("note") or "ok"
            print(
                f"  {system:<15} {time.perf_counter() - t1:7.1f} s  "
                f"p50={_fmt(result.get('p50_ms'), 3)} ms  {status}",
                flush=True,
            )
            write(report, args.out)
        if "citebot" in systems and not args.no_check and size <= CHECK_MAX_SIZE:
            check = spawn(args, "citebot", "check", size)
            report.setdefault("correctness", {})[size_label(size)] = check
            print(f"  correctness vs rank-bm25: {json.dumps(check)[:300]}", flush=True)
            write(report, args.out)
    print()
    print(table(report["rows"]))
    for row in report["rows"]:
        parts = row["result"].get("index_parts_mb")
        if parts:
            shown = ", ".join(f"{name} {mb:,.1f}" for name, mb in sorted(parts.items()))
            print(f"{size_label(row['size'])} {row['system']} index MB by part: {shown}")
    for row in report["rows"]:
        for stage in row["result"].get("build_stages", ()):
            print(
                f"build {size_label(row['size'])} {row['system']} stage {stage['stage']}: "
                f"{stage['s']:.1f} s, RSS {stage['rss_mb']} MB (peak {stage['peak_rss_mb']} MB"
                + (
                    f", one worker's peak {stage['worker_peak_rss_mb']} MB)"
                    if stage["worker_peak_rss_mb"]
                    else ")"
                )
            )
    for label, check in report.get("correctness", {}).items():
        if "error" in check:
            print(f"correctness {label}: FAILED: {check['error']}")
            continue
        for name, variant in (("Lucene IDF", check), ("plain BM25Okapi", check.get("okapi"))):
            if not variant:
                continue
            print(
                f"correctness {label} ({name}): {variant['questions_checked']} questions, top-10 "
                f"ids identical {variant['top10_ids_identical']:.1%}, scores identical "
                f"{variant['top10_scores_identical']:.1%}, max |Δscore| "
                f"{variant['max_abs_score_diff']:.2e}"
            )
    print(f"\nJSON: {args.out}")
    return 0


def write(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
