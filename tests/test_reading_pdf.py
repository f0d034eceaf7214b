"""The PDF reader: pages, furniture dropped, words joined, headings, and bad files skipped."""

from __future__ import annotations

import io
import time
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from bot.jsonout import answer_to_json
from bot.render_text import citation_place
from retrieval import Engine, EngineOptions, load_corpus
from retrieval.reading import Block, BlockKind, page_at
from retrieval.reading.pdf import _join_wrapped_code, _Line, parse_pdf
from retrieval.splitting.passages import MAX_PASSAGE_CHARS, split_passages
from retrieval.types import Document
from tests.pdf_maker import Line, make_pdf


def _page(number: int, body: list[Line]) -> list[Line]:
    """A page with a running header and a printed page number around ``body``."""
    return [(72, 760, 9, "Field Manual, Release 1.0"), *body, (300, 40, 9, str(number))]


MANUAL_PAGES = [
    _page(
        1,
        [
            (72, 700, 18, "1 Installing the Tool"),
            (72, 670, 10, "The installer copies the files into the configu-"),
            (72, 658, 10, "ration folder before it starts."),
            (72, 630, 10, "Run the command below:"),
            (72, 610, 9, "Listing 1: install.sh"),
            (72, 595, 10, "`tool install --user"),
            (96, 583, 10, "`--force"),
        ],
    ),
    _page(
        2,
        [
            (72, 700, 18, "2 Removing the Tool"),
            (72, 670, 10, "Delete the folder; it is a top-level step. The top-"),
            (72, 658, 10, "level folder goes last."),
            (72, 630, 10, "(continues on next page)"),
        ],
    ),
    _page(3, [(72, 700, 10, "Nothing else happens here at all.")]),
]
MANUAL = make_pdf(MANUAL_PAGES)


def test_blocks_with_pages_headings_and_code() -> None:
    reading = parse_pdf(MANUAL)
    shown = [(b.kind, b.page, reading.text[b.start : b.end]) for b in reading.blocks]
    assert shown == [
        (BlockKind.HEADING, 1, "1 Installing the Tool"),
        (BlockKind.PARAGRAPH, 1, "The installer copies the files into the configuration "
                                 "folder before it starts."),
        (BlockKind.PARAGRAPH, 1, "Run the command below:"),
        (BlockKind.CODE, 1, "tool install --user\n    --force"),
        (BlockKind.HEADING, 2, "2 Removing the Tool"),
        (BlockKind.PARAGRAPH, 2, "Delete the folder; it is a top-level step. The top-level "
                                 "folder goes last."),
        (BlockKind.PARAGRAPH, 3, "Nothing else happens here at all."),
    ]  # fmt: skip
    assert [b.level for b in reading.blocks if b.kind is BlockKind.HEADING] == [1, 1]
    # The listing's caption labels the code instead of standing between it and its sentence.
    assert [b.label for b in reading.blocks if b.kind is BlockKind.CODE] == ["install.sh"]
    assert (reading.pages, reading.warnings) == (3, [])
    for furniture in ("Field Manual", "continues", "\n1\n", "\n2\n"):
        assert furniture not in reading.text


def test_outline_names_the_sections() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(MANUAL)))
    writer.add_outline_item(title="Installing the Tool", page_number=0)
    writer.add_outline_item(title="Removing the Tool", page_number=1)
    out = io.BytesIO()
    writer.write(out)
    reading = parse_pdf(out.getvalue())
    headings = [(b.heading, b.page) for b in reading.blocks if b.kind is BlockKind.HEADING]
    assert headings == [("Installing the Tool", 1), ("Removing the Tool", 2)]


def test_password_protected_pdf_is_skipped_with_the_reason(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(MANUAL)))
    writer.encrypt("secret", algorithm="RC4-128")
    (tmp_path / "locked.pdf").write_bytes(_written(writer))
    (tmp_path / "open.pdf").write_bytes(MANUAL)
    corpus = load_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["open.pdf"]
    assert {w.source: w.message for w in corpus.warnings} == {
        "locked.pdf": "skipped: it is password-protected."
    }


