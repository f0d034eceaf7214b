"""A loopback Discord that behaves like Discord: REST (under /api/v10) and gateway for the real
discord.py, and as strict as Discord where a bot can go wrong.

The bot under test is the real discord.py client pointed here through ``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``; nothing in discord.py is mocked. Every REST request is
recorded (method, path, query, JSON body) so tests assert on exactly what the bot sent, and
tests inject gateway events (MESSAGE_CREATE, INTERACTION_CREATE) as Discord would.

Where Discord is strict, so is the fake (each rule cites Discord's documentation):

* every message, interaction response, command registration and thread name is checked
  against the documented limits; a violation is answered 400 ``{"code": 50035}`` "Invalid Form
  Body" with the failing field, and an empty message 400 code 50006;
* an interaction answered after its deadline (3 s; ``interaction_deadline``) gets 404 code
  10062 "Unknown interaction", a second initial response 400 code 40060, and a follow-up
  before any response 404 code 10015 "Unknown Webhook";
* channel permissions apply: without Send Messages a channel message is 403 code 50013, a
  thread without Create Public Threads 403 code 50013, and without Embed Links the embeds are
  silently dropped (channel messages and interaction responses alike, as Discord does);
* a message's content is empty unless the Message Content intent was identified with, the bot
  user itself is mentioned, or it is a DM (mentioning the bot's *role* does not count);
* the gateway asks for a shard count (``GET /gateway/bot``), sends each shard only its guilds'
  events, closes with 4011 when sharding is required but missing and with 4014 when a
  privileged intent is not allowed, and RESUMEs a dropped session, replaying missed events;
* 429 with ``retry_after`` on request (``fail``).

Shapes follow discord.py 2.7's parsers (state.py, message.py, interactions.py, guild.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
from aiohttp import WSMsgType, web

from bot.discord_app import CitebotBot, point_at
from bot.feedback import FeedbackStore
from config.settings import Settings

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
GUILD_ID = 900000000000000003
"""On shard 1 of 2 ((id >> 22) % 2 == 1)."""
OTHER_GUILD_ID = GUILD_ID + (1 << 22)
"""A second server, on shard 0 of 2."""
BOT_ROLE_ID = 900000000000000009
CHANNEL_ID = 900000000000000004
OTHER_CHANNEL_ID = 900000000000000005
OTHER_GUILD_CHANNEL_ID = 900000000000000007
USER_ID = 900000000000000100
ADMIN_ID = 900000000000000098
"""A member with Manage Server."""
OWNER_ID = 900000000000000099
DM_CHANNEL_ID = 900000000000000006
TOKEN = "fake-token.for-tests.only"
TIMESTAMP = "2026-01-01T00:00:00.000000+00:00"

# Permission bits (https://discord.com/developers/docs/topics/permissions)
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
CREATE_PUBLIC_THREADS = 1 << 35
MESSAGE_CONTENT_INTENT = 1 << 15
MEMBER_PERMISSIONS = 2248473465835073
"""@everyone's permissions: no Manage Server."""
BOT_ROLE_PERMISSIONS = 274877991936
ALL_PERMISSIONS = (1 << 51) - 1
INTERACTION_DEADLINE = 3.0
"""Discord's: an interaction not answered within 3 s is gone (10062 "Unknown interaction")."""

T = TypeVar("T")
_ids = itertools.count(910000000000000000)


