# Two commands on a fresh machine: `make run` and `make test`.
# The venv is (re)built only when pyproject.toml changes, so both start at once after the first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOG := $(VENV)/install.log
SOURCES := bot retrieval config tests bench

.PHONY: run test lint typecheck bench bench-scale bench-integrity clean

$(STAMP): pyproject.toml setup.py retrieval/index/_topk.c
	@echo "Setting up $(VENV) (first run, or pyproject.toml changed); log: $(LOG)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -e '.[dev]'; } > $(LOG) 2>&1 || \
	   { tail -n 30 $(LOG); echo "Installing the dependencies failed; full log: $(LOG)"; exit 1; }
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/citebot repl

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	sh bench/run.sh

# The scale benchmark (bench/scale.py) with its competitors, installed into .venv only here.
SCALE_ARGS ?= --sizes 10k,100k
bench-scale: $(STAMP)
	$(BIN)/python -m pip install -q -r bench/requirements-scale.txt
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

# The cost of the integrity checks (bench/integrity.py): latency at 100k before/after, open time
# at 1M, the freshness check over 3,000 files. INTEGRITY_ARGS="--code /path/to/older/checkout".
INTEGRITY_ARGS ?=
bench-integrity: $(STAMP)
	$(BIN)/python -m bench.integrity $(INTEGRITY_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info retrieval/index/*.so .pytest_cache .mypy_cache .ruff_cache .hypothesis
