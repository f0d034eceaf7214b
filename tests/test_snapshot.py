"""The settings snapshot: served only while nothing the validation read has changed, and then
exactly what the full validation gave; any change validates again, with the same errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

import config.loading
from config import Settings, SettingsError, load
from config.snapshot import (
    SettingsSnapshot,
    load_quick,
    snapshot_key,
    snapshot_of,
    snapshot_path,
)

DISCORD_ONLY = {name for name in Settings.model_fields if name.startswith("discord_")}
DISCORD_ONLY |= {"metrics_addr"}


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder with no CITEBOT_ variable set, and its own cache and state folders."""
    for name in list(os.environ):
        if name.startswith("CITEBOT_"):
            monkeypatch.delenv(name)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield folder


class Validations:
    """Counts the full validations load_quick falls back to."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = config.loading.load

        def counted(*args: Any, **kwargs: Any) -> config.Loaded:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(config.loading, "load", counted)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Validations:
    return Validations(monkeypatch)


def _two_corpora(cwd: Path) -> Path:
    for name in ("python", "js"):
        (cwd / name).mkdir()
        (cwd / name / "a.md").write_text(f"# {name}\n\nAbout {name}.\n")
    path = cwd / "citebot.toml"
    path.write_text(
        "top_k = 4\n\n"
        '[corpora.python]\nfolder = "python"\nchannel_ids = [100]\ndefault = true\n'
        'include = ["*.md"]\n\n'
        '[corpora.js]\nfolder = "js"\nguild_ids = "1, 2"\nsource_url = "https://js.example/"\n'
    )
    return path


def test_the_snapshot_mirrors_every_non_discord_setting() -> None:
    mirrored = {f.name: str(f.type) for f in fields(SettingsSnapshot)}
    assert set(mirrored) == set(Settings.model_fields) - DISCORD_ONLY
    for name, annotation in mirrored.items():
        full = str(Settings.model_fields[name].annotation)
        full = full.replace("pathlib.", "").replace("<class '", "").replace("'>", "")
        assert annotation == full.replace("list[str]", "tuple[str, ...]"), name


def test_a_snapshot_gives_what_the_full_validation_gave(
    cwd: Path, validations: Validations, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_corpora(cwd)
    monkeypatch.setenv("CITEBOT_MIN_CONFIDENCE", "0.4")
    (cwd / ".env").write_text("CITEBOT_EXCLUDE=drafts/**, old.md\n")
    first = load_quick({"index_dir": cwd / "idx"})
    second = load_quick({"index_dir": cwd / "idx"})
    assert validations.count == 1  # the second came from the snapshot
    full = load({"index_dir": cwd / "idx"})
    assert first == second
    assert second.settings == snapshot_of(full.validated())
    assert second.corpora == full.corpora and second.config_file == full.config_file
    assert second.from_file and second.file_settings == {"top_k": 4}
    assert second.settings.engine_options() == full.settings.engine_options()
    assert second.settings.exclude == ("drafts/**", "old.md")
    js = second.corpora.get("js")
    assert js is not None and js.guild_ids == (1, 2) and js.folder == cwd / "js"
    load_quick({"index_dir": cwd / "other"})  # other flags: another snapshot
    assert validations.count == 2


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda cwd, mp: mp.setenv("CITEBOT_TOP_K", "0"),
            "Invalid setting CITEBOT_TOP_K (got '0'): input should be greater than or equal to 1.",
        ),
        (
            lambda cwd, mp: (cwd / ".env").write_text('CITEBOT_CORPUS="/my/docs\n'),
            '.env line 1 does not parse: CITEBOT_CORPUS="/my/docs (a quote that is not closed?).',
        ),
        (
            lambda cwd, mp: (cwd / "citebot.toml").write_text(
                "max_sentense = 2\n" + (cwd / "citebot.toml").read_text()
            ),
            "citebot.toml line 1: unknown key 'max_sentense' (did you mean max_sentences?).",
        ),
        (
            lambda cwd, mp: (cwd / "js" / "a.md").unlink() or (cwd / "js").rmdir(),
            "[corpora.js] folder: the folder '{cwd}/js' does not exist.",
        ),
    ],
    ids=["environment", "dotenv", "config-file", "corpus-folder-removed"],
)
def test_any_change_validates_again_with_the_same_error(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, change: Any, expected: str
) -> None:
    _two_corpora(cwd)
    load_quick()
    change(cwd, monkeypatch)
    with pytest.raises(SettingsError) as quick:
        load_quick()
    with pytest.raises(SettingsError) as full:
        load()
    assert quick.value.lines == full.value.lines
    assert any(line.endswith(expected.format(cwd=cwd)) for line in quick.value.lines), quick
    with pytest.raises(SettingsError):  # and again: invalid settings are never saved
        load_quick()


def test_a_configuration_file_that_appears_is_read(cwd: Path, validations: Validations) -> None:
    assert not load_quick().from_file
    _two_corpora(cwd)
    loaded = load_quick()
    assert loaded.from_file and loaded.corpora.names == ["python", "js"]
    assert validations.count == 2


def _saved(cwd: Path) -> tuple[Path, dict[str, Any]]:
    path = snapshot_path(snapshot_key({}, os.environ, cwd, None))
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_changed_code_or_a_damaged_snapshot_validates_again(
    cwd: Path, validations: Validations
) -> None:
    load_quick()
    path, data = _saved(cwd)
    data["settings"]["top_k"] = 9  # what a reader of this snapshot would now be given
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_quick().settings.top_k == 9 and validations.count == 1  # it is read
    data["code"][0][1] += 1  # one source file of the validating code changed
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_quick().settings.top_k == 5 and validations.count == 2
    for damage in ("{not json", json.dumps({**data, "settings": {"top_k": "5"}}), ""):
        path.write_text(damage, encoding="utf-8")
        assert load_quick().settings.top_k == 5
    assert validations.count == 5


def test_the_discord_token_never_reaches_the_snapshot(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEBOT_DISCORD_TOKEN", "s3cr3t-token")
    load_quick()
    path, data = _saved(cwd)
    assert "s3cr3t" not in path.read_text(encoding="utf-8")
    assert "discord_token" not in data["settings"]
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_token_in_the_config_file_never_reaches_the_snapshot(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (cwd / "citebot.toml").write_text('discord_token = "s3cr3t-token"\n', encoding="utf-8")
    load_quick()
    path, data = _saved(cwd)
    assert "s3cr3t" not in path.read_text(encoding="utf-8")
    assert "discord_token" not in data["file"]


def test_an_unwritable_cache_only_costs_time(
    cwd: Path, validations: Validations, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = cwd.parent / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_quick().settings.top_k == load_quick().settings.top_k == 5
    assert validations.count == 2
