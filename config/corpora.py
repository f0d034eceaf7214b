"""Several knowledge bases: the ``[corpora.NAME]`` tables of ``citebot.toml``, where each answers.

A corpus is a folder of documents with a name, optionally its published URL (so citations link
to the page), the files to include or leave out, its language, and the Discord servers and
channels it answers in. Routing a Discord message to a corpus (:meth:`Corpora.route`) is pure
data, decided here so that every front end agrees:

1. a corpus listing the channel (or, in a thread, the thread's parent channel) answers it;
2. else the one corpus listing the server and no channels (that server's corpus);
3. else the default corpus, when it may be used in that server;
4. else none: the bot says politely that this channel has no documents.

Corpora are validated as a whole when the file is read, so a channel given to two corpora, two
defaults or two server-wide corpora for one server stop the command at start with one line each,
rather than answering from the wrong documents later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from .urls import checked_source_url

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
"""Corpus names: short and plain, as they appear in `/ask corpus:` and on the command line."""
ENV_CORPUS_NAME = "default"
"""The name of the one corpus configured by environment settings alone (CITEBOT_CORPUS)."""


class Check:
    """A validation step of a field, for pydantic (its ``__get_pydantic_core_schema__``
    protocol, as ``pydantic.BeforeValidator``/``AfterValidator`` implement it): the corpora are
    plain dataclasses, so reading them back from a settings snapshot does not import pydantic,
    while :func:`config.loading.read_config_file` still validates each table with pydantic."""

    def __init__(self, function: Callable[[Any], Any], *, before: bool = False) -> None:
        self.function = function
        self.before = before

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema

        schema = handler(source)
        if self.before:
            return core_schema.no_info_before_validator_function(self.function, schema)
        return core_schema.no_info_after_validator_function(self.function, schema)


def _ids(value: Any) -> Any:
    """Accept one id, a list of ids, or "1, 2,3" (how people write lists)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return value


def _globs(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _name(name: str) -> str:
    if not re.match(NAME_PATTERN, name):
        raise ValueError("must be 1-32 letters, digits, '-', '_' or '.'")
    return name


def _folder_exists(folder: Path) -> Path:
    if not folder.exists():
        raise ValueError(f"the folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise ValueError(f"{str(folder)!r} is not a folder")
    return folder


def _url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    try:
        return checked_source_url(url)
    except ValueError as error:
        raise ValueError(f"{error} (got {url!r})") from None


def _language(language: str | None) -> str | None:
    """One the analysis knows (ISO 639-1: de, es, zh, ...), or auto; empty: the setting."""
    from retrieval.analysis.languages import LANGUAGES

    if language is None or not language.strip():
        return None
    language = language.strip().lower()
    if language != "auto" and language not in LANGUAGES:
        raise ValueError(f"must be auto or one of {', '.join(sorted(LANGUAGES))}")
    return language


Ids = Annotated[tuple[int, ...], Check(_ids, before=True)]
Globs = Annotated[tuple[str, ...], Check(_globs, before=True)]


@dataclass(frozen=True)
class CorpusConfig:
    """One knowledge base. Fields are the keys of its ``[corpora.NAME]`` table; constructing
    one checks nothing (the configuration file's tables are validated by pydantic, see
    :func:`config.loading.read_config_file`)."""

    __pydantic_config__ = {"extra": "forbid"}  # noqa: RUF012 — read by pydantic, never changed

    name: Annotated[str, Check(_name)]
    folder: Annotated[Path, Check(_folder_exists)]
    """The documents' folder; relative paths are relative to the configuration file."""
    source_url: Annotated[str | None, Check(_url)] = None
    """Where the folder is published (citations link to the page), e.g. a docs site's root."""
    include: Globs = ()
    """Only files matching one of these globs (relative to the folder); empty: every file."""
    exclude: Globs = ()
    """Files matching one of these globs are left out, even when included."""
    language: Annotated[str | None, Check(_language)] = None
    """The documents' language ("de", "zh", ... or "auto"); empty: CITEBOT_LANGUAGE's."""
    guild_ids: Ids = ()
    """The servers it may be used in (empty: every server the bot is in)."""
    channel_ids: Ids = ()
    """The channels (and their threads) it answers by default."""
    default: bool = False
    """Answers wherever no other corpus does (and on the command line without --corpus)."""

    @property
    def server_wide(self) -> bool:
        """Listed for servers but for no channel: the corpus of those whole servers."""
        return bool(self.guild_ids) and not self.channel_ids

    def allowed_in(self, guild_id: int | None) -> bool:
        """May be used in this server (None: a direct message, where every corpus may)."""
        return guild_id is None or not self.guild_ids or guild_id in self.guild_ids


@dataclass(frozen=True)
class Corpora:
    """Every configured corpus, in the order the file gives them (consistent:
    :func:`corpus_problems` is checked when the file is read)."""

    corpora: tuple[CorpusConfig, ...]

    def __iter__(self) -> Iterator[CorpusConfig]:
        return iter(self.corpora)

    def __len__(self) -> int:
        return len(self.corpora)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.corpora]

    @property
    def default(self) -> CorpusConfig | None:
        """The corpus marked default; the only one when there is just one."""
        marked = [c for c in self.corpora if c.default]
        if marked:
            return marked[0]
        return self.corpora[0] if len(self.corpora) == 1 else None

    def get(self, name: str) -> CorpusConfig | None:
        """The corpus called ``name`` (case does not matter), or None."""
        wanted = name.casefold()
        return next((c for c in self.corpora if c.name.casefold() == wanted), None)

    def allowed(self, guild_id: int | None) -> list[CorpusConfig]:
        """The corpora that may be used in this server, for `/ask corpus:`'s choices."""
        return [c for c in self.corpora if c.allowed_in(guild_id)]

    def route(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None = None
    ) -> CorpusConfig | None:
        """The corpus that answers in this channel (a thread: pass its parent as ``parent_id``),
        by the rules in the module docstring; None when no corpus answers there."""
        for corpus in self.corpora:
            channels = corpus.channel_ids
            if (channel_id in channels or parent_id in channels) and corpus.allowed_in(guild_id):
                return corpus
        if guild_id is not None:
            for corpus in self.corpora:
                if corpus.server_wide and guild_id in corpus.guild_ids:
                    return corpus
        default = self.default
        if default is not None and default.allowed_in(guild_id):
            return default
        return None


def corpus_problems(corpora: Sequence[CorpusConfig]) -> Iterable[str]:
    """What makes a set of corpora ambiguous, one sentence each (empty when none)."""
    seen: dict[str, str] = {}
    for corpus in corpora:
        key = corpus.name.casefold()
        if key in seen:
            yield f"two corpora are named {corpus.name!r}: each name must be unique"
        seen[key] = corpus.name
    owners: dict[int, str] = {}
    for corpus in corpora:
        for channel in corpus.channel_ids:
            if channel in owners and owners[channel] != corpus.name:
                yield (
                    f"channel {channel} is given to both {owners[channel]!r} and "
                    f"{corpus.name!r}: a channel answers from one corpus"
                )
            owners[channel] = corpus.name
    servers: dict[int, str] = {}
    for corpus in corpora:
        if not corpus.server_wide:
            continue
        for guild in corpus.guild_ids:
            if guild in servers:
                yield (
                    f"server {guild} has two server-wide corpora, {servers[guild]!r} and "
                    f"{corpus.name!r}: give one of them channel_ids"
                )
            servers[guild] = corpus.name
    defaults = [c.name for c in corpora if c.default]
    if len(defaults) > 1:
        yield f"only one corpus may be the default (got {', '.join(map(repr, defaults))})"
