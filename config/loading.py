"""Reading every setting from where a user may have put it, and saying when one is ignored.

Settings come from, in order of precedence: command-line flags, ``CITEBOT_*`` environment
variables, a ``.env`` file in the working folder, and the configuration file (``citebot.toml``
in the working folder, or the file named by ``CITEBOT_CONFIG``). Nothing a user wrote is
silently dropped: a ``.env`` line that does not parse, a ``CITEBOT_*`` name that is no setting,
an unknown key in the configuration file, a missing corpus folder or two corpora claiming one
channel each stop the command with one line (and a suggestion where one is likely), which the
command line prints before exiting with 2.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .corpora import ENV_CORPUS_NAME, Corpora, CorpusConfig, corpus_problems
from .loaded import Loaded, SettingsError
from .paths import ENV_PREFIX
from .settings import Settings, describe_errors

CONFIG_VARIABLE = ENV_PREFIX + "CONFIG"
CONFIG_FILE = "citebot.toml"
DOTENV_FILE = ".env"
_NAME = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*$")


def known_variables() -> list[str]:
    return [ENV_PREFIX + name.upper() for name in Settings.model_fields] + [CONFIG_VARIABLE]


def suggestion(name: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest known name, or '' (names compared without the
    CITEBOT_ prefix they share, which would make every name look close)."""
    by_tail = {k.removeprefix(ENV_PREFIX): k for k in known}
    tail = name.upper().removeprefix(ENV_PREFIX)
    close = difflib.get_close_matches(tail, list(by_tail), n=1, cutoff=0.6)
    return f" (did you mean {by_tail[close[0]]}?)" if close else ""


def check_environment(environ: Mapping[str, str]) -> list[str]:
    """A line for each ``CITEBOT_*`` variable that is no setting: a typo would be ignored."""
    known = known_variables()
    return [
        f"{name} is not a citebot setting{suggestion(name, known)}."
        for name in sorted(environ)
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in known
    ]


def check_dotenv(text: str, where: str = DOTENV_FILE) -> tuple[list[str], dict[str, str]]:
    """The problems in a ``.env`` file's text, one line each, and the ``CITEBOT_*`` values it
    sets. A line python-dotenv cannot parse (an unclosed quote), a line that is not
    ``NAME=value`` (``CITEBOT_CORPUS:/my/docs``) or a ``CITEBOT_*`` name that is no setting
    would otherwise be skipped with at most a warning, and citebot would answer from defaults."""
    from dotenv.parser import parse_stream

    known = known_variables()
    problems: list[str] = []
    values: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        line = binding.original.line + len(original) - len(original.lstrip("\r\n"))
        shown = original.strip().splitlines()[0] if original.strip() else ""
        if binding.error:
            hint = (
                " (a quote that is not closed?)"
                if shown.count('"') % 2 or (shown.count("'") % 2)
                else ""
            )
            problems.append(f"{where} line {line} does not parse: {shown}{hint}.")
            continue
        key = binding.key
        if key is None:
            continue
        if binding.value is None and not _NAME.match(key):
            name = re.split(r"[^A-Za-z0-9_]", key, maxsplit=1)[0]
            rest = key[len(name) :].lstrip(":= \t")
            fix = f" (did you mean {name}={rest}?)" if name.upper() in known else ""
            problems.append(f"{where} line {line} is not NAME=value: {shown}{fix}.")
            continue
        if key.upper().startswith(ENV_PREFIX):
            if key.upper() not in known:
                problems.append(
                    f"{where} line {line}: {key} is not a citebot setting{suggestion(key, known)}."
                )
            elif binding.value is not None:
                values[key.upper()] = binding.value
    return problems, values


def _line_of(text: str, table: str | None, key: str) -> str:
    """' line N' where ``key`` is set (in ``[table]``), for pointing at a file's mistake."""
    inside = table is None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = table is not None and stripped.strip("[] \t") == table
            continue
        if inside and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return f" line {number}"
    return ""


