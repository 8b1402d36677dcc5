"""The README's quick start and worked session stay true (docs that cannot drift)."""

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_quick_start_is_the_two_make_commands_and_ci_runs_the_test_one():
    assert "    make demo     #" in README and "    make test     #" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert [line for line in ci.splitlines() if line.startswith("make ")] == ["make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo:" in makefile and "\ntest:" in makefile


def test_every_readme_session_command_runs(megaroth, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `export -o ann-2025.xlsx` writes to the working directory
    commands = [shlex.split(line.strip()[2:]) for line in README.splitlines() if line.strip().startswith("$ megaroth ")]
    assert len(commands) >= 6
    for argv in commands:
        assert argv[0] == "megaroth"
        megaroth(*argv[1:])
    assert (tmp_path / "ann-2025.xlsx").exists()
    f8606 = megaroth.json("form", "8606", "--person", "ann", "--year", "2025")["lines"]
    assert (f8606["1"], f8606["3"], f8606["10"], f8606["18"]) == ("7000.00", "7000.00", "1.000", "0.00")
    f1099 = megaroth.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    plan_forms = [f for f in f1099 if f["payer"] == "acme-401k"]
    assert [(f["box1"], f["box2a"], f["box5"], f["box7"]) for f in plan_forms] == [
        ("20500.00", "500.00", "20000.00", "G")]


def test_readme_worked_numbers(megaroth):
    m = megaroth
    m("person", "add", "ann", "--born", "1985-04-02")
    m("plan", "add", "acme-401k", "--person", "ann", "--employer", "Acme Corp", "--after-tax")
    m("contribution", "add", "--plan", "acme-401k", "--date", "2025-12-19", "--source", "pretax", "--amount", "23500")
    m("contribution", "add", "--plan", "acme-401k", "--date", "2025-12-19", "--source", "match", "--amount", "10000")
    assert m.json("headroom", "--person", "ann", "--year", "2025")["employers"][0]["after_tax_room"] == "36500.00"
    assert "$36,500" in README
