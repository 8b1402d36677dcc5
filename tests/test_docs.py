"""docs/cli.md is generated from the commands' own --help and must not drift (as sqlite-utils
checks its docs with cog): regenerate with `make docs` (python -m megaroth_ledger.docs_gen)."""

from __future__ import annotations

import subprocess
import sys

from megaroth_ledger import docs_gen
from megaroth_ledger.cli import cli


def test_cli_reference_is_current():
    current = docs_gen.CLI_MD.read_text(encoding="utf-8")
    assert current == docs_gen.render(), "docs/cli.md is stale: run `make docs`"


def test_cli_reference_lists_every_command_and_option():
    text = docs_gen.render()

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            if not sub.hidden:
                yield from walk(sub, [*path, name])

    import click

    for path, cmd in walk(cli, ["megaroth"]):
        assert f"`{' '.join(path)}`" in text, path
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.hidden:
                assert p.opts[-1] in text, (path, p.opts)


def test_check_mode_fails_on_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "cli.md"
    stale.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(docs_gen, "CLI_MD", stale)
    monkeypatch.setattr(docs_gen, "ROOT", tmp_path)
    assert docs_gen.main(["--check"]) == 1
    assert docs_gen.main([]) == 0 and docs_gen.main(["--check"]) == 0


def test_generator_runs_as_a_module():
    r = subprocess.run(
        [sys.executable, "-m", "megaroth_ledger.docs_gen", "--check"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_completion_is_documented_and_works():
    from pathlib import Path

    doc = (Path(docs_gen.ROOT) / "docs" / "completion.md").read_text()
    assert "_MEGAROTH_COMPLETE=bash_source megaroth" in doc
    r = subprocess.run(
        [sys.executable, "-c", "from megaroth_ledger.cli import main; main()"],
        env={"_MEGAROTH_COMPLETE": "bash_source", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert "_megaroth_completion()" in r.stdout
