"""The Discord front end: ``/ask``, ``/sources``, ``/help``, @mentions and "Show paragraph".

Conversations (follow-ups such as "what did he promise?") are kept per thread the bot started
from ``/ask`` and per reply chain: every answer the bot sends is filed under its message id, so
replying to it continues that answer's conversation. They live in memory only (a bounded LRU).

Handlers stay a few lines long: deciding *whether* to answer lives in :meth:`CitebotBot.refusal`,
answering lives in :meth:`CitebotBot.answer` (which runs retrieval and rendering in a worker
thread so the gateway heartbeat is never starved), and what a reply looks like lives in the pure
:mod:`bot.discord_render`. Every message goes out with ``AllowedMentions.none()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from config.settings import Settings
from retrieval import (
    MAX_QUESTION_CHARS,
    Answer,
    CitebotError,
    Conversation,
    Conversations,
    Engine,
    answer_in,
)
from retrieval.answering import prepare_question

from .discord_render import (
    SHOW_CUSTOM_ID,
    SHOW_PREFIX,
    VOTE_CUSTOM_ID,
    VOTE_PREFIX,
    Button,
    Payload,
    render_answer,
    render_apology,
    render_cooldown,
    render_help,
    render_notice,
    render_paragraph,
    render_sources,
    render_vote,
    thread_name,
    with_votes,
)
from .feedback import FeedbackError, FeedbackStore, Vote
from .live import LiveEngine

log = logging.getLogger("citebot.discord")

NO_MENTIONS = discord.AllowedMentions.none()
MAX_CONVERSATIONS = 1000
"""Conversations (threads and reply chains) remembered at once; the least recent go first."""


def point_at(api_url: str, gateway_url: str) -> None:
    """Aim discord.py at a Discord-compatible server (a test fake, a proxy) instead of Discord.

    discord.py reads both from class attributes, so this must run before the client starts.
    """
    discord.http.Route.BASE = api_url.rstrip("/")
    gateway = yarl.URL(gateway_url)
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway.with_path(gateway.path or "/")


def send_kwargs(payload: Payload) -> dict[str, Any]:
    """A payload as keyword arguments for ``send``/``reply``/``followup.send``."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if payload.content:
        kwargs["content"] = payload.content
    if payload.embeds:
        kwargs["embeds"] = [discord.Embed.from_dict(e) for e in payload.embeds]
    if payload.buttons:
        kwargs["view"] = paragraph_buttons(payload.buttons)
    return kwargs


