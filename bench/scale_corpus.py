"""The scale benchmark's corpus and questions, generated from real English found on any machine.

Real paragraphs come from the Python standard library of the running interpreter: module, class
and function docstrings (read with ``ast``, never imported) and any ``.rst``/``.txt`` files in it.
They are cleaned (doctests, code-ish lines and short paragraphs dropped), deduplicated and cut
into sentences; a corpus of N paragraphs is then N synthetic paragraphs of 2-6 sentences drawn
with a seeded RNG, so lengths and vocabulary stay those of real documentation prose.

Two vocabularies (``vocabulary=``):

* ``"real"`` (the default): paragraphs of 40-120 words made of real sentences — the standard
  library's, plus SciFact's abstracts and SQuAD's paragraphs when ``../shared/bench-data`` is
  there — in which about one word in sixteen is replaced by a word of a Zipf-distributed tail
  of 600,000 generated pseudo-words (exponent 1.05). Real text of a million paragraphs has
  hundreds of thousands of distinct terms with a long tail of rare ones (names, identifiers,
  typos); the tail gives the index that shape (≥ 300,000 terms at 1M) while the head keeps the
  common words, sentence lengths and phrasing of real prose.
* ``"small"``: the first generator, kept as a labelled second row: 2-6 recombined stdlib
  sentences per paragraph, so its vocabulary saturates (about 6,000 terms at 1M) and posting
  lists are longer than real text's.

Everything is written under a cache directory outside the repository and reused while its stamp
(parameters + a hash of the harvested sentences) matches:

    <data-dir>/<N>/corpus/part-NNNN.txt   1,000 paragraphs per file, a title line first
    <data-dir>/<N>/tokens.txt            one paragraph per line: its indexed terms, space-joined
    <data-dir>/<N>/questions.jsonl       the questions
    <data-dir>/<N>/stats.json            paragraphs, tokens, unique terms, postings, timings
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import re
import shutil
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.analysis.tokenizer import analyze, words
from retrieval.reading.files import load_corpus
from retrieval.splitting.passages import split_passages

GENERATOR_VERSION = 1
REAL_GENERATOR_VERSION = 1
SEED = 20261128
VOCABULARIES = ("real", "small")
TAIL_WORDS = 600_000
TAIL_EXPONENT = 1.05
TAIL_SHARE = 1 / 16
"""Share of a real-vocabulary paragraph's words replaced by tail words."""
PARAGRAPH_WORDS = (40, 120)
BENCH_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench-data"
PARAGRAPHS_PER_FILE = 1000
CONTEXT_REPEAT = 3
"""citebot indexes a paragraph's title and headings this many times with its words
(``EngineOptions.context_repeat``); the shared token lists do the same, so every system
indexes exactly the terms citebot indexes."""

_EXCLUDED_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__"})
_ROLE = re.compile(r":[\w.:+-]+:`(?:[^`<]*<)?~?([^`>]*)>?`")
_MARKUP = re.compile(r"``|`|\*\*|(?<!\w)\*(?=\w)|(?<=\w)\*(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])")
_CODE_CHARS = frozenset("(){}[]=<>_|\\#@$%^~")
_OUT_OF_CORPUS_WORDS = (
    "sourdough giraffe saxophone tangerine avalanche cathedral violinist marzipan hummingbird "
    "glacier lasagna kangaroo trombone pineapple volcano flamingo croissant canoe orchid penguin "
    "espresso tornado harpsichord walrus meringue lighthouse zucchini bagpipe chimpanzee rhubarb "
    "hazelnut porcupine accordion tulip gondola mango buffalo cinnamon dolphin ballerina"
).split()