def test_pdf_with_an_owner_password_only_is_read() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(MANUAL)))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    reading = parse_pdf(_written(writer))
    assert "configuration folder" in reading.text


def test_truncated_pdf_never_crashes_and_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "cut.pdf").write_bytes(MANUAL[: len(MANUAL) // 3])
    (tmp_path / "notes.txt").write_text("The notes survive.\n")
    corpus = load_corpus(tmp_path)
    assert "notes.txt" in [d.source for d in corpus.documents]
    cut = [d for d in corpus.documents if d.source == "cut.pdf"]
    warnings = {w.source: w.message for w in corpus.warnings}
    # Indexed as far as it can be, or skipped saying why.
    assert cut or warnings["cut.pdf"].startswith("skipped: ")
    for document in cut:
        assert all(document.text[b.start : b.end].strip() for b in document.blocks)


def test_empty_text_layer_is_skipped_as_image_only(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[], []]))
    (tmp_path / "ok.md").write_text("Fine.\n")
    corpus = load_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["ok.md"]
    assert {w.source: w.message for w in corpus.warnings} == {
        "scan.pdf": "skipped: it has no text layer (a scan or images only; OCR it first)."
    }


def test_a_2000_page_pdf_is_read_within_its_bounds() -> None:
    pages = [[(72.0, 700.0, 10.0, "A single line of text on this page.")]] * 2000
    data = make_pdf(pages)
    started = time.monotonic()
    reading = parse_pdf(data, time_budget=1.0)
    assert time.monotonic() - started < 10
    assert reading.pages == 2000
    read = {b.page for b in reading.blocks}
    assert read == set(range(1, len(read) + 1))  # the first pages, in order, each one block
    if len(read) < 2000:
        assert reading.warnings == [f"read only the first {len(read)} of 2000 pages (time limit)."]
    capped = parse_pdf(data, max_pages=40)
    assert len(capped.blocks) == 40
    assert capped.warnings == ["read only the first 40 of 2000 pages (page limit)."]


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_with_huge_drawing_commands_is_left_out_not_read() -> None:
    data = make_pdf([[(72, 700, 10, "A short page.")], [(72, 700, 10, "word " * 400)]])
    reading = parse_pdf(data, max_page_bytes=1000)
    assert [(b.page, reading.text[b.start : b.end]) for b in reading.blocks] == [
        (1, "A short page.")
    ]
    assert reading.warnings == ["1 page(s) with over 1,000 bytes of drawing commands left out."]


def test_a_blank_page_keeps_no_running_header_and_a_note_is_an_admonition() -> None:
    """LaTeX leaves a page before a chapter blank but for its header and page number: those
    are furniture there too. Sphinx prints an admonition as a "Note" line above its text."""
    blank: list[Line] = [(72, 760, 9, "Field Manual, Release 1.0"), (300, 40, 9, "4")]
    note: list[Line] = [
        (72, 700, 10, "Note"),
        (72, 680, 10, "Stop the server before you remove it."),
    ]
    reading = parse_pdf(make_pdf([*MANUAL_PAGES, blank, _page(5, note)]))
    assert "Field Manual" not in reading.text and "\n4" not in reading.text
    last = reading.blocks[-1]
    assert (last.kind, last.label, last.page) == (BlockKind.ADMONITION, "note", 5)
    assert reading.text[last.start : last.end] == "Stop the server before you remove it."


def test_a_wrapped_code_line_is_put_back_on_one_line() -> None:
    """Sphinx's LaTeX wraps a long code line and opens the rest with "˓→" (a symbol font,
    not monospace): the rest belongs to the code line, not to a paragraph after it."""
    code = _Line(1, 700, 72, 10, True, [("x = confirm('Are␣", 72)])
    rest = _Line(1, 688, 60, 10, False, [("˓→you sure?')", 60)])
    after = _Line(1, 676, 72, 10, True, [("y = 2", 72)])
    joined = _join_wrapped_code([code, rest, after])
    assert [line.text for line in joined] == ["x = confirm('Are you sure?')", "y = 2"]