class ShowParagraph(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=SHOW_CUSTOM_ID.pattern,
):
    """A "Show paragraph" button. The passage id is in its custom_id, so buttons on old
    messages keep working after a restart (as long as the documents are unchanged)."""

    def __init__(self, passage_id: str, label: str = "Show paragraph") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=SHOW_PREFIX + passage_id
            )
        )
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ShowParagraph:
        label = getattr(item, "label", None) or "Show paragraph"
        return cls(match["passage"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: CitebotBot = interaction.client
        try:
            payload = await asyncio.to_thread(bot.paragraph_payload, self.passage_id)
        except Exception:
            log.exception("showing paragraph %s failed", self.passage_id)
            payload = render_apology()
        await interaction.response.send_message(**send_kwargs(payload), ephemeral=True)


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=VOTE_CUSTOM_ID.pattern,
):
    """A 👍/👎 button. Its custom_id holds only the vote and the answer's id in the feedback
    database (which has the question and citations), so it works after a restart."""

    def __init__(self, vote: str, answer_id: str, label: str, row: int | None = None) -> None:
        custom_id = f"{VOTE_PREFIX}{vote}:{answer_id}"
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id, row=row
            )
        )
        self.vote, self.answer_id = vote, answer_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> VoteButton:
        label = getattr(item, "label", None) or ("👍" if match["vote"] == "up" else "👎")
        return cls(match["vote"], match["answer"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Store the vote, then, only once it is committed, thank the voter privately."""
        bot: CitebotBot = interaction.client
        outcome = await bot.record_vote(self.answer_id, interaction.user.id, self.vote)
        await interaction.response.send_message(**send_kwargs(render_vote(outcome)), ephemeral=True)


def paragraph_buttons(buttons: tuple[Button, ...]) -> discord.ui.View:
    """The view for a payload's buttons: "Show paragraph" and, when present, 👍/👎."""
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if vote := VOTE_CUSTOM_ID.fullmatch(button.custom_id):
            view.add_item(VoteButton(vote["vote"], vote["answer"], button.label, button.row))
        else:
            view.add_item(ShowParagraph(button.custom_id.removeprefix(SHOW_PREFIX), button.label))
    return view


class CitebotTree(app_commands.CommandTree["CitebotBot"]):
    async def on_error(
        self, interaction: discord.Interaction[CitebotBot], error: app_commands.AppCommandError
    ) -> None:
        """A failing command is the bot's fault: log the traceback, apologise, keep serving."""
        log.error("command failed", exc_info=error)
        kwargs = send_kwargs(render_apology())
        try:
            if interaction.response.is_done():
                await interaction.followup.send(**kwargs, ephemeral=True)
            else:
                await interaction.response.send_message(**kwargs, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send the apology either", exc_info=True)


class CitebotBot(commands.Bot):
    """citebot on Discord. The engine and settings come in through the constructor, so tests
    and the CLI build the same bot."""

    def __init__(
        self,
        engine: Engine | LiveEngine,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        feedback: FeedbackStore | None = None,
        **options: Any,
    ) -> None:
        # citebot never joins voice: discord.py's "PyNaCl/davey is not installed" is noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.default()
        intents.message_content = settings.discord_message_content  # privileged: opt-in
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            tree_cls=CitebotTree,
            **options,
        )
        self.live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine)
        self.settings = settings
        self.clock = clock
        self.feedback = feedback
        """Where 👍/👎 votes go; None: answers get no vote buttons."""
        self._asked_at: dict[int, float] = {}
        self._warned: set[int] = set()
        """Users already told to slow down during their current cooldown."""
        self.conversations: Conversations[int] = Conversations(MAX_CONVERSATIONS, clock=clock)
        """By thread id (threads started from /ask) and by the id of each answer sent."""
        self.thread_askers: OrderedDict[int, int] = OrderedDict()
        """Thread id → the user whose /ask started it: their every message there is a question."""

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ShowParagraph, VoteButton)
        self.tree.add_command(ask_command)
        self.tree.add_command(sources_command)
        self.tree.add_command(help_command)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Guild sync shows commands at once; global sync can take up to an hour."""
        if not self.settings.discord_guild_ids:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take up to an hour)", len(synced))
            return
        for guild_id in self.settings.discord_guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as error:
                log.error("could not sync slash commands to guild %s: %s", guild_id, error)
            else:
                log.info("synced %d slash commands to guild %s", len(synced), guild_id)

    async def on_ready(self) -> None:
        passages = len(self.engine.passages)
        log.info(
            "ready as %s (id %s) in %d guilds, answering from %d documents, %d paragraphs",
            self.user,
            self.user.id if self.user else "?",
            len(self.guilds),
            self.engine.document_count,
            passages,
        )

    # --- whether to answer ---

    @property
    def engine(self) -> Engine:
        """The engine as it is: the event loop never waits for a re-index. Questions, answered
        in worker threads, use ``self.live.get()``, which re-indexes a changed corpus first."""
        return self.live.current

    def channel_allowed(self, channel: Any) -> bool:
        allowed = self.settings.discord_channel_ids
        if not allowed:
            return True
        if channel is None:  # unknown channel: with an allowlist, not allowed
            return False
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return bool(ids.intersection(allowed))

    def cooldown_left(self, user_id: int) -> float:
        last = self._asked_at.get(user_id)
        cooldown = self.settings.discord_cooldown_seconds
        return 0.0 if last is None else max(0.0, cooldown - (self.clock() - last))

    def start_cooldown(self, user_id: int) -> None:
        now, cooldown = self.clock(), self.settings.discord_cooldown_seconds
        if len(self._asked_at) > 10_000:  # forget users whose cooldown is long over
            self._asked_at = {u: t for u, t in self._asked_at.items() if now - t < cooldown}
        self._asked_at[user_id] = now
        self._warned.discard(user_id)

    def refusal(self, user_id: int, channel: Any, in_guild: bool) -> tuple[Payload, str] | None:
        """Why this user may not ask here and now (the reply and the outcome logged), or None."""
        if not in_guild and not self.settings.discord_allow_dms:
            notice = "I don't answer direct messages; please ask me in a server."
            return render_notice(notice), "refused_dm"
        if in_guild and not self.channel_allowed(channel):
            return render_notice("I don't answer in this channel."), "refused_channel"
        left = self.cooldown_left(user_id)
        if left > 0:
            return render_cooldown(left), "cooldown"
        return None

    def rejection(self, question: str) -> Payload | None:
        """A polite notice when the question cannot be searched, before any work is done; a
        rejected question costs the asker no cooldown."""
        try:
            prepare_question(question)
        except CitebotError as error:
            return render_notice(str(error))
        return None

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't for the bot.

        A mention of the bot's own role (what Discord's autocomplete often inserts) counts, and
        so do a reply to one of the bot's answers and, in a thread the bot started from
        ``/ask``, any message from the person who asked (which arrives with its text only
        with the Message Content intent: an empty one is ignored, never answered with help)."""
        me = self.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        role = message.guild.self_role if message.guild else None
        mentions = rf"<@!?{me.id}>" + (rf"|<@&{role.id}>" if role else "")
        text = re.sub(mentions, " ", message.content).strip()
        if message.guild is None:
            return text if self.settings.discord_allow_dms else None
        if not self.channel_allowed(message.channel):
            return None
        if me.id in message.raw_mentions or (
            role is not None and role.id in message.raw_role_mentions
        ):
            return text
        if self.replies_to_me(message) or self.is_asker_in_thread(message):
            return text or None
        return None

    # --- conversations ---

    def replied_conversation(self, message: discord.Message) -> Conversation | None:
        """The conversation of the bot answer ``message`` replies to, if it is one we know."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        return self.conversations.get(reference.message_id)

    def replies_to_me(self, message: discord.Message) -> bool:
        """Whether ``message`` replies to one of the bot's messages: one whose conversation we
        hold, or (after a restart, which forgets them) one Discord shows was the bot's."""
        if self.replied_conversation(message) is not None:
            return True
        reference = message.reference
        resolved = reference.resolved if reference is not None else None
        me = self.user
        return isinstance(resolved, discord.Message) and me is not None and resolved.author == me

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
        except (discord.HTTPException, ValueError):
            log.warning("could not start a thread from message %s", message.id, exc_info=True)
            return
        self.conversations.link(thread.id, conversation)
        self.thread_askers[thread.id] = asker
        while len(self.thread_askers) > MAX_CONVERSATIONS:
            self.thread_askers.popitem(last=False)

    # --- answering ---

    def log_question(
        self, guild_id: int | None, channel_id: int | None, outcome: str, latency_ms: float,
        question: str,
    ) -> None:  # fmt: skip
        extra = f" question={question!r}" if self.settings.discord_log_questions else ""
        log.info(
            "question guild=%s channel=%s latency_ms=%.0f outcome=%s answered=%s%s",
            guild_id or "dm",
            channel_id,
            latency_ms,
            outcome,
            outcome == "answered",
            extra,
        )

    def _answer_sync(self, question: str, conversation: Conversation | None) -> tuple[Payload, str]:
        try:
            answer = answer_in(self.live.get(), conversation, question)
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

    async def record_vote(self, answer_id: str, user_id: int, vote: str) -> str:
        """Store a 👍/👎 off the event loop; the outcome names the reply (see render_vote)."""
        if self.feedback is None:
            return "off"
        try:
            stored = await asyncio.to_thread(
                self.feedback.vote, answer_id, user_id, Vote.UP if vote == "up" else Vote.DOWN
            )
        except Exception:
            log.exception("storing a vote on answer %s failed", answer_id)
            return "failed"
        log.info("vote answer=%s vote=%s stored=%s", answer_id, vote, stored)
        return vote if stored else "unknown"

    async def answer(
        self,
        question: str,
        guild_id: int | None,
        channel_id: int | None,
        conversation: Conversation | None = None,
    ) -> Payload:
        """The reply to ``question`` (a follow-up in ``conversation``, if given), computed off
        the event loop; never raises."""
        started = time.perf_counter()
        outcome = "error"
        try:
            payload, outcome = await asyncio.to_thread(self._answer_sync, question, conversation)
        except Exception:
            log.exception("answering failed (guild=%s channel=%s)", guild_id, channel_id)
            payload = render_apology()
        latency_ms = (time.perf_counter() - started) * 1000
        self.log_question(guild_id, channel_id, outcome, latency_ms, question)
        return payload

    def screen(
        self, question: str, user_id: int, channel: Any, guild_id: int | None
    ) -> tuple[Payload, str] | None:
        """The reply that ends a question before it is answered (help for a bare mention, a
        refusal, a cooldown, an unsearchable question), or None to answer it; starts the
        user's cooldown when it will be answered."""
        channel_id = getattr(channel, "id", None)
        if not question:
            return render_help(), "help"
        ended = self.refusal(user_id, channel, guild_id is not None)
        if ended is None and (notice := self.rejection(question)) is not None:
            ended = notice, "rejected"
        if ended is not None:
            self.log_question(guild_id, channel_id, ended[1], 0.0, question)
            return ended
        self.start_cooldown(user_id)
        return None

    def paragraph_payload(self, passage_id: str) -> Payload:
        try:
            passage = self.engine.passage(passage_id)
        except KeyError:
            return render_notice("That paragraph is no longer in the documents.")
        return render_paragraph(passage, *self.engine.neighbours(passage))

    def sources_payload(self) -> Payload:
        return render_sources(self.engine.sources())

    # --- mentions ---

    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        guild_id = message.guild.id if message.guild else None
        conversation: Conversation | None = None
        try:
            ended = self.screen(question, message.author.id, message.channel, guild_id)
            if ended is not None:
                payload, outcome = ended
                if outcome == "cooldown":
                    if message.author.id in self._warned:
                        return  # one public "slow down" per cooldown, not one per message
                    self._warned.add(message.author.id)
            else:
                conversation = self.conversation_for(message)
                payload = await self.answer(question, guild_id, message.channel.id, conversation)
            # Still delivered if the question was deleted meanwhile (no 400 for a lost reply).
            reference = message.to_reference(fail_if_not_exists=False)
            sent = await message.channel.send(**send_kwargs(payload), reference=reference)
            if conversation is not None:
                self.remember(sent.id, conversation)
        except (discord.HTTPException, aiohttp.ClientError):
            log.exception("could not reply to message %s", message.id)


