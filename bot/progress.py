"""A progress bar for indexing, shown only on a terminal and only when indexing is slow.

A quick start stays silent; a big folder says how far along it is instead of looking hung.
"""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 30


class ProgressBar:
    """Callable as ``progress(done, total)`` (bytes of text indexed so far, and in all)."""

    def __init__(self, stream: TextIO, *, label: str = "Indexing", delay: float = 2.0) -> None:
        self.stream = stream
        self.label = label
        self.delay = delay
        self.started = time.monotonic()
        self.shown = False
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        if not self.enabled or elapsed < self.delay or total <= 0:
            return
        share = min(done / total, 1.0)
        filled = round(share * _WIDTH)
        bar = "█" * filled + "░" * (_WIDTH - filled)
        self.stream.write(f"\r{self.label} {bar} {share:4.0%}  {elapsed:5.1f} s")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """End the bar's line, so the next message starts on its own."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False
