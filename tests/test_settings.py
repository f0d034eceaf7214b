"""Settings from the environment, .env and init arguments, and their error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config import DEFAULT_CORPUS, Settings, describe_errors


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CITEBOT_ variable or .env of the developer's leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("CITEBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _errors(**env: str) -> list[str]:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        with pytest.raises(ValidationError) as caught:
            Settings()
    return describe_errors(caught.value)


def test_defaults_point_at_the_seeds_wherever_we_run_from() -> None:
    settings = Settings()
    assert settings.corpus == DEFAULT_CORPUS
    assert (DEFAULT_CORPUS / "000_4568191ad18858cd.txt").is_file()
    assert settings.discord_token is None


def test_environment_and_init_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_TOP_K", "7")
    monkeypatch.setenv("CITEBOT_DISCORD_GUILD_IDS", "123, 456,789")
    settings = Settings()
    assert settings.top_k == 7
    assert settings.discord_guild_ids == [123, 456, 789]
    assert Settings(top_k=2).top_k == 2  # command-line flags win


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CITEBOT_MAX_SENTENCES=1\nCITEBOT_DISCORD_TOKEN=abc.def\n")
    settings = Settings()
    assert settings.max_sentences == 1
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "abc.def"
    assert "abc.def" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"CITEBOT_TOP_K": "-3"},
            "Invalid setting CITEBOT_TOP_K (got '-3'): input should be greater than or equal to 1.",
        ),
        (
            {"CITEBOT_TOP_K": "abc"},
            "Invalid setting CITEBOT_TOP_K (got 'abc'): input should be a valid integer",
        ),
        (
            {"CITEBOT_B": "2"},
            "Invalid setting CITEBOT_B (got '2'): input should be less than or equal to 1.",
        ),
        ({"CITEBOT_DISCORD_GUILD_IDS": "12,abc"}, "Invalid setting CITEBOT_DISCORD_GUILD_IDS"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], expected: str) -> None:
    (line,) = _errors(**env)
    assert line.startswith(expected)


def test_each_bad_value_gets_one_line_and_the_token_is_not_echoed() -> None:
    lines = _errors(CITEBOT_TOP_K="x", CITEBOT_MIN_CONFIDENCE="9", CITEBOT_DISCORD_TOKEN="s3cr3t")
    assert [line.split(" (")[0] for line in lines] == [
        "Invalid setting CITEBOT_TOP_K",
        "Invalid setting CITEBOT_MIN_CONFIDENCE",
    ]
    assert not any("s3cr3t" in line or "\n" in line for line in lines)


def test_the_readme_documents_every_setting() -> None:
    readme = (DEFAULT_CORPUS.parent / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`CITEBOT_{name.upper()}`" in readme, name


def test_the_readme_settings_table_shows_the_real_defaults() -> None:
    readme = (DEFAULT_CORPUS.parent / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(" `"): line.split("|")[2].strip()
        for line in readme.splitlines()
        if line.startswith("| `CITEBOT_")
    }
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, (int, float, str)) and not isinstance(default, bool):
            assert rows[f"CITEBOT_{name.upper()}"] == f"`{default}`", name


def test_feedback_db_defaults_to_the_state_folder_and_empty_turns_it_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert Settings().feedback_db == tmp_path / "state" / "citebot" / "feedback.sqlite3"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings().feedback_db == tmp_path / ".local" / "state" / "citebot" / "feedback.sqlite3"
    monkeypatch.setenv("CITEBOT_FEEDBACK_DB", "~/votes.sqlite3")
    assert Settings().feedback_db == tmp_path / "votes.sqlite3"
    monkeypatch.setenv("CITEBOT_FEEDBACK_DB", " ")
    assert Settings().feedback_db is None


def _load_problems() -> list[str]:
    from config import SettingsError, load

    with pytest.raises(SettingsError) as caught:
        load()
    return caught.value.lines


@pytest.mark.parametrize(
    ("dotenv", "expected"),
    [
        (
            'CITEBOT_TOP_K=3\nCITEBOT_CORPUS="/my/docs\n',
            '.env line 2 does not parse: CITEBOT_CORPUS="/my/docs (a quote that is not closed?).',
        ),
        (
            "# my settings\n\nCITEBOT_CORPUS:/my/docs\n",
            ".env line 3 is not NAME=value: CITEBOT_CORPUS:/my/docs "
            "(did you mean CITEBOT_CORPUS=/my/docs?).",
        ),
        (
            "CITEBOT_CORPSU=/my/docs\n",
            ".env line 1: CITEBOT_CORPSU is not a citebot setting (did you mean CITEBOT_CORPUS?).",
        ),
    ],
)
def test_a_dotenv_line_that_would_be_ignored_stops_with_the_line_and_a_fix(
    tmp_path: Path, dotenv: str, expected: str
) -> None:
    (tmp_path / ".env").write_text(dotenv)
    assert _load_problems() == [expected]


def test_an_unknown_variable_is_named_with_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_DISCORD_TOKN", "x")
    monkeypatch.setenv("CITEBOT_ZZZ", "1")
    assert _load_problems() == [
        "CITEBOT_DISCORD_TOKN is not a citebot setting (did you mean CITEBOT_DISCORD_TOKEN?).",
        "CITEBOT_ZZZ is not a citebot setting.",
    ]


def test_other_programs_lines_in_dotenv_are_left_alone(tmp_path: Path) -> None:
    from config import load

    (tmp_path / ".env").write_text("export PATH_EXTRA=/opt/bin\nDEBUG\nCITEBOT_TOP_K=4\n")
    assert load().settings.top_k == 4


def test_dotenv_problems_stop_the_command_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot import cli

    (tmp_path / ".env").write_text('CITEBOT_CORPUS="/my/docs\n')
    assert cli.main(["ask", "Who is the mayor?"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        'citebot: .env line 1 does not parse: CITEBOT_CORPUS="/my/docs '
        "(a quote that is not closed?).\n"
    )


def test_settings_defaults_are_the_librarys_own() -> None:
    """Each default is written once, in the library: default settings give its default options,
    and no tuning weight (varied only by bench/) is a setting."""
    from retrieval import EngineOptions
    from retrieval.index import IndexShape

    assert Settings().engine_options() == EngineOptions()
    assert (EngineOptions().k1, EngineOptions().b) == (IndexShape().k1, IndexShape().b)
    tuning = {"rerank_depth", "rerank_weight", "rerank_bigram_weight", "document_weight"}
    tuning |= {"rank_weight", "cue_weight", "bigram_weight", "focus_weight", "missing_weight"}
    assert not tuning & set(Settings.model_fields)


def test_outside_the_checkout_there_is_no_default_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config import paths as settings_module

    monkeypatch.setattr(settings_module, "DEFAULT_CORPUS", tmp_path / "site-packages" / "seeds")
    assert settings_module.default_corpus() is None
    (tmp_path / "seeds").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'citebot'\n")
    assert settings_module.default_corpus() == tmp_path / "seeds"  # run from a clone


def test_a_pasted_discord_link_or_name_in_an_id_list_says_which_id_to_give() -> None:
    """Discord's "Copy Link" gives https://discord.com/channels/GUILD/CHANNEL, which people
    paste where an id goes; pydantic only said "unable to parse string as an integer"."""
    link = "https://discord.com/channels/1234567890/9876543210"
    (line,) = _errors(CITEBOT_DISCORD_CHANNEL_IDS=f"111, {link}")
    assert line.startswith("Invalid setting CITEBOT_DISCORD_CHANNEL_IDS")
    assert "the channel id in it is 9876543210" in line
    (line,) = _errors(CITEBOT_DISCORD_GUILD_IDS=link)
    assert "the server id in it is 1234567890" in line
    (line,) = _errors(CITEBOT_DISCORD_GUILD_IDS="my-server")
    assert "Copy Server ID" in line
    assert Settings(discord_channel_ids="1, 2").discord_channel_ids == [1, 2]


@pytest.mark.parametrize(
    "url", ["https://", "https:///docs", "http:// x/docs/", "https://x.org/a b/"]
)
def test_a_source_url_without_a_host_or_with_spaces_is_refused(url: str) -> None:
    """``https://`` was accepted and every citation linked ``https:///page.txt``."""
    (line,) = _errors(CITEBOT_SOURCE_URL=url)
    assert line.startswith("Invalid setting CITEBOT_SOURCE_URL")


def test_a_source_url_scheme_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_SOURCE_URL", "HTTPS://docs.example.org/")
    assert Settings().source_url.lower() == "https://docs.example.org/"
