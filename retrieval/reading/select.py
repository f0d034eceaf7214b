"""Choosing which files of a corpus folder are indexed: include/exclude globs, and why not.

A project's docs folder holds pages nobody asks about (a 700 KB changelog that crowds out every
answer, drafts, generated API dumps); the person running citebot leaves them out with globs
matched on the corpus-relative path (forward slashes):

* ``*`` and ``?`` stay within one path segment, ``**`` spans any number of them
  (``**/changelog*`` is a changelog at any depth, the top folder included);
* a pattern without "/" matches a file or folder name at any depth (``release-notes.md``,
  ``drafts``), as in ``.gitignore``; a folder that matches takes everything under it;
* with include patterns, only files matching one are read; exclude patterns win over include.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileSelection:
    """Which candidate files are indexed (empty: every file a reader is registered for)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def reason_left_out(self, source: str) -> str | None:
        """Why ``source`` is not indexed ("excluded by 'x'"), or None when it is."""
        for pattern in self.exclude:
            if matches(pattern, source):
                return f"excluded by {pattern!r}"
        if self.include and not any(matches(p, source) for p in self.include):
            return "matches no include pattern"
        return None


EVERY_FILE = FileSelection()
"""No include or exclude patterns: every file a reader is registered for."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A file in the corpus folder that is not indexed, and why, in words for the user."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def split_patterns(value: str | Sequence[str]) -> tuple[str, ...]:
    """Comma-separated patterns ("release-notes.md, **/changelog*") as a tuple, blanks dropped."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(p.strip() for p in parts if p.strip())


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    """The glob as a regular expression over a whole relative path."""
    glob = pattern.strip().lstrip("/") if pattern.strip() != "/" else ""
    if glob.endswith("/"):
        glob += "**"
    anchored = "/" in glob.rstrip("/")
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2 :]:
            close = glob.index("]", i + 2)
            body = glob[i + 1 : close].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = close + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + "(?:/.*)?")


def matches(pattern: str, source: str) -> bool:
    """Whether the glob matches the relative path ``source`` (or a folder above it)."""
    try:
        return _compile(pattern).fullmatch(source) is not None
    except re.error:  # a malformed character class: matched literally instead
        return pattern == source
