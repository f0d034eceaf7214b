"""Installed packages' versions (part of an analyzer's identity), read without importing
:mod:`importlib.metadata`: that module pulls in the ``email`` package and costs about as much
as the rest of a one-shot question's analysis. The answer is the same: the ``Version:`` field
of the first matching ``.dist-info`` (or ``.egg-info``) on ``sys.path``, as importlib.metadata
reads it; anything else falls back to importlib.metadata itself."""

from __future__ import annotations

import os
import re
import sys
from functools import cache

UNKNOWN = "?"


def _normal(name: str) -> str:
    """A distribution name as wheels spell their metadata folders (PEP 503, ``_`` for runs)."""
    return re.sub(r"[-_.]+", "_", name).lower()


@cache
def _entries(folder: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(os.listdir(folder or ".")))
    except OSError:
        return ()


def _metadata_version(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if not line.strip():  # the headers end at the first blank line
                    break
                if line.startswith("Version:"):
                    return line.removeprefix("Version:").strip()
    except OSError:
        pass
    return None


def _from_metadata_files(distribution: str) -> str | None:
    wanted = _normal(distribution)
    for folder in sys.path:
        for entry in _entries(folder):
            stem, dot, suffix = entry.rpartition(".")
            if not dot or suffix not in {"dist-info", "egg-info"}:
                continue
            if _normal(stem.split("-", 1)[0]) != wanted:
                continue
            name = "METADATA" if suffix == "dist-info" else "PKG-INFO"
            version = _metadata_version(os.path.join(folder or ".", entry, name))
            if version is not None:
                return version
    return None


@cache
def installed_version(distribution: str) -> str:
    """The installed version of ``distribution`` (e.g. "PyStemmer"), or "?" if none is."""
    found = _from_metadata_files(distribution)
    if found is not None:
        return found
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN
