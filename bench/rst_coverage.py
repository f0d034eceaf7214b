"""How much of a reStructuredText folder's prose reaches the blocks, and what leaks into them.

    .venv/bin/python -m bench.rst_coverage FOLDER [FOLDER ...]

For every ``.rst`` file: the share of its text lines (not blank, not adornment, not explicit
markup such as ``.. directive::``, ``:option:`` or ``.. _label:``) that lie inside some block,
the blocks whose text holds directive syntax (a sign that markup is quoted as prose), the files
docutils reported errors for, and the reading time. Run it on any Sphinx project's ``docs/``
(e.g. a fetched public repository) to check that the reader does not only work on Flask.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from retrieval.reading.blocks import BlockKind
from retrieval.reading.rst import parse_rst

_MARKUP = re.compile(r"^\s*(?:\.\.\s|:[\w -]+:(?:\s|$)|[=\-~^\"'`#*+_.:<>]{3,}\s*$)")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|#\.)\s+")
_DIRECTIVE_IN_TEXT = re.compile(r"^\s*\.\.\s+[\w:-]+::", re.MULTILINE)
_INCLUDE = re.compile(r"\.\.\s+(?:literalinclude|include)::")
"""A file shown as code: the block is the directive, by design (see the reader)."""


def folder_coverage(folder: Path) -> tuple[int, int, int, int, int, float]:
    """(files, text lines, covered lines, blocks quoting directive syntax, files with
    docutils errors, seconds)."""
    files = lines_total = covered = leaking = with_errors = 0
    started = time.perf_counter()
    for path in sorted(folder.rglob("*.rst")):
        text = path.read_text(encoding="utf-8", errors="replace")
        reading = parse_rst(text)
        files += 1
        with_errors += bool(reading.problems)
        inside = bytearray(len(text) + 1)
        for block in reading.blocks:
            inside[block.start : block.end] = b"\1" * (block.end - block.start)
            quoted = text[block.start : block.end]
            literal = block.kind is BlockKind.CODE and _INCLUDE.match(quoted) is not None
            if not literal and _DIRECTIVE_IN_TEXT.search(quoted):
                leaking += 1
        offset = 0
        for line in text.split("\n"):
            marker = _LIST_MARKER.match(line)  # an item's text starts after its marker
            start = offset + (marker.end() if marker else len(line) - len(line.lstrip()))
            offset += len(line) + 1
            if not line.strip() or _MARKUP.match(line):
                continue
            lines_total += 1
            covered += bool(inside[start])
    return files, lines_total, covered, leaking, with_errors, time.perf_counter() - started


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    print(f"{'folder':<40}{'files':>6}{'lines':>8}{'covered':>9}{'leaks':>7}{'errors':>7}{'s':>7}")
    for name in argv:
        files, total, covered, leaking, errors, seconds = folder_coverage(Path(name))
        share = covered / total if total else 0.0
        print(
            f"{name[-40:]:<40}{files:>6}{total:>8}{share:>9.3f}{leaking:>7}{errors:>7}{seconds:>7.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
