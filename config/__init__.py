"""Settings for citebot's front ends (the retrieval library never reads them itself)."""

from .settings import DEFAULT_CORPUS, ENV_PREFIX, Settings, describe_errors

__all__ = ["DEFAULT_CORPUS", "ENV_PREFIX", "Settings", "describe_errors"]
