"""Settings for citebot's front ends (the retrieval library never reads them itself).

Names are imported on first use (PEP 562), so that ``config.load_quick`` (the settings of a
one-shot ``citebot ask``) reads a snapshot without importing pydantic; ``config.load`` and
``config.Settings`` validate with pydantic-settings.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .corpora import Corpora, CorpusConfig
    from .loaded import Loaded, SettingsError
    from .loading import load
    from .paths import DEFAULT_CORPUS, ENV_PREFIX
    from .settings import Settings, describe_errors
    from .snapshot import AnySettings, SettingsSnapshot, load_quick

_WHERE = {
    "AnySettings": ".snapshot",
    "Corpora": ".corpora",
    "CorpusConfig": ".corpora",
    "DEFAULT_CORPUS": ".paths",
    "ENV_PREFIX": ".paths",
    "Loaded": ".loaded",
    "Settings": ".settings",
    "SettingsError": ".loaded",
    "SettingsSnapshot": ".snapshot",
    "describe_errors": ".settings",
    "load": ".loading",
    "load_quick": ".snapshot",
}

__all__ = [
    "DEFAULT_CORPUS",
    "ENV_PREFIX",
    "AnySettings",
    "Corpora",
    "CorpusConfig",
    "Loaded",
    "Settings",
    "SettingsError",
    "SettingsSnapshot",
    "describe_errors",
    "load",
    "load_quick",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
