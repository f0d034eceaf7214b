"""Findings 5, 6 and 8: each start-up failure is one line naming the cause and what to do, with
its documented exit code and no traceback; nothing is created on disk by a bot that does not
start; the bot shards (Discord's recommendation, or a share of the shards per process)."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app import CitebotBot
from bot.discord_run import run
from retrieval import Engine
from tests.conftest import ROOT, SEEDS
from tests.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    OTHER_GUILD_CHANNEL_ID,
    OTHER_GUILD_ID,
    TOKEN,
    ThreadedFake,
    bot_settings,
    discord_pointed_at,
    running_bot,
)
from tests.test_discord_bot import QUESTION, QUOTED, embed_text, reply_to


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_folder(SEEDS)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """run() configures the root logger as the CLI needs; undo that for the next tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def start_against(
    engine: Engine, tmp_path: Path, fake_options: dict[str, Any], **settings: Any
) -> tuple[int, str]:
    """``run()`` against a fake configured with ``fake_options``: the exit code and the one
    ``citebot discord:`` line it printed (asserting there is one and no traceback)."""
    db = tmp_path / "state" / "feedback.sqlite3"
    with ThreadedFake(**fake_options) as threaded:
        fake = threaded.fake
        values = {
            "discord_api_url": fake.api_url,
            "discord_gateway_url": fake.gateway_url,
            "feedback_db": db,
        } | settings
        with discord_pointed_at(fake.api_url, fake.gateway_url):
            code = run(bot_settings(**values), engine)
    assert not db.exists(), "a bot that did not start created the feedback database"
    return code, ""


def failure_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [ln for ln in err.splitlines() if ln.startswith("citebot discord:")]
    return line


