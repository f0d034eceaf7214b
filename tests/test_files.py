"""``bot.files.write_atomically``: whole or nothing, with the permissions a plain write gives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.files import OutputFileError, write_atomically


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_umask_mode_not_the_temporary_files_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "out.json", "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "{}\n"
    assert mode(tmp_path / "out.json") == 0o644


def test_an_existing_file_keeps_its_own_mode(tmp_path: Path) -> None:
    target = tmp_path / "cases.jsonl"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert mode(target) == 0o640


def test_a_missing_folder_is_one_readable_error_and_no_temporary_is_left(tmp_path: Path) -> None:
    with pytest.raises(OutputFileError, match="is not a folder"):
        write_atomically(tmp_path / "nowhere" / "out.json", "{}")
    assert list(tmp_path.iterdir()) == []