# --- slash commands: a few lines each, the work is in the bot ---


@app_commands.command(name="ask", description="Ask the documents; the answer quotes them, cited.")
@app_commands.describe(
    question="What you want to know",
    thread="Answer in a new thread, where your follow-ups need no @mention",
)
async def ask_command(
    interaction: discord.Interaction[CitebotBot],
    question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
    thread: bool | None = None,
) -> None:
    bot = interaction.client
    user, channel = interaction.user.id, interaction.channel
    ended = bot.screen(question.strip(), user, channel, interaction.guild_id)
    if ended is not None:  # refusals and rejections are private: no one else needs to see them
        await interaction.response.send_message(**send_kwargs(ended[0]), ephemeral=True)
        return
    await interaction.response.defer(thinking=True)
    conversation = bot.conversation_in(interaction.channel_id, interaction.id)
    payload = await bot.answer(question, interaction.guild_id, interaction.channel_id, conversation)
    sent = await interaction.followup.send(**send_kwargs(payload), wait=True)
    bot.remember(sent.id, conversation)
    in_thread = bot.settings.discord_answer_in_thread if thread is None else thread
    if in_thread and isinstance(channel, discord.TextChannel):  # not in DMs, nor in a thread
        await bot.open_thread(channel, sent, question, user, conversation)