def test_without_an_outline_chapter_labels_are_no_headings_and_numbers_leave_the_name() -> None:
    """Sphinx's LaTeX prints "CHAPTER" and "ONE" above a chapter's title and numbers its
    sections ("1.1 Getting the Files"): the sections are the title and the words."""
    page: list[Line] = [
        (72, 720, 20, "CHAPTER"),
        (72, 696, 20, "ONE"),
        (72, 660, 20, "INSTALLING"),
        (72, 630, 10, "The installer copies the files."),
        (72, 600, 14, "1.1 Getting the Files"),
        (72, 570, 10, "Download them first, then unpack them"),
        (72, 558, 10, "into the folder where the tool will live"),
        (72, 546, 10, "and run the installer from there."),
    ]
    reading = parse_pdf(make_pdf([page]))
    headings = [(b.heading, b.level) for b in reading.blocks if b.kind is BlockKind.HEADING]
    assert headings == [("INSTALLING", 1), ("Getting the Files", 2)]
    assert "CHAPTER" not in reading.text and "ONE" not in reading.text
    assert "1.1 Getting the Files" in reading.text  # the text keeps the number as printed


def test_lists_nest_by_indent_and_a_whole_list_is_one_unit() -> None:
    """Items nest by their marker's x; a paragraph indented to an item's text is that item's
    too; the whole list is also one block before its items, markers and nesting kept (as the
    reStructuredText and HTML readers give it). A wrapped line that happens to open with
    "0." is still prose, and a code listing cut by a page break is one block."""
    intro = (
        "The tool reads two kinds of file, and it reads them in the order in which they were "
        "given on the command line, one by one, and it never reads the same file twice in one "
        "run, whatever the folder holds, and whatever the files are called, and however many "
        "of them there are, and this is all there is to it, as the list below says for each "
        "kind of file it reads, one kind after the other, in the order it reads them: so"
    ).split(" ")
    lines = [" ".join(intro[i : i + 7]) for i in range(0, len(intro), 7)]
    first: list[Line] = [(72, 760 - 12 * i, 10, line) for i, line in enumerate(lines)]
    rest: list[tuple[float, float, str]] = [
        (84, 24, "1. Notes, which it indexes whole."),
        (110, 24, "• Short notes are one paragraph."),
        (110, 24, "• Long notes are cut at headings."),
        (84, 24, "2. Manuals, read page by page."),
        (99, 24, "Each page keeps its number."),
        (72, 24, "After the list the text goes on at the margin, and it wraps"),
        (72, 12, "0. With this line the paragraph goes on; it is no item."),
        (72, 24, "Run the listing:"),
        (72, 24, "`def main():"),
        (93, 12, "`setup()"),
    ]
    y = first[-1][1]
    for x, gap, text in rest:  # each line ``gap`` below the one before
        y -= gap
        first.append((x, y, 10, text))
    second: list[Line] = [(93, 700, 10, "`run()"), (72, 680, 10, "That is the whole manual.")]
    reading = parse_pdf(make_pdf([first, second]))
    shown = [(b.kind, b.level, b.page, reading.text[b.start : b.end]) for b in reading.blocks]
    assert shown[1:] == [
        (BlockKind.LIST, 1, 1, "1. Notes, which it indexes whole.\n"
                               "   • Short notes are one paragraph.\n"
                               "   • Long notes are cut at headings.\n"
                               "2. Manuals, read page by page.\n"
                               "   Each page keeps its number."),
        (BlockKind.LIST_ITEM, 1, 1, "Notes, which it indexes whole."),
        (BlockKind.LIST_ITEM, 2, 1, "Short notes are one paragraph."),
        (BlockKind.LIST_ITEM, 2, 1, "Long notes are cut at headings."),
        (BlockKind.LIST_ITEM, 1, 1, "Manuals, read page by page."),
        (BlockKind.LIST_ITEM, 1, 1, "Each page keeps its number."),
        (BlockKind.PARAGRAPH, 0, 1, "After the list the text goes on at the margin, and it wraps "
                                    "0. With this line the paragraph goes on; it is no item."),
        (BlockKind.PARAGRAPH, 0, 1, "Run the listing:"),
        (BlockKind.CODE, 0, 1, "def main():\n    setup()\n    run()"),
        (BlockKind.PARAGRAPH, 0, 2, "That is the whole manual."),
    ]  # fmt: skip


