"""One progress bar for the slow commands (indexing, an evaluation run), shown where it helps.

On a terminal it is drawn in place, and only once the work has taken ``delay`` seconds, so a
quick start stays silent and a big folder says how far along it is instead of looking hung.
Off a terminal (a log, CI) it is silent, unless ``log_lines`` asks for a line at each tenth,
which long evaluation runs want in their logs.
"""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 30


class ProgressBar:
    """Callable as ``progress(done, total)``: bytes indexed, or questions asked, so far and in
    all. ``counts=True`` shows "done/total" and the time left instead of the share and time
    spent."""

    def __init__(
        self,
        stream: TextIO,
        *,
        label: str = "Indexing",
        delay: float = 2.0,
        counts: bool = False,
        log_lines: bool = False,
    ) -> None:
        self.stream = stream
        self.label = label
        self.delay = delay
        self.counts = counts
        self.started = time.monotonic()
        self.shown = False
        self.enabled = stream.isatty()
        self.log_lines = log_lines and not self.enabled
        self._tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.log_lines:
            self._log_line(done, total)
            return
        elapsed = time.monotonic() - self.started
        if not self.enabled or elapsed < self.delay:
            return
        share = min(done / total, 1.0)
        filled = round(share * _WIDTH)
        bar = "█" * filled + "░" * (_WIDTH - filled)
        if self.counts:
            left = elapsed / done * (total - done) if done else 0.0
            detail = f"{done}/{total}  {left:4.0f} s left"
        else:
            detail = f"{share:4.0%}  {elapsed:5.1f} s"
        self.stream.write(f"\r{self.label} {bar} {detail}")
        self.stream.flush()
        self.shown = True

    def _log_line(self, done: int, total: int) -> None:
        tenth = 10 * done // total
        if tenth != self._tenth:
            self._tenth = tenth
            self.stream.write(f"{self.label}: {done}/{total}\n")
            self.stream.flush()

    def finish(self) -> None:
        """End the bar's line, so the next message starts on its own."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False
