"""The compiled pieces: retrieval/index/_topk.c, the exact top-k inner loop, and
retrieval/analysis/_scan.c, the build's tokenizer loop for English ASCII text.

Both are optional: when no C compiler is available the build goes on without them;
retrieval/index/bm25.py answers with its numpy implementation and the index build tokenizes
with the regex (same results, slower).
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
        ),
        Extension(
            "retrieval.analysis._scan",
            ["retrieval/analysis/_scan.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
    ]
)
