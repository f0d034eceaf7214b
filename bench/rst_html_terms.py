"""Do a Sphinx project's ``.rst`` sources and its HTML build index the same words?

    .venv/bin/python -m bench.rst_html_terms RST_FOLDER HTML_FOLDER [--skip api --skip changes]

For every ``.rst`` file with a built page (``page.rst`` → ``page.html``) whose prose blocks
(paragraphs, list items, notes) are as many in both readings, the blocks are paired in order
and each pair's search terms compared: as the index analyses the ``.rst`` (the source with its
inline markup blanked, :func:`~retrieval.reading.rst_inline.searched_view`) and, for
comparison, as the raw source would be. A term the ``.rst`` block has and the HTML block lacks
is a word of markup ("data" from ``:data:``), or a target's words the built page does not show.
Pages whose block counts differ are counted, not compared. Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from retrieval.analysis.tokenizer import analyze
from retrieval.reading.blocks import PROSE_KINDS
from retrieval.reading.html import read_html
from retrieval.reading.rst import read_rst
from retrieval.reading.rst_inline import searched_view


def compare(rst_root: Path, html_root: Path, skip: set[str]) -> Counter[str]:
    """Totals over the paired pages: blocks, blocks with the same terms, terms the ``.rst``
    block has beyond the HTML one (``extra``) and the HTML's beyond the ``.rst``'s
    (``missing``), for the indexed view and for the raw source."""
    totals: Counter[str] = Counter()
    for rst in sorted(rst_root.rglob("*.rst")):
        relative = rst.relative_to(rst_root).with_suffix(".html")
        html = html_root / relative
        if not html.exists() or relative.stem in skip:
            continue
        source = rst.read_text(encoding="utf-8")
        rst_blocks = [b for b in read_rst(source) if b.kind in PROSE_KINDS]
        html_text, html_blocks = read_html(html.read_text(encoding="utf-8"))
        html_blocks = [b for b in html_blocks if b.kind in PROSE_KINDS]
        if len(rst_blocks) != len(html_blocks):
            totals["pages not paired"] += 1
            continue
        totals["pages"] += 1
        view = searched_view(source)
        for ours, theirs in zip(rst_blocks, html_blocks, strict=True):
            built = Counter(analyze(html_text[theirs.start : theirs.end]))
            totals["blocks"] += 1
            for name, text in (("indexed", view), ("raw source", source)):
                terms = Counter(analyze(text[ours.start : ours.end]))
                totals[f"{name}: same terms"] += terms == built
                totals[f"{name}: extra terms"] += sum((terms - built).values())
                totals[f"{name}: missing terms"] += sum((built - terms).values())
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rst", type=Path)
    parser.add_argument("html", type=Path)
    parser.add_argument("--skip", action="append", default=[], metavar="PAGE")
    args = parser.parse_args(argv)
    for name, value in compare(args.rst, args.html, set(args.skip)).items():
        print(f"{name:<28}{value:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
