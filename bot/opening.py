"""Opening a corpus for a front end, written once: its saved index when that is fresh, else
built (with a progress bar on a terminal when that takes a while) and saved for next time.

Every command that answers from a folder (``ask``, ``repl``, ``index``, ``eval``, ``discord``)
comes through :func:`open_engine`, so they share one saved index per folder and options, and
report a saved index that cannot be written the same way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from retrieval import Engine, EngineOptions, OpenReport, RebuildReason
from retrieval import open_engine as library_open_engine

from .live import LiveEngine
from .progress import ProgressBar

if TYPE_CHECKING:
    from config import AnySettings, Corpora, CorpusConfig

    from .corpora import CorpusRegistry


def corpus_options(
    corpus: CorpusConfig, settings: AnySettings, options: EngineOptions | None = None
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
    settings: AnySettings,
    err: TextIO,
    *,
    options: EngineOptions | None = None,
    rebuild: RebuildReason | bool = False,
    detail: str = "",
    verify: bool = False,
) -> tuple[Engine, OpenReport]:
    """The engine for ``corpus`` with ``settings``' options (or ``options``), and how it was
    opened. Warnings about skipped files and an index that could not be saved go to ``err``,
    one line each: the answer comes all the same."""
    progress = ProgressBar(err)
    try:
        engine, report = library_open_engine(
            corpus.folder,
            corpus_options(corpus, settings, options),
            index_dir=settings.index_dir,
            rebuild=rebuild,
            detail=detail,
            save=settings.save_index,
            verify=verify,
            progress=progress,
            follow_links=settings.follow_links,
        )
    finally:
        progress.finish()
    if report.save_problem:
        err.write(f"citebot: warning: {report.save_problem}\n")
    for warning in engine.warnings:
        err.write(f"citebot: warning: {warning}\n")
    return engine, report


def open_live(
    corpus: CorpusConfig, settings: AnySettings, err: TextIO, *, follow: bool = True
) -> LiveEngine:
    """The engine, re-opened when a corpus file changes (``follow``; off for a one-shot command
    that has just opened it) and rebuilt when the saved index turns out damaged or a quote no
    longer matches its file."""

    def reopen(reason: RebuildReason | None, detail: str) -> Engine:
        if reason is not None:
            err.write(f"citebot: the index is rebuilt: {detail}\n")
        return open_engine(corpus, settings, err, rebuild=reason or False, detail=detail)[0]

    engine, report = open_engine(corpus, settings, err)
    if report.reason in _DAMAGE:  # `citebot index` shows its report; a question's caller not
        err.write(f"citebot: the index is rebuilt: {report.detail}\n")
    return LiveEngine(engine, reopen, follow=follow)


_DAMAGE = frozenset({RebuildReason.DAMAGED, RebuildReason.UNREADABLE})
"""Rebuilds an operator should hear of: the saved index was damaged, not merely out of date."""


def registry(corpora: Corpora, settings: AnySettings, err: TextIO) -> CorpusRegistry:
    """Every configured corpus, each opened (as a live engine) on its first question."""
    from .corpora import CorpusRegistry

    def open_corpus(corpus: CorpusConfig) -> LiveEngine:
        return open_live(corpus, settings, err)

    return CorpusRegistry(corpora, open_corpus)
