"""The Discord front end: ``/ask``, ``/sources``, ``/help``, ``/reindex``, ``/status``, @mentions
and the buttons under answers.

The client is split by job, each module small enough to read at once:

* :mod:`bot.discord_gate` decides *whether* to answer (channels, DMs, cooldowns, unsearchable
  questions) and *how* the bot may reply there (Embed Links, Send Messages, threads);
* :mod:`bot.discord_router` decides which conversation a message continues and which corpus
  answers a channel (a thread follows its parent);
* :mod:`bot.discord_render` and :mod:`bot.discord_plain` decide what a reply looks like;
* :mod:`bot.discord_commands` holds the slash commands and buttons, a few lines each;
* this module, :class:`CitebotBot`, ties them together: it answers in worker threads so the
  event loop (gateway heartbeats, the 3-second interaction deadline) is never kept waiting,
  and every interaction is acknowledged before any work is done;
* :mod:`bot.discord_run` starts it and turns each start-up failure into one line.

Every message goes out with ``AllowedMentions.none()``. Everything the bot needs (corpora,
settings, clock, feedback store, metrics) comes in through the constructor, as in discord.py's
``examples/advanced_startup.py``; commands are registered and synced in ``setup_hook``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
import discord
import yarl
from discord.ext import commands

from config.settings import Settings
from retrieval import Answer, CitebotError, Conversation, Engine, answer_in

from .discord_gate import Gate, PermissionNotes, can_embed
from .discord_metrics import Metrics, StatusServer
from .discord_paragraph import paragraph_now
from .discord_plain import as_plain
from .discord_render import (
    Payload,
    render_answer,
    render_apology,
    render_help,
    render_notice,
    render_sources,
    show_target,
    thread_name,
    with_votes,
)
from .discord_router import ConversationRouter, CorpusRouter, Registry, as_router, corpus_of
from .feedback import FeedbackError, FeedbackStore
from .live import LiveEngine

log = logging.getLogger("citebot.discord")

T = TypeVar("T")
ANSWER_WORKERS = 2
"""Threads answering questions (and buttons, /sources): retrieval is mostly Python holding the
interpreter lock, so more threads than cores only take turns away from the event loop
(bench/discord_stall: p99 stall 121 ms with 4, 70–141 ms with 1–2 on a loaded 2-core machine).
They have a pool of their own, never the event loop's default executor, which aiohttp needs
for DNS lookups (``getaddrinfo``): with every default worker waiting for a re-index, no new
connection to Discord could be opened and acknowledgements would wait too."""

NO_MENTIONS = discord.AllowedMentions.none()
ROLE_MENTION_NOTICE = (
    "I can't read messages that mention my role, only ones that mention me: type @ and pick "
    "me (the bot, not the role), or use /ask."
)
NO_CORPUS_NOTICE = (
    "This channel has no documents to answer from. Ask in a channel set up for citebot, or ask "
    "a server admin to add this channel to citebot's configuration."
)
UNKNOWN_CORPUS_NOTICE = "There are no documents called {name!r} for this server."


def run(settings: Settings, corpora: Engine | LiveEngine | CorpusRouter | Registry) -> int:
    """``citebot discord`` (see :func:`bot.discord_run.run`; kept here for the CLI)."""
    from .discord_run import run as run_bot

    return run_bot(settings, corpora)


class StartupFailure(Exception):
    """A start-up problem with a known cause: one line for the user and an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def point_at(api_url: str, gateway_url: str) -> None:
    """Aim discord.py at a Discord-compatible server (a test fake, a proxy) instead of Discord.

    discord.py reads both from class attributes, so this must run before the client starts.
    """
    discord.http.Route.BASE = api_url.rstrip("/")
    gateway = yarl.URL(gateway_url)
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway.with_path(gateway.path or "/")


def shard_options(settings: Settings) -> dict[str, Any]:
    """``AutoShardedBot``'s shard arguments: Discord's recommendation unless set."""
    options: dict[str, Any] = {}
    if settings.discord_shard_count is not None:
        options["shard_count"] = settings.discord_shard_count
        if settings.discord_shard_ids:
            options["shard_ids"] = list(settings.discord_shard_ids)
    return options


