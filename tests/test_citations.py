"""Citations a reader can open: each passage's heading path, anchor, line and kind, kept
through a saved index; URLs; the include/exclude globs; the JSON, terminal and Discord forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.commands import left_out_report
from bot.discord_render import linked_title
from bot.discord_render import render_answer as discord_answer
from bot.jsonout import answer_to_json
from bot.render_text import citation_place
from bot.render_text import render_answer as text_answer
from retrieval import (
    Citation,
    Engine,
    EngineOptions,
    FileSelection,
    Opening,
    OptionError,
    Passage,
    open_engine,
)
from retrieval.reading import matches, split_patterns

from .test_cli import citebot

GUIDE = (
    "# Installing Python { #install-python }\n"
    "\n"
    "uv can install Python for you.\n"
    "\n"
    "## Getting started\n"
    "\n"
    "To install the latest Python version, run the install command:\n"
    "\n"
    "```console\n"
    "$ uv python install\n"
    "```\n"
    "\n"
    "!!! note\n"
    "\n"
    "    Python downloads come from the python-build-standalone project.\n"
    "\n"
    "## Getting started\n"
    "\n"
    "- Pin a version with the pin command in a project folder.\n"
)
FILES = {
    "guides/install-python.md": GUIDE,
    "index.md": "# uv\n\nAn extremely fast Python package manager, written in Rust.\n",
    "release-notes.md": "# Notes\n\nPython install got faster in every release.\n",
    "changelog/CHANGELOG.md": "# Changes\n\nFixed the Python install command.\n",
    "img/logo.png": "not a document",
    "notes.txt": "Plain notes\n\nPython notes in plain text.\n",
}
BASE = "https://docs.astral.sh/uv/"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _places(engine: Engine) -> list[tuple[str, int, tuple[str, ...], str, str]]:
    return [(p.source, p.line, p.headings, p.anchor, p.kind) for p in engine.passages]


EXPECTED = [
    ("changelog/CHANGELOG.md", 3, ("Changes",), "changes", "paragraph"),
    ("guides/install-python.md", 3, ("Installing Python",), "install-python", "paragraph"),
    (
        "guides/install-python.md",
        7,
        ("Installing Python", "Getting started"),
        "getting-started",
        "paragraph",
    ),
    (
        "guides/install-python.md",
        15,
        ("Installing Python", "Getting started"),
        "getting-started",
        "admonition",
    ),
    (
        "guides/install-python.md",
        19,
        ("Installing Python", "Getting started"),
        "getting-started_1",
        "list_item",
    ),
    ("index.md", 3, ("uv",), "uv", "paragraph"),
    ("notes.txt", 3, ("Plain notes",), "", "paragraph"),
    ("release-notes.md", 3, ("Notes",), "notes", "paragraph"),
]


def test_passages_know_their_place_and_keep_it_through_a_saved_index(
    docs: Path, tmp_path: Path
) -> None:
    built, report = open_engine(docs, index_dir=tmp_path / "idx")
    assert report.opening is Opening.BUILT
    assert _places(built) == EXPECTED
    for passage in built.passages:
        text = built.source_text(passage.source)
        assert text[passage.start : passage.end] == passage.text
        assert text.count("\n", 0, passage.start) + 1 == passage.line
    loaded, report = open_engine(docs, index_dir=tmp_path / "idx")
    assert report.opening is Opening.LOADED
    assert list(loaded.passages) == list(built.passages)
    assert [s.format for s in loaded.passages.sources] == [
        "markdown",
        "markdown",
        "markdown",
        "text",
        "markdown",
    ]


def test_globs() -> None:
    assert split_patterns(" release-notes.md, **/changelog* ,,") == (
        "release-notes.md",
        "**/changelog*",
    )
    cases = [
        ("release-notes.md", "release-notes.md", True),
        ("release-notes.md", "docs/release-notes.md", True),  # no "/": any depth
        ("**/changelog*", "docs/CHANGELOG.md", False),  # case matters
        ("**/changelog*", "changelog/CHANGELOG.md", True),  # the folder "changelog" matches
        ("**/CHANGELOG*", "changelog/CHANGELOG.md", True),
        ("**/CHANGELOG*", "CHANGELOG.md", True),  # "**/" is zero folders too
        ("changelog", "changelog/CHANGELOG.md", True),  # a folder takes what is under it
        ("guides/*.md", "guides/install.md", True),
        ("guides/*.md", "guides/deep/install.md", False),  # "*" stays in one segment
        ("guides/**", "guides/deep/install.md", True),
        ("guides/", "guides/deep/install.md", True),
        ("/index.md", "index.md", True),
        ("index.md", "guides/index.md", True),
        ("/guides/index.md", "index.md", False),
        ("g?ides/[a-i]*.md", "guides/install.md", True),
        ("g?ides/[!a-i]*.md", "guides/install.md", False),
        ("[", "[", True),
    ]
    for pattern, source, expected in cases:
        assert matches(pattern, source) is expected, (pattern, source)
    selection = FileSelection(include=("guides/**", "*.txt"), exclude=("notes.txt",))
    assert selection.reason_left_out("guides/a.md") is None
    assert selection.reason_left_out("notes.txt") == "excluded by 'notes.txt'"
    assert selection.reason_left_out("index.md") == "matches no include pattern"


def test_excluded_files_are_not_indexed_and_are_reported(docs: Path, tmp_path: Path) -> None:
    options = EngineOptions(exclude=("release-notes.md", "changelog"))
    engine, _ = open_engine(docs, options, index_dir=tmp_path / "idx")
    assert {p.source for p in engine.passages} == {
        "guides/install-python.md",
        "index.md",
        "notes.txt",
    }
    left_out = [(item.source, item.reason) for item in engine.left_out()]
    assert left_out == [
        ("changelog/CHANGELOG.md", "excluded by 'changelog'"),
        ("img/logo.png", "unsupported suffix .png"),
        ("release-notes.md", "excluded by 'release-notes.md'"),
    ]
    assert left_out_report(engine.left_out()).splitlines() == [
        "left out:    3 file(s)",
        "  changelog/CHANGELOG.md: excluded by 'changelog'",
        "  release-notes.md: excluded by 'release-notes.md'",
        "  1 not read (unsupported suffix): .png (1)",
    ]
    # The globs are part of the saved index's key: another selection is another index, and
    # an excluded file that changes does not make the index stale.
    (docs / "release-notes.md").write_text("# Notes\n\nChanged.\n", encoding="utf-8")
    _, again = open_engine(docs, options, index_dir=tmp_path / "idx")
    assert again.opening is Opening.LOADED
    _, everything = open_engine(docs, index_dir=tmp_path / "idx")
    assert everything.opening is Opening.BUILT
    assert len(list((tmp_path / "idx").iterdir())) == 2
    only, _ = open_engine(docs, EngineOptions(include=("guides/**",)), index_dir=tmp_path / "i2")
    assert {p.source for p in only.passages} == {"guides/install-python.md"}
    with pytest.raises(OptionError):
        EngineOptions(exclude="release-notes.md")  # type: ignore[arg-type]


def test_citebot_index_reports_what_was_left_out(docs: Path, tmp_path: Path) -> None:
    done = citebot(
        "index",
        "--corpus",
        str(docs),
        "--index-dir",
        str(tmp_path / "idx"),
        env={"CITEBOT_EXCLUDE": "release-notes.md, **/CHANGELOG*"},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "documents:   3\n" in done.stdout
    assert (
        "left out:    3 file(s)\n"
        "  changelog/CHANGELOG.md: excluded by '**/CHANGELOG*'\n"
        "  release-notes.md: excluded by 'release-notes.md'\n"
        "  1 not read (unsupported suffix): .png (1)\n"
    ) in done.stdout


def test_answers_cite_a_place_a_reader_can_open(docs: Path) -> None:
    engine = Engine.from_folder(docs, EngineOptions(source_url=BASE))
    answer = engine.ask("How do I install the latest Python version?")
    assert answer.answered
    first = answer.citations[0]
    assert first.passage.source == "guides/install-python.md"
    assert first.url == BASE + "guides/install-python/#getting-started"
    assert answer.source_url == BASE
    assert citation_place(first) == "guides/install-python.md:7 › Getting started"
    shown = text_answer(answer)
    assert "[1] guides/install-python.md:7 › Getting started" in shown
    assert "\n      " + first.url in shown
    cited = answer_to_json(answer)["citations"][0]
    assert {k: cited[k] for k in ("line", "headings", "url", "format", "page")} == {
        "line": 7,
        "headings": ["Installing Python", "Getting started"],
        "url": first.url,
        "format": "markdown",
        "page": 0,
    }
    json.dumps(answer_to_json(answer))
    hit = answer_to_json(answer)["hits"][0]
    assert hit["line"] and hit["format"] == "markdown" and "url" not in hit
    unpublished = Engine.from_folder(docs).ask("How do I install the latest Python version?")
    assert all(c.url == "" for c in unpublished.citations)
    assert answer_to_json(unpublished)["citations"][0]["url"] == ""


def test_on_discord_the_citation_title_is_the_link(docs: Path) -> None:
    passage = Passage(
        "a" * 16, "guides/install-python.md", 3, 0, 5, "text", headings=("Install", "Pins")
    )
    linked = Citation(1, passage, 1.0, url=BASE + "guides/install-python/#pins")
    assert linked_title(linked) == (
        "[guides/install\\-python.md › Pins](https://docs.astral.sh/uv/guides/install-python/#pins)"
    )
    assert linked_title(Citation(1, passage, 1.0)) == ""
    assert linked_title(Citation(1, passage, 1.0, url="javascript:alert(1)")) == ""
    engine = Engine.from_folder(docs, EngineOptions(source_url=BASE))
    embed = discord_answer(engine.ask("How do I install the latest Python version?")).embeds[0]
    value = embed["fields"][0]["value"]
    assert value.startswith("[guides/install\\-python.md › Getting started](" + BASE)
    assert len(value) <= 1024


def test_the_code_a_paragraph_introduces_is_searched_with_it(tmp_path: Path) -> None:
    (tmp_path / "install.md").write_text(
        "# Install\n\nTo install the optional extras:\n\n"
        '=== "pip"\n\n    ```bash\n    pip install "zanzibar[email]"\n    ```\n\n'
        "## Other\n\nSomething else entirely about email.\n",
        encoding="utf-8",
    )
    (tmp_path / "other.md").write_text("# Other\n\nMore about email here.\n", encoding="utf-8")
    hits = Engine.from_folder(tmp_path, EngineOptions(unit_terms=100)).search("zanzibar email")
    assert hits[0].passage.text == "To install the optional extras:"
    assert hits[0].passage.line == 3
    without = Engine.from_folder(tmp_path, EngineOptions(unit_terms=0)).search("zanzibar email")
    assert all("zanzibar" not in h.passage.text for h in without)
    assert hits[0].passage.text not in [h.passage.text for h in without[:1]]