def snowflake() -> int:
    return next(_ids)


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """Discord's rule: a guild's events go to shard ``(guild_id >> 22) % shard_count``; DMs
    to shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % shard_count


def user(user_id: int, name: str = "someone", bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member_permissions(user_id: int) -> int:
    return {OWNER_ID: ALL_PERMISSIONS, ADMIN_ID: MEMBER_PERMISSIONS | MANAGE_GUILD}.get(
        user_id, MEMBER_PERMISSIONS
    )


def member(user_id: int, name: str = "someone", bot: bool = False) -> dict[str, Any]:
    return {
        "user": user(user_id, name, bot),
        "roles": [],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "permissions": str(member_permissions(user_id)),
    }


def channel(
    channel_id: int, name: str = "general", guild_id: int = GUILD_ID, deny: int = 0
) -> dict[str, Any]:
    """A text channel; ``deny``: permissions denied to the bot there (an overwrite)."""
    overwrites = [{"id": str(BOT_ID), "type": 1, "allow": "0", "deny": str(deny)}] if deny else []
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": overwrites,
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def thread(thread_id: int, parent_id: int, name: str, guild_id: int = GUILD_ID) -> dict[str, Any]:
    """A public thread the bot started from a message in ``parent_id``."""
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(guild_id),
        "name": name,
        "parent_id": str(parent_id),
        "owner_id": str(BOT_ID),
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
        },
    }


def role(role_id: int, name: str, permissions: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": 1 if extra else 0,
        "color": 0,
        "hoist": False,
        "managed": bool(extra),
        "mentionable": bool(extra),
        "flags": 0,
        **extra,
    }


def guild(guild_id: int = GUILD_ID, channels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if channels is None:
        channels = [channel(CHANNEL_ID), channel(OTHER_CHANNEL_ID, "other")]
    return {
        "id": str(guild_id),
        "name": "Test guild" if guild_id == GUILD_ID else f"Guild {guild_id}",
        "icon": None,
        "owner_id": str(OWNER_ID),
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            role(guild_id, "@everyone", MEMBER_PERMISSIONS),
            # The role Discord gives a bot when it joins; autocomplete often inserts it.
            role(BOT_ROLE_ID, "citebot", BOT_ROLE_PERMISSIONS, tags={"bot_id": str(BOT_ID)}),
        ],
        "channels": channels,
        "threads": [],
        "members": [{**member(BOT_ID, "citebot", bot=True), "roles": [str(BOT_ROLE_ID)]}],
        "voice_states": [],
        "presences": [],
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": TIMESTAMP,
        "system_channel_flags": 0,
    }


@dataclass
class Recorded:
    method: str
    path: str
    """Relative to /api/v10, e.g. ``/channels/123/messages``."""
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int = 0
    """What the fake answered."""
    at: float = 0.0
    """When it arrived (time.monotonic())."""


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    status: int
    retry_after: float


@dataclass
class Interaction:
    """An interaction the fake sent: answerable within the deadline, once."""

    created: float
    channel_id: int
    guild_id: int | None
    app_permissions: int
    acknowledged_at: float | None = None


@dataclass
class Socket:
    ws: web.WebSocketResponse
    shard: int
    shard_count: int
    intents: int
    session_id: str


# --- the documented limits (https://discord.com/developers/docs/resources/message) ---

_NAME = re.compile(r"^[-_\w]{1,32}$")


class Problems:
    """Collects failures in Discord's ``errors`` shape: nested by field, ``_errors`` leaves."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: str, code: str, message: str) -> None:
        node = self.errors
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def length(self, path: str, value: Any, low: int, high: int) -> None:
        if not isinstance(value, str):
            if value is not None or low > 0:
                self.add(path, "BASE_TYPE_STRING", "Must be a string.")
            return
        if not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def most(self, path: str, items: Any, high: int) -> list[Any]:
        if not isinstance(items, list):
            if items is not None:
                self.add(path, "BASE_TYPE_LIST", "Must be a list.")
            return []
        if len(items) > high:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
        return items


