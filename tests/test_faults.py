"""Fault injection: a damaged index, files edited to fool the checks, a truncated index under a
running REPL. Every case asserts what the user sees and that no quote differs from the file.

(The process, permission, SQLite and corpus-hygiene cases are in test_faults_env.py.)
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import cli
from bot.live import LiveEngine
from retrieval import (
    Answer,
    Engine,
    FileChangedError,
    Opening,
    RebuildReason,
    open_engine,
)
from retrieval.index import packed, persist

from .conftest import SEEDS

ROOT = Path(__file__).parent.parent
SEED = "000_4568191ad18858cd.txt"
QUESTIONS = (
    "What did the Denver City Council pass?",
    "Who is Jeffrey Lynch?",
    "When does the boat leave?",
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "notes.md").write_text(
        "# Notes\n\nThe lighthouse keeper Ingrid logs the weather at dawn.\n\n"
        "The boat leaves at noon. Log the weather with:\n\n```sh\nweather --log dawn\n```\n",
        encoding="utf-8",
    )
    return folder


def _index_file(tmp_path: Path) -> Path:
    (path,) = (tmp_path / "indexes").glob("*.citebot-index")
    return path


def _assert_quotes_are_the_files(answer: Answer, corpus: Path) -> None:
    """Every quoted sentence and every paragraph shown is exactly its file's text now."""
    for sentence in answer.sentences:
        source = answer.citation(sentence.citation).passage.source
        text = (corpus / source).read_text(encoding="utf-8")
        assert text[sentence.start : sentence.end] == sentence.text
    for citation in (*answer.citations, *answer.related):
        passage = citation.passage
        text = (corpus / passage.source).read_text(encoding="utf-8")
        assert text[passage.start : passage.end] == passage.text


def _live(corpus: Path, tmp_path: Path, rebuilt: list[RebuildReason | None]) -> LiveEngine:
    def reopen(reason: RebuildReason | None, detail: str) -> Engine:
        rebuilt.append(reason)
        return open_engine(corpus, index_dir=tmp_path / "indexes", rebuild=reason or False)[0]

    engine, _ = open_engine(corpus, index_dir=tmp_path / "indexes")
    return LiveEngine(engine, reopen)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


# -- 1. a damaged index is never trusted ------------------------------------------------------


def test_a_flipped_bit_in_the_text_is_never_quoted(corpus: Path, tmp_path: Path) -> None:
    """Finding 1: one flipped bit ("unanimously" → "Unanimously") was shown as a verbatim quote
    and `citebot index` said "loaded"."""
    index_dir = str(tmp_path / "indexes")
    assert _cli("index", "--corpus", str(corpus), "--index-dir", index_dir)[0] == 0
    path = _index_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[_text_frame(path, b"unanimously")] ^= 0x20
    path.write_bytes(bytes(data))
    code, out, err = _cli("index", "--corpus", str(corpus), "--index-dir", index_dir, "--verify")
    assert code == 0
    assert "index:       rebuilt (the saved index is damaged: text_z fails its checksum)" in out
    data = bytearray(_index_file(tmp_path).read_bytes())  # damage it again, for `ask`
    data[_text_frame(path, b"unanimously")] ^= 0x20
    path.write_bytes(bytes(data))
    code, out, err = _cli("ask", "--corpus", str(corpus), "--index-dir", index_dir, QUESTIONS[0])
    assert code == 0
    assert "Council unanimously passed" in out and "Unanimously" not in out
    assert err.startswith("citebot: the index is rebuilt: The saved index is damaged (text_z")
    assert len(err.splitlines()) == 1


def _text_frame(path: Path, needle: bytes) -> int:
    """A byte in the middle of the compressed frame that holds ``needle`` of the saved text
    (which is stored in zstd frames of ``packed.TEXT_BLOCK`` bytes each)."""
    opened = persist.read(path, persist.read_manifest(path).key)
    text = bytes(np.asarray(opened.contents.store.arrays()["text"]))
    opened.close()
    block = text.index(needle) // packed.TEXT_BLOCK
    frames, _, _ = persist.array_location(path, "text_z")
    at, size, dtype = persist.array_location(path, "text_z_offsets")
    offsets = np.frombuffer(path.read_bytes()[at : at + size], dtype=dtype)
    return frames + (int(offsets[block]) + int(offsets[block + 1])) // 2


def _arrays(corpus: Path, tmp_path: Path) -> list[str]:
    open_engine(corpus, index_dir=tmp_path / "indexes")
    opened = persist.read(_index_file(tmp_path), persist.read_manifest(_index_file(tmp_path)).key)
    names = list(opened.checks._specs)
    opened.close()
    return names


