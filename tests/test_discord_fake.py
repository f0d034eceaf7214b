"""The fake is as strict as Discord: requests that break a documented limit are refused the
way Discord refuses them, so a bot that passes here does not get 400s in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fake_discord import APP_ID, CHANNEL_ID, SEND_MESSAGES, TOKEN, FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    started = await FakeDiscord(interaction_deadline=0.2).start()
    yield started
    await started.stop()


async def call(fake: FakeDiscord, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_url + path, json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


MESSAGES = f"/channels/{CHANNEL_ID}/messages"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x" * 2001}, "content"),
        ({"embeds": [{"description": "x" * 4097}]}, "embeds"),
        ({"embeds": [{"title": "t", "fields": [{"name": "n", "value": "v"}] * 26}]}, "embeds"),
        ({"embeds": [{"description": "x" * 4000}, {"description": "y" * 2001}]}, "embeds"),
        ({"embeds": [{"title": "t", "fields": [{"name": "n", "value": ""}]}]}, "embeds"),
        ({"content": "x", "components": [{"type": 1, "components": []}] * 6}, "components"),
        (
            {
                "content": "x",
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 2, "label": "l" * 81, "custom_id": "a"}
                        ],
                    }
                ],
            },
            "components",
        ),
    ],
)
async def test_messages_beyond_the_limits_are_50035(
    fake: FakeDiscord, body: dict[str, Any], field: str
) -> None:
    status, error = await call(fake, "POST", MESSAGES, body)
    assert status == 400 and error["code"] == 50035 and field in error["errors"]


async def test_an_empty_message_is_50006_and_a_muted_channel_403(fake: FakeDiscord) -> None:
    assert (await call(fake, "POST", MESSAGES, {}))[1]["code"] == 50006
    await fake.deny(CHANNEL_ID, SEND_MESSAGES)
    status, error = await call(fake, "POST", MESSAGES, {"content": "hi"})
    assert status == 403 and error["code"] == 50013


async def test_interactions_are_answerable_once_and_only_in_time(fake: FakeDiscord) -> None:
    import asyncio

    token = await fake.slash("help")
    interaction_id = token.rsplit("-", 1)[1]
    callback = f"/interactions/{interaction_id}/{token}/callback"
    followup = f"/webhooks/{APP_ID}/{token}"
    status, error = await call(fake, "POST", followup, {"content": "too soon"})
    assert status == 404 and error["code"] == 10015
    assert (await call(fake, "POST", callback, {"type": 5}))[0] == 200
    status, error = await call(fake, "POST", callback, {"type": 5})
    assert status == 400 and error["code"] == 40060
    late = await fake.slash("help")
    await asyncio.sleep(0.3)
    late_callback = f"/interactions/{late.rsplit('-', 1)[1]}/{late}/callback"
    status, error = await call(fake, "POST", late_callback, {"type": 5})
    assert status == 404 and error["code"] == 10062


async def test_commands_with_bad_names_or_descriptions_are_refused(fake: FakeDiscord) -> None:
    path = f"/applications/{APP_ID}/commands"
    bad = [{"name": "Ask Me", "description": "ok"}, {"name": "ok", "description": "d" * 101}]
    status, error = await call(fake, "PUT", path, bad)
    assert status == 400 and error["code"] == 50035 and set(error["errors"]) == {"0", "1"}
