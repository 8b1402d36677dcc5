"""Batch year-end benchmark (issue 13): ``megaroth export --all-people`` for N people (default
40), each with a ``google-401k`` (the same plan name for everybody) holding the generic
sample's year (304 rows plus one of their own: 26 paychecks x sources x funds, 4 in-plan conversions), a
traditional IRA backdoor conversion and wages.

Reported, in one run: the wall seconds of ``export --all-people --year 2025`` (one process
writing N workbooks) against a same-run baseline of N separate ``export --person P`` runs (N
processes, what a preparer did before), and the ratio; also ``person list --year 2025`` and
``report year --all-people`` and ``check --all-people``. ``--backend postgresql --pg-url URL`` measures a PostgreSQL
ledger (an empty database the URL names). Not a test: nothing asserts on time.

    .venv/bin/python bench/preparer_bench.py [--people 40] [--backend sqlite|postgresql --pg-url URL]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "2025-acme-generic.csv"
MEGAROTH = [sys.executable, "-m", "megaroth_ledger"]


def run(db: str, *args: str, ok: tuple[int, ...] = (0,)) -> str:
    proc = subprocess.run(
        [*MEGAROTH, "--db", db, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode not in ok:
        raise SystemExit(f"megaroth {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def build(db: str, people: int) -> None:
    sys.path.insert(0, str(ROOT))
    from click.testing import CliRunner

    from megaroth_ledger.cli import cli

    runner = CliRunner()

    def m(*args: str) -> None:
        r = runner.invoke(cli, ["--db", db, *args], catch_exceptions=False)
        if r.exit_code != 0:
            raise SystemExit(f"setup: megaroth {' '.join(args)}: {r.output}")

    for i in range(people):
        p = f"Client {i:02d}"
        m("person", "add", p, "--born", f"{1960 + i % 30}-0{1 + i % 9}-15")
        m(
            "plan",
            "add",
            "google-401k",
            "--person",
            p,
            "--employer",
            f"Employer {i}",
            "--after-tax",
            "--in-plan-conversion",
        )
        m(
            "wages",
            "set",
            "--plan",
            "google-401k",
            "--person",
            p,
            "--year",
            "2025",
            "--compensation",
            "250000",
        )
        text = SAMPLE.read_text(encoding="utf-8").replace("acme-401k", "google-401k")
        # each client's statement is their own file (a file imported into one plan is refused for another)
        text += f"2025-12-31,google-401k,match,contribution,{i + 1}.00,2025-12-31,Fund,F,1,1,,,client {i}\n"
        f = Path(tempfile.gettempdir()) / f"megaroth-bench-{i}.csv"
        f.write_text(text, encoding="utf-8")
        m("import", str(f), "--person", p)
        f.unlink()
        m(
            "ira",
            "contribute",
            "--person",
            p,
            "--date",
            "2025-02-01",
            "--account",
            "traditional",
            "--amount",
            "7000",
            "--nondeductible",
            "7000",
        )
        m("ira", "convert", "--person", p, "--date", "2025-02-10", "--amount", "7000")
        m("ira", "value", "--person", p, "--year", "2025", "--amount", "0")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t  # money-ok: seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=40)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--pg-url", help="an empty PostgreSQL database (with --backend postgresql)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="megaroth-bench-") as tmp:
        tmp = Path(tmp)
        db = a.pg_url if a.backend == "postgresql" else str(tmp / "firm.db")
        if not db:
            raise SystemExit("--backend postgresql needs --pg-url")
        t_build = timed(lambda: build(db, a.people))
        names = [f"Client {i:02d}" for i in range(a.people)]
        out = tmp / "year-end"
        t_all = timed(
            lambda: run(
                db, "export", "--all-people", "--year", "2025", "-o", str(out), "--as-of", "2026-02-01"
            )
        )
        files = sorted(out.iterdir())
        assert len(files) == a.people, files
        one = tmp / "one"
        one.mkdir()
        t_each = timed(
            lambda: [
                run(
                    db,
                    "export",
                    "--person",
                    n,
                    "--year",
                    "2025",
                    "-o",
                    str(one / f"{i}.xlsx"),
                    "--as-of",
                    "2026-02-01",
                )
                for i, n in enumerate(names)
            ]
        )
        t_list = timed(lambda: run(db, "person", "list", "--year", "2025", "--format", "json"))
        t_report = timed(
            lambda: run(db, "report", "year", "--all-people", "--year", "2025", "--format", "json")
        )
        t_check = timed(lambda: run(db, "check", "--all-people", "--year", "2025", ok=(0, 1)))
    print(f"backend {a.backend}; {a.people} people x 304 plan rows + IRA; setup {t_build:.1f} s")
    print(f"export --all-people: {t_all:.2f} s ({t_all / a.people:.3f} s a workbook)")
    print(
        f"baseline, {a.people} x export --person: {t_each:.2f} s; ratio all-people/baseline {t_all / t_each:.2f}"
    )
    print(
        f"person list --year: {t_list:.2f} s; report year --all-people: {t_report:.2f} s; "
        f"check --all-people: {t_check:.2f} s"
    )


if __name__ == "__main__":
    main()