ARRAY_NAMES = (
    *("source", "paragraph", "start", "end", "byte_start", "byte_end", "context", "id"),
    *("id_order", "text_z", "text_z_offsets", "text_dict", "document_bytes"),
    *("contexts", "context_offsets"),
    *("line", "page", "kind", "place", "places", "place_offsets"),
    *("unit_kind", "unit_start", "unit_end", "unit_lang", "unit_langs", "unit_lang_offsets"),
    *("sentence_ptr", "sentence_start", "sentence_end", "token_ptr"),
    *("tokens_low", "tokens_high_at", "tokens_high"),
    *(
        prefix + name
        for prefix in ("p.", "d.")
        for name in (
            *("doc_len", "idf", "postings_ptr", "postings_data", "block_last", "max_tf_part"),
            *("block_offset", "block_bits"),
            *("block_ptr", "block_max", "vocab_blob", "vocab_offsets", "vocab_keys"),
            "vocab_key_ids",
        )
    ),
)


def test_the_fault_suite_covers_every_array(corpus: Path, tmp_path: Path) -> None:
    assert sorted(_arrays(corpus, tmp_path)) == sorted(ARRAY_NAMES)


@dataclass(frozen=True)
class Pristine:
    corpus: Path
    index: Path
    answers: tuple[Answer, ...]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    """One corpus and its sound saved index, for the cases to copy and damage."""
    folder = tmp_path_factory.mktemp("pristine")
    shutil.copytree(SEEDS, folder / "corpus")
    (folder / "corpus" / "notes.md").write_text(
        "# Notes\n\nThe lighthouse keeper Ingrid logs the weather at dawn.\n\n"
        "The boat leaves at noon. Log the weather with:\n\n```sh\nweather --log dawn\n```\n",
        encoding="utf-8",
    )
    engine, _ = open_engine(folder / "corpus", index_dir=folder / "indexes")
    answers = tuple(engine.ask(q) for q in QUESTIONS)
    assert engine.path is not None
    return Pristine(folder / "corpus", engine.path, answers)


@pytest.mark.parametrize("damage", ["flip", "zero"])
@pytest.mark.parametrize("array", ARRAY_NAMES)
def test_damage_to_any_array_never_changes_an_answer(
    pristine: Pristine, tmp_path: Path, array: str, damage: str
) -> None:
    """Findings 1-2: a bit flipped or an array zeroed anywhere: every answer is still the
    files' own text (rebuilt when the damage is found), never an exit 3, and a full check
    (`citebot index --verify`) names the damaged array."""
    path = tmp_path / "indexes" / pristine.index.name
    path.parent.mkdir()
    offset, size, _ = persist.array_location(pristine.index, array)
    if size == 0:
        pytest.skip(f"{array} is empty in this corpus")
    data = bytearray(pristine.index.read_bytes())
    if damage == "flip":
        data[offset + random.Random(array).randrange(size)] ^= 1 << random.Random(size).randrange(8)
    else:
        data[offset : offset + size] = bytes(size)
    if data == bytearray(pristine.index.read_bytes()):
        pytest.skip("zeroing an array of zeros changes nothing")
    path.write_bytes(bytes(data))
    key = persist.read_manifest(path).key
    with contextlib.suppress(persist.IndexFileError):  # verified at open: already rebuilt
        opened = persist.read(path, key)
        assert persist.verify(opened) == [array]
        opened.close()
    rebuilt: list[RebuildReason | None] = []
    live = _live(pristine.corpus, tmp_path, rebuilt)
    for question, before in zip(QUESTIONS, pristine.answers, strict=True):
        answer = live.run(lambda engine, q=question: engine.ask(q))  # type: ignore[misc]
        _assert_quotes_are_the_files(answer, pristine.corpus)
        assert answer.text == before.text
    assert set(rebuilt) <= {RebuildReason.DAMAGED}


def test_a_flipped_header_byte_is_rebuilt(corpus: Path, tmp_path: Path) -> None:
    open_engine(corpus, index_dir=tmp_path / "indexes")
    path = _index_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(persist.MAGIC) + 40] ^= 0x04
    path.write_bytes(bytes(data))
    engine, report = open_engine(corpus, index_dir=tmp_path / "indexes")
    assert report.reason is RebuildReason.DAMAGED and "header fails its checksum" in report.detail
    _assert_quotes_are_the_files(engine.ask(QUESTIONS[0]), corpus)