@app_commands.command(name="sources", description="List the documents citebot answers from.")
async def sources_command(interaction: discord.Interaction[CitebotBot]) -> None:
    payload = await asyncio.to_thread(interaction.client.sources_payload)
    await interaction.response.send_message(**send_kwargs(payload), ephemeral=True)


@app_commands.command(name="help", description="How to ask citebot questions.")
async def help_command(interaction: discord.Interaction[CitebotBot]) -> None:
    await interaction.response.send_message(**send_kwargs(render_help()), ephemeral=True)


# --- running it ---


class RedactToken(logging.Filter):
    """Belt and braces: no log line may ever carry the token, whoever logs it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[token]"), ()
        return True


def configure_logging(token: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactToken(token))
    discord.utils.setup_logging(handler=handler, level=logging.INFO, root=True)


def fail(message: str) -> int:
    print(f"citebot discord: {message}", file=sys.stderr)
    return 2


async def serve(bot: CitebotBot, token: str) -> None:
    """Log in, then run until the connection ends or SIGTERM/SIGINT asks for a clean shutdown.

    discord.py's own INFO lines are held back until the token is accepted, so a rejected token
    prints one line (ours), not a log preamble followed by it.
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has none
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    discord_log = logging.getLogger("discord")
    async with bot:
        discord_log.setLevel(logging.WARNING)
        await bot.login(token)
        discord_log.setLevel(logging.INFO)
        await bot.connect()


