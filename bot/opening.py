"""Opening a corpus for a front end, written once: its saved index when that is fresh, else
built (with a progress bar on a terminal when that takes a while) and saved for next time.

Every command that answers from a folder (``ask``, ``repl``, ``index``, ``eval``, ``discord``)
comes through :func:`open_engine`, so they share one saved index per folder and options, and
report a saved index that cannot be written the same way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from retrieval import Engine, EngineOptions

from .live import LiveEngine
from .progress import ProgressBar

if TYPE_CHECKING:
    from config import Corpora, CorpusConfig, Settings

    from .corpora import CorpusRegistry


def corpus_options(
    corpus: CorpusConfig, settings: Settings, options: EngineOptions | None = None
) -> EngineOptions:
    """``settings``' options (or ``options``) with what belongs to this corpus: the files it
    includes and excludes, where it is published, and its language (CITEBOT_LANGUAGE's when the
    corpus names none)."""
    options = options or settings.engine_options()
    return replace(
        options,
        include=tuple(corpus.include),
        exclude=tuple(corpus.exclude),
        source_url=corpus.source_url or "",
        language=corpus.language or options.language,
    )


def open_engine(
    corpus: CorpusConfig,
    settings: Settings,
    err: TextIO,
    *,
    options: EngineOptions | None = None,
    rebuild: bool = False,
) -> Engine:
    """The engine for ``corpus`` with ``settings``' options (or ``options``); warnings about
    skipped files and an index that could not be saved go to ``err``, one line each."""
    folder = corpus.folder
    options = corpus_options(corpus, settings, options)
    progress = ProgressBar(err)

    def problem(message: str) -> None:
        err.write(f"citebot: warning: {message}\n")

    try:
        if settings.save_index:
            engine = Engine.open(
                folder,
                options,
                index_dir=settings.index_dir,
                rebuild=rebuild,
                progress=progress,
                on_problem=problem,
            )
        else:
            engine = Engine.from_folder(folder, options, progress=progress)
    finally:
        progress.finish()
    for warning in engine.warnings:
        err.write(f"citebot: warning: {warning}\n")
    return engine


def open_live(corpus: CorpusConfig, settings: Settings, err: TextIO) -> LiveEngine:
    """For the long-running commands: re-indexed when a corpus file changes on disk."""
    return LiveEngine(
        open_engine(corpus, settings, err), lambda: open_engine(corpus, settings, err)
    )


def registry(corpora: Corpora, settings: Settings, err: TextIO) -> CorpusRegistry:
    """Every configured corpus, each opened (as a live engine) on its first question."""
    from .corpora import CorpusRegistry

    def open_corpus(corpus: CorpusConfig) -> LiveEngine:
        return open_live(corpus, settings, err)

    return CorpusRegistry(corpora, open_corpus)
