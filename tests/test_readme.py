"""The README's quick start and worked session stay true (docs that cannot drift).

``test_worked_session_runs_as_written`` executes every ``$ megaroth`` line of the README in
order, exactly as written (from the repository root, as the README says), and after the
steps the prose quotes figures for, checks those figures against what the commands print.
Every dollar figure in the worked session's prose must be one of the checked ones, so a
figure added to the text without a check fails the test.
"""

from __future__ import annotations

import json
import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SESSION = README[README.index("## A short worked session") : README.index("## Glossary")]
D = Decimal


def test_quick_start_is_the_two_make_commands_and_ci_runs_the_test_one():
    assert "    make demo     #" in README and "    make test     #" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert [line for line in ci.splitlines() if line.startswith("make ")] == ["make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo:" in makefile and "\ntest:" in makefile


def test_readme_does_not_point_users_at_files_they_do_not_have():
    assert "../shared" not in README and "tax-rules.md" not in README and "statement-formats.md" not in README
    for link in re.findall(r"\]\(([^)#]+)\)", README):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link


def _commands() -> list[str]:
    return [line.strip()[2:] for line in README.splitlines() if line.strip().startswith("$ megaroth ")]


def _j(result) -> dict:
    return json.loads(result.stdout)


def _dollars(text: str) -> set[str]:
    return {m.replace(",", "") for m in re.findall(r"\$(\d[\d,]*(?:\.\d\d)?)", text)}


def test_worked_session_runs_as_written(megaroth, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # "from the root of a clone": samples/ paths are relative to it
    out = tmp_path / "ann-2025.xlsx"
    checked: set[str] = set()

    def check(figure: str, got) -> None:
        assert D(str(got)) == D(figure.replace(",", "")), (figure, got)
        checked.add(figure.replace(",", "").removesuffix(".00"))

    results = {}
    for line in _commands():
        argv = shlex.split(line)
        assert argv[0] == "megaroth"
        args = argv[1:]
        if "-o" in args:  # the workbook goes to the test's directory, not the clone
            args[args.index("-o") + 1] = str(out)
        results[line] = r = megaroth(*args)
        if line.startswith("megaroth contribution list"):
            rows = _j(r)["contributions"]
            assert [(c["date"], c["source"], c["amount"]) for c in rows] == [
                ("2025-01-15", "pretax", "903.85")
            ]
        elif line.startswith("megaroth import samples/2025-ann-paychecks.csv"):
            totals = megaroth.json("contribution", "list", "--person", "ann", "--year", "2025")["totals"]
            check("23,500", totals["pretax"])
            check("9,230.88", totals["match"])
            per_paycheck = {
                c["amount"]
                for c in megaroth.json("contribution", "list", "--person", "ann")["contributions"]
                if c["source"] == "match"
            }
            assert per_paycheck == {"384.62"}
            check("384.62", "384.62")
            check("200,000", megaroth.json("wages", "list", "--person", "ann")["wages"][0]["compensation"])
        elif line == "megaroth headroom --person ann --year 2025":
            h = megaroth.json("headroom", "--person", "ann", "--year", "2025")
            check("70,000", h["limits"]["annual_additions"])
            check("23,500", h["elective_deferrals"])
            check("37,269.12", h["employers"][0]["after_tax_room"])
            assert "After-tax room" in r.stdout and "37,269.12" in r.stdout
        elif "--remaining-paychecks 2 --expected-employer 769.12" in line:
            check("769.12", "769.12")
            e = _j(megaroth(*args[:-1], "--format", "json"))["employers"][0]
            check("36,500", e["remaining_room_after_expected"])
            check("18,250.00", e["per_paycheck_after_tax"])
            assert e["last_paycheck_after_tax"] == e["per_paycheck_after_tax"]  # "fill exactly"
            check("10,000", D(e["employer_contributions"]) + D(e["expected_employer"]))
            assert "How the room is figured" in r.stdout
        elif line.startswith("megaroth contribution add --plan acme-401k --date 2025-12-17"):
            check("20,000", "20000")
        elif line.startswith("megaroth earnings add"):
            check("500", "500")
        elif line.startswith("megaroth form 1099-r"):
            forms = [
                f
                for f in megaroth.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
                if f["payer"] == "acme-401k"
            ]
            assert len(forms) == 1 and forms[0]["box7"] == "G"
            check("20,500", forms[0]["box1"])
            check("500", forms[0]["box2a"])
            check("20,000", forms[0]["box5"])
        elif line.startswith("megaroth form 1040"):
            lines = megaroth.json("form", "1040", "--person", "ann", "--year", "2025")["lines"]
            check("20,500", lines["5a"])
            check("500", lines["5b"])
        elif line.startswith("megaroth reconcile"):
            assert r.exit_code == 0 and "matches the ledger" in r.stdout
        elif line.startswith("megaroth form 8606"):
            f = _j(r)["lines"]
            assert (f["1"], f["3"], f["10"], f["18"], f["14"]) == (
                "7000.00",
                "7000.00",
                "1.000",
                "0.00",
                "0.00",
            )
            check("7,000", f["1"])
        elif line.startswith("megaroth clocks"):
            layers = megaroth.json("clocks", "--person", "ann", "--as-of", "2027-03-01")["conversions"]
            ira = next(c for c in layers if c["kind"] == "ira-conversion")
            irr = next(c for c in layers if c["kind"] == "in-plan")
            assert ira["penalty_free"] and ira["taxable"] == "0.00"
            assert "now (nothing taxable left)" in r.stdout  # "it is free now"
            assert (irr["exposed"], irr["penalty_free_on"]) == ("500.00", "2030-01-01")
        elif line.startswith("megaroth withdraw --person ann --amount 7000"):
            w = megaroth.json(*args)
            assert [t["source"] for t in w["tranches"]] == ["conversion-nontaxable"]
            check("7,000", w["tranches"][0]["amount"])
            assert w["totals"]["income_tax_base"] == "0.00" and w["totals"]["additional_tax"] == "0.00"
        elif line.startswith("megaroth withdraw --person ann --amount 8000"):
            w = megaroth.json(*args)
            check("8,000", "8000")
            earnings = next(t for t in w["tranches"] if t["source"] == "earnings")
            check("1,000", earnings["amount"])
            check("100", w["totals"]["additional_tax"])
            check("100", w["form_5329"]["4"])
            assert "EARNINGS_ASSUMED" in {x["code"] for x in w["warnings"]}
    assert out.exists()
    assert len(results) >= 20
    # every dollar figure the worked session quotes was checked above at its step
    # ($11,250 is the 2025 age 60-63 catch-up, checked against the limits table below)
    from megaroth_ledger.rules.limits import limits_for

    assert D(str(limits_for(2025).catch_up_60_63)) == D("11250")
    checked.add("11250")
    quoted = {x.removesuffix(".00") for x in _dollars(SESSION)}
    assert quoted - checked == set(), f"figures quoted in the README but not checked: {quoted - checked}"


def test_december_paycheck_sample_is_the_quoted_year():
    text = (ROOT / "samples" / "2025-ann-paychecks.csv").read_text()
    rows = [line.split(",") for line in text.splitlines()[1:]]
    pretax = sum((D(r[4]) for r in rows if r[2] == "pretax"), D("903.85"))  # + the one typed paycheck
    assert pretax == D("23500.00")
    assert sum((D(r[4]) for r in rows if r[2] == "match"), D(0)) == D("9230.88")
    assert max(r[0] for r in rows) == "2025-12-03"


@pytest.mark.parametrize(
    "page",
    [
        "cli.md",
        "completion.md",
        "limits.md",
        "pro-rata.md",
        "forms.md",
        "five-year-clocks.md",
        "projection.md",
    ],
)
def test_docs_pages_are_linked(page):
    index = (ROOT / "docs" / "README.md").read_text()
    assert f"({page})" in index
    assert "docs/cli.md" in README and "docs/completion.md" in README
