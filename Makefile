# Two commands on a fresh machine: `make run` and `make test`.
# The venv is (re)built only when pyproject.toml changes, so both are fast once set up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/citebot repl

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check bot retrieval config tests bench
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check bot retrieval config tests bench
	$(BIN)/ruff format --check bot retrieval config tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
