"""The reStructuredText reader: docutils structure, exact offsets into the .rst source."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from retrieval import load_corpus
from retrieval.reading import BlockKind
from retrieval.reading.rst import parse_rst, read_rst
from retrieval.reading.rst_inline import rst_display

PAGE = """\
.. _install-guide:

Installing the Tool
===================

Use :func:`flask.url_for` and read :ref:`the FAQ <faq-label>` first.
The :class:`~werkzeug.Request` object is ready.

.. code-block:: python
   :caption: app.py

   import tool
   tool.run()

Quick Start
-----------

* Run ``tool init`` in the folder.
* Then run the server::

      tool serve

.. note::

   The server listens on port 8000.

.. versionadded:: 2.1
   The ``--port`` option.

.. toctree::

   api
   changes

.. autofunction:: tool.run

.. tabs::

   .. tab:: Linux

      Linux users install the package from the distribution.

:param name: the name of the tool.

+------+-------+
| key  | value |
+======+=======+
| port | 8000  |
+------+-------+

.. literalinclude:: ../examples/app.py
   :language: python
"""


def _by_kind(text: str) -> dict[BlockKind, list[str]]:
    found: dict[BlockKind, list[str]] = {}
    for block in read_rst(text):
        found.setdefault(block.kind, []).append(text[block.start : block.end])
    return found


def test_every_block_is_an_exact_slice_of_the_source_with_its_line() -> None:
    blocks = read_rst(PAGE)
    assert blocks, "the page has blocks"
    lines = PAGE.split("\n")
    for block in blocks:
        piece = PAGE[block.start : block.end]
        assert piece == piece.strip() and piece
        assert piece.split("\n")[0].strip() in lines[block.line - 1]


def test_sections_prose_code_and_admonitions() -> None:
    found = _by_kind(PAGE)
    headings = [b for b in read_rst(PAGE) if b.kind is BlockKind.HEADING]
    assert [(h.heading, h.level, h.anchor) for h in headings] == [
        ("Installing the Tool", 1, "installing-the-tool"),
        ("Quick Start", 2, "quick-start"),
    ]
    assert found[BlockKind.PARAGRAPH][0].startswith("Use :func:`flask.url_for` and read")
    assert found[BlockKind.CODE][0] == "import tool\n   tool.run()"
    assert "tool serve" in found[BlockKind.CODE]
    assert found[BlockKind.ADMONITION] == [
        "The server listens on port 8000.",
        "The ``--port`` option.",
    ]
    assert found[BlockKind.LIST_ITEM][:2] == [
        "Run ``tool init`` in the folder.",
        "Then run the server:",
    ]
    assert BlockKind.LIST not in found  # the list holds a literal block: shown by its parts
    plain = "Steps\n=====\n\n- one\n- two\n\n  - two and a half\n"
    lists = [b for b in read_rst(plain) if b.kind is BlockKind.LIST]
    assert [plain[b.start : b.end] for b in lists] == ["- one\n- two\n\n  - two and a half"]


def test_code_blocks_carry_their_language_and_literalinclude_is_a_reference() -> None:
    codes = [b for b in read_rst(PAGE) if b.kind is BlockKind.CODE]
    assert (codes[0].lang, codes[0].label) == ("python", "app.py")  # the caption names the file
    include = codes[-1]
    assert PAGE[include.start : include.end].startswith(".. literalinclude:: ../examples/app.py")
    assert include.lang == "python"


def test_sphinx_directives_give_no_prose_but_tabs_keep_theirs() -> None:
    texts = [PAGE[b.start : b.end] for b in read_rst(PAGE)]
    assert not any("changes" in t or t == "tool.run" for t in texts)  # toctree, autofunction
    tab = next(b for b in read_rst(PAGE) if "Linux users" in PAGE[b.start : b.end])
    assert tab.label == "Linux"


def test_field_lists_and_tables() -> None:
    found = _by_kind(PAGE)
    assert ":param name: the name of the tool." in found[BlockKind.LIST_ITEM]
    assert found[BlockKind.TABLE] == [
        "+------+-------+\n| key  | value |\n+======+=======+\n| port | 8000  |\n+------+-------+"
    ]


def test_roles_show_their_text_in_headings() -> None:
    text = "Using :func:`~flask.url_for`\n============================\n\nText.\n"
    (heading, _) = read_rst(text)
    assert heading.heading == "Using url_for"
    ref = "See :ref:`The Guide <guide>`\n============================\n\nText.\n"
    assert read_rst(ref)[0].heading == "See The Guide"


def test_an_explicit_label_named_like_the_title_is_the_anchor() -> None:
    text = ".. _sessions:\n\nSessions\n========\n\nText.\n\nSessions\n--------\n\nMore.\n"
    anchors = [b.anchor for b in read_rst(text) if b.kind is BlockKind.HEADING]
    assert anchors[0] == "sessions"
    assert anchors[1] != "sessions"  # a repeated title gets its own id


def test_unknown_directive_keeps_its_prose() -> None:
    text = "Title\n=====\n\n.. frobnicate:: x\n   :speed: fast\n\n   The hidden prose stays.\n"
    reading = parse_rst(text)
    assert [text[b.start : b.end] for b in reading.blocks][-1] == "The hidden prose stays."
    assert reading.problems == []


def test_unclosed_literal_block_and_short_underline_still_read() -> None:
    text = "Installing\n=====\n\nThe end comes with an example::\n"
    blocks = read_rst(text)
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        (BlockKind.HEADING, "Installing"),
        (BlockKind.PARAGRAPH, "The end comes with an example:"),
    ]


def test_recursive_include_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.rst").write_text("A\n=\n\nAlpha text.\n\n.. include:: b.rst\n")
    (tmp_path / "b.rst").write_text("B\n=\n\nBeta text.\n\n.. include:: a.rst\n")
    corpus = load_corpus(tmp_path)
    assert {d.source: d.format for d in corpus.documents} == {"a.rst": "rst", "b.rst": "rst"}
    texts = {d.source: [d.text[b.start : b.end] for b in d.blocks] for d in corpus.documents}
    assert texts == {"a.rst": ["A", "Alpha text."], "b.rst": ["B", "Beta text."]}


def test_doctest_blocks_are_code() -> None:
    text = "Shell\n=====\n\nTry it:\n\n>>> import tool\n>>> tool.run()\n'ok'\n"
    code = read_rst(text)[-1]
    assert (code.kind, code.lang, text[code.start : code.end]) == (
        BlockKind.CODE,
        "pycon",
        ">>> import tool\n>>> tool.run()\n'ok'",
    )


def test_docutils_errors_become_one_warning_and_the_rest_is_read(tmp_path: Path) -> None:
    text = "Title\n=====\n\nGood text.\n\n+-----+-----+\n| a   | b\n+-----+-----+\n\nMore text.\n"
    (tmp_path / "broken.rst").write_text(text)
    corpus = load_corpus(tmp_path)
    (document,) = corpus.documents
    assert [document.text[b.start : b.end] for b in document.blocks] == [
        "Title",
        "Good text.",
        "More text.",
    ]
    assert [(w.source, w.message, w.skipped) for w in corpus.warnings] == [
        (
            "broken.rst",
            "reStructuredText problem at line 7: Malformed table. Right border not aligned or "
            "missing; read as far as possible.",
            False,
        )
    ]


def test_rst_display_shows_what_the_built_page_shows() -> None:
    quote = (
        "Use :func:`~flask.url_for` with ``url_for('static', filename='x_')``, see "
        ":ref:`the FAQ <faq>` and `Flask <https://flask.palletsprojects.com>`_, *not* "
        "**this**, nor ref_."
    )
    assert rst_display(quote) == (
        "Use url_for with url_for('static', filename='x_'), see the FAQ and Flask, not this, "
        "nor ref."
    )


def test_searched_view_hides_role_markup_and_keeps_every_offset() -> None:
    from retrieval.analysis.tokenizer import analyze
    from retrieval.reading.rst_inline import searched_view

    source = (
        "Keep one connection in :data:`~flask.g`, as :doc:`the tutorial <tutorial/database>` "
        "does; see `Packaging <https://packaging.python.org/x>`_ and :func:`flask.url_for`."
    )
    view = searched_view(source)
    assert len(view) == len(source)
    assert [
        i for i, (a, b) in enumerate(zip(source, view, strict=True)) if a != b and b != " "
    ] == []
    assert analyze(view) == analyze(
        "Keep one connection in g, as the tutorial does; see Packaging and flask.url_for."
    )
    assert searched_view("No roles here: just text.") == "No roles here: just text."


def test_role_names_and_targets_are_not_searched(tmp_path: Path) -> None:
    from retrieval import Engine

    (tmp_path / "ferries.rst").write_text(
        "Ferries\n=======\n\nThe timetable is in :doc:`the harbour guide <harbour/database>`.\n"
        "Pay with :class:`~tickets.Wallet`.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    assert engine.search("database") == []  # only the link's target says it
    assert engine.search("class") == []  # only the role's name says it
    answer = engine.ask("where is the timetable?")
    quoted = answer.sentences[0]
    assert engine.source_text("ferries.rst")[quoted.start : quoted.end] == quoted.text
    assert ":doc:`the harbour guide <harbour/database>`" in quoted.text
    assert [h.passage.source for h in engine.search("wallet")] == ["ferries.rst"]


def test_searched_view_of_a_pathological_line_is_linear() -> None:
    """A backtick, then a long run of spaces with no target: the view must not backtrack over
    the run once per character (quadratic: minutes for this one, hours for 50 MB)."""
    from retrieval.reading.rst_inline import searched_view

    line = "`abc" + " " * 300_000 + "x :func:`a" + " " * 300_000 + "b <c>`"
    view = searched_view(line)
    assert len(view) == len(line) and view.endswith("b    `") and ":func:" not in view


CHANGELOG = """\
Bug fixes
---------

