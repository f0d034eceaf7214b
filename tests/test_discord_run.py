"""``citebot discord`` as a person runs it: the token checks, and a real subprocess answering
a mention through the URL settings. The fake Discord runs on its own thread here, because
``run()`` (and the subprocess) own their event loop."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.discord_run import RedactToken, run
from retrieval import Engine
from tests.conftest import ROOT, SEEDS
from tests.fake_discord import (
    CHANNEL_ID,
    GUILD_ID,
    ThreadedFake,
    bot_settings,
    discord_pointed_at,
)

SECRET = "MTIz.secret-token-that-must-never-be-printed"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_folder(SEEDS)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """run() configures the root logger as the CLI needs; undo that for the next tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_missing_token_is_one_line_and_exit_2(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(bot_settings(discord_token=None), engine) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("citebot discord: no bot token") and "CITEBOT_DISCORD_TOKEN" in line


def test_a_token_with_control_characters_is_one_line(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(bot_settings(discord_token="abc\ndef"), engine) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "control characters" in line and "abc" not in line


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("1234567890123456789", "Application ID"),
        ("0f" * 32, "Public Key"),
        ("aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1v-", "Client Secret"),
        ("abc", "three parts separated by dots"),
        ("Bot MTIz.abc.def", 'starts with "Bot "'),
    ],
)
def test_a_value_that_is_no_bot_token_is_named_before_connecting(
    engine: Engine, capsys: pytest.CaptureFixture[str], value: str, named: str
) -> None:
    """The portal's Application ID, Public Key and Client Secret sit next to the token and are
    pasted by mistake; each is one line naming what it looks like (exit 2), not a network
    attempt (which, offline, would be misreported as "cannot reach Discord", exit 3)."""
    assert run(bot_settings(discord_token=value), engine) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert named in line and "CITEBOT_DISCORD_TOKEN" in line
    assert value not in line


def test_blank_token_counts_as_missing(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(bot_settings(discord_token="   "), engine) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_rejected_token_is_one_line_exit_2_and_never_shown(
    engine: Engine, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    with ThreadedFake(token="the-right-token") as threaded:
        fake = threaded.fake
        settings = bot_settings(
            discord_token=SECRET, discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url
        )
        with discord_pointed_at(fake.api_url, fake.gateway_url):
            code = run(settings, engine)
        [login] = [r for r in fake.requests if r.path == "/users/@me"]
    assert code == 2
    assert login.headers["Authorization"] == f"Bot {SECRET}"  # it really was tried, and refused
    out, err = capsys.readouterr()
    (line,) = err.strip().splitlines()  # one line, no log preamble before it
    assert line.startswith("citebot discord: Discord rejected the bot token")
    assert SECRET not in out + err


def test_log_lines_never_carry_the_token() -> None:
    record = logging.LogRecord("x", logging.INFO, "f", 1, "sent %s to %s", (SECRET, "x"), None)
    RedactToken(SECRET).filter(record)
    assert SECRET not in record.getMessage() and "[token]" in record.getMessage()


def citebot_command() -> list[str]:
    script = Path(sys.executable).with_name("citebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def test_citebot_discord_subprocess_answers_a_mention(tmp_path: Path) -> None:
    with ThreadedFake(token=SECRET) as threaded:
        fake = threaded.fake
        env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
        env |= {
            "CITEBOT_DISCORD_TOKEN": SECRET,
            "CITEBOT_DISCORD_API_URL": fake.api_url,
            "CITEBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
            "CITEBOT_DISCORD_GUILD_IDS": str(GUILD_ID),
            "CITEBOT_CORPUS": str(SEEDS),
            "CITEBOT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
            "PYTHONPATH": str(ROOT),
        }
        process = subprocess.Popen(
            [*citebot_command(), "discord"],
            cwd=tmp_path,  # no .env here
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            threaded.call(fake.wait_connected(timeout=30), timeout=35)
            message_id = threaded.call(fake.message("What did the Denver city council pass?"))
            [reply] = threaded.call(
                fake.wait_for(
                    lambda r: (
                        r.method == "POST"
                        and r.path == f"/channels/{CHANNEL_ID}/messages"
                        and str(r.body["message_reference"]["message_id"]) == message_id
                    ),
                    timeout=20,
                ),
                timeout=25,
            )
        finally:
            process.terminate()
            out, err = process.communicate(timeout=20)
    assert "Public Safety Enforcement Priorities Act" in reply.body["embeds"][0]["description"]
    assert reply.body["allowed_mentions"]["parse"] == []
    votes = reply.body["components"][-1]["components"]
    assert [b["label"] for b in votes] == ["👍", "👎"]  # answers are stored in CITEBOT_FEEDBACK_DB
    assert (tmp_path / "feedback.sqlite3").is_file()
    assert process.returncode == 0, err
    assert "question guild=" in err and "synced 5 slash commands to guild" in err
    assert SECRET not in out + err


def test_an_unusable_feedback_database_is_one_line_and_exit_2(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    settings = bot_settings(feedback_db=tmp_path / "not-a-folder" / "feedback.sqlite3")
    assert run(settings, engine) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("citebot discord: cannot create the folder for the feedback database")
    assert "CITEBOT_FEEDBACK_DB" in line
