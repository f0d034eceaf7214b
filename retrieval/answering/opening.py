"""Opening an engine for a folder: its saved index when that is sound and fresh, else built
(and saved), with a typed report of which it was and why.

    engine, report = open_engine("docs")
    report.opening      # Opening.LOADED, BUILT (no saved index) or REBUILT
    report.reason       # for REBUILT: RebuildReason.FILES_CHANGED, DAMAGED, ...
    report.detail       # the words for a person: which files, which array failed

A saved index that cannot be read or written costs speed, never the answer: the report's
``save_problem`` says why it was not saved.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from ..index import persist
from ..index.shape import Progress
from ..reading.files import corpus_root
from .engine import Engine, EngineOptions, IndexParts, Provenance, file_backed


class Opening(StrEnum):
    """How an engine came to be."""

    LOADED = "loaded"
    """From its saved index: sound, and every file unchanged."""
    BUILT = "built"
    """From the files, there being no saved index (or none wanted)."""
    REBUILT = "rebuilt"
    """From the files, instead of a saved index that could not be used (see the reason)."""


class RebuildReason(StrEnum):
    ASKED = "asked for"
    FILES_CHANGED = "files changed"
    DAMAGED = "damaged"
    """A checksum or a range check failed (when opening, verifying, or answering)."""
    UNREADABLE = "unreadable"
    OTHER_VERSION = "other version"
    OTHER_OPTIONS = "other options"
    QUOTE_DIFFERS = "quote differs"
    """A quoted paragraph no longer matched its file, though the file's stat numbers did."""


_PROBLEM_REASON = {
    persist.Problem.UNREADABLE: RebuildReason.UNREADABLE,
    persist.Problem.DAMAGED: RebuildReason.DAMAGED,
    persist.Problem.OTHER_VERSION: RebuildReason.OTHER_VERSION,
    persist.Problem.OTHER_OPTIONS: RebuildReason.OTHER_OPTIONS,
}


@dataclass(frozen=True, slots=True)
class OpenReport:
    """Which way :func:`open_engine` went, for front ends to show and tests to assert."""

    opening: Opening
    reason: RebuildReason | None = None
    detail: str = ""
    """In words: the changed files, the failed check."""
    changed: tuple[str, ...] = ()
    """For FILES_CHANGED: the files added, removed or changed."""
    saved: Path | None = None
    """Where the index is saved (None when it could not be, or saving is off)."""
    save_problem: str | None = None

    def __str__(self) -> str:
        if self.opening is Opening.LOADED:
            return "loaded"
        if self.opening is Opening.BUILT:
            return "built" + (f" ({self.detail})" if self.detail else "")
        return f"rebuilt ({self.detail or self.reason})"


class Opened(NamedTuple):
    engine: Engine
    report: OpenReport


def _changed_detail(changed: list[str]) -> str:
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return f"{len(changed)} file(s) changed, added or removed: {shown}"


def _try_load(
    path: Path, options: EngineOptions, root: Path, follow_links: bool, verify: bool
) -> Engine | OpenReport:
    """The engine from the saved index at ``path``, or the report of why it cannot be."""
    try:
        opened = persist.read(path, dataclasses.asdict(options.shape))
    except persist.IndexFileError as problem:
        return OpenReport(
            Opening.REBUILT,
            _PROBLEM_REASON[problem.problem],
            f"the saved index could not be used: {problem}",
        )
    contents = opened.contents
    parts = IndexParts(
        contents.store,
        contents.index,
        contents.document_index,
        contents.manifest.warnings,
        Provenance(
            root,
            contents.manifest.records,
            contents.manifest.written_ns,
            path,
            contents.manifest.build_seconds,
            follow_links,
        ),
        opened,
        contents.manifest.language,
    )
    engine = Engine(parts, options)
    failed = engine.verify() if verify else []
    if failed:
        engine.close()
        return OpenReport(
            Opening.REBUILT,
            RebuildReason.DAMAGED,
            f"the saved index is damaged: {', '.join(failed)} "
            + ("fails its checksum" if len(failed) == 1 else "fail their checksums"),
        )
    stale = engine.changed_files()
    if stale:
        engine.close()
        return OpenReport(
            Opening.REBUILT, RebuildReason.FILES_CHANGED, _changed_detail(stale), tuple(stale)
        )
    return engine