def _push_last_array_out(table: dict[str, Any]) -> None:
    """The last array's offset made 99...9 (as many digits: the header keeps its length),
    past the end of the file."""
    last = max(table.values(), key=lambda spec: spec["offset"])
    last["offset"] = 10 ** len(str(last["offset"])) - 1


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda h: h["index"].update(k1=-1.0), "k1 must be"),
        (lambda h: h["index"].update(b=7.5), "b must be"),
        (lambda h: h["index"].update(avgdl=h["index"]["avgdl"] * 1.5), "avgdl"),
        (lambda h: h["document_index"].update(k1=float("nan")), "k1 must be"),
        (lambda h: h.update(records=[[]]), "damaged"),
        (lambda h: h.update(written_ns=-5), "written_ns"),
        (lambda h: h.update(sources=h["sources"][:1]), "damaged"),
        (lambda h: _push_last_array_out(h["arrays"]), "truncated"),
    ],
    ids=["k1", "b", "avgdl", "document k1", "records=[[]]", "written_ns", "sources", "offset"],
)
def test_header_values_out_of_range_are_rebuilt(
    corpus: Path, tmp_path: Path, edit: Any, words: str
) -> None:
    """Finding 1-2: header numbers out of range (with a valid checksum) were accepted and
    changed scores; `records=[[]]` broke every run with exit 3."""
    open_engine(corpus, index_dir=tmp_path / "indexes")
    persist.edit_header(_index_file(tmp_path), edit)
    engine, report = open_engine(corpus, index_dir=tmp_path / "indexes")
    assert (report.opening, report.reason) == (Opening.REBUILT, RebuildReason.DAMAGED)
    assert words in report.detail
    assert engine.ask(QUESTIONS[0]).sentences[0].text.startswith("The Denver City Council")


