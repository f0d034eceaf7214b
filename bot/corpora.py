"""The open knowledge bases: each configured corpus's engine, opened on first use.

A bot serving twenty corpora should not read twenty indexes at start nor keep them all in
memory: :class:`CorpusRegistry` opens a corpus the first time a question needs it (its own saved
index, memory-mapped, and its own freshness checks through a :class:`~bot.live.LiveEngine`),
and keeps it open after that. Which corpus answers where is decided by the configuration
(:meth:`config.Corpora.route`); the registry only adds the engines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .live import LiveEngine

if TYPE_CHECKING:
    from config import Corpora, CorpusConfig

Opener = Callable[["CorpusConfig"], LiveEngine]
"""Opens one corpus: its saved index when fresh, else built (see :func:`bot.opening`)."""


class UnknownCorpusError(LookupError):
    """A corpus name that is not configured; the message lists the ones that are."""


class CorpusRegistry:
    """Every configured corpus by name, each opened once, on first use, thread-safely."""

    def __init__(self, corpora: Corpora, open_corpus: Opener) -> None:
        self.corpora = corpora
        self._open_corpus = open_corpus
        self._engines: dict[str, LiveEngine] = {}
        self._locks = {corpus.name: threading.Lock() for corpus in corpora}

    def config(self, name: str) -> CorpusConfig:
        """The configuration of the corpus called ``name`` (any case), or UnknownCorpusError."""
        corpus = self.corpora.get(name)
        if corpus is None:
            known = ", ".join(self.corpora.names)
            raise UnknownCorpusError(f"There is no corpus named {name!r} (configured: {known}).")
        return corpus

    def engine(self, corpus: CorpusConfig | str) -> LiveEngine:
        """The corpus's engine, opened now if this is its first question. Opening can take a
        while (a build); a second caller for the same corpus waits for the first's result
        rather than building it twice, while other corpora stay answerable."""
        config = self.config(corpus) if isinstance(corpus, str) else corpus
        engine = self._engines.get(config.name)
        if engine is not None:
            return engine
        with self._locks[config.name]:
            engine = self._engines.get(config.name)
            if engine is None:
                engine = self._open_corpus(config)
                self._engines[config.name] = engine
        return engine

    def is_open(self, name: str) -> bool:
        return name in self._engines

    def opened(self) -> dict[str, LiveEngine]:
        """The corpora opened so far, by name (for a status report)."""
        return dict(self._engines)

    def route(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None = None
    ) -> CorpusConfig | None:
        """The corpus answering in this channel (see :meth:`config.Corpora.route`)."""
        return self.corpora.route(guild_id, channel_id, parent_id)

    def allowed(self, guild_id: int | None) -> list[CorpusConfig]:
        """The corpora that may be chosen in this server (for `/ask corpus:` autocomplete)."""
        return self.corpora.allowed(guild_id)