def _toml_error(path: Path, error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    twice = re.match(r"Cannot declare \('corpora', '([^']+)'\) twice \(at line (\d+)", message)
    if twice:
        return (
            f"{path} line {twice.group(2)}: two corpora are named {twice.group(1)!r}: "
            "each name must be unique."
        )
    return f"{path} is not valid TOML: {message}."


def read_config_file(path: Path) -> tuple[dict[str, Any], list[CorpusConfig]]:
    """The settings (top-level keys) and corpora (``[corpora.NAME]`` tables) of a configuration
    file, or SettingsError naming each problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise SettingsError([f"cannot read the configuration file {path}: {reason}."]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError([_toml_error(path, error)]) from None
    problems: list[str] = []
    tables = data.pop("corpora", {})
    known = list(Settings.model_fields)
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, [*known, "corpora"], n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{path}{_line_of(text, None, key)}: unknown key {key!r}{hint}.")
    if not isinstance(tables, dict):
        problems.append(f"{path}: corpora must be tables, e.g. [corpora.docs].")
        tables = {}
    corpora: list[CorpusConfig] = []
    keys = [f.name for f in fields(CorpusConfig) if f.name != "name"]
    validate = TypeAdapter(CorpusConfig).validate_python
    for name, table in tables.items():
        where = f"corpora.{name}"
        if not isinstance(table, dict):
            problems.append(f'{path}: [{where}] must be a table with folder = "...".')
            continue
        unknown = [k for k in table if k not in keys]
        for key in unknown:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(
                f"{path}{_line_of(text, where, key)}: unknown key {key!r} in [{where}]{hint}."
            )
        if unknown:
            continue
        values = dict(table)
        if isinstance(values.get("folder"), str):
            folder = Path(values["folder"]).expanduser()
            values["folder"] = folder if folder.is_absolute() else path.parent / folder
        try:
            corpora.append(validate({"name": name, **values}))
        except ValidationError as error:
            for item in error.errors(include_url=False):
                key = ".".join(str(part) for part in item["loc"]) or "?"
                message = str(item["msg"]).removeprefix("Value error, ")
                if item["type"] == "missing":  # pydantic says "Field required"
                    message = "is required" + (
                        " (the documents' folder)" if key == "folder" else ""
                    )
                elif item["type"] == "path_type":  # pydantic names its Python class
                    given = item["input"]
                    message = f'should be a folder in quotes, e.g. folder = "docs" (got {given!r})'
                elif item["type"] != "value_error":  # pydantic's own: say what was given
                    message = f"{message[0].lower()}{message[1:]} (got {item['input']!r})"
                line = _line_of(text, where, key.split(".")[0])
                problems.append(f"{path}{line}: [{where}] {key}: {message}.")
    if problems:
        raise SettingsError(problems)
    return data, corpora


def find_config_file(
    environ: Mapping[str, str], dotenv: Mapping[str, str], cwd: Path
) -> Path | None:
    """The file named by CITEBOT_CONFIG (environment first, then .env), else ./citebot.toml."""
    named = environ.get(CONFIG_VARIABLE) or dotenv.get(CONFIG_VARIABLE)
    if named is not None:
        path = Path(named.strip()).expanduser()
        path = path if path.is_absolute() else cwd / path
        if not path.is_file():
            raise SettingsError([f"{CONFIG_VARIABLE} names {path}, which is not a file."])
        return path
    default = cwd / CONFIG_FILE
    return default if default.is_file() else None


def load(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
) -> Loaded:
    """The settings and corpora, or SettingsError with a line per problem (see module doc).

    ``overrides`` are the command-line flags (they win over everything); ``config_file``
    (``--config``) wins over CITEBOT_CONFIG.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    problems = check_environment(environ)
    dotenv: dict[str, str] = {}
    dotenv_path = cwd / DOTENV_FILE
    if dotenv_path.is_file():
        try:
            text = dotenv_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
            raise SettingsError([f"cannot read the .env file in {cwd}: {reason}."]) from None
        found, dotenv = check_dotenv(text)
        problems += found
    if problems:
        raise SettingsError(problems)
    if config_file is not None and not config_file.is_file():
        raise SettingsError([f"the configuration file {config_file} does not exist."])
    path = config_file or find_config_file(environ, dotenv, cwd)
    file_settings: dict[str, Any] = {}
    corpora: list[CorpusConfig] = []
    if path is not None:
        file_settings, corpora = read_config_file(path)
    try:
        settings = Settings.with_file_values(file_settings)(**dict(overrides or {}))
    except ValidationError as error:
        lines = describe_errors(error, file_values=file_settings, file_name=str(path))
        raise SettingsError(lines) from None
    problems = list(corpus_problems(corpora))
    if problems:  # the first says which corpora clash; fixing it may settle the rest
        raise SettingsError([f"{path}: {problems[0]}."])
    configured = Corpora(corpora=tuple(corpora)) if corpora else _env_corpora(settings)
    return Loaded(settings, configured, path, bool(corpora), file_settings)


def _env_corpora(settings: Settings) -> Corpora:
    """The single corpus of environment settings (CITEBOT_CORPUS): the default everywhere.
    Its folder is not checked here, so a missing folder is reported where it is opened (and
    with no folder at all, ``Context.corpus`` asks for one)."""
    corpus = CorpusConfig(
        name=ENV_CORPUS_NAME,
        folder=settings.corpus,  # type: ignore[arg-type]
        source_url=settings.source_url or None,
        include=tuple(settings.include),
        exclude=tuple(settings.exclude),
        default=True,
    )
    return Corpora(corpora=(corpus,))