TEMPLATES: tuple[tuple[int, str], ...] = (
    (2, "How do I {0} the {1}?"),
    (2, "Why is {0} raised by the {1}?"),
    (2, "What is the difference between {0} and {1}?"),
    (2, "Where is the {0} of a {1} stored?"),
    (3, "How do I {0} the {1} of a {2}?"),
    (3, "What does {0} return when the {1} is {2}?"),
    (3, "How can I use {0} with {1} in a {2}?"),
    (3, "Which {0} should I pass to {1} to get {2}?"),
    (3, "Why is {0} raised by {1} when {2} is missing?"),
    (4, "When should I call {0} on a {1} with {2} and {3}?"),
    (4, "Is it possible to {0} a {1} without {2} or {3}?"),
    (4, "How does the {0} handle {1} and {2} for {3}?"),
)


def default_data_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "citebot-bench"


# --- harvesting ------------------------------------------------------------------------------


def _stdlib_files() -> Iterator[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _EXCLUDED_DIRS)
        for name in sorted(filenames):
            if name.endswith((".py", ".rst", ".txt")):
                yield Path(dirpath) / name


def _docstrings(path: Path) -> Iterator[str]:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield doc


def _clean_paragraph(block: str) -> str | None:
    """One blank-line separated block as a line of prose, or None if it is not prose."""
    lines = block.split("\n")
    if any(
        ">>>" in line or line.startswith((" ", "\t", "..", "-", "*", "+", "|")) for line in lines
    ):
        return None  # doctests, indented code, rst directives, bullet lists, tables
    if any(line.rstrip().endswith("::") for line in lines):
        return None
    text = " ".join(line.strip() for line in lines)
    text = _MARKUP.sub("", _ROLE.sub(r"\1", text))
    text = re.sub(r"\s+", " ", text).strip()
    tokens = text.split()
    if len(tokens) < 6:
        return None
    if sum(ch in _CODE_CHARS for ch in text) > 0.02 * len(text):
        return None
    alpha = sum(t.strip(".,;:!?\"'()").isalpha() for t in tokens)
    if alpha < 0.8 * len(tokens) or not text[0].isupper() or text[-1] not in ".!?":
        return None
    return text


def harvest() -> tuple[list[str], list[str]]:
    """Deduplicated real paragraphs and their sentences (each 5-60 words, capitalised, ended)."""
    paragraphs: dict[str, None] = {}
    for path in _stdlib_files():
        if path.suffix == ".py":
            texts = list(_docstrings(path))
        else:
            try:
                texts = [path.read_text(encoding="utf-8")]
            except (OSError, UnicodeDecodeError):
                continue
        for text in texts:
            for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
                cleaned = _clean_paragraph(block.strip("\n"))
                if cleaned:
                    paragraphs.setdefault(cleaned)
    sentences: dict[str, None] = {}
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            n = len(sentence.split())
            if 5 <= n <= 60 and sentence[0].isupper() and sentence[-1] in ".!?":
                sentences.setdefault(sentence)
    return list(paragraphs), list(sentences)


# --- the corpus ------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def _title(rng: random.Random, sentences: list[str], number: int) -> str:
    """A short unpunctuated title from two content words of a real sentence."""
    content = [w for w in re.findall(r"[A-Za-z]{5,}", rng.choice(sentences))]
    picked = rng.sample(content, 2) if len(content) >= 2 else ["Notes", "Reference"]
    return f"Part {number}: {picked[0].capitalize()} and {picked[1].lower()}"


def _write_corpus(folder: Path, n: int, sentences: list[str]) -> None:
    rng = random.Random(f"{SEED}-{n}")
    folder.mkdir(parents=True)
    for start in range(0, n, PARAGRAPHS_PER_FILE):
        count = min(PARAGRAPHS_PER_FILE, n - start)
        number = start // PARAGRAPHS_PER_FILE
        parts = [_title(rng, sentences, number)]
        for _ in range(count):
            parts.append(" ".join(rng.sample(sentences, rng.randint(2, 6))))
        (folder / f"part-{number:04d}.txt").write_text("\n\n".join(parts) + "\n", "utf-8")


