"""Several knowledge bases on Discord (routing by guild, channel and thread; ``/ask corpus``
and its autocomplete), ``/reindex`` and ``/status`` for admins only, and the metrics and health
listener over loopback."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.discord_router import Route, RoutedCorpora
from bot.live import LiveEngine
from retrieval import Engine
from tests.conftest import SEEDS
from tests.fake_discord import (
    ADMIN_ID,
    CHANNEL_ID,
    GUILD_ID,
    MANAGE_GUILD,
    OTHER_CHANNEL_ID,
    OTHER_GUILD_CHANNEL_ID,
    OTHER_GUILD_ID,
    FakeDiscord,
    running_bot,
)
from tests.test_discord_bot import QUESTION, QUOTED, embed_text, interaction_reply, reply_to

HANDBOOK = "Leave is requested through the HR portal by your manager."


def handbook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leave.md").write_text(f"# Leave\n\n{HANDBOOK}\n", encoding="utf-8")
    return folder


def live(folder: Path) -> LiveEngine:
    return LiveEngine(Engine.from_folder(folder), lambda reason, detail: Engine.from_folder(folder))


def two_corpora(tmp_path: Path) -> RoutedCorpora:
    """news: this server's CHANNEL_ID (and its threads); handbook: the other server, by
    default; OTHER_CHANNEL_ID has none."""
    folder = handbook(tmp_path / "handbook")
    return RoutedCorpora(
        [
            Route("news", lambda: live(SEEDS), channel_ids=frozenset({CHANNEL_ID})),
            Route(
                "handbook",
                lambda: live(folder),
                guild_ids=frozenset({OTHER_GUILD_ID}),
                default=True,
            ),
        ]
    )


def test_routing_by_channel_thread_guild_and_default(tmp_path: Path) -> None:
    corpora = two_corpora(tmp_path)
    assert corpora.corpus_for(GUILD_ID, CHANNEL_ID, None) == "news"
    assert corpora.corpus_for(GUILD_ID, 12345, CHANNEL_ID) == "news"  # a thread: its parent's
    assert corpora.corpus_for(GUILD_ID, OTHER_CHANNEL_ID, None) is None
    assert corpora.corpus_for(OTHER_GUILD_ID, OTHER_GUILD_CHANNEL_ID, None) == "handbook"
    assert corpora.allowed(GUILD_ID) == ["news"]
    assert corpora.allowed(OTHER_GUILD_ID) == ["news", "handbook"]
    assert not corpora.opened()  # nothing opened before its first question


async def test_each_channel_answers_from_its_own_corpus(tmp_path: Path) -> None:
    options = {"guild_ids": (GUILD_ID, OTHER_GUILD_ID)}
    async with running_bot(two_corpora(tmp_path), fake_options=options) as (fake, _):
        here = await fake.message(QUESTION)
        [news] = await fake.wait_for(reply_to(here))
        assert QUOTED in embed_text(news.body)

        thread_id = await fake.add_thread(CHANNEL_ID)
        in_thread = await fake.message(QUESTION, channel_id=thread_id)
        [threaded] = await fake.wait_for(reply_to(in_thread, thread_id))
        assert QUOTED in embed_text(threaded.body)

        there = await fake.message("How is leave requested?", channel_id=OTHER_GUILD_CHANNEL_ID)
        [hr] = await fake.wait_for(reply_to(there, OTHER_GUILD_CHANNEL_ID))
        assert "HR portal" in embed_text(hr.body) and QUOTED not in embed_text(hr.body)

        nowhere = await fake.message(QUESTION, channel_id=OTHER_CHANNEL_ID)
        [polite] = await fake.wait_for(reply_to(nowhere, OTHER_CHANNEL_ID))
        assert "no documents to answer from" in polite.body["content"]

        token = await fake.slash("sources", channel_id=OTHER_CHANNEL_ID)
        assert "no documents to answer from" in (await interaction_reply(fake, token))["content"]
        token = await fake.slash("sources", channel_id=OTHER_GUILD_CHANNEL_ID)
        listed = embed_text(await interaction_reply(fake, token))
        assert "leave.md" in listed and "Sources (1 documents" in listed


async def autocomplete(fake: FakeDiscord, channel_id: int, typed: str) -> list[str]:
    token = await fake.slash(
        "ask", {"question": "x", "corpus": typed}, channel_id=channel_id, kind=4, focused="corpus"
    )
    [r] = await fake.wait_for(lambda r: token in r.path and r.body.get("type") == 8)
    return [c["value"] for c in r.body["data"]["choices"]]


async def test_ask_corpus_autocompletes_only_what_the_server_may_use(tmp_path: Path) -> None:
    options = {"guild_ids": (GUILD_ID, OTHER_GUILD_ID)}
    async with running_bot(two_corpora(tmp_path), fake_options=options) as (fake, _):
        assert await autocomplete(fake, CHANNEL_ID, "") == ["news"]
        assert await autocomplete(fake, OTHER_GUILD_CHANNEL_ID, "") == ["news", "handbook"]
        assert await autocomplete(fake, OTHER_GUILD_CHANNEL_ID, "HAND") == ["handbook"]
        # Asking another server's corpus by name is refused privately.
        token = await fake.slash(
            "ask", {"question": "How is leave requested?", "corpus": "handbook"}
        )
        refused = await interaction_reply(fake, token)
        assert refused["flags"] & 64 and "no documents called" in refused["content"]
        # And in the other server, /ask corpus:news answers from the news.
        token = await fake.slash(
            "ask", {"question": QUESTION, "corpus": "news"}, channel_id=OTHER_GUILD_CHANNEL_ID
        )
        assert QUOTED in embed_text(await interaction_reply(fake, token))


# --- /reindex and /status ---


async def test_reindex_and_status_are_for_manage_server_only(tmp_path: Path) -> None:
    folder = handbook(tmp_path / "docs")
    async with running_bot(live(folder)) as (fake, _):
        for name in ("reindex", "status"):
            registered = fake.command(name)
            assert int(registered["default_member_permissions"]) == MANAGE_GUILD
            assert registered["dm_permission"] is False
            with pytest.raises(PermissionError):
                await fake.slash(name)  # Discord does not show it to an ordinary member

        (folder / "new.md").write_text("# New\n\nA new page about holidays.\n", encoding="utf-8")
        (folder / "leave.md").write_text(f"# Leave\n\n{HANDBOOK} Changed.\n", encoding="utf-8")
        token = await fake.slash("reindex", user_id=ADMIN_ID)
        [ack] = await fake.wait_for(
            lambda r: token in r.path and r.path.startswith("/interactions/")
        )
        assert ack.body["type"] == 5 and ack.body["data"]["flags"] & 64
        report = (await interaction_reply(fake, token))["content"]
        assert "re-indexed in" in report and "2 documents" in report
        assert "**Added** (1): new.md" in report and "**Changed** (1): leave.md" in report
        token = await fake.slash("reindex", user_id=ADMIN_ID)
        assert "no file changed" in (await interaction_reply(fake, token))["content"]

        token = await fake.slash("status", user_id=ADMIN_ID)
        status = (await interaction_reply(fake, token))["content"]
        assert "**Gateway**: connected" in status and "2 documents" in status
        assert "fresh" in status


# --- metrics and health over loopback ---


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_metrics_and_health_over_loopback(tmp_path: Path) -> None:
    folder = handbook(tmp_path / "docs")
    engine = LiveEngine(Engine.from_folder(folder))  # no reopen: a change stays stale
    async with running_bot(engine) as (fake, bot):
        server = bot.status_server()
        await server.start("127.0.0.1", 0)
        base = f"http://127.0.0.1:{server.port}"
        try:
            assert await get(f"{base}/healthz") == (200, "ok\n")
            message_id = await fake.message("How is leave requested?")
            await fake.wait_for(reply_to(message_id))
            abstain = await fake.message("What is the capital of Peru?")
            await fake.wait_for(reply_to(abstain))
            status, text = await get(f"{base}/metrics")
            assert status == 200
            assert 'citebot_questions_total{corpus="default"} 2.0' in text
            assert 'citebot_answered_total{corpus="default"} 1.0' in text
            assert 'citebot_abstained_total{corpus="default"} 1.0' in text
            assert 'citebot_answer_seconds_count{corpus="default"} 2.0' in text
            assert "citebot_interactions_late_total 0.0" in text
            assert 'citebot_index_age_seconds{corpus="default"}' in text

            (folder / "leave.md").write_text("# Leave\n\nChanged.\n", encoding="utf-8")
            status, text = await get(f"{base}/healthz")
            assert status == 503 and "corpus default: 1 file(s) changed" in text
            await bot.close()
            status, text = await get(f"{base}/healthz")
            assert status == 503 and "closed" in text
        finally:
            await server.stop()


def test_metrics_addr_is_loopback_unless_a_host_is_named() -> None:
    from bot.discord_metrics import parse_addr

    assert parse_addr("9464") == ("127.0.0.1", 9464)
    assert parse_addr(":9464") == ("127.0.0.1", 9464)
    assert parse_addr("0.0.0.0:9464") == ("0.0.0.0", 9464)
    with pytest.raises(ValueError):
        parse_addr("localhost:http")


async def test_a_two_corpus_configuration_answers_each_channel_from_its_own_docs(
    tmp_path: Path,
) -> None:
    """The configuration file's corpora (config.Corpora) and their registry, as `citebot
    discord` gets them with CITEBOT_CONFIG: the bot routes through them unchanged."""
    from bot.corpora import CorpusRegistry
    from config.corpora import Corpora, CorpusConfig

    folder = handbook(tmp_path / "handbook")
    corpora = Corpora(
        corpora=(
            CorpusConfig(name="news", folder=SEEDS, channel_ids=(CHANNEL_ID,)),
            CorpusConfig(name="handbook", folder=folder, guild_ids=(OTHER_GUILD_ID,)),
        )
    )
    registry = CorpusRegistry(corpora, lambda c: live(c.folder))
    options = {"guild_ids": (GUILD_ID, OTHER_GUILD_ID)}
    async with running_bot(registry, fake_options=options) as (fake, _):
        here = await fake.message(QUESTION)
        [news] = await fake.wait_for(reply_to(here))
        assert QUOTED in embed_text(news.body)
        there = await fake.message("How is leave requested?", channel_id=OTHER_GUILD_CHANNEL_ID)
        [hr] = await fake.wait_for(reply_to(there, OTHER_GUILD_CHANNEL_ID))
        assert "HR portal" in embed_text(hr.body)
        nowhere = await fake.message(QUESTION, channel_id=OTHER_CHANNEL_ID)
        [polite] = await fake.wait_for(reply_to(nowhere, OTHER_CHANNEL_ID))
        assert "no documents to answer from" in polite.body["content"]
        assert await autocomplete(fake, OTHER_GUILD_CHANNEL_ID, "") == ["news", "handbook"]
        assert await autocomplete(fake, CHANNEL_ID, "") == ["news"]
    assert sorted(registry.opened()) == ["handbook", "news"]