class CitebotBot(commands.AutoShardedBot):
    """citebot on Discord, sharded (Discord refuses an unsharded bot past 2,500 servers)."""

    def __init__(
        self,
        engine: Engine | LiveEngine | CorpusRouter | Registry,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        feedback: FeedbackStore | None = None,
        open_feedback: Callable[[], FeedbackStore] | None = None,
        metrics: Metrics | None = None,
        **options: Any,
    ) -> None:
        # citebot never joins voice: discord.py's "PyNaCl/davey is not installed" is noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        intents.message_content = settings.discord_message_content  # privileged: opt-in
        from .discord_commands import CitebotTree

        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            tree_cls=CitebotTree,
            **(shard_options(settings) | options),
        )
        self.corpora: CorpusRouter = as_router(engine)
        self.settings = settings
        self.clock = clock
        self.gate = Gate(settings, clock)
        self.router = ConversationRouter(clock)
        self.permissions = PermissionNotes()
        self.metrics = metrics or Metrics()
        self.feedback = feedback
        """Where 👍/👎 votes go; None: answers get no vote buttons."""
        self._open_feedback = open_feedback
        self._owned_feedback: FeedbackStore | None = None
        self.synced: list[str] = []
        self.workers = ThreadPoolExecutor(ANSWER_WORKERS, thread_name_prefix="citebot-answer")
        self.admin_worker = ThreadPoolExecutor(1, thread_name_prefix="citebot-admin")
        """/reindex and /status: one at a time, and never taking an answering thread."""

    async def offload(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in an answering thread: the event loop never runs it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.workers, functools.partial(work, *args))

    async def offload_admin(self, work: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.admin_worker, functools.partial(work, *args))

    async def setup_hook(self) -> None:
        """Register the commands and buttons, then sync (discord.py's recommended place)."""
        from .discord_commands import register

        register(self)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Guild sync shows commands at once; global sync can take up to an hour. A guild that
        refuses is one log line; when no target accepts, start-up stops with one line."""
        targets: list[discord.Object | None] = [
            discord.Object(g) for g in self.settings.discord_guild_ids
        ] or [None]
        problems: list[str] = []
        for guild in targets:
            if guild is not None:
                self.tree.copy_global_to(guild=guild)
            where = f"guild {guild.id}" if guild else "globally"
            try:
                synced = await self.tree.sync(guild=guild)
                count = len(synced)
            except discord.Forbidden as error:
                problems.append(f"{where}: {error.text or 'Missing Access'}")
                log.error(
                    "could not sync slash commands to %s: %s — is the bot in that server, "
                    "invited with the applications.commands scope?",
                    where,
                    error.text,
                )
                continue
            except (
                discord.HTTPException,
                aiohttp.ClientError,
                TypeError,
                KeyError,
                ValueError,
            ) as error:
                problems.append(f"{where}: {type(error).__name__}: {error}")
                log.error("could not sync slash commands to %s: %s", where, error)
                continue
            self.synced.append(where)
            suffix = " (may take up to an hour)" if guild is None else ""
            log.info(
                "synced %d slash commands %s%s", count, where.replace("guild", "to guild"), suffix
            )
        if not self.synced:
            raise StartupFailure(
                "Discord did not accept the slash commands ("
                + "; ".join(problems)
                + "): check CITEBOT_DISCORD_GUILD_IDS and that the bot was invited with the "
                "applications.commands scope.",
                6,
            )

    async def on_connect(self) -> None:
        """The gateway accepted us: only now is the feedback database opened (or created), so
        a bot that fails to start leaves nothing on disk. Synchronous (a few ms), so it is
        open before the first message is handled."""
        if self.feedback is None and self._open_feedback is not None:
            opener, self._open_feedback = self._open_feedback, None
            try:
                self.feedback = self._owned_feedback = opener()
            except FeedbackError as error:
                log.error("answers go out without vote buttons: %s", error)

    async def on_ready(self) -> None:
        log.info(
            "ready as %s (id %s) in %d guilds, shards %s of %s",
            self.user,
            self.user.id if self.user else "?",
            len(self.guilds),
            sorted(self.shards),
            self.shard_count,
        )

    async def close(self) -> None:
        await super().close()
        self.workers.shutdown(wait=False, cancel_futures=True)
        self.admin_worker.shutdown(wait=False, cancel_futures=True)
        if self._owned_feedback is not None:  # one passed in belongs to the caller
            self._owned_feedback.close()

    # --- whether and where to answer ---

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't for the bot.

        A mention of the bot (or its role), a reply to one of its answers, and, in a thread the
        bot started from ``/ask``, any message from the person who asked (which arrives with
        its text only with the Message Content intent: an empty one is ignored)."""
        me = self.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        text, mentioned = self.router.addressed(message, me)
        if message.guild is None:
            return text if self.settings.discord_allow_dms else None
        if not self.gate.channel_allowed(message.channel):
            return None
        if mentioned:
            return text
        if self.router.replies_to(message, me) or self.router.is_asker_in_thread(message):
            return text or None
        return None

    def screen(
        self, question: str, user_id: int, channel: Any, guild_id: int | None
    ) -> tuple[Payload, str] | None:
        """The reply that ends a question before it is answered (help for a bare mention, a
        refusal, a cooldown, an unsearchable question), or None to answer it; starts the
        user's cooldown when it will be answered."""
        if not question:
            return render_help(), "help"
        ended = self.gate.refusal(user_id, channel, guild_id is not None)
        if ended is None and (notice := self.gate.rejection(question)) is not None:
            ended = notice, "rejected"
        if ended is not None:
            self.log_question(guild_id, getattr(channel, "id", None), ended[1], 0.0, question)
            return ended
        self.gate.start_cooldown(user_id)
        return None

    def corpus_here(
        self, channel: Any, guild_id: int | None, asked: str | None = None
    ) -> str | Payload:
        """The corpus to answer from (``asked``, if this server may use it), or the notice."""
        if asked:
            if asked in self.corpora.allowed(guild_id):
                return asked
            return render_notice(UNKNOWN_CORPUS_NOTICE.format(name=asked))
        return corpus_of(self.corpora, channel, guild_id) or render_notice(NO_CORPUS_NOTICE)

    # --- answering ---

    def log_question(
        self,
        guild_id: int | None,
        channel_id: int | None,
        outcome: str,
        latency_ms: float,
        question: str,
        corpus: str = "",
    ) -> None:
        extra = f" question={question!r}" if self.settings.discord_log_questions else ""
        log.info(
            "question guild=%s channel=%s corpus=%s latency_ms=%.0f outcome=%s answered=%s%s",
            guild_id or "dm",
            channel_id,
            corpus or "-",
            latency_ms,
            outcome,
            outcome == "answered",
            extra,
        )

    def _answer_sync(
        self, question: str, conversation: Conversation | None, corpus: str = ""
    ) -> tuple[Payload, str]:
        live = self.corpora.engine(corpus or self.corpora.allowed(None)[0])
        try:
            answer = live.run(lambda engine: answer_in(engine, conversation, question))
        except CitebotError as error:
            return render_notice(str(error)), "rejected"
        payload = self.with_vote_buttons(render_answer(answer), answer)
        return payload, "answered" if answer.answered else "abstained"

    def with_vote_buttons(self, payload: Payload, answer: Answer) -> Payload:
        """``payload`` with 👍/👎 once ``answer`` is stored for them; without, if it can't be
        (the answer matters more than the feedback on it)."""
        if self.feedback is None:
            return payload
        try:
            folder = self.settings.corpus
            answer_id = self.feedback.record(answer, str(folder.resolve() if folder else ""))
        except FeedbackError as error:
            log.warning("answer sent without vote buttons: %s", error)
            return payload
        return with_votes(payload, answer_id)

    async def answer(
        self,
        question: str,
        guild_id: int | None,
        channel_id: int | None,
        conversation: Conversation | None = None,
        corpus: str = "",
    ) -> Payload:
        """The reply to ``question`` (a follow-up in ``conversation``, if given), computed off
        the event loop (freshness check included); never raises."""
        started = time.perf_counter()
        outcome = "error"
        try:
            payload, outcome = await self.offload(self._answer_sync, question, conversation, corpus)
        except Exception:
            log.exception("answering failed (guild=%s channel=%s)", guild_id, channel_id)
            payload = render_apology()
        seconds = time.perf_counter() - started
        self.metrics.outcome(corpus or "-", outcome, seconds)
        self.log_question(guild_id, channel_id, outcome, seconds * 1000, question, corpus)
        return payload

    def paragraph_payload(self, key: str, corpus: str = "") -> Payload:
        """The paragraph behind a button as the file has it now (re-read, in a worker thread);
        ``key``: its custom_id without the prefix (the passage id, where the quoted block
        starts past the paragraph's end)."""
        passage_id, block_after = show_target(key)
        names = [corpus] if corpus else list(self.corpora.opened()) or self.corpora.allowed(None)
        for name in names:
            payload = paragraph_now(self.corpora.engine(name).current, passage_id, block_after)
            if payload is not None:
                return payload
        return render_notice("That paragraph is no longer in the documents.")

    def sources_payload(self, corpus: str) -> Payload:
        return render_sources(self.corpora.engine(corpus).current.sources())

    # --- sending ---

    async def send_reply(
        self, message: discord.Message, payload: Payload
    ) -> discord.Message | None:
        """Reply to ``message`` as its channel allows: plain text without Embed Links (also
        when Discord dropped the embeds), nothing but one log line without Send Messages."""
        from .discord_commands import send_kwargs

        channel_id = message.channel.id
        if not can_embed(message.channel, message.guild):
            payload = as_plain(payload)
        # Still delivered if the question was deleted meanwhile (no 400 for a lost reply).
        reference = message.to_reference(fail_if_not_exists=False)
        try:
            sent = await message.channel.send(**send_kwargs(payload), reference=reference)
        except discord.Forbidden as error:
            self.permissions.note(channel_id, "Send Messages", f"cannot reply ({error.text})")
            return None
        if payload.embeds and not sent.embeds:  # dropped: Embed Links denied meanwhile
            self.permissions.note(channel_id, "Embed Links", "answers sent as plain text")
            await sent.edit(**send_kwargs(as_plain(payload)), embeds=[])
        return sent

    async def open_thread(
        self,
        channel: discord.TextChannel,
        message: discord.Message,
        question: str,
        asker: int,
        conversation: Conversation,
    ) -> None:
        """Start a thread from the answer ``message``; the asker's messages in it follow up.
        A thread that cannot be started (no permission) leaves the answer where it is."""
        try:
            thread = await channel.create_thread(name=thread_name(question), message=message)
        except discord.Forbidden:
            self.permissions.note(channel.id, "Create Public Threads", "answers stay in channel")
            return
        except (discord.HTTPException, ValueError):
            log.warning("could not start a thread from message %s", message.id, exc_info=True)
            return
        self.router.thread_started(thread.id, asker, conversation)

    # --- mentions ---

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None and self.router.role_only(message) and message.guild:
            if self.gate.channel_allowed(message.channel) and not message.author.bot:
                await self.send_reply(message, render_notice(ROLE_MENTION_NOTICE))
            return
        question = self.question_in(message)
        if question is None:
            return
        try:
            await self.reply_to(message, question)
        except (discord.HTTPException, aiohttp.ClientError):
            log.exception("could not reply to message %s", message.id)

    async def reply_to(self, message: discord.Message, question: str) -> None:
        """Screen, route and answer one addressed message, then file the answer."""
        guild_id = message.guild.id if message.guild else None
        corpus = self.corpus_here(message.channel, guild_id)
        conversation: Conversation | None = None
        ended = self.screen(question, message.author.id, message.channel, guild_id)
        if ended is not None:
            payload, outcome = ended
            if outcome == "cooldown" and not self.gate.first_warning(message.author.id):
                return
        elif isinstance(corpus, Payload):
            payload = corpus
        else:
            conversation = self.router.conversation_for(message)
            payload = await self.answer(
                question, guild_id, message.channel.id, conversation, corpus
            )
        sent = await self.send_reply(message, payload)
        if sent is not None and conversation is not None:
            self.router.remember(sent.id, conversation)

    # --- observability ---

    def status_server(self) -> StatusServer:
        return StatusServer(self.metrics, self.health_problems, self.refresh_gauges)

    def refresh_gauges(self) -> None:
        for name, live in self.corpora.opened().items():
            self.metrics.index_written(name, live.current.written_ns)

    async def health_problems(self) -> list[str]:
        """Why the bot is not healthy ([]: gateway connected, every opened index fresh)."""
        problems = self.gateway_problems()
        if self.is_closed():  # shutting down: its worker threads are gone
            return problems
        for name, live in self.corpora.opened().items():
            stale = await self.offload_admin(live.current.changed_files)
            if stale:
                problems.append(f"corpus {name}: {len(stale)} file(s) changed since indexing")
        return problems

    def gateway_problems(self) -> list[str]:
        """Why the gateway is not serving right now ([] when every shard is connected)."""
        if self.is_closed():
            return ["the gateway connection is closed"]
        if not self.is_ready():
            return ["not connected to the gateway yet"]
        return [f"shard {i} is disconnected" for i, s in self.shards.items() if s.is_closed()]
