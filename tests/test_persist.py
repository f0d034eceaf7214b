"""The saved index: reused only while every file is unchanged, written atomically, and never
trusted when damaged. A stale paragraph must never be served."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval import Engine, EngineOptions, Opening, OpenReport, RebuildReason, open_engine
from retrieval.index import arrays, bm25, build, persist
from retrieval.index.bm25 import BM25Index
from retrieval.index.build import IndexShape, build_folder

from .conftest import SEEDS


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "notes.md").write_text(
        "# Notes\n\nThe lighthouse keeper logs the weather at dawn.\n\nThe boat leaves at noon.\n",
        encoding="utf-8",
    )
    return folder


def _open_reported(corpus: Path, tmp_path: Path, **kwargs: Any) -> tuple[Engine, OpenReport]:
    return open_engine(corpus, index_dir=tmp_path / "indexes", **kwargs)


def _open(corpus: Path, tmp_path: Path, **kwargs: Any) -> Engine:
    return _open_reported(corpus, tmp_path, **kwargs)[0]


def _report(corpus: Path, tmp_path: Path, **kwargs: Any) -> OpenReport:
    return _open_reported(corpus, tmp_path, **kwargs)[1]


def test_a_saved_index_answers_exactly_like_a_fresh_one(corpus: Path, tmp_path: Path) -> None:
    built, first = _open_reported(corpus, tmp_path)
    loaded, second = _open_reported(corpus, tmp_path)
    assert (first.opening, first.detail, second.opening) == (
        Opening.BUILT,
        "no saved index",
        Opening.LOADED,
    )
    assert str(first) == "built (no saved index)" and str(second) == "loaded"
    postings = loaded.index.postings_data  # memory-mapped, read-only
    if bm25._topk is not None:  # served as a memoryview: a question needs no numpy
        assert isinstance(postings, memoryview) and postings.readonly
    else:  # numpy scores without the compiled loop
        assert isinstance(postings, np.ndarray) and not postings.flags.writeable
    assert list(loaded.passages) == list(built.passages)
    assert loaded.sources() == built.sources()
    for question in ["Who is Jeffrey Lynch?", "When does the boat leave?", "weather at dawn"]:
        assert loaded.ask(question) == built.ask(question)
    assert loaded.source_text("notes.md") == (corpus / "notes.md").read_text(encoding="utf-8")


def test_a_saved_index_read_with_numpy_answers_exactly_as_read_as_memoryviews(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two ways a saved index is read (memoryviews when the compiled loops exist, numpy
    arrays without them) give the same passages, hits, scores and answers."""
    _open(corpus, tmp_path)  # built and saved
    viewed = _open(corpus, tmp_path)
    monkeypatch.setattr(arrays, "use_views", lambda: False)
    with_numpy = _open(corpus, tmp_path)
    assert isinstance(with_numpy.index.postings_data, np.ndarray)
    assert isinstance(viewed.index.postings_data, memoryview) == (bm25._topk is not None)
    assert list(viewed.passages) == list(with_numpy.passages)
    assert viewed.passages.paragraph_counts == with_numpy.passages.paragraph_counts
    assert viewed.sources() == with_numpy.sources()
    for question in ["Who is Jeffrey Lynch?", "When does the boat leave?", "weather at dawn"]:
        assert viewed.ask_ranked(question, 20) == with_numpy.ask_ranked(question, 20)


