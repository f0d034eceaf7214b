"""A loopback Discord: just enough REST (under /api/v10) and gateway for the real discord.py.

The bot under test is the real discord.py client pointed here through ``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``; nothing in discord.py is mocked. Every REST request is
recorded (method, path, query, JSON body) so tests assert on exactly what the bot sent, and
tests inject gateway events (MESSAGE_CREATE, INTERACTION_CREATE) as Discord would.

Shapes follow discord.py 2.7's parsers (state.py, message.py, interactions.py, guild.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
from aiohttp import WSMsgType, web

from bot.discord_app import CitebotBot, point_at
from bot.feedback import FeedbackStore
from config.settings import Settings
from retrieval import Engine

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
GUILD_ID = 900000000000000003
BOT_ROLE_ID = 900000000000000009
CHANNEL_ID = 900000000000000004
OTHER_CHANNEL_ID = 900000000000000005
USER_ID = 900000000000000100
OWNER_ID = 900000000000000099
DM_CHANNEL_ID = 900000000000000006
TOKEN = "fake-token.for-tests.only"
TIMESTAMP = "2026-01-01T00:00:00.000000+00:00"

T = TypeVar("T")
_ids = itertools.count(910000000000000000)


def snowflake() -> int:
    return next(_ids)


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
        "permissions": "2248473465835073",
    }


def channel(channel_id: int, name: str = "general") -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def thread(thread_id: int, parent_id: int, name: str) -> dict[str, Any]:
    """A public thread the bot started from a message in ``parent_id``."""
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(GUILD_ID),
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


def guild() -> dict[str, Any]:
    return {
        "id": str(GUILD_ID),
        "name": "Test guild",
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
            {
                "id": str(GUILD_ID),
                "name": "@everyone",
                "permissions": "2248473465835073",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {  # the role Discord gives a bot when it joins; autocomplete often inserts it
                "id": str(BOT_ROLE_ID),
                "name": "citebot",
                "permissions": "274877991936",
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": True,
                "mentionable": True,
                "flags": 0,
                "tags": {"bot_id": str(BOT_ID)},
            },
        ],
        "channels": [channel(CHANNEL_ID), channel(OTHER_CHANNEL_ID, "other")],
        "threads": [],
        "members": [member(BOT_ID, "citebot", bot=True)],
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


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    status: int
    retry_after: float


@dataclass
class FakeDiscord:
    token: str = TOKEN
    requests: list[Recorded] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self.created: dict[int, dict[str, Any]] = {}
        """Every message and thread object the fake returned, by the request's index."""
        self._failures: list[Failure] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._commands: dict[str, dict[str, Any]] = {}

    # --- lifecycle ---

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
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
        """Answer the next ``times`` requests matching ``path`` (a regex) with ``status``."""
        self._failures.append(Failure(method, re.compile(path), times, status, retry_after))

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

    async def wait_connected(self, timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self.identifies)), timeout)

    def sent(self, path_part: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and path_part in r.path]

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        payload = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        for ws in list(self._sockets):
            await ws.send_str(json.dumps(payload))

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
        without any mention in the text, as Discord does."""
        message_id = str(snowflake())
        mention = f"<@&{BOT_ROLE_ID}>" if mention_role else f"<@{BOT_ID}>"
        text = f"{mention} {content}" if mention_bot else content
        mention_bot = (mention_bot and not mention_role) or bool(reply_to and ping)
        data: dict[str, Any] = {
            "id": message_id,
            "channel_id": str(DM_CHANNEL_ID if dm else channel_id),
            "author": user(author_id, "someone", bot),
            "content": text,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": "@everyone" in content,
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
                "guild_id": str(GUILD_ID),
            }
            data["referenced_message"] = reply_to
        if not dm:
            data["guild_id"] = str(GUILD_ID)
            data["member"] = {k: v for k, v in member(author_id).items() if k != "user"}
        await self.dispatch("MESSAGE_CREATE", data)
        return message_id

    def _interaction(
        self, kind: int, data: dict[str, Any], user_id: int, channel_id: int, dm: bool = False
    ) -> tuple[str, dict[str, Any]]:
        interaction_id = str(snowflake())
        token = f"interaction-token-{interaction_id}"
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": "en-US",
            "app_permissions": "2248473465835073",
            "attachment_size_limit": 8 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 1 if dm else 0,
        }
        if dm:
            payload["channel_id"] = str(DM_CHANNEL_ID)
            payload["channel"] = {"id": str(DM_CHANNEL_ID), "type": 1, "recipients": []}
            payload["user"] = user(user_id)
        else:
            payload["guild_id"] = str(GUILD_ID)
            payload["guild_locale"] = "en-US"
            payload["channel_id"] = str(channel_id)
            payload["channel"] = channel(channel_id)
            payload["member"] = member(user_id)
        return token, payload

    async def slash(
        self,
        name: str,
        options: dict[str, str | bool] | None = None,
        *,
        user_id: int = USER_ID,
        channel_id: int = CHANNEL_ID,
        dm: bool = False,
    ) -> str:
        """Send INTERACTION_CREATE for a chat-input command; returns the interaction token."""
        command = self._commands.get(name, {"id": str(snowflake())})
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [
                {"name": k, "type": 5 if isinstance(v, bool) else 3, "value": v}
                for k, v in (options or {}).items()
            ],
        }
        if not dm:
            data["guild_id"] = str(GUILD_ID)
        token, payload = self._interaction(2, data, user_id, channel_id, dm)
        await self.dispatch("INTERACTION_CREATE", payload)
        return token

    async def click(
        self, custom_id: str, message: dict[str, Any], *, user_id: int = USER_ID
    ) -> str:
        """Send INTERACTION_CREATE for a button press on ``message`` (as the bot sent it)."""
        data = {"custom_id": custom_id, "component_type": 2}
        token, payload = self._interaction(3, data, user_id, CHANNEL_ID)
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return token

    # --- REST ---

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # Exactly "application/json": with "; charset=utf-8" discord.py treats bodies as text.
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)

    def message_object(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
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
            "embeds": body.get("embeds") or [],
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
        record = Recorded(request.method, path, dict(request.query), body, dict(request.headers))
        response = self._respond(record)
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        if response.status == 200 and isinstance(response.body, bytes):
            self.created[len(self.requests) - 1] = json.loads(response.body)
        if re.fullmatch(r"/channels/\d+/messages/\d+/threads", path) and response.status == 200:
            await self.dispatch(
                "THREAD_CREATE", {**json.loads(response.body), "newly_created": True}
            )
        return response

    def response_to(self, recorded: Recorded) -> dict[str, Any]:
        """The object the fake answered ``recorded`` with (a message, a thread)."""
        return self.created[self.requests.index(recorded)]

    def _respond(self, r: Recorded) -> web.Response:
        for failure in self._failures:
            if failure.remaining and failure.method == r.method and failure.pattern.search(r.path):
                failure.remaining -= 1
                if failure.status == 429:
                    data: dict[str, Any] = {"message": "You are being rate limited."}
                    data |= {"global": False, "retry_after": failure.retry_after}
                    return self._json(data, 429, {"Via": "1.1 google"})
                return self._json({"message": "injected failure", "code": 0}, failure.status)

        authorised = r.headers.get("Authorization") == f"Bot {self.token}"
        needs_auth = not r.path.startswith(("/interactions/", "/webhooks/"))
        if needs_auth and not authorised:
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)

        body = r.body if isinstance(r.body, dict) else {}
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
            return self._json({"url": f"ws://127.0.0.1:{self.port}/gateway", "shards": 1})
        if r.method == "PUT" and re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", r.path):
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
                self._commands[command["name"]] = stored
                synced.append(stored)
            return self._json(synced)
        if r.method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages", r.path)):
            return self._json(self.message_object(m.group(1), body))
        if r.method == "POST" and (
            m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", r.path)
        ):
            return self._json(thread(snowflake(), int(m.group(1)), body.get("name", "")))
        if r.method == "POST" and re.fullmatch(r"/channels/\d+/typing", r.path):
            return web.Response(status=204)
        if r.method == "POST" and (
            m := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", r.path)
        ):
            kind = body.get("type", 0)
            message: dict[str, Any] = body.get("data") or {}
            flags: int = message.get("flags") or 0
            resource: dict[str, Any] = {"type": kind}
            if kind == 4:
                resource["message"] = self.message_object(str(CHANNEL_ID), message)
            return self._json(
                {
                    "interaction": {
                        "id": m.group(1),
                        "type": 2,
                        "response_message_loading": kind == 5,
                        "response_message_ephemeral": bool(flags & 64),
                    },
                    "resource": resource,
                }
            )
        if re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/[^/]+)?", r.path):
            return self._json(
                {**self.message_object(str(CHANNEL_ID), body), "guild_id": str(GUILD_ID)}
            )
        return self._json({"message": f"fake Discord has no {r.method} {r.path}", "code": 0}, 404)

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
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self._sockets.append(ws)
        ready = {
            "v": 10,
            "user": user(BOT_ID, "citebot", True),
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 0, "d": ready}))
        await ws.send_str(
            json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._sequence), "d": guild()})
        )
        async with self._changed:
            self.identifies.append(data)
            self._changed.notify_all()


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
    engine: Engine, *, feedback: FeedbackStore | None = None, **overrides: Any
) -> AsyncIterator[tuple[FakeDiscord, CitebotBot]]:
    """The real bot, connected to a fresh fake Discord, ready (guilds loaded, commands synced);
    with ``feedback``, its answers get 👍/👎 buttons stored there."""
    fake = await FakeDiscord().start()
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

    def __init__(self, token: str = TOKEN) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.token = token
        self.fake: FakeDiscord

    def __enter__(self) -> ThreadedFake:
        self.thread.start()
        self.fake = self.call(self._start())
        return self

    async def _start(self) -> FakeDiscord:
        return await FakeDiscord(token=self.token).start()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        self.call(self.fake.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
