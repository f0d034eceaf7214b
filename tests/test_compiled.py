"""The compiled loops are built whenever a C compiler is there.

setup.py marks both extensions optional, so a machine without a compiler still installs citebot
(the numpy and regex paths give the same results, slower). The price is that a C file that no
longer compiles fails silently: ``pip install -e .`` keeps the last good ``.so`` (or none), and
every test that compares the two paths skips or runs the old code. These checks turn that into a
failure wherever a compiler exists (as in ``make test`` and CI).
"""

from __future__ import annotations

import importlib
import shutil
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = {
    "retrieval.index._topk": (
        "retrieval/index/_topk.c",
        ["top_k", "decode_term", "encode_postings", "term_sums", "question_marks", "score_few"],
    ),
    "retrieval.analysis._scan": (
        "retrieval/analysis/_scan.c",
        ["Table", "postings", "sentence_ids", "split_ascii", "token_ids"],
    ),
}


def _compiler() -> str | None:
    command = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(command)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_compiled_module_is_built_from_its_current_source(name: str) -> None:
    if _compiler() is None:
        pytest.skip("no C compiler here: the pure-Python paths run instead")
    source, functions = MODULES[name]
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        pytest.fail(f"{source} did not build ({error}); see .venv/install.log or `make clean`")
    missing = [f for f in functions if not hasattr(module, f)]
    assert not missing, f"{name} lacks {missing}: {source} changed but the build is older"
    built = Path(module.__file__ or "")
    if built.is_relative_to(ROOT):  # editable install: the .so sits beside its source
        assert built.stat().st_mtime >= (ROOT / source).stat().st_mtime, (
            f"{built.name} is older than {source}: it did not compile (pip keeps the old one); "
            "run `make test` again, or build it to see the error"
        )
