# Accordia task runner. `make demo` and `make test` are the two set-up commands of the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= sqlite:///accordia.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint bench install clean

$(BIN)/accordia: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/accordia

## Build the knowledge base from the bundled samples, summarise it, and serve the dashboard.
demo: install
	$(BIN)/accordia ingest --samples --db $(DB)
	$(BIN)/accordia summary --db $(DB)
	$(BIN)/accordia serve --db $(DB) --host $(HOST) --port $(PORT)

## Run the whole test suite (PostgreSQL and browser tests run when their servers are present).
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check accordia tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) accordia.db .pytest_cache .mypy_cache .ruff_cache *.egg-info
