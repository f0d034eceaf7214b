"""Long-running front ends follow the folder: an edited file is re-indexed before the next
answer, so a paragraph that changed on disk is never quoted, and a deleted corpus is reported
rather than quoted from the last index."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot.live import LiveEngine
from bot.repl import PROMPT, Repl
from retrieval import CorpusNotFoundError, Engine, RebuildReason, open_engine


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "gate.txt").write_text("The gate code is 1234.\n", encoding="utf-8")
    return folder


def _live(
    folder: Path, tmp_path: Path, opened: list[RebuildReason | None] | None = None
) -> LiveEngine:
    def reopen(reason: RebuildReason | None, detail: str) -> Engine:
        if opened is not None:
            opened.append(reason)
        return open_engine(folder, index_dir=tmp_path / "idx", rebuild=reason or False)[0]

    return LiveEngine(open_engine(folder, index_dir=tmp_path / "idx")[0], reopen)


def test_a_changed_file_is_reindexed_before_the_very_next_answer(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    opened: list[RebuildReason | None] = []
    live = _live(folder, tmp_path, opened)
    first = live.get()
    assert live.run(lambda e: e.ask("What is the gate code?")).sentences[0].text == (
        "The gate code is 1234."
    )
    (folder / "gate.txt").write_text("The gate code is 9876 since Monday.\n", encoding="utf-8")
    answer = live.run(lambda e: e.ask("What is the gate code?"))  # no waiting for an interval
    assert answer.sentences[0].text == "The gate code is 9876 since Monday."
    assert live.get() is not first and opened == [None]
    assert live.get() is live.get()  # unchanged files: no rebuild
    assert opened == [None]


def test_a_vanished_folder_is_reported_not_quoted(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    live = _live(folder, tmp_path)
    assert live.run(lambda e: e.ask("What is the gate code?")).answered
    shutil.rmtree(folder)
    with pytest.raises(CorpusNotFoundError, match="does not exist"):
        live.run(lambda e: e.ask("What is the gate code?"))


def test_the_repl_quotes_the_file_as_it_is_now(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    live = _live(folder, tmp_path)
    lines = iter(["What is the gate code?", "What is the gate code?", "What is the gate code?"])
    out = io.StringIO()

    def read(prompt: str) -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError
        out.write(prompt + line + "\n")
        if out.getvalue().count(PROMPT) == 2:  # between the first two questions: an edit
            (folder / "gate.txt").write_text("The gate code is 5555 now.\n", encoding="utf-8")
        if out.getvalue().count(PROMPT) == 3:  # and then the folder is deleted
            shutil.rmtree(folder)
        return line

    assert Repl(live, read=read, out=out).run() == 0
    first, second, third = out.getvalue().split(PROMPT + "What is the gate code?\n")[1:]
    assert "The gate code is 1234. [1]" in first
    assert "The gate code is 5555 now. [1]" in second and "1234" not in second
    assert "does not exist" in third and "5555" not in third