def open_engine(
    folder: str | os.PathLike[str],
    options: EngineOptions | None = None,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    rebuild: RebuildReason | bool = False,
    detail: str = "",
    save: bool = True,
    verify: bool = False,
    progress: Progress | None = None,
    follow_links: bool = False,
) -> Opened:
    """The engine for ``folder`` and how it was opened: its saved index when that is sound
    and matches every file, else built and (with ``save``) saved. ``index_dir`` None means the
    default cache folder. ``rebuild`` (a reason, or True for ASKED) skips the saved index, and
    ``detail`` says why; ``verify`` checks every checksum of the saved index before use.

    Raises CorpusError when the folder is missing, unreadable or holds nothing usable.
    """
    options = options or EngineOptions()
    root = corpus_root(folder)
    path = persist.index_path(
        Path(index_dir) if index_dir is not None else persist.default_index_dir(),
        root,
        dataclasses.asdict(options.shape),
    )
    if rebuild:
        reason = RebuildReason.ASKED if rebuild is True else RebuildReason(rebuild)
        report = OpenReport(Opening.REBUILT, reason, detail or str(reason))
    elif not save:
        report = OpenReport(Opening.BUILT, None, "saving is off")
    else:
        report = OpenReport(Opening.BUILT, None, "no saved index")
        try:
            exists = path.exists()
        except OSError as error:  # an index folder that cannot be searched
            exists = False
            report = dataclasses.replace(
                report,
                detail=f"the index folder cannot be read: {persist.describe_os_error(error)}",
            )
        if exists:
            loaded = _try_load(path, options, root, follow_links, verify)
            if isinstance(loaded, Engine):
                return Opened(loaded, OpenReport(Opening.LOADED, saved=path))
            report = loaded
    if save:  # temporary files of builds killed mid-write, before this one adds its own
        persist.remove_abandoned(path.parent)
    parts = IndexParts.build(root, options, progress=progress, follow_links=follow_links)
    if not save:
        return Opened(Engine(parts, options), report)
    try:
        persist.save(path, parts.contents(dataclasses.asdict(options.shape)))
    except OSError as error:
        problem = f"could not save the index to {path}: {persist.describe_os_error(error)}"
        if error.errno in persist.NO_SPACE:  # a large build's save also writes temporary files
            problem += f" (there, or in the temporary folder {tempfile.gettempdir()})"
        return Opened(Engine(parts, options), dataclasses.replace(report, save_problem=problem))
    saved = dataclasses.replace(parts, provenance=dataclasses.replace(parts.provenance, path=path))
    return Opened(_from_saved(saved, options), dataclasses.replace(report, saved=path))


def _from_saved(parts: IndexParts, options: EngineOptions) -> Engine:
    """The engine of a build just saved at ``parts.provenance.path``. A large build left its
    arrays in temporary files (as large as the index): answered from them, a long-running
    bot would keep a second copy of its index in the temporary folder (RAM where it is a
    tmpfs) for as long as it answers, so it answers from the saved file, as when it is next
    opened. A small build, or a saved file that cannot be read back, answers from memory."""
    path = parts.provenance.path
    if path is None or not file_backed(parts):
        return Engine(parts, options)
    try:
        opened = persist.read(path, dataclasses.asdict(options.shape))
    except persist.IndexFileError:
        return Engine(parts, options)
    contents = opened.contents
    return Engine(
        dataclasses.replace(
            parts,
            store=contents.store,
            index=contents.index,
            document_index=contents.document_index,
            opened=opened,
        ),
        options,
    )
