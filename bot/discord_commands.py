"""Slash commands and buttons: a few lines each, the work is in the bot.

Every handler acknowledges first (``defer``, ephemeral where the reply is private) and only
then does its work in a worker thread: Discord shows "This interaction failed" 3 s after a
click or command that was not acknowledged, and the answer pool or a re-index can be busy far
longer than that. ``/help`` and refusals need no work and are answered at once.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from retrieval import MAX_QUESTION_CHARS

from .discord_admin import reindex_report, status_payload
from .discord_plain import as_plain
from .discord_render import (
    SHOW_CUSTOM_ID,
    SHOW_PREFIX,
    VOTE_CUSTOM_ID,
    VOTE_PREFIX,
    Button,
    Payload,
    render_apology,
    render_help,
    render_vote,
)
from .feedback import Vote

if TYPE_CHECKING:
    from .discord_app import CitebotBot

log = logging.getLogger("citebot.discord")

NO_MENTIONS = discord.AllowedMentions.none()
LATE_SECONDS = 2.5
"""An acknowledgement slower than this (from when the event was read) counts as late."""


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


def fitted(interaction: discord.Interaction[Any], payload: Payload) -> Payload:
    """``payload`` as this interaction's channel allows: plain text without Embed Links."""
    return payload if interaction.app_permissions.embed_links else as_plain(payload)


async def acknowledge(
    interaction: discord.Interaction[CitebotBot], *, ephemeral: bool, thinking: bool = True
) -> bool:
    """Defer at once; False (counted and logged once) when Discord says it is too late."""
    started = time.perf_counter()
    try:
        await interaction.response.defer(ephemeral=ephemeral, thinking=thinking)
    except discord.NotFound:  # 10062: the 3 s passed before we got to it
        interaction.client.metrics.late.inc()
        log.warning("interaction %s acknowledged too late (Unknown interaction)", interaction.id)
        return False
    if time.perf_counter() - started > LATE_SECONDS:
        interaction.client.metrics.late.inc()
    return True


async def follow_up(
    interaction: discord.Interaction[CitebotBot], payload: Payload, *, ephemeral: bool
) -> discord.WebhookMessage:
    return await interaction.followup.send(
        **send_kwargs(fitted(interaction, payload)), ephemeral=ephemeral, wait=True
    )


async def reply_now(interaction: discord.Interaction[CitebotBot], payload: Payload) -> None:
    """A private reply that needs no work: the acknowledgement itself."""
    await interaction.response.send_message(
        **send_kwargs(fitted(interaction, payload)), ephemeral=True
    )