def run(settings: Settings, engine: Engine | LiveEngine) -> int:
    """``citebot discord``: serve until stopped. Exit code 0 when stopped, 2 for a missing or
    rejected token, 3 when Discord cannot be reached."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        return fail(
            "no bot token: set CITEBOT_DISCORD_TOKEN in the environment or in .env "
            "(Developer Portal → your application → Bot → Reset Token)."
        )
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        return fail(
            "CITEBOT_DISCORD_TOKEN has spaces or control characters in it, so it cannot be a "
            "bot token: copy it again from the Developer Portal (Bot → Reset Token)."
        )
    try:
        feedback = FeedbackStore(settings.feedback_db) if settings.feedback_db else None
    except FeedbackError as error:
        return fail(
            f"{error} Set CITEBOT_FEEDBACK_DB to another file, or empty to switch 👍/👎 off."
        )
    point_at(settings.discord_api_url, settings.discord_gateway_url)
    configure_logging(token)
    bot = CitebotBot(engine, settings, feedback=feedback)
    try:
        asyncio.run(serve(bot, token))
    except discord.LoginFailure:
        return fail(
            "Discord rejected the bot token (401 Unauthorized): check CITEBOT_DISCORD_TOKEN, "
            "or reset the token in the Developer Portal."
        )
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as error:
        print(
            f"citebot discord: cannot reach Discord at {settings.discord_api_url}: "
            f"{type(error).__name__}",
            file=sys.stderr,
        )
        return 3
    except discord.HTTPException as error:
        print(
            f"citebot discord: Discord answered HTTP {error.status} at start-up.", file=sys.stderr
        )
        return 3
    except KeyboardInterrupt:
        return 0
    finally:
        if feedback is not None:
            feedback.close()
    return 0
