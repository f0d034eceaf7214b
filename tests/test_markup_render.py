"""Quoted Markdown shown as a reader knows it: the shared conversion (bot.markup), the terminal
rendering of sentences and blocks, ``:source n`` in the REPL, and ``blocks`` in the JSON."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.discord_render import render_answer as discord_render_answer
from bot.jsonout import answer_to_json
from bot.markup import (
    Piece,
    absolute_link,
    block_lines,
    cut_lines,
    inline_pieces,
    join_list_lines,
    plain_text,
)
from bot.render_text import BLOCK_LINES, render_answer
from bot.repl import Repl
from retrieval import Engine
from retrieval.types import Answer, Citation, Hit, Passage, QuotedBlock, Sentence
from tests.test_discord_render import violations

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "docs_tiny" / "corpus"
INSTALLER = "standalone installer for macos: what curl command installs it?"


# --- the conversion ------------------------------------------------------------------------------


def test_inline_pieces_read_code_emphasis_and_links() -> None:
    def resolve(href: str) -> str:
        return "https://docs.example/" + href.removesuffix(".md") + "/"

    pieces = inline_pieces(
        "Use **`uv lock`** to *pin*, see [locking](lock.md) or <abbr title='x'>PEP</abbr> 8.",
        resolve=resolve,
    )
    assert pieces == [
        Piece("Use "),
        Piece("uv lock", code=True, strong=True),
        Piece(" to "),
        Piece("pin", em=True),
        Piece(", see "),
        Piece("locking", url="https://docs.example/lock/"),
        Piece(" or PEP 8."),
    ]


def test_plain_text_drops_markup_and_shows_links_as_text_and_url() -> None:
    assert plain_text("See [the docs](https://x.org/a) and **bold** `code`.") == (
        "See the docs (https://x.org/a) and bold code."
    )
    # A relative link that cannot be made absolute shows its words only.
    assert plain_text("Read [the guide](../guide.md).") == "Read the guide."
    # Emphasis whose closing half is in the next sentence leaves no stray markers.
    assert plain_text("**Note.") == "Note."
    assert plain_text("a **b** c", markdown=False) == "a **b** c"


def test_a_reference_link_shows_its_words_without_brackets() -> None:
    """Starlette's ``[`httpx`][httpx] - Required …`` (its ``[httpx]: https://…`` definition at
    the end of the file, out of the quote) was shown as "[httpx][httpx] - Required …" in the
    terminal and with escaped brackets on Discord. A full or collapsed reference shows its
    words; a lone ``[x]`` (a checkbox, a shortcut the quote cannot tell) stays as written."""
    assert plain_text("[`httpx`][httpx] - Required for [the client][] too.") == (
        "httpx - Required for the client too."
    )
    assert inline_pieces("[`httpx`][Httpx] - ok") == [Piece("httpx", code=True), Piece(" - ok")]
    assert plain_text("[x] Security: audits.") == "[x] Security: audits."
    assert plain_text("a[0][1] and `[a][b]`") == "a[0][1] and [a][b]"


def test_bracketed_numbers_are_not_taken_for_a_reference_link() -> None:
    """Numbered citations ("see [1][2]") lost the second bracket and the first one's brackets
    ("see 1"), and "x = [1, 2][0]" became "x = 1, 2": with no words, not a link's text."""
    assert plain_text("As shown in [1][2], it holds.") == "As shown in [1][2], it holds."
    assert plain_text("x = [1, 2][0] here") == "x = [1, 2][0] here"
    assert plain_text("Read [the guide][1] first.") == "Read the guide first."


def test_absolute_link_keeps_absolute_and_asks_the_resolver_otherwise() -> None:
    assert absolute_link("https://a.org/x", None) == "https://a.org/x"
    assert absolute_link("x.md", None) == ""
    assert absolute_link("x.md", lambda h: "javascript:alert(1)") == ""
    assert absolute_link("x.md", lambda h: "https://a.org/x/") == "https://a.org/x/"


def test_block_lines_remove_fences_and_the_common_indent() -> None:
    fenced = block_lines('```python title="app.py"\n    x = 1\n      y = 2\n    ```', "code")
    assert (fenced.lang, fenced.lines) == ("python", ("x = 1", "  y = 2"))
    assert block_lines("~~~~\nplain\n~~~~", "code").lines == ("plain",)
    unclosed = block_lines("```sh\necho 1", "code", "bash")
    assert (unclosed.lang, unclosed.lines) == ("bash", ("echo 1",))
    assert block_lines("    indented\n    code", "code").lines == ("indented", "code")


