"""``citebot discord``: start the bot, serve until stopped, and end every known start-up failure
with one line that names the cause and what to do, and a documented exit code:

====  ==================================================================================
0     stopped (SIGTERM, SIGINT)
2     a setting is wrong: no token, a malformed or rejected token (401, gateway 4004), an
      unusable feedback database, a malformed ``CITEBOT_METRICS_ADDR``
3     Discord cannot be reached (no network, DNS, the gateway refusing connections)
4     a privileged intent is not enabled in the Developer Portal (gateway 4014, 4013)
5     sharding: Discord requires more shards (4011) or a shard id is invalid (4010)
6     no slash-command sync succeeded (refused, or a malformed response)
====  ==================================================================================

Tracebacks go to the log only (and only for the unexpected). Nothing is created on disk (the
feedback database) before the bot is connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import discord
import yarl

from config.settings import Settings
from retrieval import Engine

from .discord_app import CitebotBot, StartupFailure, point_at
from .discord_metrics import StatusServer, parse_addr
from .discord_router import CorpusRouter, Registry
from .feedback import FeedbackError, FeedbackStore
from .live import LiveEngine

log = logging.getLogger("citebot.discord")

EXIT_SETTINGS, EXIT_NETWORK, EXIT_INTENTS, EXIT_SHARDS, EXIT_SYNC = 2, 3, 4, 5, 6
PORTAL = "https://discord.com/developers/applications"
CLOSE_CODES = {
    4004: (
        "Discord rejected the bot token at the gateway (4004): reset it in the Developer "
        "Portal and set CITEBOT_DISCORD_TOKEN again.",
        EXIT_SETTINGS,
    ),
    4010: (
        "Discord refused a shard id (4010): CITEBOT_DISCORD_SHARD_IDS must be below "
        "CITEBOT_DISCORD_SHARD_COUNT.",
        EXIT_SHARDS,
    ),
    4011: (
        "Discord requires sharding for this many servers (4011): leave "
        "CITEBOT_DISCORD_SHARD_COUNT empty (Discord's recommendation) or raise it.",
        EXIT_SHARDS,
    ),
    4013: (
        "Discord refused the gateway intents (4013): this is a bug in citebot; please report it.",
        EXIT_INTENTS,
    ),
}
INTENTS_MESSAGE = (
    "Discord refused the Message Content intent (4014): switch it on in the Developer Portal "
    f"({PORTAL} → your application → Bot → Privileged Gateway Intents), or set "
    "CITEBOT_DISCORD_MESSAGE_CONTENT=false."
)


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


def fail(message: str, code: int = EXIT_SETTINGS) -> int:
    print(f"citebot discord: {message}", file=sys.stderr)
    return code


def feedback_problem(path: Path) -> str | None:
    """Why the feedback database could not be made at ``path``, found without creating it."""
    if path.is_dir():
        return f"{path} is a folder; the feedback database is a file."
    if path.exists():
        try:
            FeedbackStore(path, create=False).close()
        except FeedbackError as error:
            return str(error)
        return None
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"cannot create the folder for the feedback database {path}: Not a directory."
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create the folder for the feedback database {path}: Permission denied."
    return None


async def reach_gateway(bot: CitebotBot) -> None:
    """Open (and close) one gateway connection before the shards start: discord.py retries a
    failing first connection forever, which would leave a bot with no network silent."""
    if bot.shard_count is None:
        _, url, _ = await bot.http.get_bot_gateway()
        gateway = yarl.URL(url)
    else:
        gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    url = gateway.with_query(v=10, encoding="json")
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.ws_connect(url) as ws:
        await ws.close()


async def serve(bot: CitebotBot, token: str, metrics_addr: str | None = None) -> None:
    """Log in, then run until the connection ends or SIGTERM/SIGINT asks for a clean shutdown.

    discord.py's own INFO lines are held back until the token is accepted, so a rejected token
    prints one line (ours), not a log preamble followed by it.
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has none
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    discord_log = logging.getLogger("discord")
    server: StatusServer | None = None
    async with bot:
        discord_log.setLevel(logging.WARNING)
        await bot.login(token)
        await reach_gateway(bot)
        discord_log.setLevel(logging.INFO)
        if metrics_addr:
            server = bot.status_server()
            await server.start(*parse_addr(metrics_addr))
        try:
            await bot.connect()
        finally:
            if server is not None:
                await server.stop()


