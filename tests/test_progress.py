"""The indexing progress bar: on a terminal, only once indexing has taken a while."""

from __future__ import annotations

import io

from bot.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_index_on_a_terminal_shows_a_bar_that_ends_its_line() -> None:
    screen = Terminal()
    bar = ProgressBar(screen, delay=0.0)
    bar(25, 100)
    bar(100, 100)
    bar.finish()
    frames = screen.getvalue().split("\r")[1:]
    assert frames[0].startswith("Indexing " + "█" * 8 + "░" * 22 + "  25%")
    assert frames[1].startswith("Indexing " + "█" * 30 + " 100%")
    assert screen.getvalue().endswith("\n")


def test_a_quick_index_shows_nothing() -> None:
    screen = Terminal()
    bar = ProgressBar(screen, delay=60.0)
    bar(50, 100)
    bar.finish()
    assert screen.getvalue() == ""


def test_a_pipe_or_log_file_gets_no_bar() -> None:
    log = io.StringIO()
    bar = ProgressBar(log, delay=0.0)
    bar(50, 100)
    bar.finish()
    assert log.getvalue() == ""
