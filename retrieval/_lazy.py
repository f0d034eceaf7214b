"""Packages whose names are imported on first use (PEP 562), so that importing one name (an
error class, a constant) does not import every stage: a one-shot question that opens a saved
index never imports the index builder, and the settings never import the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each public name to the
    submodule (relative, e.g. ``".bm25"``) defining it; a name mapped to itself (``".persist"``
    for ``persist``) is that submodule. Each name is looked up once, then kept."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module_name = where.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = import_module(module_name, package)
        value = module if module_name == f".{name}" else getattr(module, name)
        namespace[name] = value
        return value

    return __getattr__
