"""Settings for citebot's front ends (the retrieval library never reads them itself)."""

from .corpora import Corpora, CorpusConfig
from .loading import Loaded, SettingsError, load
from .settings import DEFAULT_CORPUS, ENV_PREFIX, Settings, describe_errors

__all__ = [
    "DEFAULT_CORPUS",
    "ENV_PREFIX",
    "Corpora",
    "CorpusConfig",
    "Loaded",
    "Settings",
    "SettingsError",
    "describe_errors",
    "load",
]