def test_out_of_range_postings_rebuild_instead_of_asking_the_user(
    corpus: Path, tmp_path: Path
) -> None:
    """Finding 2: out-of-range postings said "run `citebot index --rebuild`"."""
    index_dir = str(tmp_path / "indexes")
    _cli("index", "--corpus", str(corpus), "--index-dir", index_dir)
    path = _index_file(tmp_path)
    offset, size, dtype = persist.array_location(path, "p.block_last")
    data = bytearray(path.read_bytes())
    raw = np.full(size // np.dtype(dtype).itemsize, 2**31 - 1).astype(dtype).tobytes()
    data[offset : offset + size] = raw
    path.write_bytes(bytes(data))
    code, out, err = _cli("ask", "--corpus", str(corpus), "--index-dir", index_dir, QUESTIONS[1])
    assert code == 0 and "Jeffrey Lynch" in out and "--rebuild" not in err


# -- 3. freshness that cannot be fooled ---------------------------------------------------------


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """`sed -i s/old/new/ f; touch -d <old time> f`: a new inode, the old size and mtime."""
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new)
    replacement = path.with_suffix(".new")
    replacement.write_text(text.replace(old, new), encoding="utf-8")
    replacement.rename(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_an_edit_that_keeps_size_and_time_is_seen(corpus: Path, tmp_path: Path) -> None:
    """Finding 3: the old name was quoted, and `index` said "loaded"."""
    index_dir = str(tmp_path / "indexes")
    _cli("index", "--corpus", str(corpus), "--index-dir", index_dir)
    written = persist.read_manifest(_index_file(tmp_path)).written_ns
    os.utime(corpus / "notes.md", ns=(written - 10**10, written - 10**10))  # not "racy"
    _cli("index", "--corpus", str(corpus), "--index-dir", index_dir, "--rebuild")
    _same_size_edit(corpus / "notes.md", "Ingrid", "Magnus")
    code, out, _ = _cli("index", "--corpus", str(corpus), "--index-dir", index_dir)
    assert code == 0
    assert "index:       rebuilt (1 file(s) changed, added or removed: notes.md)" in out
    code, out, _ = _cli(
        "ask", "--corpus", str(corpus), "--index-dir", index_dir, "Who logs the weather?"
    )
    assert "Magnus" in out and "Ingrid" not in out


def test_an_edit_no_stat_number_shows_is_caught_by_the_quote_check(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every number matches (an edit within the same clock tick, or a file system that
    keeps no change time), the final check re-reads the quoted span from the file."""
    engine, _ = open_engine(corpus, index_dir=tmp_path / "indexes")
    notes = corpus / "notes.md"
    notes.write_text(notes.read_text(encoding="utf-8").replace("Ingrid", "Magnus"), "utf-8")
    with pytest.raises(FileChangedError, match=r"notes\.md changed since it was indexed"):
        engine.ask("Who logs the weather?")  # the engine's own stat numbers are not consulted
    rebuilt: list[RebuildReason | None] = []

    def reopen(reason: RebuildReason | None, detail: str) -> Engine:
        rebuilt.append(reason)
        return open_engine(corpus, index_dir=tmp_path / "indexes", rebuild=reason or False)[0]

    live = LiveEngine(engine, reopen, follow=False)  # as `citebot ask`: no stat walk
    answer = live.run(lambda e: e.ask("Who logs the weather?"))
    assert rebuilt == [RebuildReason.QUOTE_DIFFERS]
    assert "Magnus" in answer.text
    _assert_quotes_are_the_files(answer, corpus)


def test_a_deleted_file_is_never_quoted(corpus: Path, tmp_path: Path) -> None:
    engine, _ = open_engine(corpus, index_dir=tmp_path / "indexes")
    (corpus / "notes.md").unlink()
    with pytest.raises(FileChangedError, match=r"notes\.md"):
        engine.ask("Who logs the weather?")


def test_a_touch_is_not_a_change_and_is_hashed_once(corpus: Path, tmp_path: Path) -> None:
    engine, _ = open_engine(corpus, index_dir=tmp_path / "indexes")
    past = time.time_ns() - 10 * 10**9
    os.utime(corpus / "notes.md", ns=(past, past))  # moves mtime and ctime; same bytes
    assert engine.changed_files() == []
    assert "notes.md" in engine._confirmed.stats  # confirmed by its hash, not hashed again


# -- 5. a truncated index under a running REPL ---------------------------------------------------


def test_truncating_the_index_under_the_repl_is_one_line_and_a_reload(
    corpus: Path, tmp_path: Path
) -> None:
    """Finding 5: `: > index` while the REPL ran killed it with SIGBUS and no message."""
    index_dir = tmp_path / "indexes"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    env.update(PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(tmp_path / "state"))
    _cli("index", "--corpus", str(corpus), "--index-dir", str(index_dir))
    repl = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "repl",
            "--corpus",
            str(corpus),
            "--index-dir",
            str(index_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert repl.stdin is not None and repl.stdout is not None and repl.stderr is not None
    repl.stdin.write(QUESTIONS[1] + "\n")
    repl.stdin.flush()
    seen = ""
    while "Jeffrey Lynch" not in seen:
        seen += repl.stdout.readline()
    os.truncate(_index_file(tmp_path), 0)
    out, err = repl.communicate(QUESTIONS[0] + "\n", timeout=60)
    assert repl.returncode == 0, err  # SIGBUS would be -7
    assert "The Denver City Council unanimously passed" in out
    assert err.count("\n") == 1 and "was truncated while in use" in err


def test_files_added_or_removed_between_two_checks_are_seen(corpus: Path, tmp_path: Path) -> None:
    """The walk is reused while no folder's numbers moved: adding, removing or renaming a file
    moves its folder's, so each is seen by the very next check."""
    engine, _ = open_engine(corpus, index_dir=tmp_path / "indexes")
    assert engine.changed_files() == []
    (corpus / "new.md").write_text("A new file.\n", encoding="utf-8")
    assert engine.changed_files() == ["new.md"]
    (corpus / "new.md").unlink()
    assert engine.changed_files() == []
    (corpus / "notes.md").rename(corpus / "renamed.md")
    assert engine.changed_files() == ["renamed.md", "notes.md"]


def test_ask_says_why_it_rebuilt_an_index_found_damaged_on_opening(
    corpus: Path, tmp_path: Path
) -> None:
    """Review (session 9): damage found on opening (here the header's checksum) was rebuilt
    silently by `ask`, though `citebot index` names it; the operator never learnt of it."""
    index_dir = str(tmp_path / "indexes")
    assert _cli("index", "--corpus", str(corpus), "--index-dir", index_dir)[0] == 0
    path = _index_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(persist.MAGIC) + 40] ^= 0x04
    path.write_bytes(bytes(data))
    code, out, err = _cli("ask", "--corpus", str(corpus), "--index-dir", index_dir, QUESTIONS[0])
    assert code == 0
    assert "Council unanimously passed" in out
    assert err.startswith("citebot: the index is rebuilt: the saved index could not be used")
    assert "header fails its checksum" in err and len(err.splitlines()) == 1
    code, out, err = _cli("ask", "--corpus", str(corpus), "--index-dir", index_dir, QUESTIONS[0])
    assert code == 0 and err == ""  # the rebuilt index was saved and is sound