def _check_embeds(problems: Problems, embeds: list[Any]) -> None:
    total = 0
    for i, embed in enumerate(problems.most("embeds", embeds, 10)):
        at = f"embeds.{i}"
        title, description = embed.get("title"), embed.get("description")
        footer = (embed.get("footer") or {}).get("text")
        author = (embed.get("author") or {}).get("name")
        for name, value, high in (
            ("title", title, 256),
            ("description", description, 4096),
            ("footer.text", footer, 2048),
            ("author.name", author, 256),
        ):
            if value is not None:
                problems.length(f"{at}.{name}", value, 1 if name == "footer.text" else 0, high)
                total += len(value) if isinstance(value, str) else 0
        if "url" in embed and not re.match(r"https?://", str(embed["url"])):
            problems.add(f"{at}.url", "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        for j, item in enumerate(problems.most(f"{at}.fields", embed.get("fields"), 25)):
            problems.length(f"{at}.fields.{j}.name", item.get("name"), 1, 256)
            problems.length(f"{at}.fields.{j}.value", item.get("value"), 1, 1024)
            total += len(item.get("name") or "") + len(item.get("value") or "")
    if total > 6000:
        problems.add("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _check_components(problems: Problems, rows: Any) -> None:
    seen: set[str] = set()
    for i, row in enumerate(problems.most("components", rows, 5)):
        if row.get("type") != 1:
            problems.add(f"components.{i}.type", "UNION_TYPE_CHOICES", "Must be an action row.")
            continue
        for j, button in enumerate(
            problems.most(f"components.{i}.components", row.get("components"), 5)
        ):
            at = f"components.{i}.components.{j}"
            if button.get("label") is not None:
                problems.length(f"{at}.label", button["label"], 0, 80)
            custom_id = button.get("custom_id")
            if button.get("style") != 5:
                problems.length(f"{at}.custom_id", custom_id, 1, 100)
                if custom_id in seen:
                    problems.add(f"{at}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "duplicate")
                seen.add(custom_id)


def message_problems(body: Any, *, for_edit: bool = False) -> tuple[int, dict[str, Any]] | None:
    """Why Discord would reject ``body`` as a message (its code and errors), or None."""
    if not isinstance(body, dict):
        return 50035, {"_errors": [{"code": "DICT_TYPE_CONVERT", "message": "Must be an object"}]}
    problems = Problems()
    if body.get("content") is not None:
        problems.length("content", body["content"], 0, 2000)
    _check_embeds(problems, body.get("embeds"))
    _check_components(problems, body.get("components"))
    mentions = body.get("allowed_mentions")
    if mentions is not None and not set(mentions.get("parse") or []) <= {
        "users",
        "roles",
        "everyone",
    }:
        problems.add("allowed_mentions.parse", "ENUM_TYPE_COERCE", "Not a valid choice.")
    if problems.errors:
        return 50035, problems.errors
    has_something = body.get("content") or body.get("embeds") or body.get("components")
    if not has_something and not for_edit and not body.get("attachments") and not body.get("poll"):
        return 50006, {}
    return None


def command_problems(commands: Any) -> dict[str, Any] | None:
    """Why Discord would refuse this list of application commands (50035 errors), or None."""
    problems = Problems()
    for i, command in enumerate(
        problems.most("", commands, 100) if isinstance(commands, list) else []
    ):
        at = str(i)
        if (
            not _NAME.match(str(command.get("name", "")))
            or command["name"] != command["name"].lower()
        ):
            problems.add(f"{at}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name.")
        problems.length(f"{at}.description", command.get("description"), 1, 100)
        permissions = command.get("default_member_permissions")
        if permissions is not None and not str(permissions).isdigit():
            problems.add(f"{at}.default_member_permissions", "NUMBER_TYPE_COERCE", "Not a number.")
        optional_seen = False
        for j, option in enumerate(problems.most(f"{at}.options", command.get("options"), 25)):
            where = f"{at}.options.{j}"
            if not _NAME.match(str(option.get("name", ""))):
                problems.add(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name.")
            problems.length(f"{where}.description", option.get("description"), 1, 100)
            if option.get("required") and optional_seen:
                problems.add(where, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "order")
            optional_seen = optional_seen or not option.get("required")
            if option.get("autocomplete") and option.get("choices"):
                problems.add(where, "AUTOCOMPLETE_AND_CHOICES", "Both set.")
            problems.most(f"{where}.choices", option.get("choices"), 25)
    if not isinstance(commands, list):
        problems.add("", "BASE_TYPE_LIST", "Must be a list.")
    return problems.errors or None


def choices_problems(choices: Any) -> dict[str, Any] | None:
    problems = Problems()
    for i, choice in enumerate(problems.most("choices", choices, 25)):
        problems.length(f"choices.{i}.name", choice.get("name"), 1, 100)
        problems.length(f"choices.{i}.value", str(choice.get("value")), 1, 100)
    return problems.errors or None


@dataclass
class FakeDiscord:
    token: str = TOKEN
    requests: list[Recorded] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    shards: int = 1
    """What ``GET /gateway/bot`` recommends."""
    require_sharding: bool = False
    """Close an IDENTIFY with fewer than ``shards`` shards with 4011, as Discord does."""
    message_content_allowed: bool = True
    """Whether the portal allows the Message Content intent (4014 if asked and not)."""
    interaction_deadline: float = INTERACTION_DEADLINE
    guild_ids: tuple[int, ...] = (GUILD_ID,)

    def __post_init__(self) -> None:
        self.created: dict[int, dict[str, Any]] = {}
        """Every message and thread object the fake returned, by the request's index."""
        self.channels: dict[int, dict[str, Any]] = {}
        """Every guild channel and thread, by id."""
        self.guilds: dict[int, dict[str, Any]] = {}
        for guild_id in self.guild_ids:
            channels = (
                [channel(CHANNEL_ID), channel(OTHER_CHANNEL_ID, "other")]
                if guild_id == GUILD_ID
                else [channel(OTHER_GUILD_CHANNEL_ID, "elsewhere", guild_id)]
            )
            self.guilds[guild_id] = guild(guild_id, channels)
            self.channels.update({int(c["id"]): c for c in channels})
        self.denied: dict[int, int] = {}
        self.interactions: dict[str, Interaction] = {}
        self.history: list[tuple[int, int | None, dict[str, Any]]] = []
        """Every dispatched event: (sequence, guild id, payload), replayed on RESUME."""
        self._failures: list[Failure] = []
        self._sockets: list[Socket] = []
        self._changed = asyncio.Condition()
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._commands: dict[str, dict[str, Any]] = {}
        self.resumes = 0

    # --- lifecycle ---

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- test controls ---

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.05,
    ) -> None:
        """Answer the next ``times`` requests matching ``path`` (a regex) with ``status``
        (status 200 with ``path`` of a command sync: a malformed body)."""
        self._failures.append(Failure(method, re.compile(path), times, status, retry_after))

    async def deny(self, channel_id: int, permissions: int) -> None:
        """Deny the bot ``permissions`` in a channel (and its threads), telling a connected bot
        with CHANNEL_UPDATE as Discord does."""
        self.denied[channel_id] = self.denied.get(channel_id, 0) | permissions
        old = self.channels[channel_id]
        guild_id = int(old["guild_id"])
        new = channel(channel_id, old["name"], guild_id, self.denied[channel_id])
        self.channels[channel_id] = new
        self.guilds[guild_id]["channels"] = [
            new if c["id"] == new["id"] else c for c in self.guilds[guild_id]["channels"]
        ]
        if self._sockets:
            await self.dispatch("CHANNEL_UPDATE", new, guild_id)
            await self.settle()

    def bot_permissions(self, channel_id: int) -> int:
        """The bot's permissions in a channel or thread (a thread has its parent's)."""
        found = self.channels.get(channel_id) or {}
        parent = int(found.get("parent_id") or channel_id)
        return (MEMBER_PERMISSIONS | BOT_ROLE_PERMISSIONS) & ~self.denied.get(parent, 0)

    async def add_thread(self, parent_id: int, name: str = "a thread") -> int:
        """A thread someone else started in ``parent_id`` (THREAD_CREATE)."""
        guild_id = int(self.channels[parent_id]["guild_id"])
        made = thread(snowflake(), parent_id, name, guild_id)
        self.channels[int(made["id"])] = made
        await self.dispatch("THREAD_CREATE", {**made, "newly_created": True}, guild_id)
        await self.settle()
        return int(made["id"])

    async def settle(self) -> None:
        """Let a connected bot process what was dispatched so far (a round trip: a heartbeat
        is answered only after every earlier frame is read)."""
        await asyncio.sleep(0.05)

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway connection as a network blip would: the bot must RESUME."""
        for socket in list(self._sockets):
            self._sockets.remove(socket)
            await socket.ws.close(code=code)

    async def wait_for(
        self, predicate: Callable[[Recorded], bool], count: int = 1, timeout: float = 10.0
    ) -> list[Recorded]:
        """The first ``count`` recorded requests matching ``predicate``, waiting up to timeout."""

        def matching() -> list[Recorded]:
            return [r for r in self.requests if predicate(r)]

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(matching()) >= count), timeout
            )
            return matching()[:count]

    async def wait_connected(self, timeout: float = 10.0, count: int = 1) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.identifies) >= count), timeout
            )

    def sent(self, path_part: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and path_part in r.path]

    async def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        """Send a gateway event to the shard that owns ``guild_id`` (taken from ``data`` when
        not given; DMs go to shard 0); kept for RESUME."""
        if guild_id is None and data.get("guild_id"):
            guild_id = int(data["guild_id"])
        sequence = next(self._sequence)
        payload = {"op": 0, "t": event, "s": sequence, "d": data}
        self.history.append((sequence, guild_id, payload))
        for socket in list(self._sockets):
            if shard_of(guild_id, socket.shard_count) == socket.shard:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await socket.ws.send_str(json.dumps(payload))

    def _content_visible(self, mentioned: bool, dm: bool, guild_id: int | None) -> bool:
        """Discord's rule: content reaches a bot without the Message Content intent only in
        DMs and in messages that mention the bot user itself (not its role)."""
        if dm or mentioned:
            return True
        owners = [s for s in self._sockets if shard_of(guild_id, s.shard_count) == s.shard]
        return any(s.intents & MESSAGE_CONTENT_INTENT for s in owners)

    async def message(
        self,
        content: str,
        *,
        author_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
        mention_bot: bool = True,
        mention_role: bool = False,
        bot: bool = False,
        dm: bool = False,
        reply_to: dict[str, Any] | None = None,
        ping: bool = True,
    ) -> str:
        """Send MESSAGE_CREATE; a mention of the bot (or, with ``mention_role``, of its managed
        role) is prepended when ``mention_bot``. With ``reply_to`` (a message object) it is a
        reply to that message, which, with ``ping`` (Discord's default), mentions its author
        without any mention in the text, as Discord does. Its content arrives empty where
        Discord would send it empty (no intent, no mention of the bot user, not a DM)."""
        message_id = str(snowflake())
        mention = f"<@&{BOT_ROLE_ID}>" if mention_role else f"<@{BOT_ID}>"
        text = f"{mention} {content}" if mention_bot else content
        mention_bot = (mention_bot and not mention_role) or bool(reply_to and ping)
        guild_id = None if dm else int(self.channels.get(channel_id, {}).get("guild_id", GUILD_ID))
        if not self._content_visible(mention_bot, dm, guild_id):
            text = ""
        data: dict[str, Any] = {
            "id": message_id,
            "channel_id": str(DM_CHANNEL_ID if dm else channel_id),
            "author": user(author_id, "someone", bot),
            "content": text,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": "@everyone" in text,
            "mentions": [user(BOT_ID, "citebot", True)] if mention_bot else [],
            "mention_roles": [str(BOT_ROLE_ID)] if mention_role else [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if reply_to is not None:
            data["type"] = 19
            data["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                "guild_id": str(guild_id),
            }
            data["referenced_message"] = reply_to
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
            data["member"] = {k: v for k, v in member(author_id).items() if k != "user"}
        await self.dispatch("MESSAGE_CREATE", data, guild_id)
        return message_id

    def _interaction(
        self, kind: int, data: dict[str, Any], user_id: int, channel_id: int, dm: bool = False
    ) -> tuple[str, dict[str, Any]]:
        interaction_id = str(snowflake())
        token = f"interaction-token-{interaction_id}"
        where = self.channels.get(channel_id) or channel(channel_id)
        guild_id = None if dm else int(where["guild_id"])
        permissions = ALL_PERMISSIONS if dm else self.bot_permissions(channel_id)
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": "en-US",
            "app_permissions": str(permissions),
            "attachment_size_limit": 8 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id or GUILD_ID)},
            "context": 1 if dm else 0,
        }
        if dm:
            payload["channel_id"] = str(DM_CHANNEL_ID)
            payload["channel"] = {"id": str(DM_CHANNEL_ID), "type": 1, "recipients": []}
            payload["user"] = user(user_id)
        else:
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["channel_id"] = str(channel_id)
            payload["channel"] = where
            payload["member"] = member(user_id)
        self.interactions[token] = Interaction(time.monotonic(), channel_id, guild_id, permissions)
        return token, payload

    def command(self, name: str, guild_id: int | None = GUILD_ID) -> dict[str, Any]:
        """The command as registered (for a guild, else globally); KeyError if never synced."""
        return self._commands.get(f"{guild_id}:{name}") or self._commands[f"None:{name}"]

    def _options(
        self, values: dict[str, str | bool] | None, focused: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            {"name": k, "type": 5 if isinstance(v, bool) else 3, "value": v}
            | ({"focused": True} if k == focused else {})
            for k, v in (values or {}).items()
        ]

    async def slash(
        self,
        name: str,
        options: dict[str, str | bool] | None = None,
        *,
        user_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
        dm: bool = False,
        kind: int = 2,
        focused: str | None = None,
    ) -> str:
        """Send INTERACTION_CREATE for a chat-input command (``kind`` 4: an autocomplete for
        the ``focused`` option); returns the interaction token. A command the member may not
        see (``default_member_permissions``) raises PermissionError: Discord would not offer it."""
        guild_id = None if dm else int(self.channels.get(channel_id, {}).get("guild_id", GUILD_ID))
        try:
            command = self.command(name, guild_id)
        except KeyError:
            command = {"id": str(snowflake())}
        needed = int(command.get("default_member_permissions") or 0)
        if not dm and needed and member_permissions(user_id) & needed != needed:
            raise PermissionError(f"Discord does not show /{name} to this member")
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": self._options(options, focused),
        }
        if not dm:
            data["guild_id"] = str(guild_id)
        token, payload = self._interaction(kind, data, user_id, channel_id, dm)
        await self.dispatch("INTERACTION_CREATE", payload, guild_id)
        return token

    async def click(
        self,
        custom_id: str,
        message: dict[str, Any],
        *,
        user_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
    ) -> str:
        """Send INTERACTION_CREATE for a button press on ``message`` (as the bot sent it)."""
        data = {"custom_id": custom_id, "component_type": 2}
        token, payload = self._interaction(3, data, user_id, channel_id)
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return token

    # --- REST ---

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # Exactly "application/json": with "; charset=utf-8" discord.py treats bodies as text.
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)

    @classmethod
    def _error(cls, status: int, code: int, message: str, errors: Any = None) -> web.Response:
        body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            body["errors"] = errors
        return cls._json(body, status)

    def message_object(
        self, channel_id: str, body: dict[str, Any], embeds_allowed: bool = True
    ) -> dict[str, Any]:
        return {
            "id": str(snowflake()),
            "channel_id": channel_id,
            "author": user(BOT_ID, "citebot", True),
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": (body.get("embeds") or []) if embeds_allowed else [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0 if "message_reference" not in body else 19,
            "flags": body.get("flags") or 0,
        }

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        record = Recorded(
            request.method, path, dict(request.query), body, dict(request.headers),
            at=time.monotonic(),
        )  # fmt: skip
        response = self._respond(record)
        record.status = response.status
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        if response.status == 200 and isinstance(response.body, bytes):
            with contextlib.suppress(ValueError):
                self.created[len(self.requests) - 1] = json.loads(response.body)
        if re.fullmatch(r"/channels/\d+/messages/\d+/threads", path) and response.status == 200:
            made = json.loads(response.body)  # type: ignore[arg-type]
            self.channels[int(made["id"])] = made
            await self.dispatch("THREAD_CREATE", {**made, "newly_created": True})
        return response

    def response_to(self, recorded: Recorded) -> dict[str, Any]:
        """The object the fake answered ``recorded`` with (a message, a thread)."""
        return self.created[self.requests.index(recorded)]

    def _injected(self, r: Recorded) -> web.Response | None:
        for failure in self._failures:
            if failure.remaining and failure.method == r.method and failure.pattern.search(r.path):
                failure.remaining -= 1
                if failure.status == 429:
                    data: dict[str, Any] = {"message": "You are being rate limited."}
                    data |= {"global": False, "retry_after": failure.retry_after}
                    return self._json(data, 429, {"Via": "1.1 google"})
                if failure.status == 200:  # a malformed success: not what was asked for
                    return self._json({"unexpected": True})
                return self._error(failure.status, 0, "injected failure")
        return None

    def _respond(self, r: Recorded) -> web.Response:
        injected = self._injected(r)
        if injected is not None:
            return injected
        authorised = r.headers.get("Authorization") == f"Bot {self.token}"
        needs_auth = not r.path.startswith(("/interactions/", "/webhooks/"))
        if needs_auth and not authorised:
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)
        body = r.body if isinstance(r.body, dict) else {}
        for handler in (self._application, self._channels, self._interactions):
            response = handler(r, body)
            if response is not None:
                return response
        return self._error(404, 0, f"fake Discord has no {r.method} {r.path}")

    def _application(self, r: Recorded, body: dict[str, Any]) -> web.Response | None:
        if r.method == "GET" and r.path == "/users/@me":
            return self._json(user(BOT_ID, "citebot", True))
        if r.method == "GET" and r.path == "/oauth2/applications/@me":
            return self._json(
                {
                    "id": str(APP_ID),
                    "name": "citebot",
                    "icon": None,
                    "description": "",
                    "rpc_origins": [],
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": user(OWNER_ID, "owner"),
                    "summary": "",
                    "verify_key": "0" * 64,
                    "flags": 0,
                    "team": None,
                }
            )
        if r.method == "GET" and r.path in ("/gateway", "/gateway/bot"):
            limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            return self._json(
                {"url": self.gateway_url, "shards": self.shards, "session_start_limit": limits}
            )
        if r.method == "PUT" and (
            m := re.fullmatch(r"/applications/\d+(?:/guilds/(\d+))?/commands", r.path)
        ):
            if m.group(1) and int(m.group(1)) not in self.guilds:
                return self._error(403, 50001, "Missing Access")
            if (errors := command_problems(r.body)) is not None:
                return self._error(400, 50035, "Invalid Form Body", errors)
            synced = []
            for command in r.body or []:
                stored = {
                    "id": str(snowflake()),
                    "application_id": str(APP_ID),
                    "version": "1",
                    "type": 1,
                    "default_member_permissions": None,
                    "dm_permission": True,
                    "nsfw": False,
                    "options": [],
                    **command,
                }
                if m.group(1):
                    stored["guild_id"] = m.group(1)
                self._commands[f"{m.group(1)}:{command['name']}"] = stored
                synced.append(stored)
            return self._json(synced)
        return None

    def _channels(self, r: Recorded, body: dict[str, Any]) -> web.Response | None:
        if r.method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages", r.path)):
            permissions = self.bot_permissions(int(m.group(1)))
            if not permissions & VIEW_CHANNEL:
                return self._error(403, 50001, "Missing Access")
            if not permissions & SEND_MESSAGES:
                return self._error(403, 50013, "Missing Permissions")
            if (problem := message_problems(r.body)) is not None:
                code, errors = problem
                text = "Invalid Form Body" if code == 50035 else "Cannot send an empty message"
                return self._error(400, code, text, errors)
            return self._json(
                self.message_object(m.group(1), body, bool(permissions & EMBED_LINKS))
            )
        if r.method == "PATCH" and (m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", r.path)):
            permissions = self.bot_permissions(int(m.group(1)))
            if (problem := message_problems(r.body, for_edit=True)) is not None:
                return self._error(400, problem[0], "Invalid Form Body", problem[1])
            edited = self.message_object(m.group(1), body, bool(permissions & EMBED_LINKS))
            return self._json({**edited, "id": m.group(2), "edited_timestamp": TIMESTAMP})
        if r.method == "POST" and (
            m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", r.path)
        ):
            parent = int(m.group(1))
            if not self.bot_permissions(parent) & CREATE_PUBLIC_THREADS:
                return self._error(403, 50013, "Missing Permissions")
            problems = Problems()
            problems.length("name", body.get("name"), 1, 100)
            if problems.errors:
                return self._error(400, 50035, "Invalid Form Body", problems.errors)
            guild_id = int(self.channels.get(parent, {}).get("guild_id", GUILD_ID))
            return self._json(thread(snowflake(), parent, body["name"], guild_id))
        if r.method == "POST" and re.fullmatch(r"/channels/\d+/typing", r.path):
            return web.Response(status=204)
        return None

    def _interactions(self, r: Recorded, body: dict[str, Any]) -> web.Response | None:
        if r.method == "POST" and (
            m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", r.path)
        ):
            return self._callback(m.group(1), m.group(2), body)
        if m := re.fullmatch(r"/webhooks/\d+/([^/]+)(/messages/[^/]+)?", r.path):
            state = self.interactions.get(m.group(1))
            if state is None or state.acknowledged_at is None:
                return self._error(404, 10015, "Unknown Webhook")
            if r.method in ("POST", "PATCH"):
                problem = message_problems(r.body, for_edit=r.method == "PATCH")
                if problem is not None:
                    return self._error(400, problem[0], "Invalid Form Body", problem[1])
            embeds = bool(state.app_permissions & EMBED_LINKS)
            made = self.message_object(str(state.channel_id), body, embeds)
            return self._json({**made, "guild_id": str(state.guild_id or GUILD_ID)})
        return None

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> web.Response:
        state = self.interactions.get(token)
        now = time.monotonic()
        if state is None or now - state.created > self.interaction_deadline:
            return self._error(404, 10062, "Unknown interaction")
        if state.acknowledged_at is not None:
            return self._error(400, 40060, "Interaction has already been acknowledged.")
        kind = body.get("type", 0)
        message: dict[str, Any] = body.get("data") or {}
        if kind in (4, 7) and (problem := message_problems(message)) is not None:
            return self._error(400, problem[0], "Invalid Form Body", {"data": problem[1]})
        if kind == 8 and (errors := choices_problems(message.get("choices"))) is not None:
            return self._error(400, 50035, "Invalid Form Body", {"data": errors})
        state.acknowledged_at = now
        flags: int = message.get("flags") or 0
        resource: dict[str, Any] = {"type": kind}
        if kind == 4:
            embeds = bool(state.app_permissions & EMBED_LINKS)
            resource["message"] = self.message_object(str(state.channel_id), message, embeds)
        return self._json(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(flags & 64),
                },
                "resource": resource,
            }
        )

    def acknowledged_in(self, token: str) -> float | None:
        """Seconds from sending the interaction to its (accepted) acknowledgement."""
        state = self.interactions[token]
        return None if state.acknowledged_at is None else state.acknowledged_at - state.created

    # --- gateway ---

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op = message.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, message["d"])
            elif op == 6:
                await self._resume(ws, message["d"])
        for socket in [s for s in self._sockets if s.ws is ws]:
            self._sockets.remove(socket)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        shard, count = data.get("shard") or [0, 1]
        intents = int(data.get("intents", 0))
        if data.get("token") != self.token and data.get("token") != f"Bot {self.token}":
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if self.require_sharding and count < self.shards:
            await ws.close(code=4011, message=b"Sharding required.")
            return
        if not 0 <= shard < count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return
        if intents & MESSAGE_CONTENT_INTENT and not self.message_content_allowed:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session_id = f"fake-session-{shard}-{snowflake()}"
        self._sockets.append(Socket(ws, shard, count, intents, session_id))
        mine = [g for g in self.guilds if shard_of(g, count) == shard]
        ready = {
            "v": 10,
            "user": user(BOT_ID, "citebot", True),
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "shard": [shard, count],
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 0, "d": ready}))
        for guild_id in mine:
            payload = {"op": 0, "t": "GUILD_CREATE", "s": next(self._sequence)}
            await ws.send_str(json.dumps({**payload, "d": self.guilds[guild_id]}))
        async with self._changed:
            self.identifies.append(data)
            self._changed.notify_all()

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        """Replay what the session missed (events after its last sequence), then RESUMED."""
        found = re.fullmatch(r"fake-session-(\d+)-\d+", str(data.get("session_id")))
        if found is None or data.get("token") not in (self.token, f"Bot {self.token}"):
            await ws.send_str(json.dumps({"op": 9, "d": False}))  # invalid session
            return
        shard = int(found.group(1))
        count = max(
            [
                len(i.get("shard") or [0, 1]) and (i.get("shard") or [0, 1])[1]
                for i in self.identifies
            ]
            or [1]
        )
        intents = max([int(i.get("intents", 0)) for i in self.identifies] or [0])
        self._sockets.append(Socket(ws, shard, count, intents, str(data["session_id"])))
        last = int(data.get("seq") or 0)
        for sequence, guild_id, payload in list(self.history):
            if sequence > last and shard_of(guild_id, count) == shard:
                await ws.send_str(json.dumps(payload))
        await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": next(self._sequence), "d": {}}))
        self.resumes += 1


# --- harnesses ---


def bot_settings(**overrides: Any) -> Settings:
    """Settings for a bot under test: every Discord field explicit, so a developer's own
    CITEBOT_DISCORD_* environment or .env cannot change what the tests see."""
    values: dict[str, Any] = {
        "discord_token": TOKEN,
        "discord_guild_ids": [GUILD_ID],
        "discord_channel_ids": [],
        "discord_allow_dms": True,
        "discord_cooldown_seconds": 0.0,
        "discord_log_questions": False,
        "discord_answer_in_thread": False,
        "discord_message_content": False,
        "discord_api_url": "http://127.0.0.1:1/api/v10",
        "discord_gateway_url": "ws://127.0.0.1:1/gateway",
        "discord_shard_count": None,
        "discord_shard_ids": [],
        "metrics_addr": None,
        "feedback_db": None,  # never the developer's own ~/.local/state/citebot
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.contextmanager
def discord_pointed_at(api_url: str, gateway_url: str) -> Iterator[None]:
    """discord.py's endpoints are class attributes: set them for one test, then restore."""
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    point_at(api_url, gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


@contextlib.asynccontextmanager
async def running_bot(
    engine: Any,
    *,
    feedback: FeedbackStore | None = None,
    fake_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[tuple[FakeDiscord, CitebotBot]]:
    """The real bot, connected to a fresh fake Discord, ready (guilds loaded, commands synced);
    with ``feedback``, its answers get 👍/👎 buttons stored there. ``engine`` may be a corpus
    router; ``fake_options`` configure the fake (shards, deadlines, guilds)."""
    fake = await FakeDiscord(**(fake_options or {})).start()
    settings = bot_settings(
        discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url, **overrides
    )
    bot = CitebotBot(engine, settings, guild_ready_timeout=0.05, feedback=feedback)
    try:
        with discord_pointed_at(fake.api_url, fake.gateway_url):
            async with bot:
                runner = asyncio.create_task(bot.start(TOKEN))
                ready = asyncio.create_task(bot.wait_until_ready())
                done, _ = await asyncio.wait(
                    {runner, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED
                )
                if ready not in done:
                    ready.cancel()
                    if runner in done:
                        runner.result()  # raises what stopped the bot
                    raise TimeoutError("the bot did not become ready")
                try:
                    yield fake, bot
                finally:
                    await bot.close()
                    await asyncio.wait_for(runner, 10)
    finally:
        await fake.stop()


class ThreadedFake:
    """A FakeDiscord on its own event loop in a thread, for a bot that owns the main loop
    (``run()``, a subprocess, the stall benchmark measuring only the bot's loop)."""

    def __init__(self, token: str = TOKEN, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.token = token
        self.options = options
        self.fake: FakeDiscord

    def __enter__(self) -> ThreadedFake:
        self.thread.start()
        self.fake = self.call(self._start())
        return self

    async def _start(self) -> FakeDiscord:
        return await FakeDiscord(token=self.token, **self.options).start()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        self.call(self.fake.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
