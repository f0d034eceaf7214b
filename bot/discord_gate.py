"""The gate: whether the bot may answer here and now, and whether it can say so the usual way.

It decides from the settings and the clock only (channels allowed, direct messages, per-user
cooldowns, questions that cannot be searched) and from the permissions Discord reports (Embed
Links, Send Messages, Create Public Threads), so every refusal is decided before any work is
done and is testable without a connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import discord

from config.settings import Settings
from retrieval import CitebotError
from retrieval.answering import prepare_question

from .discord_render import Payload, render_cooldown, render_notice

log = logging.getLogger("citebot.discord")

MAX_REMEMBERED_USERS = 10_000
"""Cooldowns kept before the ones long over are forgotten."""


def parent_or_self(channel: Any) -> set[int]:
    """A channel's id and, for a thread, its parent's: a thread counts as its parent."""
    return {i for i in (getattr(channel, "id", None), getattr(channel, "parent_id", None)) if i}


class Gate:
    """Channels, direct messages and cooldowns, from the settings and a clock."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self._asked_at: dict[int, float] = {}
        self._warned: set[int] = set()
        """Users already told to slow down during their current cooldown."""

    def channel_allowed(self, channel: Any) -> bool:
        allowed = self.settings.discord_channel_ids
        if not allowed:
            return True
        if channel is None:  # unknown channel: with an allowlist, not allowed
            return False
        return bool(parent_or_self(channel).intersection(allowed))

    def cooldown_left(self, user_id: int) -> float:
        last = self._asked_at.get(user_id)
        cooldown = self.settings.discord_cooldown_seconds
        return 0.0 if last is None else max(0.0, cooldown - (self.clock() - last))

    def start_cooldown(self, user_id: int) -> None:
        now, cooldown = self.clock(), self.settings.discord_cooldown_seconds
        if len(self._asked_at) > MAX_REMEMBERED_USERS:  # forget cooldowns long over
            self._asked_at = {u: t for u, t in self._asked_at.items() if now - t < cooldown}
        self._asked_at[user_id] = now
        self._warned.discard(user_id)

    def first_warning(self, user_id: int) -> bool:
        """True once per cooldown: one public "slow down" per cooldown, not one per message."""
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True

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

    @staticmethod
    def rejection(question: str) -> Payload | None:
        """A polite notice when the question cannot be searched, before any work is done; a
        rejected question costs the asker no cooldown."""
        try:
            prepare_question(question)
        except CitebotError as error:
            return render_notice(str(error))
        return None


class PermissionNotes:
    """Missing permissions are logged once per channel and permission, without a traceback:
    a channel that denies Send Messages would otherwise fill the log with one per question."""

    def __init__(self) -> None:
        self._noted: set[tuple[int, str]] = set()

    def note(self, channel_id: int | None, permission: str, what: str) -> None:
        key = (channel_id or 0, permission)
        if key in self._noted:
            return
        self._noted.add(key)
        log.warning(
            "missing permission %s in channel %s: %s (grant it to the bot's role in that "
            "channel; logged once per channel)",
            permission,
            channel_id,
            what,
        )

    def missing(self, channel_id: int | None, permissions: Iterable[str]) -> set[str]:
        return {p for p in permissions if (channel_id or 0, p) in self._noted}


def can_embed(channel: Any, guild: discord.Guild | None) -> bool:
    """Whether the bot may send embeds in ``channel`` (DMs: always). Without Embed Links
    Discord drops every embed silently, so the answer must go out as plain text."""
    if guild is None or channel is None or not hasattr(channel, "permissions_for"):
        return True
    me = guild.me
    if me is None:
        return True
    return bool(channel.permissions_for(me).embed_links)