def test_a_paragraph_with_its_first_line_indented_is_not_inside_the_list_above() -> None:
    """Texinfo indents a paragraph's first line: after a list, that is not an item's text."""
    page: list[Line] = [
        (72, 700, 10, "The formats are these, in the order they are tried, first"),
        (72, 688, 10, "to last, and each of them is read by a reader of its own"),
        (72, 676, 10, "kind, which knows the format and nothing else, and which"),
        (72, 664, 10, "is the only one to read it:"),
        (84, 640, 10, "• Markdown;"),
        (84, 616, 10, "• reStructuredText."),
        (96, 592, 10, "Other files are skipped, and each of the skipped files is"),
        (72, 580, 10, "named in a warning that says why the file was skipped, so"),
        (72, 568, 10, "that nothing is left out without a word."),
    ]
    reading = parse_pdf(make_pdf([page]))
    kinds = [(b.kind, reading.text[b.start : b.end][:12]) for b in reading.blocks]
    assert kinds == [
        (BlockKind.PARAGRAPH, "The formats "),
        (BlockKind.LIST, "• Markdown;\n"),
        (BlockKind.LIST_ITEM, "Markdown;"),
        (BlockKind.LIST_ITEM, "reStructured"),
        (BlockKind.PARAGRAPH, "Other files "),
    ]


def test_a_contents_page_leaves_nothing_to_quote() -> None:
    """Its entries (dot leaders, page numbers) and its title are no prose to answer from."""
    contents: list[Line] = [
        (72, 700, 14, "Table of Contents"),
        (72, 670, 10, "1 Installing . . . . . . . . . . . . 2"),
        (72, 655, 10, "2 Running . . . . . . . . . . . . . 3"),
        (72, 640, 10, "3 Removing . . . . . . . . . . . . 4"),
    ]
    body: list[Line] = [(72, 700, 10, "The installer copies the files into place.")]
    reading = parse_pdf(make_pdf([contents, body]))
    assert reading.text == "The installer copies the files into place."


def test_a_running_header_naming_its_chapter_with_numbers_is_dropped() -> None:
    """Texinfo heads each page with "Chapter 2: Naming 3" where the outline says "2 Naming"."""
    pages: list[list[Line]] = [
        [(72, 700, 14, "1 Setting Up"), (72, 670, 10, "Unpack the archive first.")],
        [(72, 760, 10, "Chapter 1: Setting Up 2"), (72, 700, 10, "Then run the installer.")],
        [(72, 700, 14, "2 Naming"), (72, 670, 10, "Every element has a name.")],
        [(72, 760, 10, "Chapter 2: Naming 4"), (72, 700, 10, "Names are joined with dots.")],
    ]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.add_outline_item(title="1 Setting Up", page_number=0)
    writer.add_outline_item(title="2 Naming", page_number=2)
    reading = parse_pdf(_written(writer))
    assert "Chapter" not in reading.text
    assert [b.heading for b in reading.blocks if b.kind is BlockKind.HEADING] == [
        "1 Setting Up",
        "2 Naming",
    ]


def test_with_an_outline_a_large_line_it_omits_heads_a_subsection() -> None:
    """Texinfo prints each function of a reference chapter in larger type ("asn1 read value")
    without an outline entry: a subsection of the outlined section. The title page's large
    lines, before any outlined section, stay text."""
    pages: list[list[Line]] = [
        [(72, 700, 20, "Field Manual"), (72, 670, 10, "For version 1.0 of the tool.")],
        [
            (72, 700, 14, "4 Function reference"),
            (72, 670, 10, "Every function returns a status code."),
            (72, 640, 13, "tool open"),
            (72, 615, 10, "Opens the store and returns its handle."),
            (72, 585, 13, "tool close"),
            (72, 560, 10, "Closes the store."),
        ],
    ]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.add_outline_item(title="4 Function reference", page_number=1)
    reading = parse_pdf(_written(writer))
    headings = [(b.heading, b.level) for b in reading.blocks if b.kind is BlockKind.HEADING]
    assert headings == [("4 Function reference", 1), ("tool open", 2), ("tool close", 2)]
    assert reading.text.startswith("Field Manual\n\nFor version 1.0")


