"""What every subcommand is handed: its arguments, the loaded settings and corpora, and the
standard streams (injected, so the tests run the whole command line in-process).

Kept apart from :mod:`bot.cli` so that the subcommand modules need not import the CLI (which
imports them, lazily): the import graph stays a tree.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from config import AnySettings, CorpusConfig, Loaded

EXIT_OK, EXIT_BAD_QUESTION, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A request the command line cannot carry out as asked: one line, exit 2."""


def use_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """ANSI colour: FORCE_COLOR (any value but 0/false) switches it on, NO_COLOR (any value,
    https://no-color.org) off; otherwise only for a terminal, so pipes and logs stay plain."""
    environ = os.environ if environ is None else environ
    forced = environ.get("FORCE_COLOR")
    if forced is not None and forced.strip().lower() not in {"0", "false", "no"}:
        return True
    if environ.get("NO_COLOR"):
        return False
    return stream.isatty()


@dataclass(frozen=True)
class Context:
    """What a subcommand runs with: its arguments, settings and streams."""

    args: argparse.Namespace
    loaded: Loaded
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO

    @property
    def settings(self) -> AnySettings:
        return self.loaded.settings

    def color(self, stream: TextIO | None = None) -> bool:
        return use_color(self.stdout if stream is None else stream)

    def warn(self, message: str) -> None:
        self.stderr.write(f"citebot: warning: {message}\n")

    def corpus(self) -> CorpusConfig:
        """The corpus this command answers from: ``--corpus NAME`` (a configured one) or
        ``--corpus FOLDER``, else the default corpus; UsageError when there is none."""
        from config import CorpusConfig

        corpora = self.loaded.corpora
        chosen: str | None = getattr(self.args, "corpus", None)
        if chosen is not None:
            named = corpora.get(chosen) if self.loaded.from_file else None
            if named is not None:
                return named
            folder = Path(chosen).expanduser()
            if folder.is_file():
                raise UsageError(
                    f"{str(folder)!r} is a file; citebot answers from a folder of documents: "
                    f"pass its folder ({str(folder.parent)!r}), or put the file in a folder of "
                    "its own."
                )
            if self.loaded.from_file and not folder.exists():
                known = ", ".join(corpora.names)
                raise UsageError(
                    f"there is no corpus named {chosen!r} (configured: {known}) "
                    f"and no folder {str(folder)!r}."
                )
            return CorpusConfig(
                name=folder.resolve().name or "corpus",
                folder=folder,
                source_url=self.settings.source_url or None,
                include=tuple(self.settings.include),
                exclude=tuple(self.settings.exclude),
            )
        default = corpora.default
        if default is None:
            raise UsageError(
                "several corpora are configured and none is the default: pass --corpus NAME "
                f"({', '.join(corpora.names)}), or set default = true on one of them."
            )
        if self.loaded.from_file:
            return default
        if self.settings.corpus is None:
            raise UsageError(
                "which documents should citebot answer from? Pass --corpus FOLDER or set "
                "CITEBOT_CORPUS=FOLDER (in the environment or .env)."
            )
        return default