- `#6985 <https://example.org/6985>`_: Improved :func:`pytest.approx` for ranges.
    * The `repr` method now gives clearer output — 42 ± 1.
    * Previously it was shown in scientific notation.

    -- by :user:`someone`

- `#7683 <https://example.org/7683>`_: The ``pygments`` dependency is required.

:keyword bool strict:
    * If ``False`` the test is shown as ``xfailed``.
    * If ``True`` an unexpected pass fails the suite.

    Defaults to ``False``.
"""


def _prose_in_order(text: str) -> list[str]:
    blocks = [b for b in read_rst(text) if b.kind is not BlockKind.LIST]
    spans = [(b.start, b.end) for b in blocks]
    assert spans == sorted(spans), "blocks come in the file's order"
    assert all(a[1] <= b[0] for a, b in pairwise(spans)), "none overlap"
    return [text[b.start : b.end] for b in blocks]


def test_a_term_whose_definition_opens_with_a_list_keeps_its_words_and_the_files_order() -> None:
    """A changelog entry (a definition list: its summary, then indented bullets) and a field
    whose body opens with bullets: the term was dropped and the body's first paragraph, further
    down, taken in its place, out of the file's order (which made the index's byte offsets,
    computed in order, point past the file: pytest's changelog.rst could not be indexed)."""
    texts = _prose_in_order(CHANGELOG)
    assert texts[1].startswith("`#6985 <https://example.org/6985>`_: Improved :func:")
    assert texts[2].startswith("The `repr` method")
    assert texts.index("-- by :user:`someone`") > texts.index(
        "Previously it was shown in scientific notation."
    )
    assert texts[-1] == "Defaults to ``False``."


