"""The issue #2 session through the real CLI (CliRunner), its JSON contract and its errors."""

import subprocess
import sys

import click
import pytest

from megaroth_ledger.cli import cli


def test_issue_session_end_to_end(ann):
    m = ann
    m(
        "wages",
        "set",
        "--plan",
        "acme-401k",
        "--year",
        "2025",
        "--compensation",
        "200000",
        "--fica-wages",
        "176100",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "pretax",
        "--amount",
        "903.85",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "match",
        "--amount",
        "$1,000",
    )
    listed = m.json("contribution", "list", "--person", "ann", "--year", "2025")
    assert [(c["date"], c["source"], c["amount"]) for c in listed["contributions"]] == [
        ("2025-01-15", "pretax", "903.85"),
        ("2025-01-15", "match", "1000.00"),
    ]
    h = m.json("headroom", "--person", "ann", "--year", "2025")
    assert (h["person"], h["year"], h["age_at_year_end"]) == ("ann", 2025, 40)
    assert h["limits"] == {
        "elective_deferral": "23500.00",
        "catch_up": "0.00",
        "annual_additions": "70000.00",
    }
    (e,) = h["employers"]
    assert e["employer"] == "Acme Corp" and e["plans"] == ["acme-401k"]
    assert e["after_tax_room"] == "68096.15"  # 70,000 - 903.85 - 1,000
    assert e["per_paycheck_after_tax"] is None
    for key in ("elective_deferrals", "catch_up_used", "excess_deferrals", "warnings"):
        assert key in h
    out = m(
        "headroom",
        "--person",
        "ann",
        "--year",
        "2025",
        "--remaining-paychecks",
        "6",
        "--expected-employer",
        "1200",
    ).stdout
    assert "11,149.35" in out  # (68,096.15 - 1,200) / 6 rounded down
    per = m.json(
        "headroom",
        "--person",
        "ann",
        "--year",
        "2025",
        "--remaining-paychecks",
        "6",
        "--expected-employer",
        "1200",
    )["employers"][0]
    assert per["per_paycheck_after_tax"] == "11149.35" and per["last_paycheck_after_tax"] == "11149.40"


def test_seed_example_through_cli(ann):
    m = ann
    for i in range(26):  # 25 x 903.85 + 903.75 = 23,500.00
        m(
            "contribution",
            "add",
            "--plan",
            "acme-401k",
            "--date",
            f"2025-{1 + i // 3:02d}-{1 + (i % 3) * 9:02d}",
            "--source",
            "pretax",
            "--amount",
            "903.85" if i < 25 else "903.75",
        )
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-12-31",
        "--source",
        "match",
        "--amount",
        "5000",
    )
    h = m.json("headroom", "--person", "ann", "--year", "2025")
    assert h["elective_deferrals"] == "23500.00"
    assert h["employers"][0]["after_tax_room"] == "41500.00"


def test_two_employers_excess_deferral_warning_in_json(megaroth):
    m = megaroth
    m("person", "add", "bo", "--born", "1990-01-01")
    m("plan", "add", "a-401k", "--person", "bo", "--employer", "Alpha")
    m("plan", "add", "b-401k", "--person", "bo", "--employer", "Beta")
    m(
        "contribution",
        "add",
        "--plan",
        "a-401k",
        "--date",
        "2025-03-01",
        "--source",
        "pretax",
        "--amount",
        "12500",
    )
    m(
        "contribution",
        "add",
        "--plan",
        "b-401k",
        "--date",
        "2025-09-01",
        "--source",
        "roth",
        "--amount",
        "12500",
    )
    h = m.json("headroom", "--person", "bo", "--year", "2025")
    assert h["excess_deferrals"] == "1500.00"
    assert [w["code"] for w in h["warnings"]] == ["EXCESS_DEFERRAL"]
    assert (
        "--expected-employer"
        in m(
            "headroom",
            "--person",
            "bo",
            "--year",
            "2025",
            "--remaining-paychecks",
            "2",
            "--expected-employer",
            "100",
            ok=False,
        ).output
    )


