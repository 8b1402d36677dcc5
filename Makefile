# Quick start (README): `make demo` and `make test` on a fresh clone with only python3 and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
DEMO_DB := demo-out/demo.db

.PHONY: demo test lint install bench clean docs fuzz killtest

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,postgres]'
	touch $@

install: $(VENV)/.installed

# Builds a ledger from the files in samples/ in a fresh demo database and prints reports.
demo: install
	rm -rf demo-out && mkdir -p demo-out
	PATH="$(CURDIR)/$(BIN):$$PATH" MEGAROTH_DB="$(CURDIR)/$(DEMO_DB)" sh samples/demo.sh

# The whole test suite. pytest exit code 5 (no tests collected) is a failure here, not a pass.
# Ledger tests run on SQLite and on PostgreSQL (a throwaway cluster the suite starts, see
# tests/pgcluster.py); without a PostgreSQL server the PostgreSQL half is skipped and says so.
# In CI (CI=true) .ci/postgres.sh first installs PostgreSQL if missing, and the half must run.
test: install lint
	@if [ "$${CI:-}" = true ]; then bash .ci/postgres.sh; fi
	$(PY) -m pytest -q

# ruff (lint rules and formatting, config in pyproject.toml) over the whole tree, and mypy over the
# tax rules and the money module. Fix formatting with: .venv/bin/ruff format . && .venv/bin/ruff check --fix .
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Regenerates docs/cli.md from the commands' own --help (tests/test_docs.py fails while it is stale).
docs: install
	$(PY) -m megaroth_ledger.docs_gen

# A long random run of the importer fuzz test (make test runs a fixed few hundred cases).
FUZZ_EXAMPLES ?= 4000
fuzz: install
	MEGAROTH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -s tests/test_import_fuzz.py

# Many more kill -9 points in a schema upgrade than make test's.
KILLS ?= 60
killtest: install
	MEGAROTH_KILL_TEST_KILLS=$(KILLS) $(PY) -m pytest -q -s tests/test_crash_safe_upgrade.py -k kill

# Benchmarks (bench/README.md): start-up vs `sqlite-utils tables`, then import on every file shape.
bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/startup.py
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) demo-out dist build .pytest_cache
