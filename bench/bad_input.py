"""The two bad inputs too slow for ``make test``, at full size, through ``load_corpus``.

    .venv/bin/python -m bench.bad_input

* a 50 MB HTML page on a single line (just under the 50 MB file limit);
* a 2,000-page PDF with a running header, a page number and a paragraph on every page, read
  with the default bounds (5,000 pages, 120 s).

Each sits in a temporary folder next to a small text file; the report says how long loading
took, what was indexed and which warnings were given. The files are generated, never kept.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from retrieval import load_corpus
from retrieval.reading.files import MAX_FILE_BYTES
from tests.pdf_maker import make_pdf

ROW = "<p>The quick brown fox jumps over the lazy dog again.</p>"


def _big_html(path: Path) -> None:
    head, tail = "<html><body>", "</body></html>"
    rows = (MAX_FILE_BYTES - 1024 - len(head) - len(tail)) // len(ROW)
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for _ in range(rows // 1000):
            out.write(ROW * 1000)
        out.write(ROW * (rows % 1000) + tail)


def _long_pdf(path: Path) -> None:
    pages = [
        [
            (72.0, 760.0, 9.0, "Operations Manual, Release 2.0"),
            (72.0, 700.0, 10.0, f"Section {n} explains how the pump on deck {n % 7} is primed."),
            (72.0, 688.0, 10.0, "Open the valve, wait for the gauge, then close it again."),
            (300.0, 40.0, 9.0, str(n)),
        ]
        for n in range(1, 2001)
    ]
    path.write_bytes(make_pdf(pages))


def _report(name: str, make: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        target = folder / name
        make(target)  # type: ignore[operator]
        (folder / "notes.txt").write_text("The other files still load.\n", encoding="utf-8")
        size = target.stat().st_size / 1024 / 1024
        started = time.perf_counter()
        corpus = load_corpus(folder)
        seconds = time.perf_counter() - started
        loaded = {d.source: d for d in corpus.documents}
        big = loaded.get(name)
        blocks = len(big.blocks) if big is not None else 0
        pages = big.pages if big is not None else 0
        print(
            f"{name}: {size:.1f} MB, loaded in {seconds:.1f} s; indexed: {big is not None}, "
            f"{blocks:,} blocks, {pages:,} pages; notes.txt loaded: {'notes.txt' in loaded}"
        )
        for warning in corpus.warnings:
            print(f"  warning: {warning}")


def main() -> int:
    _report("single-line.html", _big_html)
    _report("long.pdf", _long_pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