def _document_terms(document: Any) -> tuple[list[str], int, int, set[str]]:
    """One document's paragraphs as token lines, with their token and posting counts."""
    lines: list[str] = []
    tokens = postings = 0
    seen: set[str] = set()
    context_cache: dict[str, list[str]] = {}
    for passage in split_passages(document):
        context = context_cache.get(passage.context)
        if context is None:
            context = context_cache[passage.context] = analyze(passage.context)
        terms = context * CONTEXT_REPEAT + analyze(passage.text)
        lines.append(" ".join(terms))
        unique = set(terms)
        seen |= unique
        tokens += len(terms)
        postings += len(unique)
    return lines, tokens, postings, seen


def _write_tokens(corpus: Path, path: Path) -> dict[str, Any]:
    """Every paragraph's indexed terms, one line each, in citebot's paragraph order (analysed
    on every core: at a million paragraphs this is most of the corpus's generation time)."""
    import multiprocessing

    loaded = load_corpus(corpus)
    vocabulary: set[str] = set()
    total_tokens = postings = paragraphs = 0
    workers = max(1, min(os.cpu_count() or 1, 8))
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with context.Pool(workers) as pool, path.open("w", encoding="utf-8") as out:
        for lines, tokens, posts, seen in pool.imap(_document_terms, loaded.documents, 4):
            if lines:
                out.write("\n".join(lines) + "\n")
            vocabulary |= seen
            total_tokens += tokens
            postings += posts
            paragraphs += len(lines)
    return {
        "paragraphs": paragraphs,
        "documents": len(loaded.documents),
        "tokens": total_tokens,
        "avg_tokens_per_paragraph": round(total_tokens / max(paragraphs, 1), 1),
        "unique_terms": len(vocabulary),
        "postings": postings,
        "text_mb": round(sum(len(d.text.encode()) for d in loaded.documents) / 2**20, 1),
    }


# --- the real-vocabulary corpus ---------------------------------------------------------------


def _bench_data_sentences() -> list[str]:
    """Sentences of SciFact's abstracts and SQuAD's paragraphs, when the public data is here."""
    texts: list[str] = []
    scifact = BENCH_DATA / "scifact" / "corpus.jsonl"
    if scifact.exists():
        with scifact.open(encoding="utf-8") as lines:
            texts.extend(json.loads(line)["text"] for line in lines if line.strip())
    squad = BENCH_DATA / "squad" / "dev-v2.0.json"
    if squad.exists():
        data = json.loads(squad.read_text(encoding="utf-8"))["data"]
        texts.extend(p["context"] for article in data for p in article["paragraphs"])
    sentences: dict[str, None] = {}
    for text in texts:
        for sentence in _SENTENCE_END.split(re.sub(r"\s+", " ", text).strip()):
            n = len(sentence.split())
            if 5 <= n <= 60 and sentence[0].isupper() and sentence[-1] in ".!?":
                sentences.setdefault(sentence)
    return list(sentences)


_ONSETS = (
    "b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr bl cl fl gl pl sl st sp sk".split()
)
_VOWELS = "a e i o u ai ea ou io".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "m", "x", "nd", "rt", "st"]


def tail_words(count: int = TAIL_WORDS) -> list[str]:
    """``count`` distinct pseudo-words of 2-4 syllables (each at least 6 letters), in a fixed
    order: the i-th is the tail's rank-i word. None is an English word a question would use."""
    rng = random.Random(f"{SEED}-tail")
    seen: dict[str, None] = {}
    while len(seen) < count:
        syllables = rng.choice((2, 3, 3, 4))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if len(word) >= 6:
            seen.setdefault(word)
    return list(seen)


def _zipf_cdf(count: int, exponent: float) -> Any:
    import numpy as np

    weights = 1.0 / np.arange(1, count + 1, dtype=np.float64) ** exponent
    return np.cumsum(weights / weights.sum())


def _real_paragraph(rng: random.Random, sentences: list[str]) -> str:
    """Whole real sentences adding up to a length drawn from ``PARAGRAPH_WORDS``."""
    low, high = PARAGRAPH_WORDS
    target = rng.randint(low, high)
    chosen: list[str] = []
    total = 0
    while total < target:
        sentence = rng.choice(sentences)
        n = sentence.count(" ") + 1
        if chosen and total + n > high:
            if total >= low:
                break
            continue
        chosen.append(sentence)
        total += n
    return " ".join(chosen)


