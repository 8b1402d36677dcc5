"""Shared fixtures: a CliRunner bound to a fresh SQLite ledger in a temp directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from megaroth_ledger.cli import cli


class Megaroth:
    """Run ``megaroth --db <tmp db> ...`` in-process; ``json()`` parses ``--format json`` output."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, input: str | None = None):
        result = self.runner.invoke(cli, ["--db", str(self.db), *args], input=input, catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(f"megaroth {' '.join(args)} exited {result.exit_code}:\n{result.output}")
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--format", "json").stdout)


@pytest.fixture(autouse=True)
def _table_width(monkeypatch):
    """Tables off a terminal are fitted to $COLUMNS (else 80): tests read them at 120 columns
    unless they set their own width (tests/test_output.py)."""
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def megaroth(db_path: Path) -> Megaroth:
    return Megaroth(db_path)


@pytest.fixture
def ann(megaroth: Megaroth) -> Megaroth:
    """A ledger with the issue's example person and plan."""
    megaroth("person", "add", "ann", "--born", "1985-04-02")
    megaroth("plan", "add", "acme-401k", "--person", "ann", "--employer", "Acme Corp", "--after-tax",
             "--in-plan-conversion", "--in-service-withdrawal")
    return megaroth
