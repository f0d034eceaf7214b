"""Several knowledge bases: citebot.toml, its one-line errors, routing, and the registry that opens
each corpus on first use. The command line runs in-process (``cli.main`` with its streams)."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest

from bot import cli
from bot.corpora import CorpusRegistry, UnknownCorpusError
from bot.live import LiveEngine
from config import Corpora, CorpusConfig, SettingsError, load
from retrieval import Engine


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("CITEBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def two_corpora(tmp_path: Path) -> Path:
    """A Python docs folder and a JavaScript one, each answering its own channel."""
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "venv.md").write_text(
        "# Virtual environments\n\nCreate one with python -m venv .venv and activate it.\n"
    )
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "npm.md").write_text(
        "# Packages\n\nInstall a package with npm install and save it in package.json.\n"
    )
    config = tmp_path / "citebot.toml"
    config.write_text(
        "top_k = 3\n\n"
        "[corpora.python]\n"
        'folder = "py"\n'
        'source_url = "https://docs.example.org/python/"\n'
        "guild_ids = [10]\n"
        "channel_ids = [100, 101]\n"
        "default = true\n\n"
        "[corpora.js]\n"
        'folder = "js"\n'
        'language = "en"\n'
        "channel_ids = [200]\n"
    )
    return config


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_file_gives_settings_and_named_corpora(two_corpora: Path, tmp_path: Path) -> None:
    loaded = load()
    assert loaded.config_file == two_corpora and loaded.from_file
    assert loaded.settings.top_k == 3
    python, js = loaded.corpora
    assert python.name == "python" and python.folder == tmp_path / "py"
    assert python.source_url == "https://docs.example.org/python/"
    assert js.language == "en" and js.channel_ids == (200,)
    assert loaded.corpora.default is python


def test_environment_and_flags_win_over_the_file(
    two_corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEBOT_TOP_K", "4")
    assert load().settings.top_k == 4
    assert load({"top_k": 2}).settings.top_k == 2


def test_citebot_config_names_the_file(
    two_corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "etc" / "bot.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(
        two_corpora.read_text().replace('"py"', '"../py"').replace('"js"', '"../js"')
    )
    two_corpora.unlink()
    monkeypatch.setenv("CITEBOT_CONFIG", str(elsewhere))
    loaded = load()
    assert loaded.config_file == elsewhere
    assert loaded.corpora.get("PYTHON") is not None  # names are matched in any case
    assert loaded.corpora.names == ["python", "js"]


def test_without_a_file_the_environment_gives_one_default_corpus(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    os.environ["CITEBOT_CORPUS"] = str(tmp_path / "docs")
    try:
        loaded = load()
    finally:
        del os.environ["CITEBOT_CORPUS"]
    assert not loaded.from_file and loaded.config_file is None
    (corpus,) = loaded.corpora
    assert corpus.folder == tmp_path / "docs" and loaded.corpora.default is corpus


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'topk = 3\n[corpora.a]\nfolder = "py"\n',
            "citebot.toml line 1: unknown key 'topk' (did you mean top_k?).",
        ),
        (
            '[corpora.a]\nfolder = "py"\nchanels = [1]\n',
            "citebot.toml line 3: unknown key 'chanels' in [corpora.a] "
            "(did you mean channel_ids?).",
        ),
        (
            '[corpora.a]\nfolder = "nowhere"\n',
            "citebot.toml line 2: [corpora.a] folder: the folder '{tmp}/nowhere' does not exist.",
        ),
        (
            '[corpora.a]\nfolder = "py"\n\n[corpora.a]\nfolder = "js"\n',
            "citebot.toml line 4: two corpora are named 'a': each name must be unique.",
        ),
        (
            '[corpora.a]\nfolder = "py"\n[corpora.A]\nfolder = "js"\n',
            "citebot.toml: two corpora are named 'A': each name must be unique.",
        ),
        (
            '[corpora.a]\nfolder = "py"\nchannel_ids = [7]\n'
            '[corpora.b]\nfolder = "js"\nchannel_ids = [8, 7]\n',
            "citebot.toml: channel 7 is given to both 'a' and 'b': a channel answers from one "
            "corpus.",
        ),
        (
            '[corpora.a]\nfolder = "py"\ndefault = true\n'
            '[corpora.b]\nfolder = "js"\ndefault = true\n',
            "citebot.toml: only one corpus may be the default (got 'a', 'b').",
        ),
        ("[corpora.a]\n", "citebot.toml: [corpora.a] folder: is required (the documents' folder)."),
        ('top_k = "many"\n', "Invalid setting top_k in {tmp}/citebot.toml (got 'many'): input"),
        ("[corpora\n", "citebot.toml is not valid TOML"),
        (  # not pydantic's "Input is not a valid path for <class 'pathlib.Path'>"
            "[corpora.a]\nfolder = 3\n",
            "citebot.toml line 2: [corpora.a] folder: should be a folder in quotes, "
            'e.g. folder = "docs" (got 3).',
        ),
        (
            '[corpora.a]\nfolder = "py"\nchannel_ids = [1.5]\n',
            "citebot.toml line 3: [corpora.a] channel_ids.0: input should be a valid integer, "
            "got a number with a fractional part (got 1.5).",
        ),
    ],
)
def test_each_mistake_in_the_file_is_one_line_and_exit_2(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "py").mkdir()
    (tmp_path / "js").mkdir()
    (tmp_path / "citebot.toml").write_text(text)
    code, out, err = run("ask", "anything")
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    expected = message.replace("{tmp}", str(tmp_path))
    assert line.startswith("citebot: ")
    assert expected in line, line
    if "{tmp}" not in message:
        assert line.startswith(f"citebot: {tmp_path}/citebot.toml")


def test_routing_by_channel_thread_server_and_default() -> None:
    here = Path(".")

    def corpus(name: str, **fields: object) -> CorpusConfig:
        return CorpusConfig(name=name, folder=here, **fields)  # type: ignore[arg-type]

    corpora = Corpora(
        corpora=(
            corpus("python", channel_ids=(100,), guild_ids=(1,)),
            corpus("js", channel_ids=(200,)),
            corpus("team", guild_ids=(2,)),  # the whole of server 2
            corpus("general", default=True, guild_ids=(1, 3)),
        )
    )

    def route(guild: int | None, channel: int | None, parent: int | None = None) -> str | None:
        found = corpora.route(guild, channel, parent)
        return None if found is None else found.name

    assert route(1, 100) == "python"
    assert route(1, 555, parent=100) == "python"  # a thread follows its parent
    assert route(1, 200) == "js"
    assert route(2, 100) == "team"  # python is not allowed in server 2
    assert route(2, 999) == "team"
    assert route(1, 999) == "general"
    assert route(4, 999) is None  # no corpus for that server: the bot says so politely
    assert route(None, None) == "general"  # a direct message
    assert [c.name for c in corpora.allowed(2)] == ["js", "team"]
    assert [c.name for c in corpora.allowed(1)] == ["python", "js", "general"]


def test_two_server_wide_corpora_for_one_server_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "citebot.toml").write_text(
        '[corpora.a]\nfolder = "a"\nguild_ids = [5]\n[corpora.b]\nfolder = "a"\nguild_ids = [5]\n'
    )
    with pytest.raises(SettingsError) as caught:
        load()
    assert caught.value.lines == [
        f"{tmp_path}/citebot.toml: server 5 has two server-wide corpora, 'a' and 'b': give one "
        "of them channel_ids."
    ]


def test_each_corpus_answers_from_its_own_documents(two_corpora: Path) -> None:
    code, out, err = run("ask", "--corpus", "python", "How do I create a virtual environment?")
    assert code == 0, err
    assert out.startswith("Create one with python -m venv .venv and activate it. [1]")
    code, out, err = run("ask", "--corpus", "js", "How do I install a package?")
    assert code == 0, err
    assert out.startswith("Install a package with npm install and save it in package.json. [1]")
    code, out, _ = run("ask", "How do I install a package?")  # the default corpus: python
    assert "npm" not in out


def test_an_unknown_corpus_name_lists_the_configured_ones(two_corpora: Path) -> None:
    code, out, err = run("ask", "--corpus", "rust", "x")
    assert code == 2 and out == ""
    assert err == (
        "citebot: there is no corpus named 'rust' (configured: python, js) and no folder 'rust'.\n"
    )


def test_without_a_default_the_command_asks_which(two_corpora: Path) -> None:
    two_corpora.write_text(two_corpora.read_text().replace("default = true\n", ""))
    code, _, err = run("ask", "x")
    assert code == 2
    assert err == (
        "citebot: several corpora are configured and none is the default: pass --corpus NAME "
        "(python, js), or set default = true on one of them.\n"
    )


def test_index_all_builds_each_corpus_its_own_index(two_corpora: Path, tmp_path: Path) -> None:
    code, out, err = run("index", "--all")
    assert code == 0, err
    reports = out.split("\n\n")
    assert [r.splitlines()[0] for r in reports] == ["name:        python", "name:        js"]
    assert all("index:       built (no saved index)" in r for r in reports)
    assert len(list((tmp_path / "cache" / "citebot").glob("*.citebot-index"))) == 2
    code, out, _ = run("index", "--all")
    assert out.count("index:       loaded\n") == 2


def test_the_registry_opens_a_corpus_on_first_use_and_once(two_corpora: Path) -> None:
    opened: list[str] = []

    def open_corpus(corpus: CorpusConfig) -> LiveEngine:
        opened.append(corpus.name)
        time.sleep(0.05)  # a slow open: a second caller must wait for it, not open again
        return LiveEngine(Engine.from_folder(corpus.folder))

    registry = CorpusRegistry(load().corpora, open_corpus)
    assert opened == [] and registry.opened() == {}
    threads = [threading.Thread(target=registry.engine, args=("js",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert opened == ["js"]
    answer = registry.engine("JS").get().ask("How do I install a package?")
    assert answer.citations[0].passage.source == "npm.md"
    assert list(registry.opened()) == ["js"] and not registry.is_open("python")
    route = registry.route(10, 555, 101)
    assert route is not None and registry.engine(route) is registry.engine("python")
    assert opened == ["js", "python"]
    with pytest.raises(
        UnknownCorpusError, match=r"no corpus named 'go' \(configured: python, js\)"
    ):
        registry.engine("go")
