"""Loading a folder: what is read, what is skipped with a warning, and what is an error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval import CorpusNotFoundError, EmptyCorpusError, load_corpus


def test_reads_txt_and_md_recursively_in_stable_order(awkward_corpus: Path) -> None:
    corpus = load_corpus(awkward_corpus)
    assert [d.source for d in corpus.documents] == [
        "a_crlf.txt",
        "b_cr.txt",
        "c_bom.md",
        "d_latin1.txt",
        "nested/g_markdown.md",
        "nested/h_unicode.txt",
    ]


def test_unreadable_files_are_skipped_with_a_warning_naming_them(awkward_corpus: Path) -> None:
    warnings = {w.source: w.message for w in load_corpus(awkward_corpus).warnings}
    assert "binary" in warnings["e_binary.txt"]
    assert "empty" in warnings["f_empty.md"]
    assert "read as Windows-1252" in warnings["d_latin1.txt"]
    assert warnings["notes.pdf"].startswith("skipped: damaged")  # says %PDF, is not one


def test_bom_is_dropped_and_latin1_decoded(awkward_corpus: Path) -> None:
    docs = {d.source: d for d in load_corpus(awkward_corpus).documents}
    assert docs["c_bom.md"].text.startswith("# Handbook")
    assert docs["c_bom.md"].encoding == "utf-8-sig"
    assert docs["d_latin1.txt"].text.startswith("Café culture in Zürich")
    assert docs["d_latin1.txt"].encoding == "windows-1252"  # a superset of Latin-1's letters


def test_legacy_and_utf16_encodings(tmp_path: Path) -> None:
    (tmp_path / "smart.txt").write_bytes("\u201cQuoted\u201d text.".encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes("Über alles.".encode("utf-16"))
    (tmp_path / "c1.txt").write_bytes(b"Latin-1 only: \x81 here.")  # undefined in cp1252
    docs = {d.source: d for d in load_corpus(tmp_path).documents}
    assert docs["smart.txt"].text == "\u201cQuoted\u201d text."
    assert docs["utf16.txt"].text == "Über alles."
    assert "c1.txt" not in docs  # a C1 control: binary, not text


def test_special_files_are_skipped_not_read(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Fine.")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    corpus = load_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["ok.txt"]
    warnings = {w.source: w.message for w in corpus.warnings}
    assert warnings["pipe.txt"] == "skipped: not a regular file."
    assert warnings["zero.txt"].startswith("skipped: a link to a file outside the corpus folder")
    assert warnings["loop.txt"].startswith("skipped: cannot be read")


def test_undecodable_file_names_become_printable(tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"caf\xe9.txt")).write_text("Iguanas bask.")
    (tmp_path / os.fsdecode(b"caf\xe8.txt")).write_text("Zebras graze.")
    first, second = load_corpus(tmp_path).documents
    # Printable, and still two sources: neither file may shadow the other.
    assert (first.source, second.source) == ("caf\\xe8.txt", "caf\\xe9.txt")
    first.source.encode("utf-8")  # no lone surrogates left


def test_missing_folder_is_an_error_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(CorpusNotFoundError, match="nope"):
        load_corpus(missing)


def test_a_file_instead_of_a_folder_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / "one.txt"
    file.write_text("hello")
    with pytest.raises(CorpusNotFoundError, match="not a folder"):
        load_corpus(file)


def test_empty_folder_is_an_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(EmptyCorpusError, match=str(tmp_path)):
        load_corpus(tmp_path)


def test_folder_of_only_unreadable_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(EmptyCorpusError, match="1 skipped"):
        load_corpus(tmp_path)


@given(
    st.lists(st.sampled_from(["a", "b c", "\r", "\n", "\r\n", "\t", " ", "\x0b", "é"])).map("".join)
)
def test_line_spans_are_the_lines_without_their_endings(text: str) -> None:
    """Each line's span, as the line pattern cuts them with its ending stripped."""
    from retrieval.reading import text as reader

    expected = []
    for match in reader._LINE.finditer(text):
        if match.start() == match.end():
            break
        expected.append((match.start(), match.start() + len(match.group().rstrip("\r\n"))))
    assert list(reader.line_spans(text)) == expected
