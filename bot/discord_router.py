"""The routers: which conversation a message continues, and which corpus answers a channel.

Conversations (follow-ups such as "what did he promise?") are kept per thread the bot started
from ``/ask`` and per reply chain: every answer the bot sends is filed under its message id, so
replying to it continues that answer's conversation. They live in memory only (a bounded LRU).

Corpora are behind :class:`CorpusRouter`, a small interface (which corpus answers a channel,
which corpora a server may use, the engine of one), so the bot does not care whether one folder
or a configuration file of many stands behind it; :class:`SingleCorpus` is the one-folder case.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import discord

from retrieval import Conversation, Conversations, Engine

from .live import LiveEngine

MAX_CONVERSATIONS = 1000
"""Conversations (threads and reply chains) remembered at once; the least recent go first."""


class ConversationRouter:
    """Which conversation a message or ``/ask`` continues, and which messages address the bot."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.conversations: Conversations[int] = Conversations(MAX_CONVERSATIONS, clock=clock)
        """By thread id (threads started from /ask) and by the id of each answer sent."""
        self.thread_askers: OrderedDict[int, int] = OrderedDict()
        """Thread id → the user whose /ask started it: their every message there is a question."""

    def addressed(self, message: discord.Message, me: discord.ClientUser) -> tuple[str, bool]:
        """The message's text without the bot's mentions, and whether it mentions the bot
        (the user, or the bot's managed role: what Discord's autocomplete often inserts)."""
        role = message.guild.self_role if message.guild else None
        mentions = rf"<@!?{me.id}>" + (rf"|<@&{role.id}>" if role else "")
        text = re.sub(mentions, " ", message.content).strip()
        mentioned = me.id in message.raw_mentions or (
            role is not None and role.id in message.raw_role_mentions
        )
        return text, mentioned

    @staticmethod
    def role_only(message: discord.Message) -> bool:
        """A mention of the bot's role alone, which Discord delivers without its text unless
        the Message Content intent is on: the bot cannot know what was asked."""
        role = message.guild.self_role if message.guild else None
        mentioned = role is not None and any(r.id == role.id for r in message.role_mentions)
        return mentioned and not message.content.strip()

    def replied_conversation(self, message: discord.Message) -> Conversation | None:
        """The conversation of the bot answer ``message`` replies to, if it is one we know."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        return self.conversations.get(reference.message_id)

    def replies_to(self, message: discord.Message, me: discord.ClientUser) -> bool:
        """Whether ``message`` replies to one of the bot's messages: one whose conversation we
        hold, or (after a restart, which forgets them) one Discord shows was the bot's."""
        if self.replied_conversation(message) is not None:
            return True
        reference = message.reference
        resolved = reference.resolved if reference is not None else None
        return isinstance(resolved, discord.Message) and resolved.author == me

    def is_asker_in_thread(self, message: discord.Message) -> bool:
        return self.thread_askers.get(message.channel.id) == message.author.id

    def conversation_for(self, message: discord.Message) -> Conversation:
        """The conversation ``message`` continues: the answer it replies to, else its thread's
        (a thread the bot started), else a new one."""
        return self.replied_conversation(message) or self.conversation_in(
            message.channel.id, message.id
        )

    def conversation_in(self, channel_id: int | None, new_key: int) -> Conversation:
        """The conversation of a thread the bot started, or a new one filed under ``new_key``."""
        found = self.conversations.get(channel_id) if channel_id is not None else None
        return found or self.conversations.start(new_key)

    def remember(self, sent_id: int, conversation: Conversation) -> None:
        """File an answer the bot sent under its id, so replying to it continues the chain."""
        self.conversations.link(sent_id, conversation)

    def thread_started(self, thread_id: int, asker: int, conversation: Conversation) -> None:
        self.conversations.link(thread_id, conversation)
        self.thread_askers[thread_id] = asker
        while len(self.thread_askers) > MAX_CONVERSATIONS:
            self.thread_askers.popitem(last=False)


# --- corpora ---


class CorpusRouter(Protocol):
    """Where each corpus answers, and its engine: what the bot needs of a configuration."""

    def corpus_for(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None
    ) -> str | None:
        """The corpus that answers in this channel (a thread: its parent's), or None."""

    def allowed(self, guild_id: int | None) -> list[str]:
        """The corpora a server may ask (``/ask``'s ``corpus`` option), in a stable order."""

    def engine(self, name: str) -> LiveEngine:
        """The corpus's engine, opened on first use; KeyError for an unknown name."""

    def opened(self) -> Mapping[str, LiveEngine]:
        """The corpora opened so far (for health checks and metrics)."""


