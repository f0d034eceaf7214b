"""An engine that follows its folder: long-running front ends (the REPL, the Discord bot) must
not quote a paragraph that has since changed on disk, nor answer from a damaged index.

``live.run(job)`` runs ``job(engine)`` with the engine to answer with now:

1. Before every answer, the corpus files are checked against the engine's manifest (one
   ``stat`` per file; a hash only for a file whose numbers moved but whose size did not), and
   the saved index's size is checked (a truncated index would end the process with SIGBUS).
   Any change re-opens the engine, which rebuilds and saves the index. A check that started
   after the question arrived is shared by every question waiting on it, so many questions at
   once cost one walk of the folder, not one each.
2. If answering finds the index damaged (a checksum fails), or a quoted paragraph no longer
   matches its file (an edit its stat numbers did not show), the index is rebuilt from the
   files and the question answered again from the new one. Nothing from the old one is shown.
3. A corpus folder that is gone or empty is reported (the CorpusError reaches the caller, who
   shows its one line), never answered from the last index.

The checks are blocking file-system work: code on an event loop calls ``run`` in a worker
thread (``asyncio.to_thread``) and uses :attr:`current` for what must not wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from retrieval import Engine, FileChangedError, IndexDamagedError, RebuildReason

log = logging.getLogger("citebot")
T = TypeVar("T")

Reopen = Callable[[RebuildReason | None, str], Engine]
"""Opens the engine again: ``(None, "")`` if the saved index is fresh, else rebuilt with that
reason and detail."""


class LiveEngine:
    """``live.run(job)`` answers with an engine that matches the files; ``live.get()`` is it."""

    def __init__(
        self, engine: Engine, reopen: Reopen | None = None, *, follow: bool = True
    ) -> None:
        """``follow`` False: the files are not checked before each answer (a one-shot command
        that has just opened the engine), though damage and changed quotes still rebuild."""
        self._engine = engine
        self._reopen = reopen
        self._follow = follow and reopen is not None
        self._lock = threading.Lock()
        self._last_check_started = float("-inf")

    @property
    def current(self) -> Engine:
        """The engine as it is, without checking the files (for code on an event loop, which
        must never wait for a re-index)."""
        return self._engine

    def get(self) -> Engine:
        """The engine after checking the files (CorpusError when the folder is gone)."""
        asked = time.monotonic()
        if not self._follow:
            return self._engine
        with self._lock:  # one thread checks (and rebuilds); the others wait for its result
            if self._last_check_started < asked:
                started = time.monotonic()
                self._refresh()
                self._last_check_started = started
            return self._engine

    def refresh(self) -> Engine:
        """Check the files now and re-index if they changed (an explicit re-index, e.g.
        Discord's ``/reindex``); the engine answering afterwards."""
        with self._lock:
            started = time.monotonic()
            self._refresh()
            self._last_check_started = started
            return self._engine

    def run(self, job: Callable[[Engine], T]) -> T:
        """``job(engine)``; once more from a rebuilt index if the first finds it damaged or a
        quote that no longer matches its file (a second failure reaches the caller)."""
        engine = self.get()
        try:
            return job(engine)
        except (IndexDamagedError, FileChangedError) as problem:
            if self._reopen is None:
                raise
            damaged = isinstance(problem, IndexDamagedError)
            reason = RebuildReason.DAMAGED if damaged else RebuildReason.QUOTE_DIFFERS
            engine = self._rebuild(engine, reason, str(problem))
        return job(engine)

    def _refresh(self) -> None:
        engine = self._engine
        try:
            engine.intact()
        except IndexDamagedError as problem:
            self._replace(engine, RebuildReason.DAMAGED, str(problem))
            return
        changed = engine.changed_files()
        if changed:
            log.info("corpus changed (%s); re-indexing", ", ".join(changed[:3]))
            self._replace(engine, None, "")

    def _rebuild(self, engine: Engine, reason: RebuildReason, detail: str) -> Engine:
        log.info("rebuilding the index: %s", detail)
        with self._lock:
            if self._engine is engine:  # not already replaced by another thread
                self._replace(engine, reason, detail)
            return self._engine

    def _replace(self, engine: Engine, reason: RebuildReason | None, detail: str) -> None:
        """Re-open (CorpusError, for a folder gone or empty, reaches the caller). The old
        engine is not closed here: another thread may still be answering from it; its file
        closes when the last reference goes."""
        assert self._reopen is not None
        self._engine = self._reopen(reason, detail)