def _write_real_corpus(folder: Path, n: int, sentences: list[str]) -> None:
    """``n`` paragraphs of real sentences, about one word in ``1/TAIL_SHARE`` swapped for a word
    of the Zipf tail (keeping the word's capital and trailing punctuation)."""
    import numpy as np

    rng = random.Random(f"{SEED}-real-{n}")
    draws = np.random.default_rng(SEED + n)
    tail = tail_words()
    cdf = _zipf_cdf(len(tail), TAIL_EXPONENT)
    folder.mkdir(parents=True)
    for start in range(0, n, PARAGRAPHS_PER_FILE):
        count = min(PARAGRAPHS_PER_FILE, n - start)
        number = start // PARAGRAPHS_PER_FILE
        parts = [_title(rng, sentences, number)]
        paragraphs = [_real_paragraph(rng, sentences).split(" ") for _ in range(count)]
        flat = [word for paragraph in paragraphs for word in paragraph]
        swapped = np.flatnonzero(draws.random(len(flat)) < TAIL_SHARE)
        ranks = np.minimum(np.searchsorted(cdf, draws.random(len(swapped))), len(tail) - 1)
        for position, rank in zip(swapped.tolist(), ranks.tolist(), strict=True):
            word = flat[position]
            stripped = word.rstrip(".,;:!?)\"'")
            tail_word = tail[rank].capitalize() if stripped[:1].isupper() else tail[rank]
            flat[position] = tail_word + word[len(stripped) :]
        at = 0
        for paragraph in paragraphs:
            parts.append(" ".join(flat[at : at + len(paragraph)]))
            at += len(paragraph)
        (folder / f"part-{number:04d}.txt").write_text("\n\n".join(parts) + "\n", "utf-8")


# --- questions -------------------------------------------------------------------------------


def _questions(
    corpus: Path, tokens_path: Path, count: int, pool_vocabulary: set[str], n: int
) -> list[dict[str, Any]]:
    df: Counter[str] = Counter()
    with tokens_path.open(encoding="utf-8") as lines:
        for line in lines:
            df.update(set(line.split()))
    texts = [
        p.text for d in load_corpus(corpus).documents for p in split_passages(d)
    ]  # same order as tokens.txt
    rng = random.Random(f"{SEED}-questions-{n}")
    max_df = max(3, int(0.02 * len(texts)))
    absent = [w for w in _OUT_OF_CORPUS_WORDS if all(t not in pool_vocabulary for t in analyze(w))]
    questions: list[dict[str, Any]] = []
    while len(questions) < count:
        number = len(questions)
        no_match = number % 10 == 9 and len(absent) >= 4
        if no_match:
            slots, template = rng.choice(TEMPLATES)
            picked = rng.sample(absent, slots)
            paragraph = None
        else:
            paragraph = rng.randrange(len(texts))
            candidates = list(
                dict.fromkeys(
                    w
                    for w in words(texts[paragraph])
                    if len(w) >= 4
                    and w.isalpha()
                    and len(terms := analyze(w)) == 1
                    and 2 <= df[terms[0]] <= max_df
                )
            )
            usable = [t for t in TEMPLATES if t[0] <= len(candidates)]
            if not usable:
                continue
            slots, template = rng.choice(usable)
            picked = rng.sample(candidates, slots)
        question = template.format(*picked)
        if not 5 <= len(question.split()) <= 12:
            continue
        questions.append(
            {
                "id": number,
                "question": question,
                "kind": "no_match" if no_match else "matched",
                "paragraph": paragraph,
            }
        )
    return questions


# --- the cache -------------------------------------------------------------------------------


