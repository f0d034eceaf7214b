"""citebot's settings: environment variables prefixed ``CITEBOT_``, an optional ``.env`` file,
and command-line overrides passed in as init arguments (which win over both).

Validation errors are turned into one line per bad variable by :func:`describe_errors`, so a
typo in the environment is never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from retrieval import (
    LANGUAGES,
    MAX_SENTENCES,
    MAX_TOP_K,
    MIN_ANSWER_CHARS,
    EngineOptions,
)

from .paths import (  # noqa: F401 — DEFAULT_CORPUS, PROJECT_ROOT, state_dir: imported from here
    DEFAULT_CORPUS,
    ENV_PREFIX,
    PROJECT_ROOT,
    default_corpus,
    default_feedback_db,
    state_dir,
)
from .urls import checked_source_url

_ENGINE = EngineOptions()
"""The library's defaults: every retrieval setting's default is read from here, never repeated."""
_COMPOSER = _ENGINE.composer

DISCORD_API_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg"


def _split_ids(value: Any) -> Any:
    """Accept "1, 2,3" (how people write lists in .env files) as well as real lists."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


_DISCORD_LINK = re.compile(
    r"https?://(?:\w+\.)?discord(?:app)?\.com/channels/"
    r"(?P<guild>\d+|@me)(?:/(?P<channel>\d+))?\S*"
)
"""What Discord's "Copy Link" gives: ``https://discord.com/channels/GUILD/CHANNEL``."""


