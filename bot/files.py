"""Writing a user's output file whole or not at all, written once for every command."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from retrieval import CitebotError


class OutputFileError(CitebotError):
    """An output file cannot be written; the message names it and why."""


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, fsynced and
    renamed into place: an interrupted run never leaves half a file (nor a stray temporary)."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError(f"cannot write {path}: {folder} is not a folder.")
    temporary: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", delete=False
        ) as tmp:
            temporary = tmp.name
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise OutputFileError(f"cannot write {path}: {error.strerror or error}.") from None
