"""Markdown content tabs: a quoted sentence that introduces a set of tabs brings the tab the
question names (docs/quality.md, "Session 7")."""

from __future__ import annotations

import io
from pathlib import Path

from bot.discord_paragraph import paragraph_now
from bot.discord_render import SHOW_CUSTOM_ID, SHOW_PREFIX, render_answer, show_target
from bot.repl import PROMPT, Repl
from retrieval import Answer, ComposerOptions, Engine, EngineOptions, QuotedBlock
from retrieval.answering.units import named_tab, tab_at
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


def test_the_quoted_tab_is_found_again_by_where_it_starts() -> None:
    unit = _first_tab_unit(TABS)
    zsh = named_tab(TABS, unit, {"zsh"}, _terms)
    assert zsh is not None
    assert tab_at(TABS, unit, zsh.start) == zsh
    assert tab_at(TABS, unit, unit.start) is None  # the stored unit is not a later tab
    assert tab_at(TABS, unit, zsh.start + 1) is None
    assert tab_at(TABS, unit, TABS.rindex("```bash")) is None  # past the set's end


def _zsh_answer(engine: Engine) -> tuple[Answer, QuotedBlock]:
    answer = engine.ask("how do I enable shell completion in zsh?")
    assert answer.blocks and "completion zsh" in answer.blocks[0].text, answer
    return answer, answer.blocks[0]


def test_the_whole_block_shown_later_is_the_quoted_tab(tmp_path: Path) -> None:
    engine = _tabs_engine(tmp_path)
    answer, block = _zsh_answer(engine)
    passage = next(c.passage for c in answer.citations if c.n == block.citation)
    shown = engine.following_block(passage, block.citation, block.start)
    assert shown is not None and shown.text == block.text
    assert (shown.start, shown.end, shown.full_end) == (block.start, block.end, block.full_end)
    assert engine.source_text("install.md")[shown.start : shown.end] == shown.text
    first = engine.following_block(passage)  # no quoted start given: the stored unit
    assert first is not None and "completion bash" in first.text
    assert engine.following_block(passage, at=block.start + 1) == first  # not a tab: stored


def test_repl_source_shows_the_tab_the_answer_quoted(tmp_path: Path) -> None:
    engine = _tabs_engine(tmp_path)
    _, block = _zsh_answer(engine)
    out = io.StringIO()
    feed = iter(["how do I enable shell completion in zsh?", f":source {block.citation}"])

    def read(prompt: str) -> str:
        line = next(feed, None)
        if line is None:
            raise EOFError()
        out.write(prompt + line + "\n")
        return line

    assert Repl(engine, read=read, out=out).run() == 0
    shown = out.getvalue().split(PROMPT + f":source {block.citation}\n", 1)[1]
    assert shown.startswith(f"[{block.citation}] install.md")
    assert "completion zsh" in shown and "completion bash" not in shown


def test_discord_show_paragraph_shows_the_tab_the_answer_quoted(tmp_path: Path) -> None:
    engine = _tabs_engine(tmp_path)
    answer, block = _zsh_answer(engine)
    passage = next(c.passage for c in answer.citations if c.n == block.citation)
    buttons = {b.label: b.custom_id for b in render_answer(answer).buttons}
    custom_id = buttons[f"Show paragraph [{block.citation}]"]
    assert custom_id == f"{SHOW_PREFIX}{passage.id}:{block.start - passage.end}"
    assert SHOW_CUSTOM_ID.fullmatch(custom_id)
    key = custom_id.removeprefix(SHOW_PREFIX)
    assert show_target(key) == (passage.id, block.start - passage.end)
    assert show_target(passage.id) == (passage.id, None)  # a button from before
    payload = paragraph_now(engine, *show_target(key))
    assert payload is not None
    text = "\n".join(str(e.get("description", "")) for e in payload.embeds)
    assert "completion zsh" in text and "completion bash" not in text
    older = paragraph_now(engine, passage.id)  # an older button: the stored block, as before
    assert older is not None
    assert "completion bash" in "\n".join(str(e.get("description", "")) for e in older.embeds)


def test_show_paragraph_keeps_the_quoted_tab_after_an_edit_before_it(tmp_path: Path) -> None:
    """A button pressed after the file was edited above the paragraph (the paragraph itself, so
    its id, unchanged) and re-indexed: still the tab the answer quoted, not the first tab's."""
    engine = _tabs_engine(tmp_path)
    answer, block = _zsh_answer(engine)
    buttons = {b.label: b.custom_id for b in render_answer(answer).buttons}
    key = buttons[f"Show paragraph [{block.citation}]"].removeprefix(SHOW_PREFIX)
    edited = TABS.replace("# Install\n", "# Install\n\nA new first paragraph about the tool.\n")
    (tmp_path / "install.md").write_text(edited, encoding="utf-8")
    options = ComposerOptions(min_confidence=0.0)
    now = Engine.from_folder(tmp_path, EngineOptions(composer=options))
    payload = paragraph_now(now, *show_target(key))
    assert payload is not None
    text = "\n".join(str(e.get("description", "")) for e in payload.embeds)
    assert "completion zsh" in text and "completion bash" not in text


def test_a_crlf_file_gets_the_named_tab_too(tmp_path: Path) -> None:
    """Windows line ends: the tab labels and fences still match, and the quote is still the
    file's exact text (its carriage returns included)."""
    (tmp_path / "install.md").write_bytes(TABS.replace("\n", "\r\n").encode("utf-8"))
    options = ComposerOptions(min_confidence=0.0)
    engine = Engine.from_folder(tmp_path, EngineOptions(composer=options))
    block = engine.ask("how do I enable shell completion in zsh?").blocks[0]
    assert "completion zsh" in block.text
    assert engine.source_text("install.md")[block.start : block.end] == block.text