def test_message_content_not_enabled_in_the_portal_is_exit_4(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = start_against(
        engine, tmp_path, {"message_content_allowed": False}, discord_message_content=True
    )
    line = failure_line(capsys)
    assert code == 4
    assert "(4014)" in line and "Privileged Gateway Intents" in line
    assert "CITEBOT_DISCORD_MESSAGE_CONTENT=false" in line


def test_sharding_required_is_exit_5(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = start_against(
        engine, tmp_path, {"shards": 2, "require_sharding": True}, discord_shard_count=1
    )
    line = failure_line(capsys)
    assert code == 5 and "(4011)" in line and "CITEBOT_DISCORD_SHARD_COUNT" in line


def test_no_network_is_exit_3(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = start_against(engine, tmp_path, {}, discord_api_url="http://127.0.0.1:1/api/v10")
    line = failure_line(capsys)
    assert code == 3 and "cannot reach Discord" in line and "network" in line


def test_an_unreachable_gateway_is_exit_3_not_a_silent_retry(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ThreadedFake() as threaded:
        fake = threaded.fake
        settings = bot_settings(
            discord_api_url=fake.api_url,
            discord_gateway_url="ws://127.0.0.1:1/gateway",
            discord_shard_count=1,
        )
        with discord_pointed_at(fake.api_url, "ws://127.0.0.1:1/gateway"):
            code = run(settings, engine)
    assert code == 3 and "cannot reach Discord" in failure_line(capsys)


@pytest.mark.parametrize(("status", "what"), [(200, "TypeError"), (403, "injected failure")])
def test_a_failed_or_malformed_command_sync_is_exit_6(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], status: int, what: str
) -> None:
    db = tmp_path / "feedback.sqlite3"
    with ThreadedFake() as threaded:
        fake = threaded.fake
        fake.fail("PUT", r"/commands$", status=status)
        settings = bot_settings(
            discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url, feedback_db=db
        )
        with discord_pointed_at(fake.api_url, fake.gateway_url):
            code = run(settings, engine)
    line = failure_line(capsys)
    assert code == 6 and what in line and "applications.commands" in line
    assert not db.exists()


def test_a_rejected_token_creates_no_feedback_database(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = start_against(engine, tmp_path, {"token": "another-token"})
    assert code == 2 and "rejected the bot token" in failure_line(capsys)
    assert not (tmp_path / "state").exists()  # not even its folder


# --- sharding ---


async def test_the_bot_runs_the_shards_discord_asks_for(engine: Engine) -> None:
    options = {"shards": 2, "guild_ids": (GUILD_ID, OTHER_GUILD_ID)}
    async with running_bot(engine, fake_options=options) as (fake, bot):
        await fake.wait_connected(count=2)
        assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
        assert bot.shard_count == 2 and {g.id for g in bot.guilds} == {GUILD_ID, OTHER_GUILD_ID}
        here = await fake.message(QUESTION)
        there = await fake.message(QUESTION, channel_id=OTHER_GUILD_CHANNEL_ID)
        [a] = await fake.wait_for(reply_to(here))
        [b] = await fake.wait_for(reply_to(there, OTHER_GUILD_CHANNEL_ID))
        assert QUOTED in embed_text(a.body) and QUOTED in embed_text(b.body)


async def test_a_dropped_connection_resumes_and_missed_questions_are_answered(
    engine: Engine,
) -> None:
    async with running_bot(engine) as (fake, _):
        await fake.drop_connections()
        missed = await fake.message(QUESTION)  # sent while the bot is away
        [answer] = await fake.wait_for(reply_to(missed), timeout=15)
        assert QUOTED in embed_text(answer.body) and fake.resumes == 1
        assert len(fake.identifies) == 1  # resumed, not a new session


def citebot_command() -> list[str]:
    script = Path(sys.executable).with_name("citebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def test_two_processes_each_run_half_the_shards_from_one_saved_index(tmp_path: Path) -> None:
    """The README's recipe: the same settings, a shard count of 2, shard 0 in one process and
    shard 1 in the other; both answer, each in its own server, from one saved index."""
    with ThreadedFake(shards=2, guild_ids=(GUILD_ID, OTHER_GUILD_ID)) as threaded:
        fake = threaded.fake
        env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
        env |= {
            "CITEBOT_DISCORD_TOKEN": TOKEN,
            "CITEBOT_DISCORD_API_URL": fake.api_url,
            "CITEBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
            "CITEBOT_DISCORD_GUILD_IDS": f"{GUILD_ID},{OTHER_GUILD_ID}",
            "CITEBOT_DISCORD_SHARD_COUNT": "2",
            "CITEBOT_CORPUS": str(SEEDS),
            "CITEBOT_INDEX_DIR": str(tmp_path / "index"),
            "CITEBOT_FEEDBACK_DB": "",
            "PYTHONPATH": str(ROOT),
        }
        processes = [
            subprocess.Popen(
                [*citebot_command(), "discord"],
                cwd=tmp_path,
                env=env | {"CITEBOT_DISCORD_SHARD_IDS": str(shard)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for shard in (0, 1)
        ]
        try:
            threaded.call(fake.wait_connected(timeout=40, count=2), timeout=45)
            threaded.call(asyncio.sleep(0.5))  # both finish loading their guilds
            here = threaded.call(fake.message(QUESTION))
            there = threaded.call(fake.message(QUESTION, channel_id=OTHER_GUILD_CHANNEL_ID))
            for message_id, channel in ((here, CHANNEL_ID), (there, OTHER_GUILD_CHANNEL_ID)):
                [reply] = threaded.call(
                    fake.wait_for(reply_to(message_id, channel), timeout=20), 25
                )
                assert QUOTED in embed_text(reply.body)
        finally:
            for process in processes:
                process.terminate()
            errs = [p.communicate(timeout=20)[1] for p in processes]
    assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
    # Shard 0 owns the other server, shard 1 this one; each process answered its own.
    assert f"question guild={OTHER_GUILD_ID}" in errs[0] and f"guild={GUILD_ID} " not in errs[0]
    assert f"question guild={GUILD_ID}" in errs[1] and f"guild={OTHER_GUILD_ID}" not in errs[1]
    assert len(list((tmp_path / "index").iterdir())) == 1  # one saved index for both
    assert all(p.returncode == 0 for p in processes), errs


def test_shard_ids_need_a_count() -> None:
    from pydantic import ValidationError

    from config.settings import describe_errors

    with pytest.raises(ValidationError) as raised:
        bot_settings(discord_shard_ids=[0])
    [line] = describe_errors(raised.value)
    assert "CITEBOT_DISCORD_SHARD_IDS needs CITEBOT_DISCORD_SHARD_COUNT" in line


def test_shard_settings_reach_the_client(engine: Engine) -> None:
    bot = CitebotBot(engine, bot_settings(discord_shard_count=4, discord_shard_ids=[1, 3]))
    assert bot.shard_count == 4 and bot.shard_ids == [1, 3]


def test_the_systemd_unit_restarts_on_failure_and_keeps_the_token_out_of_itself() -> None:
    unit = (ROOT / "docs" / "citebot.service").read_text(encoding="utf-8")
    lines = {
        ln.split("=", 1)[0]: ln.split("=", 1)[1]
        for ln in unit.splitlines()
        if "=" in ln and not ln.startswith("#")
    }
    assert lines["Restart"] == "on-failure"
    assert lines["EnvironmentFile"] == "/etc/citebot/citebot.env"
    assert lines["ExecStart"].endswith("citebot discord") and lines["User"] == "citebot"
    assert set(lines["RestartPreventExitStatus"].split()) == {"2", "4", "5", "6"}
    assert "CITEBOT_DISCORD_TOKEN=" not in "".join(lines.values())
    assert "install -m 600 -o citebot" in unit  # the env file: readable by the service only