def test_cut_lines_respects_both_budgets() -> None:
    lines = ["aaaa", "bbbb", "cccc"]
    assert cut_lines(lines, max_lines=5, max_chars=100) == (tuple(lines), False)
    assert cut_lines(lines, max_lines=2, max_chars=100) == (("aaaa", "bbbb"), True)
    assert cut_lines(lines, max_lines=5, max_chars=10) == (("aaaa", "bbbb"), True)
    assert cut_lines(["x" * 50], max_lines=5, max_chars=10) == (("x" * 9,), True)


# --- the terminal ---------------------------------------------------------------------------------


def test_terminal_answer_sets_the_code_apart_after_its_sentence() -> None:
    engine = Engine.from_folder(TINY)
    text = render_answer(engine.ask(INSTALLER))
    assert text.splitlines()[:4] == [
        "Widget ships a standalone installer for macOS and Linux. [1] "
        "Run the installer script with curl: [1]",
        "",
        "    $ curl -LsSf https://widget.example/install.sh | sh",
        "",
    ]
    assert "```" not in text and "`" not in text and "**" not in text
    assert "Upgrade an installed copy with widget self update at any time. [2]" in text


def _answer_with(block: QuotedBlock, sentence: str = "Run these:") -> Answer:
    passage = Passage("d" * 16, "guide.md", 2, 0, len(sentence), sentence, "Guide")
    quoted = Sentence(sentence, 1, 0, len(sentence), 1.0)
    return Answer(
        "q", (quoted,), (Citation(1, passage, 1.0),), (Hit(passage, 1.0, 1),), blocks=(block,)
    )


def test_terminal_cuts_a_long_block_at_a_line_and_says_how_to_see_it() -> None:
    code = "```sh\n" + "\n".join(f"echo {i}" for i in range(100)) + "\n```"
    text = render_answer(_answer_with(QuotedBlock("code", code, 10, 10 + len(code), 1, "sh")))
    lines = text.splitlines()
    assert f"    echo {BLOCK_LINES - 1}" in lines and f"    echo {BLOCK_LINES}" not in lines
    assert "    …  (the whole block: :source 1)" in lines


def test_terminal_lists_and_tables_lose_their_markup() -> None:
    items = "- `--frozen`: **do not** lock\n    - [nested](https://x.org)"
    text = render_answer(_answer_with(QuotedBlock("list", items, 10, 10 + len(items), 1)))
    assert "    • --frozen: do not lock" in text
    assert "        • nested (https://x.org)" in text
    table = "| Flag | Meaning |\n| --- | --- |\n| `-q` | **quiet** |"
    text = render_answer(_answer_with(QuotedBlock("table", table, 10, 10 + len(table), 1)))
    assert "    Flag │ Meaning" in text and "    -q │ quiet" in text and "---" not in text


def test_terminal_links_resolve_through_the_front_ends_resolver() -> None:
    passage = Passage("e" * 16, "guide/a.md", 2, 0, 30, "See [locking](../lock.md#x).")
    sentence = Sentence(passage.text, 1, 0, len(passage.text), 1.0)
    answer = Answer("q", (sentence,), (Citation(1, passage, 1.0),), ())
    text = render_answer(
        answer, resolve=lambda source, href: f"https://docs.example/{source}/{href}"
    )
    assert text.startswith("See locking (https://docs.example/guide/a.md/../lock.md#x). [1]")


# --- the REPL and JSON ----------------------------------------------------------------------------


def test_repl_source_shows_the_paragraph_and_its_whole_block() -> None:
    out = io.StringIO()
    repl = Repl(Engine.from_folder(TINY), read=lambda _: "", out=out)
    repl.handle(":source 1")
    assert out.getvalue() == "Nothing to show yet: ask a question first.\n"
    repl.handle(INSTALLER)
    out.truncate(0)
    out.seek(0)
    repl.handle(":source 1")
    shown = out.getvalue()
    assert shown.startswith("[1] install.md")
    # The paragraph's words as one line (the REPL wraps it to the terminal), as the answer shows
    # them: the file's soft line break is a space there too.
    assert "Widget ships a standalone installer for macOS and Linux. Run the installer" in shown
    assert "    $ curl -LsSf https://widget.example/install.sh | sh" in shown
    out.truncate(0)
    out.seek(0)
    repl.handle(":source 7")
    assert out.getvalue() == "There is no citation [7]; the last answer has 1, 2.\n"