def test_tax_year_option_and_csv(ann):
    m = ann
    m(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2026-01-10",
        "--source",
        "match",
        "--amount",
        "300",
        "--tax-year",
        "2025",
        "--memo",
        '=HYPERLINK("x")',
    )
    assert m.json("contribution", "list", "--year", "2025")["contributions"][0]["tax_year"] == 2025
    csv_out = m("contribution", "list", "--year", "2025", "--format", "csv").stdout
    # every section in one CSV: the contributions, then the totals by source
    lines = csv_out.splitlines()
    assert lines[0] == "section,id,date,tax_year,plan,source,amount,memo"
    assert [ln.split(",")[0] for ln in lines[1:]] == ["contributions", "totals"]
    assert lines[2] == "totals,,,,,match,300.00,"
    assert "'=HYPERLINK" in csv_out  # formula neutralised
    one = m("contribution", "list", "--year", "2025", "--format", "csv", "--section", "contributions").stdout
    assert one.splitlines()[0] == "id,date,tax_year,plan,source,amount,memo"
    bad = m("contribution", "list", "--format", "csv", "--section", "nope", ok=False)
    assert bad.exit_code == 2 and "no such section; this report has: contributions, totals" in bad.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["headroom", "--person", "bob", "--year", "2025"], "unknown person 'bob' (known: ann)"),
        (
            [
                "contribution",
                "add",
                "--plan",
                "nope",
                "--date",
                "2025-01-01",
                "--source",
                "pretax",
                "--amount",
                "1",
            ],
            "unknown plan 'nope'",
        ),
        (
            [
                "contribution",
                "add",
                "--plan",
                "acme-401k",
                "--date",
                "2025-13-01",
                "--source",
                "pretax",
                "--amount",
                "1",
            ],
            "'2025-13-01' is not a date",
        ),
        (
            [
                "contribution",
                "add",
                "--plan",
                "acme-401k",
                "--date",
                "2025-01-01",
                "--source",
                "pretax",
                "--amount",
                "1e3",
            ],
            "invalid --amount '1e3'",
        ),
        (
            ["contribution", "add", "--plan", "acme-401k", "--date", "2025-01-01", "--source", "pretax"],
            "Missing option '--amount'",
        ),
        (
            [
                "contribution",
                "add",
                "--plan",
                "acme-401k",
                "--date",
                "2025-01-01",
                "--source",
                "bonus",
                "--amount",
                "1",
            ],
            "'bonus' is not one of",
        ),
        (["headroom", "--person", "ann", "--year", "2014"], "supported tax years are 2015-2026"),
        (["person", "add", "ann", "--born", "1985-04-02"], "person 'ann' already exists"),
        (
            ["plan", "add", "acme-401k", "--person", "ann", "--employer", "X"],
            "plan 'acme-401k' already exists",
        ),
    ],
)
def test_user_errors_are_one_clear_line_without_traceback(ann, args, message):
    result = ann(*args, ok=False)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _all_commands(group=cli, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in _all_commands()], ids=" ".join)
def test_every_command_help_has_an_example(path):
    cmd = dict(_all_commands())[path]
    if isinstance(cmd, click.Group) and not cmd.callback.__doc__:
        pytest.skip("group without its own action")
    result = click.testing.CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    if not isinstance(cmd, click.Group):
        assert "Example: megaroth " in result.output, path


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\nfrom megaroth_ledger.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('openpyxl', 'sqlalchemy', 'rich', 'alembic') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_installed_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "megaroth_ledger", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "megaroth" in out.stdout


def test_usage_errors_are_a_single_line(ann):
    result = ann(
        "contribution", "add", "--plan", "acme-401k", "--date", "2025-01-01", "--source", "pretax", ok=False
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: Missing option '--amount'. (see 'megaroth contribution add --help')"
    ]
    assert result.stdout == ""