def test_a_changelog_with_such_entries_indexes_and_quotes_its_file(tmp_path: Path) -> None:
    from retrieval import open_engine

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "changelog.rst").write_text("Changelog\n=========\n\n" + CHANGELOG * 3)
    engine, _ = open_engine(folder, index_dir=tmp_path / "indexes")
    text = (folder / "changelog.rst").read_text()
    assert engine.passages, "indexed"
    for passage in engine.passages:
        assert text[passage.start : passage.end] == passage.text


def test_a_table_starts_at_its_border_not_at_a_paragraph_holding_its_first_cell() -> None:
    text = (
        "Support\n=======\n\nReleased pytest versions support these Pythons:\n\n"
        "==============  ======\npytest version  Python\n==============  ======\n"
        "9.0+            3.10+\n==============  ======\n"
    )
    (table,) = _by_kind(text)[BlockKind.TABLE]
    assert table == text[text.index("==============  ======") :].rstrip("\n")


OPTIONS = """\
Configuration Options
---------------------

.. confval:: strict_parametrization_ids
    :type: ``bool``
    :default: ``false``

    If set to ``true``, pytest emits an error for non-unique parameter set IDs.

.. confval:: Odd.Name ä

    Capitals, dots and underscores are kept.

Environment Variables
---------------------

.. envvar:: PYTEST_ADDOPTS

   This contains a command-line to add to the user's one.

Command-line Flags
------------------

.. option:: -x, --exitfirst

    Exit instantly on first error or failed test.

.. option:: --maxfail=NUM

    Exit after first ``num`` failures or errors.

.. program:: tool

.. option:: -k EXPRESSION

    Only run tests which match the expression.
"""