def harvested(data_dir: Path) -> tuple[list[str], list[str]]:
    """``harvest()``, cached in ``data_dir`` per interpreter and generator version."""
    key = f"{sysconfig.get_paths()['stdlib']}|{sys.version}|{GENERATOR_VERSION}"
    path = data_dir / f"pool-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"
    if path.exists():
        pool = json.loads(path.read_text(encoding="utf-8"))
        return pool["paragraphs"], pool["sentences"]
    paragraphs, sentences = harvest()
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"paragraphs": paragraphs, "sentences": sentences}), "utf-8")
    return paragraphs, sentences


def ensure(
    data_dir: Path, n: int, question_count: int, log: Any = print, vocabulary: str = "real"
) -> dict[str, Any]:
    """Generate (or reuse) the corpus, tokens and questions for ``n`` paragraphs; their stats."""
    if vocabulary not in VOCABULARIES:
        choices = ", ".join(VOCABULARIES)
        raise ValueError(f"vocabulary must be one of {choices} (got {vocabulary!r})")
    started = time.perf_counter()
    paragraphs, sentences = harvested(data_dir)
    if vocabulary == "real":
        sentences = sentences + _bench_data_sentences()
    harvest_s = time.perf_counter() - started
    digest = hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:16]
    stamp = {
        "vocabulary": vocabulary,
        "version": GENERATOR_VERSION if vocabulary == "small" else REAL_GENERATOR_VERSION,
        "seed": SEED,
        "paragraphs": n,
        "per_file": PARAGRAPHS_PER_FILE,
        "context_repeat": CONTEXT_REPEAT,
        "questions": question_count,
        "sentences_sha256_16": digest,
    }
    root = _root(data_dir, n, vocabulary)
    stamp_path = root / "stamp.json"
    stats_path = root / "stats.json"
    if stamp_path.exists() and stats_path.exists() and json.loads(stamp_path.read_text()) == stamp:
        stats: dict[str, Any] = json.loads(stats_path.read_text())
        stats["reused"] = True
        return stats
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    log(
        f"[corpus {size_label(n)}] harvested {len(paragraphs):,} real paragraphs, "
        f"{len(sentences):,} sentences from {sysconfig.get_paths()['stdlib']} "
        f"({harvest_s:.1f} s)"
    )
    t0 = time.perf_counter()
    if vocabulary == "real":
        _write_real_corpus(root / "corpus", n, sentences)
    else:
        _write_corpus(root / "corpus", n, sentences)
    write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats = _write_tokens(root / "corpus", root / "tokens.txt")
    tokenize_s = time.perf_counter() - t0
    pool_vocabulary = {t for s in sentences for t in analyze(s)}
    t0 = time.perf_counter()
    questions = _questions(root / "corpus", root / "tokens.txt", question_count, pool_vocabulary, n)
    questions_s = time.perf_counter() - t0
    with (root / "questions.jsonl").open("w", encoding="utf-8") as out:
        for q in questions:
            out.write(json.dumps(q) + "\n")
    stats.update(
        {
            "vocabulary": vocabulary,
            "source": sysconfig.get_paths()["stdlib"]
            + (" + SciFact + SQuAD sentences + Zipf tail" if vocabulary == "real" else ""),
            "real_paragraphs": len(paragraphs),
            "real_sentences": len(sentences),
            "harvest_s": round(harvest_s, 2),
            "write_corpus_s": round(write_s, 2),
            "tokenize_s": round(tokenize_s, 2),
            "questions_s": round(questions_s, 2),
            "questions": len(questions),
            "no_match_questions": sum(q["kind"] == "no_match" for q in questions),
            "reused": False,
        }
    )
    stats_path.write_text(json.dumps(stats, indent=2) + "\n")
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    return stats


def _root(data_dir: Path, n: int, vocabulary: str) -> Path:
    return data_dir / (size_label(n) if vocabulary == "small" else f"real-{size_label(n)}")


def paths(data_dir: Path, n: int, vocabulary: str = "real") -> tuple[Path, Path, Path]:
    """(corpus folder, tokens file, questions file) for ``n`` paragraphs."""
    root = _root(data_dir, n, vocabulary)
    return root / "corpus", root / "tokens.txt", root / "questions.jsonl"
