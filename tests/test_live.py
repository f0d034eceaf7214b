"""Long-running front ends follow the folder: an edited file is re-indexed before the next
answer, so a paragraph that changed on disk is never quoted."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from bot.live import LiveEngine
from bot.repl import PROMPT, Repl
from retrieval import Engine


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "gate.txt").write_text("The gate code is 1234.\n", encoding="utf-8")
    return folder


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_changed_file_is_reindexed_once_the_interval_has_passed(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    clock = Clock()
    opened: list[Engine] = []

    def reopen() -> Engine:
        opened.append(Engine.open(folder, index_dir=tmp_path / "idx"))
        return opened[-1]

    live = LiveEngine(reopen(), reopen, interval=5.0, clock=clock)
    first = live.get()
    (folder / "gate.txt").write_text("The gate code is 9876 since Monday.\n", encoding="utf-8")
    assert live.get() is first  # checked at most every 5 s
    clock.now = 5.0
    answer = live.get().ask("What is the gate code?")
    assert answer.sentences[0].text == "The gate code is 9876 since Monday."
    assert len(opened) == 2
    clock.now = 10.0
    assert live.get() is opened[-1]  # unchanged files: no rebuild


def test_a_vanished_folder_keeps_the_last_index_answering(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    clock = Clock()
    live = LiveEngine(
        Engine.open(folder, index_dir=tmp_path / "idx"),
        lambda: Engine.open(folder, index_dir=tmp_path / "idx"),
        interval=1.0,
        clock=clock,
    )
    shutil.rmtree(folder)
    clock.now = 2.0
    assert live.get().ask("What is the gate code?").answered


def test_the_repl_quotes_the_file_as_it_is_now(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    live = LiveEngine(
        Engine.open(folder, index_dir=tmp_path / "idx"),
        lambda: Engine.open(folder, index_dir=tmp_path / "idx"),
        interval=0.0,
    )
    lines = iter(["What is the gate code?", "What is the gate code?"])
    out = io.StringIO()

    def read(prompt: str) -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError
        out.write(prompt + line + "\n")
        if "1234" in out.getvalue():  # between the two questions, someone edits the file
            (folder / "gate.txt").write_text("The gate code is 5555 now.\n", encoding="utf-8")
        return line

    assert Repl(live, read=read, out=out).run() == 0
    first, second = out.getvalue().split(PROMPT + "What is the gate code?\n")[1:]
    assert "The gate code is 1234. [1]" in first
    assert "The gate code is 5555 now. [1]" in second and "1234" not in second