def test_paragraphs_set_a_quarter_line_apart_are_two_and_a_tall_line_is_not_a_break() -> None:
    """Texinfo separates paragraphs by about 1.2-1.3 lines (15 points here, at 12 a line):
    after a sentence's end that is a new paragraph; a line going on in lower case after such
    a gap (a tall inline element widened it) is the same paragraph."""
    words = [
        "The store keeps every record it is given, in the order given,",
        "and it never drops one of them unless it is asked to do so by",
        "the one who owns it, which is the only one allowed to ask it.",
        "Records are read back in the same order they were written in,",
        "from the first to the last, one at a time, or all at once, and",
    ]
    page: list[Line] = [(72, 700 - 12 * i, 10, line) for i, line in enumerate(words)]
    page += [
        (72, 637, 10, "each read costs the same, however large the store has grown."),
        (72, 622, 10, "A closed store can be opened again, and nothing is lost; its"),
        (72, 610, 10, "records come back in their order, as if it had never been"),
        (72, 598, 10, "closed at all, since the store wrote them down before it closed."),
    ]
    reading = parse_pdf(make_pdf([page]))
    texts = [reading.text[b.start : b.end] for b in reading.blocks]
    assert [t[:24] for t in texts] == ["The store keeps every re", "A closed store can be op"]


def test_capitals_hyphenated_at_a_line_end_are_joined() -> None:
    """libtasn1's manual read "If an element is OP- TIONAL" and "ASN1_ELE- MENT_NOT_FOUND": the
    join took only a lower-case continuation, so an error code split by a line end could not
    be found by its name; capitals stay apart where the document spells them with a hyphen."""
    page = _page(
        1,
        [
            (72, 700, 10, "If an element is OP-"),
            (72, 688, 10, "TIONAL and the call returns ASN1_ELE-"),
            (72, 676, 10, "MENT_NOT_FOUND, it was absent. A UTF-"),
            (72, 664, 10, "8 name is kept; so is an X-"),
            (72, 652, 10, "RAY beam, as an X-RAY is spelt so."),
        ],
    )
    text = parse_pdf(make_pdf([page])).text
    assert "OPTIONAL and the call returns ASN1_ELEMENT_NOT_FOUND, it was absent." in text
    assert "A UTF- 8 name" in text or "A UTF-8 name" in text
    assert "an X-RAY beam" in text


def test_a_paragraph_going_on_onto_the_next_page_marks_the_break_for_its_quotes_pages() -> None:
    """A paragraph cut by a page break is one block on the page it starts on; its lines on
    either side of the break are joined by a line feed, so the page of any offset in it is
    known (the page a quote from its second half is printed on)."""
    pages: list[list[Line]] = [
        [(72, 700, 10, "The keeper climbs the tower at dusk and lights the")],
        [(72, 700, 10, "lamp. He logs the weather every hour until dawn.")],
    ]
    reading = parse_pdf(make_pdf(pages))
    [block] = reading.blocks
    body = (
        "The keeper climbs the tower at dusk and lights the\n"
        "lamp. He logs the weather every hour until dawn."
    )
    assert (block.kind, block.page, reading.text[block.start : block.end]) == (
        BlockKind.PARAGRAPH, 1, body,
    )  # fmt: skip
    second = reading.text.index("He logs")
    assert page_at(reading.text, block.start, block.page, block.start) == 1
    assert page_at(reading.text, block.start, block.page, second) == 2
    assert page_at("no pages here", 0, 0, 5) == 0  # other formats have no page


