"""Every format through the saved index: formats and pages kept, a changed PDF or HTML re-read,
and every quote an exact slice of the stored text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from retrieval import Engine, Opening, OpenReport, RebuildReason, open_engine

from .pdf_maker import make_pdf

RST = "Ferries\n=======\n\nThe ferry to the island leaves from pier four every morning.\n"
HTML = (
    "<html><body><nav>Home</nav><main><h1 id='tides'>Tides</h1>"
    "<p>High tide at the harbour comes twice a day.</p></main></body></html>"
)


def _pdf(words: str) -> bytes:
    return make_pdf(
        [
            [(72, 700, 18, "Lighthouse Manual"), (72, 670, 10, "The lamp is lit at dusk.")],
            [(72, 700, 10, words)],
        ]
    )


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ferries.rst").write_text(RST, encoding="utf-8")
    (folder / "tides.html").write_text(HTML, encoding="utf-8")
    (folder / "manual.pdf").write_bytes(_pdf("The keeper logs the weather every hour."))
    return folder


def _open(folder: Path, tmp_path: Path) -> tuple[Engine, OpenReport]:
    return open_engine(folder, index_dir=tmp_path / "indexes")


def test_formats_and_pages_survive_the_saved_index(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (_, first), (loaded, second) = _open(folder, tmp_path), _open(folder, tmp_path)
    assert (str(first), second.opening) == ("built (no saved index)", Opening.LOADED)
    summary = {s.source: (s.format, s.pages) for s in loaded.sources()}
    assert summary == {
        "ferries.rst": ("rst", 0),
        "manual.pdf": ("pdf", 2),
        "tides.html": ("html", 0),
    }
    for question, source, page, anchor in [
        ("when does the ferry leave?", "ferries.rst", 0, "ferries"),
        ("how often is high tide?", "tides.html", 0, "tides"),
        ("how often does the keeper log the weather?", "manual.pdf", 2, ""),
    ]:
        answer = loaded.ask(question)
        first = answer.citations[0].passage
        assert (first.source, first.page, first.anchor) == (source, page, anchor)
        stored = loaded.source_text(first.source)
        assert stored[first.start : first.end] == first.text
        for sentence in answer.sentences:
            assert stored[sentence.start : sentence.end] == sentence.text
    assert loaded.source_text("ferries.rst") == RST  # rst offsets are into the file itself


def test_a_changed_pdf_or_html_is_read_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _open(folder, tmp_path)
    (folder / "manual.pdf").write_bytes(_pdf("The keeper logs the weather every night."))
    (folder / "tides.html").write_text(HTML.replace("twice a day", "at noon"), encoding="utf-8")
    engine, report = _open(folder, tmp_path)
    assert report.reason is RebuildReason.FILES_CHANGED and len(report.changed) == 2
    assert "every night" in engine.source_text("manual.pdf")
    assert "High tide at the harbour comes at noon." in engine.source_text("tides.html")
    assert _open(folder, tmp_path)[1].opening is Opening.LOADED


def test_citebot_index_reports_formats_pages_and_skipped_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 and then nothing")
    (folder / "genindex.html").write_text(
        "<main>" + "".join(f"<p><a href='#{n}'>entry {n}</a></p>" for n in range(50)) + "</main>"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    index_dir = tmp_path / "indexes"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", "--corpus", str(folder), "--index-dir",
         str(index_dir)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = done.stdout.splitlines()
    assert "documents:   3" in report
    assert "formats:     html 1, pdf 1, rst 1" in report
    assert "pages:       2 (PDF)" in report
    assert "skipped:     2 file(s)" in report
    assert "  broken.pdf: skipped: damaged (Stream has ended unexpectedly)." in report
    assert "  genindex.html: skipped: it is a page of links only (an index)." in report