@pytest.mark.parametrize("change", ["edit", "add", "remove", "rename", "same-size edit"])
def test_any_change_to_the_files_rebuilds(corpus: Path, tmp_path: Path, change: str) -> None:
    _open(corpus, tmp_path)
    notes = corpus / "notes.md"
    if change == "edit":
        notes.write_text("# Notes\n\nThe boat now leaves at three.\n", encoding="utf-8")
    elif change == "add":
        (corpus / "new.txt").write_text("A ferry also runs on Sundays.\n", encoding="utf-8")
    elif change == "remove":
        notes.unlink()
    elif change == "rename":
        notes.rename(corpus / "renamed.md")
    else:  # same size, same modification time: only the content hash can tell
        info = notes.stat()
        text = notes.read_text(encoding="utf-8")
        notes.write_text(text.replace("noon", "nine"), encoding="utf-8")
        os.utime(notes, ns=(info.st_atime_ns, info.st_mtime_ns))
    engine, report = _open_reported(corpus, tmp_path)
    changed = 2 if change == "rename" else 1  # a rename is a removal and an addition
    assert (report.opening, report.reason) == (Opening.REBUILT, RebuildReason.FILES_CHANGED)
    assert len(report.changed) == changed
    answer = engine.ask("When does the boat leave?")
    for citation in answer.citations:  # every quoted paragraph is the file's current text
        text = (corpus / citation.passage.source).read_text(encoding="utf-8")
        assert text[citation.passage.start : citation.passage.end] == citation.passage.text
    assert _report(corpus, tmp_path).opening is Opening.LOADED


def test_touching_a_file_without_changing_it_keeps_the_index(corpus: Path, tmp_path: Path) -> None:
    _open(corpus, tmp_path)
    os.utime(corpus / "notes.md")
    assert _report(corpus, tmp_path).opening is Opening.LOADED


def test_other_indexing_options_get_their_own_index(corpus: Path, tmp_path: Path) -> None:
    _open(corpus, tmp_path)
    other = _report(corpus, tmp_path, options=EngineOptions(k1=1.2))
    assert (other.opening, other.detail) == (Opening.BUILT, "no saved index")
    assert len(list((tmp_path / "indexes").glob("*.citebot-index"))) == 2


