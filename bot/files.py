"""Writing a user's output file whole or not at all, written once for every command."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from retrieval import CitebotError


class OutputFileError(CitebotError):
    """An output file cannot be written; the message names it and why."""


def _mode_for(path: Path) -> int:
    """The permissions ``open(path, "w")`` would leave: an existing file's own, else 0o666
    less the umask. A temporary file is created 0o600, which would hide the output of
    ``--json-out``/``--out`` from the user's group once renamed into place."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, fsynced and
    renamed into place: an interrupted run never leaves half a file (nor a stray temporary),
    with the permissions a plain write would give it (:func:`_mode_for`)."""
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
            os.fchmod(tmp.fileno(), _mode_for(path))
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise OutputFileError(f"cannot write {path}: {error.strerror or error}.") from None
