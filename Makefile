# Two commands on a fresh machine: `make run` and `make test`.
# `make run` installs what citebot needs to run, nothing more; `make test` adds the developer
# tools (pytest, hypothesis, ruff, mypy). Each is (re)installed only when pyproject.toml changes,
# so both start at once after the first time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
LOG := $(VENV)/install.log
SOURCES := bot retrieval config tests bench

.PHONY: run test lint typecheck bench bench-scale bench-integrity clean

# Runtime dependencies only (pyproject.toml's `dependencies`), and citebot itself, editable.
$(RUN_STAMP): pyproject.toml setup.py retrieval/index/_topk.c retrieval/analysis/_scan.c
	@echo "Setting up $(VENV) to run citebot (first run, or pyproject.toml changed); log: $(LOG)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -e .; } > $(LOG) 2>&1 || \
	   { tail -n 30 $(LOG); echo "Installing the dependencies failed; full log: $(LOG)"; exit 1; }
	@touch $(RUN_STAMP)

# The developer tools on top (pyproject.toml's `dev` extra).
$(DEV_STAMP): $(RUN_STAMP)
	@echo "Adding the developer tools to $(VENV); log: $(LOG)"
	@$(BIN)/python -m pip install -e '.[dev]' >> $(LOG) 2>&1 || \
	   { tail -n 30 $(LOG); echo "Installing the developer tools failed; full log: $(LOG)"; exit 1; }
	@touch $(DEV_STAMP)

run: $(RUN_STAMP)
	@$(BIN)/citebot repl

test: $(DEV_STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

bench: $(RUN_STAMP)
	sh bench/run.sh

# The scale benchmark (bench/scale.py) with its competitors, installed into .venv only here.
SCALE_ARGS ?= --sizes 10k,100k
# Bytecode first, as an installed package has it: where PYTHONDONTWRITEBYTECODE is set (the shared
# machine) every fresh process would compile citebot's modules from source, about half of a 1M
# load's 0.1 s ("load s"; "open s" is open_engine alone). Python still checks each source's
# mtime, so an edited module is compiled again, never stale.
bench-scale: $(RUN_STAMP)
	$(BIN)/python -m pip install -q -r bench/requirements-scale.txt
	$(BIN)/python -m compileall -q bot retrieval config bench > /dev/null
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

# The cost of the integrity checks (bench/integrity.py): latency at 100k before/after, open time
# at 1M, the freshness check over 3,000 files. INTEGRITY_ARGS="--code /path/to/older/checkout".
INTEGRITY_ARGS ?=
bench-integrity: $(RUN_STAMP)
	$(BIN)/python -m bench.integrity $(INTEGRITY_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info retrieval/index/*.so .pytest_cache .mypy_cache .ruff_cache .hypothesis