def test_repl_source_shows_the_paragraph_without_raw_markup(tmp_path: Path) -> None:
    """``:source n`` showed the paragraph as the file has it — backticks, ``**`` and a relative
    link the answer itself had rendered — in the same terminal as the answer."""
    (tmp_path / "guide.md").write_text(
        "# Flags\n\nSet **`is_flag=True`** on the option to make a boolean flag, "
        "see [options](options.md#flags).\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    repl = Repl(Engine.from_folder(tmp_path), read=lambda _: "", out=out)
    repl.handle("How do I make a boolean flag?")
    out.truncate(0)
    out.seek(0)
    repl.handle(":source 1")
    shown = out.getvalue()
    assert "Set is_flag=True on the option to make a boolean flag, see options." in shown
    assert "`" not in shown and "**" not in shown and "](" not in shown


def test_json_blocks_are_verbatim_spans_of_the_file() -> None:
    engine = Engine.from_folder(TINY)
    obj = answer_to_json(engine.ask(INSTALLER))
    [block] = obj["blocks"]
    text = (TINY / "install.md").read_text(encoding="utf-8")
    assert text[block["start"] : block["end"]] == block["text"]
    assert block["text"].startswith("```console\n") and block["kind"] == "code"
    assert block["citation"] == obj["sentences"][block["after"]]["citation"]
    assert set(block) == {"kind", "lang", "text", "start", "end", "citation", "after", "full_end"}


def test_cli_json_carries_blocks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--corpus", str(TINY), INSTALLER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "install.sh | sh" in json.loads(done.stdout)["blocks"][0]["text"]


def test_relative_links_follow_the_citations_page_rules() -> None:
    from bot.discord_render import render_answer as discord_answer
    from bot.markup import citation_resolver

    text = "See [locking](../concepts/lock.md#pins) and [here](#top)."
    passage = Passage("f" * 16, "guides/sync.md", 2, 0, len(text), text)
    sentence = Sentence(text, 1, 0, len(text), 1.0)
    citation = Citation(1, passage, 1.0, url="https://docs.example/uv/guides/sync/#syncing")
    resolve = citation_resolver(citation)
    assert resolve is not None
    assert resolve("../concepts/lock.md#pins") == "https://docs.example/uv/concepts/lock/#pins"
    answer = Answer("q", (sentence,), (citation,), ())
    assert render_answer(answer).startswith(
        "See locking (https://docs.example/uv/concepts/lock/#pins) and "
        "here (https://docs.example/uv/guides/sync/#top). [1]"
    )
    description = discord_answer(answer).embeds[0]["description"]
    assert "[locking](https://docs.example/uv/concepts/lock/#pins)" in description
    # Unpublished: no URL on the citation, so the link shows its words only.
    bare = Answer("q", (sentence,), (Citation(1, passage, 1.0),), ())
    assert render_answer(bare).startswith("See locking and here. [1]")


# --- reStructuredText quotes ---------------------------------------------------------------------

RST_GUIDE = """Guide
=====

Install
-------

To install the widget, call :func:`~widget.install` with ``--user``, as `the site
<https://widget.example/install>`_ says:

.. code-block:: python

    def install(user):
        return widget.setup(user)
"""


def test_rst_quotes_show_as_the_built_page_shows_them(tmp_path: Path) -> None:
    """Terminal: no roles or backticks; Discord: the same as Markdown; JSON: the verbatim
    source span. The code block, whose first line the quote starts after its indent, is
    shown dedented as a whole (its body keeps its own indent)."""
    (tmp_path / "guide.rst").write_text(RST_GUIDE, encoding="utf-8")
    answer = Engine.from_folder(tmp_path).ask("how do I install the widget with --user?")
    terminal = render_answer(answer)
    assert terminal.splitlines()[:4] == [
        "To install the widget, call install with --user, as the site "
        "(https://widget.example/install) says: [1]",
        "",
        "    def install(user):",
        "        return widget.setup(user)",
    ]
    discord = discord_render_answer(answer).embeds[0]["description"]
    assert discord.endswith(
        "To install the widget, call `install` with `--user`, as "
        "[the site](https://widget.example/install) says\\: [1]\n```python\n"
        "def install(user):\n    return widget.setup(user)\n```"
    ), discord
    data = answer_to_json(answer)
    assert data["sentences"][0]["text"].startswith("To install the widget, call :func:`~widget.")
    assert data["blocks"][0]["text"] == (
        "def install(user):\n        return widget.setup(user)"
    )  # verbatim from the file: the span starts at the first character


def test_block_lines_put_back_the_first_lines_indent_before_dedenting() -> None:
    shown = block_lines("def f():\n        return 1", "code", "python", indent=4)
    assert shown.lines == ("def f():", "    return 1")
    assert block_lines("x = 1\n    y", "code").lines == ("x = 1", "    y")


def test_a_list_items_wrapped_lines_are_shown_as_one_entry() -> None:
    lines = [
        "-   autoescaping is enabled for templates ending in ``.html``,",
        "    ``.htm`` and ``.xml``.",
        "-   a second item",
        "    - nested item",
        "      wrapped too",
    ]
    assert join_list_lines(lines) == [
        "-   autoescaping is enabled for templates ending in ``.html``, ``.htm`` and ``.xml``.",
        "-   a second item",
        "    - nested item wrapped too",
    ]
    block = QuotedBlock("list", "\n".join(lines), 0, 0, 1)
    answer = _answer_with(block)
    passage = replace(answer.citations[0].passage, source="guide.rst")
    answer = replace(answer, citations=(Citation(1, passage, 1.0),))
    shown = render_answer(answer).splitlines()
    assert "    • autoescaping is enabled for templates ending in .html, .htm and .xml." in shown
    assert "        • nested item wrapped too" in shown


def test_an_empty_code_block_leaves_no_gap_in_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "# Setup\n\nRun the following command to install widgets:\n\n```bash\n```\n",
        encoding="utf-8",
    )
    text = render_answer(Engine.from_folder(tmp_path).ask("How do I install widgets?"))
    assert "\n\n" not in text, text