class SingleCorpus:
    """One folder answering everywhere: the environment-settings case."""

    def __init__(self, engine: Engine | LiveEngine, name: str = "default") -> None:
        self.name = name
        self.live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine)

    def corpus_for(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None
    ) -> str | None:
        return self.name

    def allowed(self, guild_id: int | None) -> list[str]:
        return [self.name]

    def engine(self, name: str) -> LiveEngine:
        if name != self.name:
            raise KeyError(name)
        return self.live

    def opened(self) -> Mapping[str, LiveEngine]:
        return {self.name: self.live}


class Registry(Protocol):
    """The configuration's registry (:class:`bot.corpora.CorpusRegistry`) as the bot uses it."""

    def route(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None = None
    ) -> Any: ...

    def allowed(self, guild_id: int | None) -> list[Any]: ...

    def engine(self, corpus: Any) -> LiveEngine: ...

    def opened(self) -> dict[str, LiveEngine]: ...


class RegistryRouter:
    """:class:`CorpusRouter` over the configuration file's corpora (``CITEBOT_CONFIG``): the
    registry decides routes and opens engines lazily; this gives the bot names."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def corpus_for(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None
    ) -> str | None:
        found = self.registry.route(guild_id, channel_id, parent_id)
        return None if found is None else str(found.name)

    def allowed(self, guild_id: int | None) -> list[str]:
        return [str(c.name) for c in self.registry.allowed(guild_id)]

    def engine(self, name: str) -> LiveEngine:
        try:
            return self.registry.engine(name)
        except LookupError as error:
            raise KeyError(name) from error

    def opened(self) -> Mapping[str, LiveEngine]:
        return self.registry.opened()


def as_router(corpora: Engine | LiveEngine | CorpusRouter | Registry) -> CorpusRouter:
    """Whatever the front end has (one engine, a router, the configuration's registry) as the
    router the bot asks."""
    if isinstance(corpora, (Engine, LiveEngine)):
        return SingleCorpus(corpora)
    if hasattr(corpora, "route"):
        return RegistryRouter(cast(Registry, corpora))
    return corpora


@dataclass(frozen=True)
class Route:
    """Where one named corpus answers: empty ``guild_ids`` means every server; a channel listed
    here answers from this corpus whatever the server's default."""

    name: str
    open: Callable[[], LiveEngine] = field(compare=False)
    guild_ids: frozenset[int] = frozenset()
    channel_ids: frozenset[int] = frozenset()
    default: bool = False


class RoutedCorpora:
    """Several corpora by channel, server and default; each opened on first use (once)."""

    def __init__(self, routes: Sequence[Route]) -> None:
        names = [r.name for r in routes]
        if len(set(names)) != len(names):
            raise ValueError("corpus names must be unique")
        self.routes = {r.name: r for r in routes}
        self._by_channel = {c: r.name for r in routes for c in r.channel_ids}
        self._default = next((r.name for r in routes if r.default), None)
        self._opened: dict[str, LiveEngine] = {}
        self._lock = threading.Lock()

    def _serves(self, route: Route, guild_id: int | None) -> bool:
        return not route.guild_ids or (guild_id is not None and guild_id in route.guild_ids)

    def corpus_for(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None
    ) -> str | None:
        for channel in (channel_id, parent_id):
            if channel is not None and channel in self._by_channel:
                return self._by_channel[channel]
        in_guild = [
            r
            for r in self.routes.values()
            if not r.channel_ids and guild_id is not None and guild_id in r.guild_ids
        ]
        if len(in_guild) == 1:
            return in_guild[0].name
        default = self.routes.get(self._default or "")
        if default is not None and not default.channel_ids and self._serves(default, guild_id):
            return default.name
        return None

    def allowed(self, guild_id: int | None) -> list[str]:
        return [name for name, r in self.routes.items() if self._serves(r, guild_id)]

    def engine(self, name: str) -> LiveEngine:
        route = self.routes[name]
        with self._lock:
            if name not in self._opened:
                self._opened[name] = route.open()
            return self._opened[name]

    def opened(self) -> Mapping[str, LiveEngine]:
        return dict(self._opened)


def corpus_of(router: CorpusRouter, channel: Any, guild_id: int | None) -> str | None:
    """The corpus for a discord.py channel (a thread follows its parent)."""
    return router.corpus_for(
        guild_id, getattr(channel, "id", None), getattr(channel, "parent_id", None)
    )