def test_a_quote_after_the_page_break_cites_the_page_it_is_on(tmp_path: Path) -> None:
    pages: list[list[Line]] = [
        [(72, 700, 10, "The keeper climbs the tower at dusk and lights the")],
        [(72, 700, 10, "lamp. He logs the weather in the ledger every hour.")],
    ]
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "manual.pdf").write_bytes(make_pdf(pages))
    engine = Engine.from_folder(folder, EngineOptions(source_url="https://example.org/manual.pdf"))
    answer = engine.ask("how often does the keeper log the weather in the ledger?")
    assert answer.answered
    first = answer.citations[0]
    assert "logs the weather" in answer.sentences[0].text
    assert (first.passage.page, first.page, first.shown_page) == (1, 2, 2)
    assert first.url == "https://example.org/manual.pdf#page=2"
    assert citation_place(first).startswith("manual.pdf p.2")
    cited = answer_to_json(answer)["citations"][0]
    assert (cited["page"], cited["quote_page"]) == (1, 2)  # "page" keeps its meaning (contract)
    stored = engine.source_text("manual.pdf")
    for sentence in answer.sentences:
        assert stored[sentence.start : sentence.end] == sentence.text


def test_each_piece_of_a_long_pdf_paragraph_has_the_page_it_starts_on() -> None:
    sentence = "The keeper logs the weather. "
    first = (sentence * (MAX_PASSAGE_CHARS // len(sentence) - 10)).strip()
    text = first + "\n" + (sentence * 20).strip()  # the paragraph goes on on page 8
    block = Block(BlockKind.PARAGRAPH, 0, len(text), page=7)
    document = Document("manual.pdf", text, "", "utf-8", format="pdf", blocks=(block,))
    passages = split_passages(document, [block])
    assert len(passages) == 2 and passages[1].start > len(first)  # cut on page 8
    assert [p.page for p in passages] == [7, 8]
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text


def test_a_font_change_after_a_comma_in_prose_is_a_word_gap() -> None:
    """Sphinx's LaTeX sets ``url_for()`` in the typewriter font right after a comma with no
    space glyph: the font change is the word gap, as between two letters."""
    lines: list[Line] = [
        (72, 700, 10, "To edit a post, pass its id to the update page,"),
        (250, 700, 10, "`url_for()"),
        (300, 700, 10, "needs it for"),
        (72, 688, 10, "the create,"),
        (110, 688, 10, "`update"),
        (146, 688, 10, ", and delete views."),
    ]
    reading = parse_pdf(make_pdf([lines]))
    [block] = reading.blocks
    assert reading.text[block.start : block.end] == (
        "To edit a post, pass its id to the update page, url_for() needs it for the create, "
        "update, and delete views."
    )


def test_a_front_matter_page_number_alone_on_a_page_is_not_a_paragraph() -> None:
    """LaTeX leaves the back of the contents page blank but for its page number ("ii"):
    that number is no paragraph. A lone number in digits on a short page may be content
    (a year on a slide) and stays."""
    body = [(72, 700 - 12 * i, 10, f"Line {i} of the body text goes here.") for i in range(4)]
    pages: list[list[Line]] = [body, [(300, 40, 9, "ii")], body, [(300, 400, 30, "1969")]]
    reading = parse_pdf(make_pdf(pages))
    shown = [(b.page, reading.text[b.start : b.end]) for b in reading.blocks]
    assert (2, "ii") not in shown
    assert (4, "1969") in shown and shown[0][0] == 1


def test_an_inline_literal_broken_after_a_slash_or_dot_is_one_word() -> None:
    """Sphinx's LaTeX may break an inline literal after "/" or "." with no hyphen
    (``flaskr/static/`` | ``style.css``, ``client.`` | ``post()`` in the Flask tutorial): the
    halves are one word. A line that ends in the prose's own "." or a literal that ends
    before prose still gets its space."""
    lines: list[Line] = [
        (72, 700, 10, "Copy the rules into the"),
        (200, 700, 10, "`flaskr/static/"),
        (72, 688, 10, "`style.css"),
        (132, 688, 10, "file, then call"),
        (230, 688, 10, "`client."),
        (72, 676, 10, "`post()"),
        (116, 676, 10, "to send it to"),
        (190, 676, 10, "`/submit/"),
        (72, 664, 10, "as a form. Then read"),
        (200, 664, 10, "`client"),
        (236, 664, 10, "."),
        (72, 652, 10, "`get()"),
        (110, 652, 10, "reads it back."),
    ]
    reading = parse_pdf(make_pdf([lines]))
    [block] = reading.blocks
    assert reading.text[block.start : block.end] == (
        "Copy the rules into the flaskr/static/style.css file, then call client.post() to "
        "send it to /submit/ as a form. Then read client. get() reads it back."
    )


def test_a_word_hyphenated_across_the_page_break_keeps_the_break_for_what_follows() -> None:
    """``confi-`` at the foot of page 1, ``dence. He logs …`` on page 2: the word is joined
    whole, and the page break goes at the next word gap, so the sentences after it are on
    page 2 (not, for the rest of the paragraph, on the page it started on)."""
    pages: list[list[Line]] = [
        [(72, 700, 10, "The keeper climbs the tower and lights the lamp with great confi-")],
        [(72, 700, 10, "dence. He logs the weather in the ledger every hour.")],
    ]
    reading = parse_pdf(make_pdf(pages))
    [block] = reading.blocks
    assert reading.text[block.start : block.end] == (
        "The keeper climbs the tower and lights the lamp with great confidence.\n"
        "He logs the weather in the ledger every hour."
    )
    second = reading.text.index("He logs")
    assert page_at(reading.text, block.start, block.page, second) == 2


LIGHTHOUSE_PAGES = [
    _page(
        1,
        [
            (72, 700, 18, "1 Keeping the Light"),
            (72, 670, 10, "The keeper climbs the tower at dusk and lights the great"),
            (72, 658, 10, "lamp of the tower with a long taper before the first ship"),
        ],
    ),
    _page(
        2,
        [
            (72, 700, 10, "passes. He writes the weather in the logbook every single hour."),
            (72, 672, 10, "The keeper has three duties at night:"),
            (72, 652, 10, "• He trims the wick of the great lamp every night and then polishes"),
            (82, 640, 10, "all of the"),
        ],
    ),
    _page(
        3,
        [
            (82, 700, 10, "brass. He wipes the soot from the lantern glass with a dry cloth."),
            (72, 688, 10, "• He rings the fog bell when the mist comes in from the sea."),
            (72, 676, 10, "• He sleeps at dawn."),
        ],
    ),
]


def test_every_quote_is_cited_to_the_page_pypdf_prints_it_on(tmp_path: Path) -> None:
    """The citation's page, checked against pypdf's own text of each page (not the reader's):
    a paragraph and a list item that go on overleaf, under running headers and page numbers,
    cite the page their quoted sentence starts on (the one before the break for a quote from
    their first half, the next for one from their second), and the docs bench's check of it
    (``bench.docs_formats.quote_on_cited_page``) finds each quote on that page only."""
    from bench.docs_formats import pdf_page_letters, quote_on_cited_page

    folder = tmp_path / "docs"
    folder.mkdir()
    pdf = folder / "lighthouse.pdf"
    pdf.write_bytes(make_pdf(LIGHTHOUSE_PAGES))
    pages = pdf_page_letters(pdf)
    engine = Engine.from_folder(folder)
    expected = {
        "when does the keeper light the great lamp of the tower with a taper?": 1,
        "how often does the keeper write the weather in the logbook?": 2,
        "how does the keeper wipe the soot from the lantern glass?": 3,
        "when does the keeper ring the fog bell?": 3,
    }
    stored = engine.source_text("lighthouse.pdf")
    for question, page in expected.items():
        answer = engine.ask(question)
        assert answer.answered, question
        assert answer.citations[0].shown_page == page, (question, answer.sentences[0].text)
        for sentence in answer.sentences:
            assert stored[sentence.start : sentence.end] == sentence.text
            cited = answer.citation(sentence.citation)
            starts = cited.passage.start + cited.passage.text.index(sentence.text)
            printed = page_at(stored, cited.passage.start, cited.passage.page, starts)
            found = [
                n for n in range(1, len(pages) + 1) if quote_on_cited_page(sentence.text, n, pages)
            ]
            assert found == [printed], (sentence.text, found, printed)
    assert not quote_on_cited_page("He wipes the soot from the lantern glass", 2, pages)
    assert not quote_on_cited_page("", 1, pages)
