"""Terminal rendering: nothing from a document or a file name can drive the terminal."""

from __future__ import annotations

from pathlib import Path

from bot.render_text import render_answer, render_sources
from retrieval import Engine


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "evil\x1b[2J.txt").write_text("Owls hunt \x1b]0;owned\x07at night.\n")
    engine = Engine.from_folder(tmp_path)
    answer = engine.ask("When do owls hunt?")
    assert answer.answered
    assert "\x1b" in answer.sentences[0].text  # the quote itself stays exact …
    for shown in (render_answer(answer), render_sources(engine.sources())):
        assert "\x1b" not in shown and "\x07" not in shown  # … but is shown harmless
        assert "\ufffd" in shown
