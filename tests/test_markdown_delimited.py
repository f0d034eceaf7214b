"""Containers real documentation sites open and close with marker lines — pymdown-extensions'
Blocks (``/// note | Title`` … ``///``: FastAPI, pydantic) and MyST directives (```` ```{note} ````,
``:::{warning}``, ``(label)=`` targets: Sphinx sites written in Markdown, such as Click's) — read
as what they are: their markers are markup, never quoted, and their bodies are prose or code.

Found in the session-6 new-user trial: FastAPI's Chinese docs answered a CORS question with the
sentence "/// note | 技术细节", Click's with "(ansi-colors)=" and its ``{note}`` bodies as code.
"""

from __future__ import annotations

from bot.markup import block_lines, plain_text
from retrieval.reading import BlockKind
from retrieval.reading.blocks import PROSE_KINDS
from retrieval.reading.markdown import read_markdown

K = BlockKind


def _blocks(text: str) -> list[tuple[BlockKind, str, int, str]]:
    """(kind, exact source text, line, label) of every block, checking the span invariants."""
    blocks = read_markdown(text)
    for block in blocks:
        span = text[block.start : block.end]
        assert span == span.strip()
        assert block.line == text[: block.start].count("\n") + 1
    return [(b.kind, text[b.start : b.end], b.line, b.label) for b in blocks]


def _prose(text: str) -> list[str]:
    return [text[b.start : b.end] for b in read_markdown(text) if b.kind in PROSE_KINDS]


def test_pymdown_blocks_admonition_markers_are_markup_and_the_body_admonition() -> None:
    text = (
        "# CORS\n\n/// note | Technical details\n\n"
        "You could also use `CORSMiddleware`.\n\n///\n\nAfter.\n"
    )
    assert _blocks(text) == [
        (K.HEADING, "# CORS", 1, ""),
        (K.MARKUP, "/// note | Technical details", 3, ""),
        (K.ADMONITION, "You could also use `CORSMiddleware`.", 5, "note"),
        (K.MARKUP, "///", 7, ""),
        (K.PARAGRAPH, "After.", 9, ""),
    ]


def test_a_version_note_block_without_blank_lines_is_not_one_paragraph() -> None:
    """pydantic's ``/// version-added | v2.10`` with its body and closer on the next lines:
    CommonMark alone reads the three lines as one paragraph, markers and all."""
    text = "/// version-added | v2.10\nDefault factories can take data.\n///\n\nNext."
    assert _prose(text) == ["Default factories can take data.", "Next."]
    assert _blocks(text)[1][3] == "version-added"


def test_blocks_tabs_nesting_code_and_an_unclosed_block() -> None:
    text = (
        "//// tab | pip\n\n/// warning\nCareful.\n///\n\n```\n///\n```\n\n////\n\n"
        "/// details | More\n    type: warning\n\nHidden text.\n"
    )
    blocks = _blocks(text)
    assert (K.ADMONITION, "Careful.", 4, "warning") in blocks
    assert (K.CODE, "```\n///\n```", 7, "pip") in blocks  # a fence inside a tab is code
    assert (K.MARKUP, "/// details | More\n    type: warning", 13, "") in blocks
    assert (K.ADMONITION, "Hidden text.", 16, "details") in blocks  # unclosed: to the end
    assert not any("//" in p for p in _prose(text))


def test_myst_admonition_directives_read_their_body_as_prose() -> None:
    text = (
        "```{note}\nThis is a note.\n```\n\n:::{warning}\n:class: x\nCareful here.\n:::\n\n"
        "````{tip}\nUse this:\n\n```python\nx = 1\n```\n````\n"
    )
    blocks = _blocks(text)
    assert (K.ADMONITION, "This is a note.", 2, "note") in blocks
    assert (K.MARKUP, ":::{warning}\n:class: x", 5, "") in blocks
    assert (K.ADMONITION, "Careful here.", 7, "warning") in blocks
    assert (K.ADMONITION, "Use this:", 11, "tip") in blocks
    assert (K.CODE, "```python\nx = 1\n```", 13, "tip") in blocks
    assert not any(b[0] is K.CODE and "{note}" in b[1] for b in blocks)


def test_myst_navigation_directives_and_targets_are_never_prose() -> None:
    text = (
        "(ansi-colors)=\n\n## ANSI Colors\n\n```{toctree}\n:maxdepth: 2\n\nquickstart\n```\n\n"
        "```{currentmodule} click\n```\n\nColours work.\n"
    )
    assert _prose(text) == ["Colours work."]
    blocks = _blocks(text)
    assert blocks[0] == (K.MARKUP, "(ansi-colors)=", 1, "")
    assert not any(b[0] is K.CODE for b in blocks)


def test_myst_code_directive_is_code_in_its_language_without_its_options() -> None:
    text = "Run it:\n\n```{code-block} python\n:caption: prompt.py\n\nimport click\n```\n"
    [code] = [b for b in read_markdown(text) if b.kind is K.CODE]
    assert code.lang == "python"
    shown = block_lines(text[code.start : code.end], "code")
    assert shown.lines == ("import click",)
    assert shown.lang == "python"


def test_myst_roles_are_shown_as_sphinx_shows_them() -> None:
    quote = (
        "{func}`version_option` adds a `--version` option; see "
        "{ref}`parameter types <parameter-types>` and {class}`~click.File`."
    )
    assert plain_text(quote) == (
        "version_option adds a --version option; see parameter types and File."
    )
    assert plain_text("Braces {like this} stay, and `{x}` too.") == (
        "Braces {like this} stay, and {x} too."
    )


def test_a_block_quotes_continuation_markers_are_not_shown() -> None:
    """A quoted sentence of a ``>`` block quote spans its lines, markers included: Click's
    "split up on the command line into multiple > places" showed the marker mid-sentence."""
    text = "> If an option is split up into multiple\n>    places, it fires once.\n"
    [quote] = [b for b in read_markdown(text) if b.kind is K.QUOTE]
    assert plain_text(text[quote.start : quote.end]) == (
        "If an option is split up into multiple places, it fires once."
    )
    assert plain_text("a > b\nand c > d") == "a > b and c > d"