def test_option_entries_are_headings_anchored_as_sphinx_publishes_them() -> None:
    """``confval``/``envvar``/``option`` entries: the name was dropped and their prose filed
    under the section ("Configuration Options", one anchor for 60 options); each is now a
    heading one level down with the id Sphinx gives its entry."""
    blocks = read_rst(OPTIONS)
    headings = [(b.heading, b.level, b.anchor) for b in blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        ("Configuration Options", 1, "configuration-options"),
        ("strict_parametrization_ids", 2, "confval-strict_parametrization_ids"),
        ("Odd.Name ä", 2, "confval-Odd.Name-a"),
        ("Environment Variables", 1, "environment-variables"),
        ("PYTEST_ADDOPTS", 2, "envvar-PYTEST_ADDOPTS"),
        ("Command-line Flags", 1, "command-line-flags"),
        ("-x, --exitfirst", 2, "cmdoption-x"),
        ("--maxfail=NUM", 2, "cmdoption-maxfail"),
        ("-k EXPRESSION", 2, "cmdoption-tool-k"),
    ]
    for block in blocks:
        if block.kind is BlockKind.HEADING and block.level == 2:
            assert OPTIONS[block.start : block.end] == block.heading
    texts = _prose_in_order(OPTIONS)
    assert "Exit instantly on first error or failed test." in texts
    assert not any(":default:" in t for t in texts)


def test_option_entries_followed_by_prose_stay_in_their_section() -> None:
    text = (
        "Globals\n-------\n\n.. globalvar:: pytestmark\n\n   Marks every test.\n\n"
        "Some prose about the section, not about pytestmark.\n"
    )
    headings = [b.heading for b in read_rst(text) if b.kind is BlockKind.HEADING]
    assert headings == ["Globals"]
    assert _prose_in_order(text)[1:] == [
        "Marks every test.",
        "Some prose about the section, not about pytestmark.",
    ]


def test_a_literal_include_is_a_code_reference_and_an_rst_include_gives_nothing() -> None:
    text = (
        "Example\n=======\n\nThe plugin's conftest:\n\n.. include:: nonpython/conftest.py\n"
        "    :literal:\n\n.. include:: ../../CONTRIBUTING.rst\n\n.. include:: x.py\n"
        "    :code: python\n"
    )
    reading = parse_rst(text)
    codes = [b for b in reading.blocks if b.kind is BlockKind.CODE]
    assert [(text[b.start : b.end], b.lang) for b in codes] == [
        (".. include:: nonpython/conftest.py\n    :literal:", ""),
        (".. include:: x.py\n    :code: python", "python"),
    ]
    assert reading.problems == []


def test_section_anchors_are_ids_a_sphinx_page_has() -> None:
    """A label named like the title above another label gives the title's slug (it gave
    docutils' ``asserting-warnings-…-1``, which no Sphinx page has), and a repeated title
    has Sphinx's ``id1``-style id (Sphinx sets ``auto_id_prefix`` to "id"; Flask's HTML
    build has ``<section id="sessions"><span id="id5">`` for its quickstart), or a label of
    its own when it has one."""
    text = (
        ".. _`contact channels`:\n.. _contact:\n\nContact channels\n================\n\nText.\n\n"
        ".. _`asserting warnings`:\n\n.. _warns:\n\nAsserting warnings\n------------------\n\n"
        "Text.\n\nWarnings\n--------\n\nText.\n\nWarnings\n--------\n\nAgain.\n\n"
        ".. _more-warnings:\n\nWarnings\n--------\n\nAnd again.\n"
    )
    anchors = [b.anchor for b in read_rst(text) if b.kind is BlockKind.HEADING]
    assert anchors == [
        "contact-channels",
        "asserting-warnings",
        "warnings",
        "id3",  # id1 and id2: the own ids of the two sections whose label took their slug
        "more-warnings",
    ]
