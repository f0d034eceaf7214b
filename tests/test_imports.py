"""Import hygiene: the lazily exported packages give every public name, the same object as the
module defining it, and importing one name does not import the stages it does not need."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "package", ["retrieval", "retrieval.index", "retrieval.splitting", "config"]
)
def test_every_public_name_resolves_to_its_definition(package: str) -> None:
    module = importlib.import_module(package)
    where = module._WHERE
    assert sorted(where) == sorted(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        source = importlib.import_module(where[name], package)
        assert value is (source if where[name] == f".{name}" else getattr(source, name)), name
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def _modules_after(statement: str) -> set[str]:
    script = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_one_name_imports_only_its_stage() -> None:
    loaded = _modules_after("from retrieval import CitebotError, QuestionError")
    assert "retrieval.errors" in loaded
    assert not {"numpy", "retrieval.answering", "retrieval.index"} & loaded
    loaded = _modules_after("from retrieval.index import IndexShape, persist")
    assert "retrieval.index.persist" in loaded and "retrieval.index.build" not in loaded
    loaded = _modules_after("from config import SettingsError, load_quick, DEFAULT_CORPUS")
    assert not {"pydantic", "pydantic_settings", "numpy", "retrieval.answering"} & loaded
