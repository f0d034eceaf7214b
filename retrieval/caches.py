"""Per-object caches of a method that leave their object free to go when it is dropped.

``self.find = lru_cache(maxsize=n)(self._find)`` keeps the bound method, so the object holds
its cache and the cache holds the object: a reference cycle, freed only when the cyclic
garbage collector next runs (or never, with it off). For a store or an engine over a large
fresh build that cycle kept the build's temporary files and mappings (as large as the index)
until then. :func:`method_cache` is the same cache over the method called on a weak reference
to the object, so dropping the object's last reference frees it, and all it holds, at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import _lru_cache_wrapper, lru_cache
from typing import Any, TypeVar

R = TypeVar("R")


def method_cache(method: Callable[..., R], maxsize: int) -> _lru_cache_wrapper[R]:
    """``lru_cache(maxsize=maxsize)(method)`` for a bound ``method``, holding its object
    weakly (a hit costs the same; a miss one call more). The cache is meant to live on that
    object: called after the object is gone, it raises ReferenceError."""
    owner = weakref.ref(method.__self__)  # type: ignore[attr-defined]
    function = method.__func__  # type: ignore[attr-defined]

    def call(*args: Any) -> R:
        bound = owner()
        if bound is None:
            raise ReferenceError("the object this cache belongs to is gone")
        result: R = function(bound, *args)
        return result

    return lru_cache(maxsize=maxsize)(call)
