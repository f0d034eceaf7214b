"""Where citebot's defaults point (the example corpus, the state and cache folders), computed
without pydantic: the quick settings path (:mod:`config.snapshot`) needs them to decide whether
a saved snapshot of the settings still holds."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"
ENV_PREFIX = "CITEBOT_"


def default_corpus() -> Path | None:
    """The example corpus (``seeds/``) when citebot runs from its checkout (an editable install,
    or ``pip install .`` run from the clone's folder); None elsewhere, so an installed citebot
    asks for a folder in one line instead of answering from a folder that is not there."""
    if DEFAULT_CORPUS.is_dir():
        return DEFAULT_CORPUS
    here = Path.cwd()
    if (here / "seeds").is_dir() and (here / "pyproject.toml").is_file():
        return here / "seeds"
    return None


def state_dir() -> Path:
    """Where citebot keeps its history, log and feedback: $XDG_STATE_HOME/citebot
    (~/.local/state/citebot), outside any corpus, so documents and state never mix."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "citebot"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/citebot`` (``~/.cache/citebot``): saved indexes and settings snapshots,
    which citebot can always rebuild."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "citebot"


def default_feedback_db() -> Path:
    return state_dir() / "feedback.sqlite3"
