"""Markdown content tabs: a quoted sentence that introduces a set of tabs brings the tab the
question names (docs/quality.md, "Session 7")."""

from __future__ import annotations

from pathlib import Path

from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.answering.units import named_tab
from retrieval.splitting.units import UnitSpan

TABS = """# Install

## Shell completion

To enable shell completion for the tool, run one of the following:

=== "Bash"

    ```bash
    echo 'eval "$(tool completion bash)"' >> ~/.bashrc
    ```

=== "Zsh"

    ```bash
    echo 'eval "$(tool completion zsh)"' >> ~/.zshrc
    ```

=== "fish"

    ```fish
    tool completion fish | source
    ```

Restart the shell afterwards.

=== "Zsh"

    ```bash
    not part of the set above
    ```
"""


def _first_tab_unit(text: str) -> UnitSpan:
    start = text.index("```bash")
    end = text.index("```", start + 3) + 3
    return UnitSpan("code", start, end, "bash")


def _terms(text: str) -> list[str]:
    return [w.lower() for w in text.replace("/", " ").split()]


def test_the_tab_the_question_names_replaces_the_first_tabs_block() -> None:
    unit = _first_tab_unit(TABS)
    tab = named_tab(TABS, unit, {"zsh", "completion"}, _terms)
    assert tab is not None
    assert TABS[tab.start : tab.end] == (
        "```bash\n    echo 'eval \"$(tool completion zsh)\"' >> ~/.zshrc\n    ```"
    )
    assert (tab.kind, tab.lang) == ("code", "bash")
    fish = named_tab(TABS, unit, {"fish"}, _terms)
    assert fish is not None and TABS[fish.start : fish.end].endswith("| source\n    ```")
    assert fish.lang == "fish"


def test_no_tab_named_or_the_first_one_named_keeps_the_stored_block() -> None:
    unit = _first_tab_unit(TABS)
    assert named_tab(TABS, unit, {"bash", "zsh"}, _terms) is None  # the first tab is asked for
    assert named_tab(TABS, unit, {"powershell"}, _terms) is None
    assert named_tab(TABS, unit, set(), _terms) is None
    assert named_tab(TABS, UnitSpan("list", unit.start, unit.end), {"zsh"}, _terms) is None
    plain = 'Run this:\n\n```bash\nmake\n```\n\n=== "Zsh"\n\n    ```bash\n    zsh\n    ```\n'
    start = plain.index("```bash")
    assert named_tab(plain, UnitSpan("code", start, start + 16), {"zsh"}, _terms) is None


def test_prose_after_the_tabs_ends_the_set() -> None:
    unit = _first_tab_unit(TABS)
    head = TABS[: TABS.index('=== "Zsh"')]  # only the first tab, then prose, then a "Zsh" tab
    tail = TABS[TABS.index("Restart the shell") :]
    text = head + tail
    assert named_tab(text, unit, {"zsh"}, _terms) is None


def _tabs_engine(tmp_path: Path, **composer: object) -> Engine:
    (tmp_path / "install.md").write_text(TABS, encoding="utf-8")
    (tmp_path / "other.md").write_text(
        "# Other\n\n## Caching\n\nThe cache lives in the home folder.\n", encoding="utf-8"
    )
    options = ComposerOptions(min_confidence=0.0, **composer)  # type: ignore[arg-type]
    return Engine.from_folder(tmp_path, EngineOptions(composer=options))


def test_an_answer_quotes_the_named_tab_verbatim(tmp_path: Path) -> None:
    engine = _tabs_engine(tmp_path)
    answer = engine.ask("how do I enable shell completion in zsh?")
    assert answer.blocks, answer
    block = answer.blocks[0]
    assert "completion zsh" in block.text
    assert engine.source_text("install.md")[block.start : block.end] == block.text
    assert block.full_end == block.end
    first = _tabs_engine(tmp_path, named_tabs=False)
    assert "completion bash" in first.ask("how do I enable shell completion in zsh?").blocks[0].text
