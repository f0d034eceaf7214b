"""Resident memory of many corpora: N corpora of P paragraphs each, opened on first use.

    .venv/bin/python -m bench.corpora_memory [--corpora 20] [--paragraphs 10000] [--dir DIR]

Writes N generated corpora (files of 100 paragraphs of Zipf-distributed words) and a
citebot.toml naming them under DIR (default: a temporary folder), builds every saved index in
one child process (``citebot index --all``), then, in a fresh child process, opens the corpora
one after another through :class:`bot.corpora.CorpusRegistry` (saved indexes, memory-mapped),
asks each one question, and prints the resident set size (VmRSS) before any corpus is open,
after each, and per corpus. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS_PER_PARAGRAPH = (30, 90)
PARAGRAPHS_PER_FILE = 100


def write_corpora(root: Path, corpora: int, paragraphs: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    vocabulary = [f"w{i}x" for i in range(40_000)]
    cumulative = list(itertools.accumulate(1 / (i + 1) for i in range(len(vocabulary))))
    lines = []
    for n in range(corpora):
        folder = root / f"c{n:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for f in range(paragraphs // PARAGRAPHS_PER_FILE):
            text = "\n\n".join(
                " ".join(
                    rng.choices(
                        vocabulary, cum_weights=cumulative, k=rng.randint(*WORDS_PER_PARAGRAPH)
                    )
                )
                + "."
                for _ in range(PARAGRAPHS_PER_FILE)
            )
            (folder / f"doc{f:03d}.txt").write_text(text + "\n", encoding="utf-8")
        lines.append(f'[corpora.c{n:02d}]\nfolder = "{folder}"\nchannel_ids = [{1000 + n}]\n')
    config = root / "citebot.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


CHILD = """
import json, sys
from pathlib import Path
from bot.corpora import CorpusRegistry
from bot.opening import open_live
from config import load

def rss_kb():
    # VmRSS, and the part of it that is anonymous (the rest: the mapped index files' pages,
    # shared and reclaimable page cache)
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return [int(fields[name].split()[0]) for name in ("VmRSS", "RssAnon")]

loaded = load(config_file=Path(sys.argv[1]))
registry = CorpusRegistry(loaded.corpora, lambda c: open_live(c, loaded.settings, sys.stderr))
before = rss_kb()
after = []
for corpus in loaded.corpora:
    engine = registry.engine(corpus).get()
    assert engine._parts.opened is not None, "not opened from its saved index"  # noqa: SLF001
    engine.ask("w1x w7x w300x")
    after.append(rss_kb())
print(json.dumps({"before_kb": before, "after_kb": after,
                  "paragraphs": [len(registry.engine(c).get().passages) for c in loaded.corpora]}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=int, default=20)
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    root = args.dir or Path(tempfile.mkdtemp(prefix="citebot-corpora-"))
    config = root / "citebot.toml"
    if not config.is_file():  # generated once per folder: rewriting would make indexes stale
        config = write_corpora(root, args.corpora, args.paragraphs)
    env_dir = ["--index-dir", str(root / "indexes")]
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", "--all", "--config", str(config), *env_dir],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    script = CHILD.replace("load(config_file=Path(sys.argv[1]))",
                           f"load({{'index_dir': Path({str(root / 'indexes')!r})}}, "
                           "config_file=Path(sys.argv[1]))")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script, str(config)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(done.stderr)
    result = json.loads(done.stdout)
    (before, before_anon), after = result["before_kb"], result["after_kb"]
    print(f"{args.corpora} corpora x {args.paragraphs:,} paragraphs (saved indexes in {root})")
    print("                                      resident  of which anonymous")
    print(
        f"before any corpus is open:          {before / 1024:7.1f} MB  {before_anon / 1024:7.1f} MB"
    )
    for n, (kb, anon) in enumerate(after, start=1):
        if n in {1, 2, 5, 10, len(after)}:
            print(
                f"after {n:2d} corpora open and asked:   {kb / 1024:7.1f} MB  {anon / 1024:7.1f} MB"
            )
    total, anon = after[-1][0] - before, after[-1][1] - before_anon
    print(
        f"per corpus: {total / len(after) / 1024:.1f} MB resident, of which "
        f"{anon / len(after) / 1024:.1f} MB anonymous (the rest: mapped index pages)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
