"""What loading the settings gives the front ends, and how it fails: kept free of pydantic so
that the quick path (:mod:`config.snapshot`) can return it without importing the validators."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .corpora import Corpora

if TYPE_CHECKING:
    from .settings import Settings
    from .snapshot import SettingsSnapshot


class SettingsError(Exception):
    """Settings that cannot be used as given; ``lines`` holds one message per problem."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("; ".join(self.lines))


@dataclass(frozen=True)
class Loaded:
    """Everything the front ends configure themselves from."""

    settings: Settings | SettingsSnapshot
    """The full pydantic model (:func:`config.load`), or the snapshot of its corpus and
    answering settings that :func:`config.load_quick` reads back without pydantic."""
    corpora: Corpora
    config_file: Path | None = None
    """The configuration file read, if any."""
    from_file: bool = False
    """True when the corpora come from the file's ``[corpora.*]`` tables (else: CITEBOT_CORPUS)."""
    file_settings: Mapping[str, Any] = field(default_factory=dict)

    def validated(self) -> Settings:
        """The full settings, Discord's included (``citebot discord`` loads them so)."""
        from .settings import Settings

        if not isinstance(self.settings, Settings):
            raise TypeError("these settings come from a snapshot; load them with config.load()")
        return self.settings
