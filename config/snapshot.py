"""The settings of the last full validation, reused while nothing they were read from changed.

A one-shot ``citebot ask`` is mostly start-up, and pydantic with pydantic-settings (and the
models they build) would be the largest part of it. So the commands that answer from a corpus
load their settings with :func:`load_quick`: the first time, and after any change, it validates
everything with :func:`config.load` (the pydantic-settings models, with their one-line errors)
and writes what came out to ``$XDG_CACHE_HOME/citebot/settings/KEY.json``; later runs read that
file back with ``json`` alone.

A snapshot is used only when everything the validation read is as it was:

- the key, a digest of every ``CITEBOT_*`` variable (the Discord token by its presence only),
  the working folder, ``HOME`` and ``XDG_STATE_HOME`` (``~`` and the feedback database's
  default), the example corpus found or not, the command-line flags and ``--config``, the
  ``.env`` file's bytes, and the interpreter, is the same;
- the configuration file it read has the same bytes (or, when there was none,
  ``./citebot.toml`` still does not exist), and each configured corpus folder still is one;
- the source files of the code that validated it (``config``, the library's option classes,
  pydantic) have the same size and modification time.

Otherwise it is a full validation again. Invalid settings are never written, so never served;
a snapshot that cannot be read or written is ignored (it only saves time). The Discord settings
are not in a snapshot: ``citebot discord`` always validates in full, and no token goes to disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .corpora import Corpora, CorpusConfig
from .loaded import Loaded
from .paths import ENV_PREFIX, cache_dir, default_corpus

if TYPE_CHECKING:
    from retrieval import EngineOptions

    from .settings import Settings

AnySettings: TypeAlias = "Settings | SettingsSnapshot"
"""What the front ends read settings from: the full model, or a snapshot of it."""

SNAPSHOT_FORMAT = 1
"""Bumped when the snapshot's layout changes: older snapshots are then never read."""
KEPT_SNAPSHOTS = 32
"""Snapshots kept (one per combination of environment, folder and flags); the oldest go."""
TOKEN_VARIABLE = ENV_PREFIX + "DISCORD_TOKEN"
CODE_PACKAGES = frozenset({"config", "retrieval", "pydantic", "pydantic_core", "pydantic_settings"})
"""Packages whose source decides what validation gives; a changed file means validate again."""


@dataclass(frozen=True)
class SettingsSnapshot:
    """The settings a command that answers from a corpus reads, as validated by
    :class:`config.Settings` (same names and meaning; lists become tuples). The Discord
    settings are left out: only ``citebot discord`` reads them, and it validates in full."""

    corpus: Path | None
    top_k: int
    k1: float
    b: float
    max_sentences: int
    max_answer_chars: int
    min_confidence: float
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    source_url: str
    language: str
    index_dir: Path | None
    save_index: bool
    follow_links: bool
    feedback_db: Path | None

    def engine_options(self) -> EngineOptions:
        return engine_options_of(self)


def engine_options_of(settings: AnySettings) -> EngineOptions:
    """The library's options with what users set applied (tuning weights stay defaults): one
    definition for the full settings and the snapshot."""
    from retrieval import EngineOptions

    defaults = EngineOptions()
    composer = replace(
        defaults.composer,
        max_sentences=settings.max_sentences,
        max_chars=settings.max_answer_chars,
        min_confidence=settings.min_confidence,
    )
    return replace(
        defaults,
        top_k=settings.top_k,
        k1=settings.k1,
        b=settings.b,
        language=settings.language,
        composer=composer,
        include=tuple(settings.include),
        exclude=tuple(settings.exclude),
        source_url=settings.source_url,
    )


_KINDS: dict[str, tuple[type, ...]] = {
    "Path | None": (str, type(None)),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "str": (str,),
    "tuple[str, ...]": (list,),
}
"""Each snapshot field's annotation → the JSON types its value may have."""


def snapshot_of(settings: Settings) -> SettingsSnapshot:
    values: dict[str, Any] = {}
    for f in fields(SettingsSnapshot):
        value = getattr(settings, f.name)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return SettingsSnapshot(**values)


def _settings_json(snapshot: SettingsSnapshot) -> dict[str, Any]:
    return {
        f.name: str(value) if isinstance(value := getattr(snapshot, f.name), Path) else value
        for f in fields(SettingsSnapshot)
    }


def _settings_from_json(data: Mapping[str, Any]) -> SettingsSnapshot | None:
    """The snapshot's settings, or None when they are not exactly what was written."""
    values: dict[str, Any] = {}
    for f in fields(SettingsSnapshot):
        value: Any = data.get(f.name, ...)
        kinds = _KINDS[str(f.type)]
        if not isinstance(value, kinds) or (kinds == (int,) and isinstance(value, bool)):
            return None
        if f.type == "Path | None":
            value = None if value is None else Path(str(value))
        elif isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                return None
            value = tuple(value)
        values[f.name] = value
    return SettingsSnapshot(**values) if len(data) == len(values) else None


def _corpus_json(corpus: CorpusConfig) -> dict[str, Any]:
    values = {f.name: getattr(corpus, f.name) for f in fields(CorpusConfig)}
    values["folder"] = None if corpus.folder is None else str(corpus.folder)
    return values


