"""The one compiled piece: retrieval/index/_topk.c, the exact top-k inner loop.

It is optional: when no C compiler is available the build goes on without it and
retrieval/index/bm25.py answers with its numpy implementation (same results, slower).
Everything else about the package is declared in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "retrieval.index._topk",
            ["retrieval/index/_topk.c"],
            # No fused multiply-add: the doubles must be bit-for-bit numpy's (rank-bm25's).
            extra_compile_args=["-O2", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