def test_an_included_file_is_named_not_shown_as_its_directive(tmp_path: Path) -> None:
    """``literalinclude::`` (and ``include:: … :literal:``) blocks: the reader keeps the
    directive (the file is not read), and the answer showed ``.. literalinclude::
    /example/xfail_demo.py`` as if it were the code; both front ends now say what the page
    shows there. The JSON block stays the verbatim directive."""
    (tmp_path / "skipping.rst").write_text(
        "XFail\n=====\n\nHere is a simple xfail test file with the several usages:\n\n"
        ".. literalinclude:: /example/xfail_demo.py\n\n"
        "And a yaml test file for the xfail plugin:\n\n"
        ".. include:: plugin/test_simple.yaml\n    :literal:\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    answer = engine.ask("xfail test file with several usages")
    assert answer.blocks, "the block is quoted with its sentence"
    terminal = render_answer(answer)
    assert "    (here the page shows the file /example/xfail_demo.py)" in terminal.splitlines()
    assert ".. literalinclude" not in terminal
    payload = discord_render_answer(answer)
    description = payload.embeds[0]["description"]
    assert "*(here the page shows the file `/example/xfail_demo.py`)*" in description
    assert "literalinclude" not in description and "```" not in description
    assert violations(payload) == []
    assert answer_to_json(answer)["blocks"][0]["text"] == (
        ".. literalinclude:: /example/xfail_demo.py"
    )
    yaml = engine.ask("yaml test file for the xfail plugin")
    assert "(here the page shows the file plugin/test_simple.yaml)" in render_answer(yaml)


def test_a_loose_lists_gaps_and_a_codes_blank_lines_are_empty_lines_in_the_terminal() -> None:
    """Items separated by blank lines (as pytest's docs write them), and a code block's blank
    lines, showed a line of indent spaces."""
    code = QuotedBlock("code", "import pytest\n\n\ndef test(): ...", 0, 0, 1, "python")
    assert render_answer(_answer_with(code)).splitlines()[2:6] == [
        "    import pytest",
        "",
        "",
        "    def test(): ...",
    ]
    block = QuotedBlock("list", "* one place\n\n* good output\n\n* typos are errors", 0, 0, 1)
    answer = _answer_with(block)
    passage = replace(answer.citations[0].passage, source="guide.rst")
    answer = replace(answer, citations=(Citation(1, passage, 1.0),))
    shown = render_answer(answer).splitlines()
    assert shown[2:7] == ["    • one place", "", "    • good output", "", "    • typos are errors"]
    assert all(line == line.rstrip() for line in shown)


def test_console_blocks_show_termynal_colour_spans_as_their_words() -> None:
    # FastAPI's console blocks colour words with HTML the page's terminal widget renders
    # (<span style="color: green;">INFO</span>); shown literally, the tags read as noise.
    text = (
        "```console\n$ uv run fastapi dev\n\n"
        '<span style="color: green;">INFO</span>:     Uvicorn running\n```'
    )
    shown = block_lines(text, "code")
    assert shown.lines == ("$ uv run fastapi dev", "", "INFO:     Uvicorn running")
    # Other languages' code keeps its text: in Python or HTML the tag is the code.
    html = '```html\n<span style="color: green;">INFO</span>\n```'
    assert block_lines(html, "code").lines == ('<span style="color: green;">INFO</span>',)