class ShowParagraph(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=SHOW_CUSTOM_ID.pattern,
):
    """A "Show paragraph" button. The passage id (and where the block the answer quoted after
    it starts) is in its custom_id, so buttons on old messages keep working after a restart,
    and after edits elsewhere in the file. ``key``: the custom_id without its prefix."""

    def __init__(self, key: str, label: str = "Show paragraph") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=SHOW_PREFIX + key
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ShowParagraph:
        label = getattr(item, "label", None) or "Show paragraph"
        return cls(match[0].removeprefix(SHOW_PREFIX), label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not await acknowledge(interaction, ephemeral=True):
            return
        bot = interaction.client
        try:
            payload = await bot.offload(bot.paragraph_payload, self.key)
        except Exception:
            log.exception("showing paragraph %s failed", self.key)
            payload = render_apology()
        await follow_up(interaction, payload, ephemeral=True)


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
        if not await acknowledge(interaction, ephemeral=True):
            return
        outcome = await record_vote(
            interaction.client, self.answer_id, interaction.user.id, self.vote
        )
        await follow_up(interaction, render_vote(outcome), ephemeral=True)


async def record_vote(bot: CitebotBot, answer_id: str, user_id: int, vote: str) -> str:
    """Store a 👍/👎 off the event loop; the outcome names the reply (see render_vote)."""
    if bot.feedback is None:
        return "off"
    try:
        stored = await bot.offload(
            bot.feedback.vote, answer_id, user_id, Vote.UP if vote == "up" else Vote.DOWN
        )
    except Exception:
        log.exception("storing a vote on answer %s failed", answer_id)
        return "failed"
    log.info("vote answer=%s vote=%s stored=%s", answer_id, vote, stored)
    return vote if stored else "unknown"


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


# --- slash commands ---


@app_commands.command(name="ask", description="Ask the documents; the answer quotes them, cited.")
@app_commands.describe(
    question="What you want to know",
    thread="Answer in a new thread, where your follow-ups need no @mention",
    corpus="Which documents to ask (default: this channel's)",
)
async def ask_command(
    interaction: discord.Interaction[CitebotBot],
    question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
    thread: bool | None = None,
    corpus: str | None = None,
) -> None:
    bot, channel = interaction.client, interaction.channel
    user = interaction.user.id
    ended = bot.screen(question.strip(), user, channel, interaction.guild_id)
    where = bot.corpus_here(channel, interaction.guild_id, corpus)
    if ended is not None or not isinstance(where, str):  # private: no one else needs to see it
        await reply_now(interaction, ended[0] if ended else where)  # type: ignore[arg-type]
        return
    if not await acknowledge(interaction, ephemeral=False):
        return
    conversation = bot.router.conversation_in(interaction.channel_id, interaction.id)
    payload = await bot.answer(
        question, interaction.guild_id, interaction.channel_id, conversation, where
    )
    sent = await follow_up(interaction, payload, ephemeral=False)
    bot.router.remember(sent.id, conversation)
    in_thread = bot.settings.discord_answer_in_thread if thread is None else thread
    if in_thread and isinstance(channel, discord.TextChannel):  # not in DMs, nor in a thread
        await bot.open_thread(channel, sent, question, user, conversation)


@ask_command.autocomplete("corpus")
async def corpus_choices(
    interaction: discord.Interaction[CitebotBot], current: str
) -> list[app_commands.Choice[str]]:
    """Only the corpora this server may ask, filtered by what was typed (Discord shows 25)."""
    names = interaction.client.corpora.allowed(interaction.guild_id)
    typed = current.casefold()
    return [app_commands.Choice(name=n[:100], value=n) for n in names if typed in n.casefold()][:25]


@app_commands.command(name="sources", description="List the documents citebot answers from here.")
async def sources_command(interaction: discord.Interaction[CitebotBot]) -> None:
    bot = interaction.client
    where = bot.corpus_here(interaction.channel, interaction.guild_id)
    if not isinstance(where, str):
        await reply_now(interaction, where)
        return
    if await acknowledge(interaction, ephemeral=True):
        payload = await bot.offload(bot.sources_payload, where)
        await follow_up(interaction, payload, ephemeral=True)


@app_commands.command(name="help", description="How to ask citebot questions.")
async def help_command(interaction: discord.Interaction[CitebotBot]) -> None:
    await reply_now(interaction, render_help())


@app_commands.command(name="reindex", description="Re-read the documents now (admins).")
@app_commands.describe(corpus="Which documents (default: this channel's)")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def reindex_command(
    interaction: discord.Interaction[CitebotBot], corpus: str | None = None
) -> None:
    bot = interaction.client
    where = bot.corpus_here(interaction.channel, interaction.guild_id, corpus)
    if not isinstance(where, str):
        await reply_now(interaction, where)
        return
    if await acknowledge(interaction, ephemeral=True):
        payload = await bot.offload_admin(reindex_report, bot, where)
        await follow_up(interaction, payload, ephemeral=True)


reindex_command.autocomplete("corpus")(corpus_choices)


@app_commands.command(name="status", description="citebot's health: corpora, index age (admins).")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def status_command(interaction: discord.Interaction[CitebotBot]) -> None:
    bot = interaction.client
    if await acknowledge(interaction, ephemeral=True):
        payload = await bot.offload_admin(status_payload, bot, interaction.guild_id)
        await follow_up(interaction, payload, ephemeral=True)


COMMANDS: tuple[app_commands.Command[Any, Any, None], ...] = (
    ask_command,
    sources_command,
    help_command,
    reindex_command,
    status_command,
)


def register(bot: CitebotBot) -> None:
    """Add every command and the persistent buttons to ``bot`` (from its ``setup_hook``)."""
    bot.add_dynamic_items(ShowParagraph, VoteButton)
    for command in COMMANDS:
        bot.tree.add_command(command)