def test_a_damaged_index_is_rebuilt_not_trusted(corpus: Path, tmp_path: Path) -> None:
    _open(corpus, tmp_path)
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    data = bytearray(path.read_bytes())
    path.write_bytes(bytes(data[: len(data) // 2]))  # truncated, as by a full disk
    engine, report = _open_reported(corpus, tmp_path)
    assert (report.opening, report.reason) == (Opening.REBUILT, RebuildReason.DAMAGED)
    assert engine.ask("Who is Jeffrey Lynch?").answered
    path.write_bytes(b"not an index at all")
    assert _report(corpus, tmp_path).reason is RebuildReason.DAMAGED


def test_a_crash_while_saving_leaves_the_old_index(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _open(corpus, tmp_path)
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(persist.os, "fsync", crash)
    with pytest.raises(OSError):
        engine.save(path)
    assert path.read_bytes() == before
    assert list((tmp_path / "indexes").iterdir()) == [path]  # no temporary file left behind


def test_an_unwritable_index_folder_costs_speed_not_answers(corpus: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    engine, report = open_engine(corpus, index_dir=blocker / "sub")
    assert engine.ask("Who is Jeffrey Lynch?").answered
    assert report.saved is None
    assert report.save_problem is not None and "could not save the index" in report.save_problem


def test_parallel_and_serial_builds_are_identical(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes must not change a single number (terms are numbered in corpus order),
    nor must the compiled tokenizer loop or joining parts through temporary files."""
    for n in range(12):
        (corpus / f"extra{n:02}.txt").write_text(
            f"Extra file {n}.\n\nIt mentions boats, weather {n} and the keeper.\n", encoding="utf-8"
        )
    (corpus / "accents.txt").write_text(  # not ASCII: the compiled scan's chunk path
        "Café crème. The naïve keeper\u00a0sailed — Ｆｕｌｌｗｉｄｔｈ BOATS, "
        "don`t they? Straße and ǅemal’s U.S. boats.\n\nPlain ASCII here. Then Über.\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("retrieval.index.build.PARALLEL_BYTES", 0)
    shape = IndexShape()
    with monkeypatch.context() as regex_only:  # the tokenizer's regex, not the compiled loops
        regex_only.setattr("retrieval.index.build._token_scan", None)
        regex_only.setattr("retrieval.index.build._sentence_scan", None)
        regex_only.setattr("retrieval.index.build._postings_scan", None)
        regex_only.setattr("retrieval.index.build._split_scan", None)
        serial = build_folder(corpus, shape, workers=1)
    monkeypatch.setattr("retrieval.index.build.SPILL_BYTES", 0)  # text and postings on disk
    parallel = build_folder(corpus, shape, workers=2)
    assert isinstance(parallel.store.arrays()["text"], persist.FileBytes)
    assert isinstance(parallel.store.arrays()["tokens"], persist.FileArray)
    for name, array in serial.store.arrays().items():
        assert np.array_equal(array, parallel.store.arrays()[name]), name
    for name, array in serial.index.arrays().items():
        assert np.array_equal(array, parallel.index.arrays()[name]), name
    assert serial.document_index is not None and parallel.document_index is not None
    for name, array in serial.document_index.arrays().items():
        assert np.array_equal(array, parallel.document_index.arrays()[name]), name


def test_an_index_built_through_temporary_files_saves_and_verifies(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large build parks its text in a temporary file and saves it from there, a slice at a
    time: the saved index holds the same text, passes every checksum and answers alike."""
    monkeypatch.setattr("retrieval.index.build.SPILL_BYTES", 0)
    monkeypatch.setattr("retrieval.index.persist._COPY_BYTES", persist.CHUNK)  # many slices
    question = "Who is Jeffrey Lynch?"
    built, report = open_engine(corpus, index_dir=tmp_path)
    assert report.saved is not None
    loaded, again = open_engine(corpus, index_dir=tmp_path, verify=True)
    assert again.opening is Opening.LOADED
    assert loaded.ask(question) == built.ask(question)
    assert [p.text for p in loaded.passages] == [p.text for p in built.passages]
    opened = persist.read(report.saved, persist.read_manifest(report.saved).key)
    try:
        assert persist.verify(opened) == []
    finally:
        opened.close()


def test_the_assembled_index_is_the_index_of_the_token_lists(awkward_corpus: Path) -> None:
    """The builder places each part's postings without sorting; the result must be exactly
    the index built from the paragraphs' token lists (which is rank-bm25's, see test_index)."""
    engine = Engine.from_folder(awkward_corpus, EngineOptions(document_weight=0.0))
    repeat = engine.options.context_repeat
    terms = engine.analyzer.terms
    tokens = [terms(p.context) * repeat + terms(p.text) for p in engine.passages]
    direct = BM25Index(tokens, k1=engine.options.k1, b=engine.options.b)
    for name, array in direct.arrays().items():
        assert np.array_equal(array, engine.index.arrays()[name]), name


def _overwrite_array(path: Path, name: str, values: np.ndarray) -> None:
    """Write ``values`` over array ``name`` inside a saved index file, as damage would."""
    offset, _, dtype = persist.array_location(path, name)
    raw = values.astype(dtype).tobytes()
    with path.open("r+b") as index_file:
        index_file.seek(offset)
        index_file.write(raw)


DAMAGE = """
import sys
from retrieval import CitebotError, open_engine
engine, report = open_engine(sys.argv[1], index_dir=sys.argv[2])
print(report.opening)
try:
    engine.ask("Who is Jeffrey Lynch?")
    print("answered")
except CitebotError as error:
    print("error:", error)
"""


@pytest.mark.parametrize(
    ("array", "value", "expected"),
    [
        # Caught when the index is opened (its checksum, verified at open): rebuilt.
        ("p.idf", -5, ["rebuilt", "answered"]),
        # Caught when it is opened by the pointers' first entries (not 0): rebuilt.
        ("p.postings_ptr", 10**12, ["rebuilt", "answered"]),
        ("p.block_ptr", -5, ["rebuilt", "answered"]),
        # Verified when the term is first searched: a clear error, never a read outside the
        # arrays (the front ends then rebuild: tests/test_faults.py).
        ("p.postings_data", 255, ["loaded", "error: The saved index is damaged"]),
    ],
)
def test_a_damaged_index_never_crashes_the_process(
    corpus: Path, tmp_path: Path, array: str, value: int, expected: list[str]
) -> None:
    _open(corpus, tmp_path)
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    _, size, dtype = persist.array_location(path, array)
    _overwrite_array(path, array, np.full(size // np.dtype(dtype).itemsize - 1, value))
    done = subprocess.run(
        [sys.executable, "-c", DAMAGE, str(corpus), str(tmp_path / "indexes")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # a segfault would be -11
    lines = done.stdout.splitlines()
    assert lines[0] == expected[0]
    assert lines[1].startswith(expected[1])


def test_a_header_of_the_wrong_shape_is_rebuilt(corpus: Path, tmp_path: Path) -> None:
    _open(corpus, tmp_path)
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    body = b"[1, 2, 3]"
    digest = persist.xxhash.xxh3_64_intdigest(body).to_bytes(8, "little")
    path.write_bytes(persist.MAGIC + len(body).to_bytes(8, "little") + digest + body)
    assert _report(corpus, tmp_path).reason is RebuildReason.DAMAGED


def test_the_manifest_is_dated_from_before_the_files_were_read(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file rewritten during a long build within its timestamp's tick must be re-hashed
    later, so the index's date is when reading began, not when writing ended."""
    real = build.read_file
    first_read: list[int] = []

    def slow_read(*args: Any, **kwargs: Any) -> Any:
        first_read.append(time.time_ns())
        time.sleep(0.2)  # a slow disk, or a big folder
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "read_file", slow_read)
    _open(corpus, tmp_path)
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    assert persist.read_manifest(path).written_ns <= min(first_read)


def test_a_file_unreadable_at_indexing_is_indexed_once_readable(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "notes.md":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    first = _open(corpus, tmp_path)
    assert "notes.md" not in [s.source for s in first.sources()]
    monkeypatch.setattr(Path, "read_bytes", real)
    again, report = _open_reported(corpus, tmp_path)
    assert report.changed == ("notes.md",)
    assert again.ask("When does the boat leave?").answered


def test_build_progress_rises_to_the_end_only_when_the_index_is_ready(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(8):
        (corpus / f"more{n}.txt").write_text(f"Paragraph {n} about ferries.\n", encoding="utf-8")
    monkeypatch.setattr("retrieval.index.build.PARALLEL_BYTES", 0)
    seen: list[tuple[int, int]] = []
    build_folder(corpus, IndexShape(), workers=2, progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _ in seen]
    (total,) = {t for _, t in seen}
    assert done == sorted(done) and len(done) > 2
    assert done[-2] < total == done[-1]  # reading and tokenizing stop short of 100%


def test_an_opened_engine_is_read_only(corpus: Path, tmp_path: Path) -> None:
    engine = _open(corpus, tmp_path)
    for name in ("index", "passages", "options"):
        with pytest.raises(AttributeError, match="read-only"):
            setattr(engine, name, None)
    assert engine.ask("Who is Jeffrey Lynch?").answered


def test_trimming_gives_back_the_mapped_pages_and_keeps_results(
    corpus: Path, tmp_path: Path
) -> None:
    """Checks.trim: under its budget nothing is done; over it the index's mapped pages are
    given back, and reading after it gives the same results again."""
    _open(corpus, tmp_path)
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    opened = persist.read(path, persist.read_manifest(path).key)
    index, store = opened.contents.index, opened.contents.store
    before = index.top(["lynch", "jeffrey"], 3)
    assert before
    assert not opened.checks.trim(budget=1 << 50)
    assert opened.checks.trim(budget=0)
    assert index.top(["lynch", "jeffrey"], 3) == before
    assert [p.text for p in store] == [p.text for p in store[: len(store)]]
    opened.close()