def _describe(error: BaseException, settings: Settings) -> tuple[str, int] | None:
    """The one line and exit code for a known start-up failure; None for the unexpected."""
    if isinstance(error, StartupFailure):
        return str(error), error.exit_code
    if isinstance(error, discord.LoginFailure):
        return (
            "Discord rejected the bot token (401 Unauthorized): check CITEBOT_DISCORD_TOKEN, "
            "or reset the token in the Developer Portal.",
            EXIT_SETTINGS,
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return INTENTS_MESSAGE, EXIT_INTENTS
    if isinstance(error, discord.ConnectionClosed) and error.code in CLOSE_CODES:
        return CLOSE_CODES[error.code]
    if isinstance(
        error, (aiohttp.ClientError, OSError, discord.GatewayNotFound, asyncio.TimeoutError)
    ):
        return (
            f"cannot reach Discord at {settings.discord_api_url} ({type(error).__name__}): "
            "check the network (and a proxy or firewall), then start again.",
            EXIT_NETWORK,
        )
    if isinstance(error, discord.HTTPException):
        return (
            f"Discord answered HTTP {error.status} at start-up: try again in a minute "
            "(https://discordstatus.com).",
            EXIT_NETWORK,
        )
    return None


def preflight(settings: Settings) -> tuple[str, int] | None:
    """Problems found before connecting (token shape, feedback database, metrics address)."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        return (
            "no bot token: set CITEBOT_DISCORD_TOKEN in the environment or in .env "
            "(Developer Portal → your application → Bot → Reset Token).",
            EXIT_SETTINGS,
        )
    if not re.fullmatch(r"[\x21-\x7e]+", token):
        prefix = re.match(r"(?i)bot\s+", token)
        if prefix and re.fullmatch(r"[\x21-\x7e]+", token[prefix.end() :]):
            return (
                'CITEBOT_DISCORD_TOKEN starts with "Bot ": give the token alone (citebot adds '
                'the "Bot" prefix itself).',
                EXIT_SETTINGS,
            )
        return (
            "CITEBOT_DISCORD_TOKEN has spaces or control characters in it, so it cannot be a "
            "bot token: copy it again from the Developer Portal (Bot → Reset Token).",
            EXIT_SETTINGS,
        )
    if "." not in token:
        return f"CITEBOT_DISCORD_TOKEN {_not_a_token(token)}", EXIT_SETTINGS
    if settings.feedback_db and (problem := feedback_problem(settings.feedback_db)):
        hint = " Set CITEBOT_FEEDBACK_DB to another file, or empty to switch 👍/👎 off."
        return problem + hint, EXIT_SETTINGS
    if settings.metrics_addr:
        try:
            parse_addr(settings.metrics_addr)
        except ValueError as error:
            return f"CITEBOT_METRICS_ADDR: {error}.", EXIT_SETTINGS
    return None


def _not_a_token(value: str) -> str:
    """Why a value without dots is no bot token (every bot token has three dot-separated
    parts), naming the Developer Portal value it looks like: the three are easily confused."""
    where = "copy the bot token from the Developer Portal (your application → Bot → Reset Token)"
    if value.isdigit():
        return f"is a number (the Application ID?), not the bot token: {where}."
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return f"looks like the application's Public Key, not the bot token: {where}."
    if re.fullmatch(r"[\w-]{32}", value):
        return f"looks like the OAuth2 Client Secret, not the bot token: {where}."
    return f"is not a bot token (a bot token has three parts separated by dots): {where}."


def run(settings: Settings, engine: Engine | LiveEngine | CorpusRouter | Registry) -> int:
    """``citebot discord``: serve until stopped; the exit codes are in the module docstring."""
    problem = preflight(settings)
    if problem is not None:
        return fail(*problem)
    token = settings.discord_token.get_secret_value().strip()  # type: ignore[union-attr]
    point_at(settings.discord_api_url, settings.discord_gateway_url)
    configure_logging(token)
    db = settings.feedback_db
    bot = CitebotBot(engine, settings, open_feedback=(lambda: FeedbackStore(db)) if db else None)
    try:
        asyncio.run(serve(bot, token, settings.metrics_addr))
    except KeyboardInterrupt:
        return 0
    except Exception as error:  # every start-up failure: one line when we know it
        described = _describe(error, settings)
        if described is None:
            raise
        log.debug("start-up failed", exc_info=error)
        return fail(*described)
    return 0
