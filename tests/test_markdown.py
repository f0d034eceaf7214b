"""The Markdown reader: every construct's exact source span and line, headings' anchors, and
bad input that must be read without a crash and without markup ever becoming prose."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.reading import BlockKind, read_blocks
from retrieval.reading.blocks import PROSE_KINDS, Block
from retrieval.reading.markdown import read_markdown, slugify, unique_anchor

K = BlockKind


def _read(text: str) -> list[tuple[BlockKind, str, int]]:
    """(kind, exact source text, line) of every block, checking the span and line invariants."""
    blocks = read_markdown(text)
    lines = text.splitlines(keepends=True)
    for block in blocks:
        assert 0 <= block.start < block.end <= len(text)
        span = text[block.start : block.end]
        assert span == span.strip(), span
        before = text[: block.start]
        assert block.line == before.count("\n") + 1, (block, lines[block.line - 1 : block.line])
    return [(b.kind, text[b.start : b.end], b.line) for b in blocks]


def _prose(text: str) -> list[str]:
    return [text[b.start : b.end] for b in read_markdown(text) if b.kind in PROSE_KINDS]


def test_paragraphs_headings_and_front_matter() -> None:
    text = "---\ntitle: Guide\n---\n# Install *it*\n\nFirst line\nsecond line.\n\n## Next\nText."
    assert _read(text) == [
        (K.FRONT_MATTER, "---\ntitle: Guide\n---", 1),
        (K.HEADING, "# Install *it*", 4),
        (K.PARAGRAPH, "First line\nsecond line.", 6),
        (K.HEADING, "## Next", 9),
        (K.PARAGRAPH, "Text.", 10),
    ]
    headings = [b for b in read_markdown(text) if b.kind is K.HEADING]
    assert [(h.level, h.heading, h.anchor) for h in headings] == [
        (1, "Install it", "install-it"),
        (2, "Next", "next"),
    ]


def test_setext_headings_and_crlf_line_endings() -> None:
    text = "Title\r\n=====\r\n\r\nBody text.\r\n"
    assert _read(text) == [(K.HEADING, "Title\r\n=====", 1), (K.PARAGRAPH, "Body text.", 4)]


def test_lists_items_and_nesting() -> None:
    text = "Intro:\n\n- first item\n  wraps here\n    - nested *one*\n- second\n\n1. one\n2. two\n"
    assert _read(text) == [
        (K.PARAGRAPH, "Intro:", 1),
        (K.LIST, "- first item\n  wraps here\n    - nested *one*\n- second", 3),
        (K.LIST_ITEM, "first item\n  wraps here", 3),
        (K.LIST, "- nested *one*", 5),
        (K.LIST_ITEM, "nested *one*", 5),
        (K.LIST_ITEM, "second", 6),
        (K.LIST, "1. one\n2. two", 8),
        (K.LIST_ITEM, "one", 8),
        (K.LIST_ITEM, "two", 9),
    ]
    levels = [b.level for b in read_markdown(text) if b.kind is K.LIST_ITEM]
    assert levels == [1, 2, 1, 1, 1]


def test_code_fenced_indented_and_tables() -> None:
    text = (
        'Run this:\n\n```python title="x.py"\nprint(1)\n```\n\n    indented code\n\n'
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    blocks = read_markdown(text)
    assert _read(text) == [
        (K.PARAGRAPH, "Run this:", 1),
        (K.CODE, '```python title="x.py"\nprint(1)\n```', 3),
        (K.CODE, "indented code", 7),
        (K.TABLE, "| a | b |\n|---|---|\n| 1 | 2 |", 9),
    ]
    assert [b.lang for b in blocks if b.kind is K.CODE] == ["python", ""]
    langs = "```{.rust .numberLines}\nx\n```\n\n~~~ c++\nx\n~~~\n\n```\nx\n```\n"
    assert [b.lang for b in read_markdown(langs)] == ["rust", "c++", ""]


def test_quotes_and_github_alerts() -> None:
    text = "> Quoted words\n> go on.\n\n> [!NOTE]\n> Useful to know.\n\n> [!WARNING]\n"
    assert _read(text) == [
        (K.QUOTE, "Quoted words\n> go on.", 1),
        (K.ADMONITION, "Useful to know.", 5),
    ]
    labels = [b.label for b in read_markdown(text) if b.kind is K.ADMONITION]
    assert labels == ["note"]


def test_mkdocs_admonitions_with_indented_bodies() -> None:
    text = (
        '!!! note "Heads up"\n\n    The body is Markdown.\n    It wraps.\n\n'
        "    ```bash\n    uv sync\n    ```\n\n??? tip\n    Folded tip.\n\nAfter.\n"
    )
    assert _read(text) == [
        (K.MARKUP, '!!! note "Heads up"', 1),
        (K.ADMONITION, "The body is Markdown.\n    It wraps.", 3),
        (K.CODE, "```bash\n    uv sync\n    ```", 6),
        (K.MARKUP, "??? tip", 10),
        (K.ADMONITION, "Folded tip.", 11),
        (K.PARAGRAPH, "After.", 13),
    ]
    assert [b.label for b in read_markdown(text) if b.kind is K.ADMONITION] == ["note", "tip"]


def test_content_tabs_read_their_body_as_markdown() -> None:
    text = (
        'Install it:\n\n=== "pip"\n\n    ```console\n    $ pip install uv\n    ```\n\n'
        '=== "brew"\n\n    Use Homebrew:\n\n        brew install uv\n'
    )
    blocks = read_markdown(text)
    assert _read(text) == [
        (K.PARAGRAPH, "Install it:", 1),
        (K.MARKUP, '=== "pip"', 3),
        (K.CODE, "```console\n    $ pip install uv\n    ```", 5),
        (K.MARKUP, '=== "brew"', 9),
        (K.PARAGRAPH, "Use Homebrew:", 11),
        (K.CODE, "brew install uv", 13),
    ]
    assert [(b.lang, b.label) for b in blocks if b.kind is K.CODE] == [
        ("console", "pip"),
        ("", "brew"),
    ]


def test_an_admonition_nested_in_a_list_item() -> None:
    text = "1. Step one.\n\n    !!! warning\n        Mind this.\n\n    Still step one.\n2. Two.\n"
    assert _read(text) == [
        (K.LIST, "1. Step one.", 1),
        (K.LIST_ITEM, "Step one.", 1),
        (K.MARKUP, "!!! warning", 3),
        (K.ADMONITION, "Mind this.", 4),
        (K.PARAGRAPH, "Still step one.", 6),
        (K.LIST, "2. Two.", 7),
        (K.LIST_ITEM, "Two.", 7),
    ]


def test_html_comments_and_template_syntax_are_markup() -> None:
    text = (
        "<div markdown>\nraw\n</div>\n\n<!-- a comment\nover lines -->\n\n"
        "{* ../../docs_src/app.py hl[3] *}\n\nBefore the include\n{% include 'x.md'\n"
        '   with y %}\nafter it.\n\n--8<-- "snippet.md"\n\n{{ config.site_name }}\n\n'
        "--8<--\nfile_a.md\nfile_b.md\n--8<--\n\n[TOC]\n"
    )
    assert _read(text) == [
        (K.MARKUP, "<div markdown>\nraw\n</div>", 1),
        (K.MARKUP, "<!-- a comment\nover lines -->", 5),
        (K.MARKUP, "{* ../../docs_src/app.py hl[3] *}", 8),
        (K.PARAGRAPH, "Before the include", 10),
        (K.MARKUP, "{% include 'x.md'\n   with y %}", 11),
        (K.PARAGRAPH, "after it.", 13),
        (K.MARKUP, '--8<-- "snippet.md"', 15),
        (K.MARKUP, "{{ config.site_name }}", 17),
        (K.MARKUP, "--8<--\nfile_a.md\nfile_b.md\n--8<--", 19),
        (K.MARKUP, "[TOC]", 24),
    ]


def test_loose_admonition_lines_and_broken_tables() -> None:
    text = '!!!note\n    Tight marker.\n\n!!! note "on the "jsonable" kind"\n    Quoted title.\n\n'
    text += "| a | b |\n| - |\n| 1 | 2 |\n"
    assert _read(text) == [
        (K.MARKUP, "!!!note", 1),
        (K.ADMONITION, "Tight marker.", 2),
        (K.MARKUP, '!!! note "on the "jsonable" kind"', 4),
        (K.ADMONITION, "Quoted title.", 5),
        (K.TABLE, "| a | b |\n| - |\n| 1 | 2 |", 7),
    ]


def test_mkdocstrings_directives_are_markup() -> None:
    text = "Intro.\n\n::: pydantic.types\n    options:\n      show_root_heading: true\n\nAfter.\n"
    assert _read(text) == [
        (K.PARAGRAPH, "Intro.", 1),
        (K.MARKUP, "::: pydantic.types\n    options:\n      show_root_heading: true", 3),
        (K.PARAGRAPH, "After.", 7),
    ]


def test_anchors_explicit_slug_duplicates_and_non_ascii() -> None:
    text = (
        "# Query Parameters { #query-parameters }\n\n## Use `uv run` **now**\n\n"
        "## Use uv run now\n\n## [Linked](x.md) heading {#custom}\n\n## Café déjà vu\n\n"
        "## 安装\n\n## 安装\n\n## Custom\n\n## Using the [`Field()`][pydantic.Field] function\n"
    )
    headings = [(b.heading, b.anchor) for b in read_markdown(text) if b.kind is K.HEADING]
    assert headings == [
        ("Query Parameters", "query-parameters"),
        ("Use uv run now", "use-uv-run-now"),
        ("Use uv run now", "use-uv-run-now_1"),
        ("Linked heading", "custom"),
        ("Café déjà vu", "cafe-deja-vu"),
        ("安装", "_1"),
        ("安装", "_2"),
        ("Custom", "custom_1"),  # "custom" is taken by the explicit id above
        ("Using the Field() function", "using-the-field-function"),  # an autorefs link
    ]


def test_slugify_and_unique_match_python_markdown_toc() -> None:
    assert slugify("Hello, World!  Again") == "hello-world-again"
    assert slugify("a -- b") == "a-b"
    assert slugify("`uv.lock` & pyproject.toml") == "uvlock-pyprojecttoml"
    used: set[str] = set()
    assert [unique_anchor(a, used) for a in ("x", "x", "x_1", "", "")] == [
        "x",
        "x_1",
        "x_2",
        "_1",
        "_2",
    ]


def test_md_files_go_to_the_markdown_reader_and_txt_to_the_text_reader() -> None:
    text = "!!! note\n    Body.\n"
    assert [b.kind for b in read_blocks("a.md", text)] == [K.MARKUP, K.ADMONITION]
    assert [b.kind for b in read_blocks("a.MARKDOWN", text)] == [K.MARKUP, K.ADMONITION]
    assert [b.kind for b in read_blocks("a.txt", text)] == [K.PARAGRAPH]


# --- bad input: read, never a crash, never markup quoted as prose ---


def _quick(text: str, limit: float = 5.0) -> list[Block]:
    started = time.perf_counter()
    blocks = read_markdown(text)
    assert time.perf_counter() - started < limit
    for block in blocks:
        assert text[block.start : block.end].strip() == text[block.start : block.end]
    return blocks


def test_an_unclosed_fence_is_code_to_the_end() -> None:
    text = "Intro.\n\n```python\nx = 1\n\nnot prose\n"
    blocks = _quick(text)
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        (K.PARAGRAPH, "Intro."),
        (K.CODE, "```python\nx = 1\n\nnot prose"),
    ]


def test_a_ten_thousand_line_code_block() -> None:
    text = "Run:\n\n```\n" + "print('x')\n" * 10_000 + "```\n\nDone.\n"
    blocks = _quick(text)
    assert [b.kind for b in blocks] == [K.PARAGRAPH, K.CODE, K.PARAGRAPH]
    assert blocks[2].line == 10_006


def test_fifty_levels_of_nested_lists() -> None:
    text = "".join("  " * depth + f"- level {depth}\n" for depth in range(50))
    blocks = _quick(text)
    items = [b for b in blocks if b.kind is K.LIST_ITEM]
    assert [text[b.start : b.end] for b in items] == [f"level {d}" for d in range(50)]
    assert [b.line for b in items] == list(range(1, 51))


def test_a_table_of_five_thousand_rows() -> None:
    text = "| key | value |\n|---|---|\n" + "".join(f"| k{i} | v{i} |\n" for i in range(5000))
    blocks = _quick(text, 10.0)
    assert [b.kind for b in blocks] == [K.TABLE]
    assert blocks[0].end == len(text.rstrip())


def test_nul_bytes_keep_offsets() -> None:
    text = "# Head\x00ing\n\nText with a \x00 in it.\n"
    blocks = _quick(text)
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        (K.HEADING, "# Head\x00ing"),
        (K.PARAGRAPH, "Text with a \x00 in it."),
    ]
    assert "\x00" not in blocks[0].heading


@pytest.mark.parametrize(
    "macro",
    [
        "{* ../../docs_src/app.py\n   hl[3:5] *}",
        "{% include 'x.md'\n   never closed",
    ],
)
def test_an_include_macro_spanning_lines_is_never_prose(macro: str) -> None:
    text = f"Text before.\n{macro}\n\nAfter.\n"
    assert _prose(text) == ["Text before.", "After."]


def test_front_matter_that_never_closes() -> None:
    text = "---\ntitle: Guide\ndescription: x\n\n# Guide\n\nThe text.\n"
    blocks = _quick(text)
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        (K.FRONT_MATTER, "---\ntitle: Guide\ndescription: x"),
        (K.HEADING, "# Guide"),
        (K.PARAGRAPH, "The text."),
    ]


def test_an_admonition_marker_alone_and_empty_documents() -> None:
    assert _quick("") == []
    assert _quick("\n\n   \n") == []
    assert [b.kind for b in _quick("!!! note\n")] == [K.MARKUP]
    assert [b.kind for b in _quick('=== "Tab"\n\n')] == [K.MARKUP]


def test_a_release_notes_page_of_repeated_headings_keeps_anchors_unique_and_quick() -> None:
    text = "".join(f"## Bug fixes\n\n- Fix {i}.\n\n" for i in range(3000))
    blocks = _quick(text, 20.0)
    anchors = [b.anchor for b in blocks if b.kind is K.HEADING]
    assert anchors[:3] == ["bug-fixes", "bug-fixes_1", "bug-fixes_2"]
    assert anchors[-1] == "bug-fixes_2999" and len(set(anchors)) == 3000


def test_a_folder_of_bad_markdown_is_indexed_and_never_quoted_as_garbage(tmp_path: Path) -> None:
    bad = {
        "unclosed.md": "Fences open.\n\n```python\nsecret_code = 1\n",
        "long_code.md": "Intro.\n\n```\n" + "line = 1\n" * 10_000 + "```\n",
        "nested.md": "".join("  " * d + f"- depth {d}\n" for d in range(50)),
        "table.md": "| k | v |\n|---|---|\n" + "| a | b |\n" * 5000,
        "nul.md": "Text with a \x00 byte.\n",
        "macro.md": "Before.\n{* ../../docs_src/app.py\n   hl[3] *}\n\nAfter.\n",
        "front.md": "---\ntitle: never closed\n\n# Title\n\nBody.\n",
    }
    for name, text in bad.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    engine = Engine.from_folder(tmp_path)
    assert {w.source for w in engine.warnings} <= {"nul.md"}  # NUL: skipped as binary
    texts = [p.text for p in engine.passages]
    for text in texts:
        assert not any(mark in text for mark in ("```", "{*", "*}", "title:", "| a |", "line ="))
    assert "Before." in texts and "After." in texts and "depth 49" in texts
    answer = engine.ask("what is secret_code in the python fence?")
    assert all("secret_code" not in s.text for s in answer.sentences)


def test_a_reader_that_fails_costs_the_file_its_structure_not_the_corpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrieval.reading import readers

    def broken(text: str) -> list[Block]:
        raise RecursionError("too deep")

    monkeypatch.setitem(readers._READERS, ".md", readers.ReaderSpec("markdown", broken))
    blocks = read_blocks("a.md", "# Title\n\nBody text.\n")
    assert [b.kind for b in blocks] == [K.HEADING, K.PARAGRAPH]


def test_deeply_nested_admonitions_are_read_without_exhausting_the_stack() -> None:
    text = "".join("    " * i + "!!! note\n" for i in range(60)) + " " * 240 + "Deep text.\n"
    blocks = _quick(text, 20.0)
    assert [b.kind for b in blocks].count(K.MARKUP) == 20  # 20 containers read, then the text
    assert "Deep text." in text[blocks[-1].start : blocks[-1].end]


def test_front_matter_by_the_plugin_and_a_rule_at_the_top_of_a_tab() -> None:
    text = '----\ntitle: x\n...\n# Head\n\n=== "Tab"\n\n    ---\n\n    Tab text.\n'
    assert _read(text) == [
        (K.FRONT_MATTER, "----\ntitle: x\n...", 1),
        (K.HEADING, "# Head", 4),
        (K.MARKUP, '=== "Tab"', 6),
        (K.PARAGRAPH, "Tab text.", 10),
    ]