def _corpus_from_json(data: Mapping[str, Any]) -> CorpusConfig:
    values = dict(data)
    folder = values.pop("folder")
    for name in ("include", "exclude", "guild_ids", "channel_ids"):
        values[name] = tuple(values[name])
    # No folder: the environment's corpus without CITEBOT_CORPUS (the command asks for one).
    return CorpusConfig(folder=None if folder is None else Path(folder), **values)  # type: ignore[arg-type]


def _digest(path: Path) -> str | None:
    """The file's SHA-256, or None when there is no readable file there."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def snapshot_key(
    overrides: Mapping[str, Any], environ: Mapping[str, str], cwd: Path, config_file: Path | None
) -> str:
    """The digest of every input of the validation that can be named before reading it."""
    variables = sorted(
        (name, "(set)" if name.upper() == TOKEN_VARIABLE else value)
        for name, value in environ.items()
        if name.upper().startswith(ENV_PREFIX)
    )
    inputs = {
        "format": SNAPSHOT_FORMAT,
        "python": [sys.version, sys.prefix, sys.executable],
        "cwd": str(cwd),
        "variables": variables,
        "home": [environ.get("HOME"), environ.get("XDG_STATE_HOME")],
        "default_corpus": str(default_corpus()),
        "overrides": sorted((name, repr(value)) for name, value in overrides.items()),
        "config_file": None if config_file is None else str(config_file),
        "dotenv": _digest(cwd / ".env"),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _code_files() -> list[list[Any]]:
    """(path, mtime_ns, size) of every loaded source file of the packages in CODE_PACKAGES."""
    stamps = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.split(".")[0] in CODE_PACKAGES and path:
            with contextlib.suppress(OSError):
                stat = os.stat(path)
                stamps.append([path, stat.st_mtime_ns, stat.st_size])
    return sorted(stamps)


def _code_unchanged(stamps: Any) -> bool:
    try:
        for path, mtime_ns, size in stamps:
            stat = os.stat(path)
            if stat.st_mtime_ns != mtime_ns or stat.st_size != size:
                return False
    except (OSError, TypeError, ValueError):
        return False
    return bool(stamps)


def _still_holds(data: Mapping[str, Any], cwd: Path) -> bool:
    """The file system is as the validation saw it: the same configuration file (or still
    none), every configured corpus folder still a folder, the same code."""
    config_file = data["config_file"]
    if config_file is None:
        if (cwd / "citebot.toml").is_file():
            return False
    elif _digest(Path(config_file)) != data["config_sha256"]:
        return False
    if not all(os.path.isdir(folder) for folder in data["folders"]):
        return False
    return _code_unchanged(data["code"])


def read_snapshot(path: Path, key: str, cwd: Path) -> Loaded | None:
    """The settings saved at ``path`` for ``key``, or None when they may not be used as they
    are (missing, damaged, another key, or anything they came from changed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != SNAPSHOT_FORMAT or data["key"] != key or not _still_holds(data, cwd):
            return None
        settings = _settings_from_json(data["settings"])
        corpora = Corpora(corpora=tuple(_corpus_from_json(c) for c in data["corpora"]))
        config_file = None if data["config_file"] is None else Path(data["config_file"])
        if settings is None or not corpora.corpora:
            return None
        return Loaded(settings, corpora, config_file, bool(data["from_file"]), data["file"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_snapshot(path: Path, key: str, loaded: Loaded, settings: SettingsSnapshot) -> None:
    """Save ``loaded`` (just validated in full) for the next run; quietly nothing when the
    cache cannot be written or the configuration file holds values JSON cannot keep."""
    config_file = loaded.config_file
    data = {
        "format": SNAPSHOT_FORMAT,
        "key": key,
        "config_file": None if config_file is None else str(config_file),
        "config_sha256": None if config_file is None else _digest(config_file),
        "folders": [str(c.folder) for c in loaded.corpora] if loaded.from_file else [],
        "code": _code_files(),
        "settings": _settings_json(settings),
        "corpora": [_corpus_json(c) for c in loaded.corpora],
        "from_file": loaded.from_file,
        # The Discord settings (the token among them) never go to disk: `citebot discord`
        # always validates in full and reads them from the file itself.
        "file": {k: v for k, v in loaded.file_settings.items() if not k.startswith("discord_")},
    }
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):  # e.g. a TOML date among the file's settings
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
        _prune(path.parent)
    except OSError:  # a full disk or an unwritable cache only costs the next run time
        with contextlib.suppress(OSError):
            temporary.unlink()


def _prune(folder: Path) -> None:
    snapshots = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in snapshots[KEPT_SNAPSHOTS:]:
        with contextlib.suppress(OSError):
            old.unlink()


def snapshot_path(key: str) -> Path:
    return cache_dir() / "settings" / f"{key[:32]}.json"


def load_quick(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
) -> Loaded:
    """:func:`config.load`'s settings and corpora (the same errors, as SettingsError), read
    from the snapshot when nothing they came from changed (see the module docstring); the
    settings are a :class:`SettingsSnapshot`."""
    overrides = dict(overrides or {})
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    key = snapshot_key(overrides, environ, cwd, config_file)
    try:
        path: Path | None = snapshot_path(key)
    except RuntimeError:  # no home folder to keep a cache in: validate in full every time
        path = None
    quick = None if path is None else read_snapshot(path, key, cwd)
    if quick is not None:
        return quick
    from .loading import load

    full = load(overrides, environ=environ, cwd=cwd, config_file=config_file)
    settings = snapshot_of(full.validated())
    quick = replace(full, settings=settings)
    if path is not None:
        write_snapshot(path, key, quick, settings)
    return quick
