"""An engine that follows its folder: long-running front ends (the REPL, the Discord bot) must
not quote a paragraph that has since changed on disk.

Before a question is answered, at most every ``interval`` seconds, the corpus files are
checked against the engine's manifest (one ``stat`` per file; a hash only for suspicious ones);
any change re-opens the engine, which rebuilds and saves the index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from retrieval import CitebotError, Engine

log = logging.getLogger("citebot")


class LiveEngine:
    """``live.get()`` is the engine to answer with: the same one until its files change."""

    def __init__(
        self,
        engine: Engine,
        reopen: Callable[[], Engine] | None = None,
        *,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._reopen = reopen
        self._interval = interval
        self._clock = clock
        self._checked = clock()
        self._lock = threading.Lock()

    @property
    def current(self) -> Engine:
        """The engine as it is, without checking the files (for code on an event loop, which
        must never wait for a re-index)."""
        return self._engine

    def get(self) -> Engine:
        if self._reopen is None or self._clock() - self._checked < self._interval:
            return self._engine
        with self._lock:  # one thread checks (and rebuilds); the others wait for its result
            if self._clock() - self._checked >= self._interval:
                self._refresh()
                self._checked = self._clock()
        return self._engine

    def _refresh(self) -> None:
        changed = self._engine.changed_files()
        if not changed or self._reopen is None:
            return
        log.info("corpus changed (%s); re-indexing", ", ".join(changed[:3]))
        try:
            self._engine = self._reopen()
        except CitebotError as problem:
            # The folder is gone or empty now: keep answering from what was indexed rather
            # than stop answering at all, and say so in the log each time it is checked.
            log.warning(
                "corpus changed but cannot be re-indexed (%s); answering from the last index",
                problem,
            )

    def refresh(self) -> Engine:
        """Check the files now, whatever the interval, and re-index if they changed (an
        explicit re-index, e.g. Discord's ``/reindex``); the engine answering afterwards."""
        with self._lock:
            self._refresh()
            self._checked = self._clock()
        return self._engine