def _check_discord_ids(value: Any, what: str) -> Any:
    """Say what to give when an id list holds something else: a pasted channel link names the
    id to use, anything else how to copy one (pydantic would say "unable to parse string as
    an integer")."""
    for part in value if isinstance(value, list) else []:
        if isinstance(part, str) and not part.isdigit():
            link = _DISCORD_LINK.fullmatch(part)
            wanted = link and (link.group("channel") if what == "channel" else link.group("guild"))
            if wanted and wanted.isdigit():
                raise ValueError(
                    f"that is a link, not an id: the {what} id in it is {wanted} (give ids alone, "
                    "separated by commas)"
                )
            menu = "the channel" if what == "channel" else "the server"
            raise ValueError(
                f"{what} ids are numbers, separated by commas (Discord: "
                f"User Settings → Advanced → Developer Mode, then right-click {menu} → Copy "
                f"{'Channel' if what == 'channel' else 'Server'} ID)"
            )
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    # --- corpus and retrieval ---
    corpus: Path | None = Field(
        default_factory=default_corpus,
        description="Folder of documents to answer from (default: the example corpus `seeds/` "
        "when run from the checkout).",
    )
    top_k: int = Field(
        _ENGINE.top_k, ge=1, le=MAX_TOP_K, description="Paragraphs retrieved per question."
    )
    k1: float = Field(_ENGINE.k1, ge=0.0, le=10.0, description="BM25 term-frequency saturation.")
    b: float = Field(_ENGINE.b, ge=0.0, le=1.0, description="BM25 length normalisation.")
    max_sentences: int = Field(
        _COMPOSER.max_sentences,
        ge=1,
        le=MAX_SENTENCES,
        description="Most sentences quoted in one answer.",
    )
    max_answer_chars: int = Field(
        _COMPOSER.max_chars,
        ge=MIN_ANSWER_CHARS,
        le=1800,  # a Discord message holds 2,000 characters
        description="Character budget for the quoted sentences.",
    )
    min_confidence: float = Field(
        _COMPOSER.min_confidence,
        ge=0.0,
        le=1.0,
        description="Abstain below this confidence: the calibrated probability that the answer "
        "is right (its quote holds the answer), from how much of the question the best sentence "
        "and paragraph hold, its rarest words and names, and how the top hits agree "
        "(0 = always answer).",
    )

    include: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated globs of corpus-relative paths to index (`**` spans "
        "folders; a pattern without `/` matches a name at any depth); empty: every file.",
    )
    exclude: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description='Comma-separated globs of files to leave out, e.g. "release-notes.md,'
        '**/changelog*"; they win over CITEBOT_INCLUDE. `citebot index` lists what was left out.',
    )
    source_url: str = Field(
        "",
        description="The URL the corpus is published under (e.g. https://docs.astral.sh/uv/): "
        "citations link to their section (MkDocs pages, Sphinx .html, PDF #page=N); empty: "
        "no links.",
    )

    language: str = Field(
        "auto",
        description="The documents' language, as an ISO 639-1 code (de, es, zh, ar, ...), or "
        "`auto`: identified from the text when the corpus is indexed (shown by `citebot index`). "
        "It chooses the stemmer, stopwords and word splitting; questions are analysed the same "
        "way.",
    )

    index_dir: Path | None = Field(
        None,
        description="Folder for saved indexes, reused while no corpus file changes (default: "
        "`$XDG_CACHE_HOME/citebot`, i.e. `~/.cache/citebot`; never inside the corpus).",
    )
    save_index: bool = Field(
        True,
        description="Save the index there and reuse it (false: index in memory at every start).",
    )
    follow_links: bool = Field(
        False,
        description="Follow symbolic links that lead out of the corpus folder, and links to "
        "folders (off: they are skipped with a warning naming them).",
    )

    # --- Discord ---
    discord_token: SecretStr | None = Field(
        None,
        description="The bot token from the Developer Portal (Bot → Reset Token); required by "
        "`citebot discord`, never printed or logged.",
    )
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated server ids to sync slash commands to (they appear at once); "
        "empty: global sync, which can take up to an hour to show.",
    )
    discord_channel_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated channel ids the bot answers in (a thread counts as its "
        "parent); empty: every channel it can see.",
    )
    discord_allow_dms: bool = Field(
        True, description="Answer direct messages (any DM is a question; no mention needed)."
    )
    discord_cooldown_seconds: float = Field(
        5.0, ge=0.0, le=3600.0, description="Per-user wait between questions (0 = none)."
    )
    discord_log_questions: bool = Field(
        False,
        description="Also log each question's text; off: only guild, channel, latency and "
        "outcome are logged.",
    )
    discord_answer_in_thread: bool = Field(
        False,
        description="Default of `/ask`'s `thread` option: start a thread from the answer, "
        "where the asker's every message is a follow-up (needs "
        "`CITEBOT_DISCORD_MESSAGE_CONTENT`).",
    )
    discord_message_content: bool = Field(
        False,
        description="Request the privileged Message Content intent (also switch it on in the "
        "Developer Portal): needed to read follow-ups typed in a bot-started thread without a "
        "mention. Off: only slash commands, DMs, mentions and replies to the bot are read.",
    )
    discord_api_url: str = Field(
        DISCORD_API_URL,
        description="REST base URL; change it only to point the bot at a Discord-compatible "
        "server (the tests use a local fake).",
    )
    discord_gateway_url: str = Field(
        DISCORD_GATEWAY_URL, description="Gateway websocket URL, likewise."
    )
    discord_shard_count: int | None = Field(
        None,
        ge=1,
        le=10_000,
        description="Total shards across every process; empty: the count Discord recommends "
        "(needed past 2,500 servers, which Discord enforces).",
    )
    discord_shard_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated shards this process runs (needs "
        "`CITEBOT_DISCORD_SHARD_COUNT`); empty: all of them. Several processes, each a share, "
        "can answer from the same saved index.",
    )
    metrics_addr: str | None = Field(
        None,
        description="`host:port` (or `:port`, loopback) for `citebot discord`'s HTTP listener "
        "with `/healthz` and Prometheus `/metrics`; empty: no listener.",
    )

    # --- feedback ---
    feedback_db: Path | None = Field(
        default_factory=default_feedback_db,
        description="SQLite file for the 👍/👎 votes on Discord answers (and the answers "
        "voted on); empty: no vote buttons, nothing stored.",
    )

    file_values: ClassVar[dict[str, Any]] = {}
    """Values from the configuration file's top level: below the environment and .env."""

    @classmethod
    def with_file_values(cls, values: dict[str, Any]) -> type[Settings]:
        """This class reading ``values`` (a configuration file's settings) under the
        environment: a subclass, so the file's values never leak into another load."""
        if not values:
            return cls
        return type(cls.__name__, (cls,), {"file_values": dict(values), "__module__": __name__})

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file_source = InitSettingsSource(settings_cls, init_kwargs=dict(cls.file_values))
        return init_settings, env_settings, dotenv_settings, file_source, file_secret_settings

    _split_guilds = field_validator(
        "discord_guild_ids", "discord_channel_ids", "discord_shard_ids", mode="before"
    )(_split_ids)

    @field_validator("discord_guild_ids", "discord_channel_ids", mode="before")
    @classmethod
    def _ids_not_links(cls, value: Any, info: ValidationInfo) -> Any:
        what = "channel" if info.field_name == "discord_channel_ids" else "server"
        return _check_discord_ids(_split_ids(value), what)

    @field_validator("metrics_addr", "discord_shard_count", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        """Shard ids without a count, or beyond it, would make Discord close the gateway."""
        if self.discord_shard_ids:
            if self.discord_shard_count is None:
                raise ValueError(
                    "CITEBOT_DISCORD_SHARD_IDS needs CITEBOT_DISCORD_SHARD_COUNT (the total)"
                )
            bad = [i for i in self.discord_shard_ids if not 0 <= i < self.discord_shard_count]
            if bad:
                raise ValueError(
                    f"CITEBOT_DISCORD_SHARD_IDS {bad} outside 0..{self.discord_shard_count - 1}"
                )
        return self

    _split_globs = field_validator("include", "exclude", mode="before")(_split_ids)

    @field_validator("source_url", mode="before")
    @classmethod
    def _source_url_absolute(cls, value: Any) -> Any:
        """A base URL must be absolute (http/https), or links would point nowhere."""
        return checked_source_url(value) if isinstance(value, str) else value

    @field_validator("language", mode="before")
    @classmethod
    def _known_language(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower() or "auto"
            if value != "auto" and value not in LANGUAGES:
                raise ValueError(f"must be auto or one of {', '.join(sorted(LANGUAGES))}")
        return value

    @field_validator("index_dir", mode="before")
    @classmethod
    def _index_dir_not_blank(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("corpus", mode="before")
    @classmethod
    def _corpus_not_empty(cls, value: Any) -> Any:
        """An empty CITEBOT_CORPUS would mean "." and quietly index the whole working folder."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("must be the path of a folder, not empty")
        return value

    @field_validator("feedback_db", mode="before")
    @classmethod
    def _feedback_db_or_off(cls, value: Any) -> Any:
        """Empty switches feedback off; ``~`` is expanded, as a shell would in a .env file."""
        if isinstance(value, str):
            return Path(value.strip()).expanduser() if value.strip() else None
        return value

    def engine_options(self) -> EngineOptions:
        """The library's options with what users set applied (tuning weights stay defaults)."""
        from .snapshot import engine_options_of

        return engine_options_of(self)


def describe_errors(
    error: ValidationError,
    *,
    file_values: dict[str, Any] | None = None,
    file_name: str = "citebot.toml",
) -> list[str]:
    """One line per invalid setting, naming its environment variable (or, for a value that
    came from the configuration file, its key there) and what is allowed."""
    lines = []
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else "?"
        variable = ENV_PREFIX + field.upper()
        given = item.get("input")
        if file_values and field in file_values and file_values[field] == given:
            variable = f"{field} in {file_name}"
        shown = "" if field == "discord_token" else f" (got {given!r})"
        message = str(item["msg"]).removeprefix("Value error, ")
        if not item["loc"]:  # a rule across settings: the message names them
            lines.append(f"Invalid settings: {message}.")
            continue
        lines.append(f"Invalid setting {variable}{shown}: {message[0].lower()}{message[1:]}.")
    return lines
