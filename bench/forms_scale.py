#!/usr/bin/env python3
"""Forms at scale (issue 15): a person's forms in a 1,000,000-row, 100-person ledger against the
same person's forms in a ledger that holds only them; and ``export`` memory against the number of
after-tax rows in the exported year.

Ledgers (built before any clock starts, rows inserted directly):

- ``big``: 100 people, one plan each, 10 years (2016-2025) of paychecks: pretax, match and
  after-tax contributions and dividends across funds, ``--rows`` rows in all (default
  1,000,000); ``p000`` (the person measured) also converts in-plan each December (the others
  do not: a conversion replays the plan's history, and 1,000 of them made the build itself
  take longer than the benchmark);
- ``one``: only person ``p000``, with exactly the rows ``big`` holds for them;
- ``one-x5``: ``p000`` alone with five times the after-tax rows in 2025 (export memory).

Each command (``form 1099-r/8606/1040``, ``headroom``, ``clocks``) runs as a fresh ``megaroth``
process, rounds interleaved between the ledgers; reported: median wall seconds, spread (min-max),
and ``big`` minus ``one`` (goal: within 0.1 s). ``export --year 2025`` is timed the same way
with its peak RSS (ru_maxrss) in each ledger: bounded memory means ``one-x5`` peaks about where
``one`` does. Not a test: nothing here asserts on time.

    python bench/forms_scale.py                 # 1,000,000 rows, 7 rounds
    python bench/forms_scale.py --rows 200000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 100
YEARS = range(2016, 2026)

BUILD = r"""
import datetime as dt, sys
from decimal import Decimal
from sqlalchemy import insert, select
from megaroth_ledger.services import ledger as L
from megaroth_ledger.services import ledger_ops as ops
from megaroth_ledger.store.db import open_ledger
from megaroth_ledger.store.models import Entry, Plan

db, people, per_person, x5 = sys.argv[1], [int(p) for p in sys.argv[2].split(",")], int(sys.argv[3]), sys.argv[4] == "1"
years = list(range(2016, 2026))
kinds = (("pretax", "contribution", 80000), ("match", "contribution", 30000), ("aftertax", "contribution", 150000),
         ("aftertax", "dividend", 700), ("pretax", "dividend", 500))
led = open_ledger(db)
for p in people:
    with led.session() as s:
        L.add_person(s, f"p{p:03d}", dt.date(1960 + p % 30, 4, 2))
        L.add_plan(s, name=f"plan{p:03d}", person=f"p{p:03d}", employer=f"Employer {p}", kind="401k",
                   after_tax=True, in_plan_conversion=True, in_service_withdrawal=True)
        s.flush()
        plan_id = s.scalars(select(Plan.id).where(Plan.name == f"plan{p:03d}")).one()
        per_year = per_person // len(years)
        for year in years:
            rows = []
            n = per_year * (5 if x5 and year == 2025 else 1)
            for i in range(n):
                day = dt.date(year, 1, 3) + dt.timedelta(days=(i * 330) // n)
                source, typ, cents = kinds[i % len(kinds)]
                cents = cents // 26 + (i * 37) % 1000
                rows.append({"plan_id": plan_id, "date": day, "payroll_date": day, "tax_year": year,
                             "source": source, "type": typ, "amount_cents": cents, "fund": f"Fund {i % 8}",
                             "memo": f"r{i}", "status": "posted"})
            s.execute(insert(Entry), rows)
            if p == 0:  # the measured person; the others' conversions would only slow the build
                half = sum(r["amount_cents"] for r in rows if r["source"] == "aftertax") // 2  # half the year's
                ops.convert(s, f"plan{p:03d}", dt.date(year, 12, 20), Decimal(half) / 100, "in-plan")
led.dispose()
"""

COMMANDS = {
    "form 1099-r": ["form", "1099-r", "--person", "p000", "--year", "2025"],
    "form 8606": ["form", "8606", "--person", "p000", "--year", "2025"],
    "form 1040": ["form", "1040", "--person", "p000", "--year", "2025"],
    "headroom": ["headroom", "--person", "p000", "--year", "2025"],
    "clocks": ["clocks", "--person", "p000", "--as-of", "2025-12-31"],
}


def child(cmd: list[str], env) -> tuple[float, int, float]:
    """(wall seconds, peak RSS MB, CPU seconds user+sys) of one process; exits if it fails."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{' '.join(cmd[3:])} failed:\n{err.decode()[-2000:]}")
    return wall, ru.ru_maxrss // 1024, ru.ru_utime + ru.ru_stime


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows in the 100-person ledger")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "megaroth_ledger"), str(ROOT / "migrations")],
        check=True,
    )
    per_person = args.rows // PEOPLE
    work = Path(tempfile.mkdtemp(prefix="megaroth-forms-"))
    try:
        ledgers = {"big": work / "big.db", "one": work / "one.db", "one-x5": work / "one-x5.db"}
        t0 = time.perf_counter()
        build = [sys.executable, "-P", "-c", BUILD]
        procs = [
            subprocess.Popen(
                [*build, str(ledgers["big"]), ",".join(map(str, range(PEOPLE))), str(per_person), "0"],
                env=env,
            ),
            subprocess.Popen([*build, str(ledgers["one"]), "0", str(per_person), "0"], env=env),
            subprocess.Popen([*build, str(ledgers["one-x5"]), "0", str(per_person), "1"], env=env),
        ]
        if any(p.wait() for p in procs):
            sys.exit("building the ledgers failed")
        print(
            f"built ledgers in {time.perf_counter() - t0:.0f}s: {args.rows:,} rows for {PEOPLE} people; "
            f"p000 has {per_person:,} rows ({per_person // len(YEARS):,} a year)",
            file=sys.stderr,
        )
        megaroth = [sys.executable, "-P", "-c", "from megaroth_ledger.cli import main; main()"]
        names = [*COMMANDS, "export"]
        samples = {(n, led): [] for n in names for led in ledgers}
        for r in range(args.rounds):
            for name in names:
                for label, db in ledgers.items():
                    if label == "one-x5" and name != "export":
                        continue
                    extra = (
                        ["export", "--person", "p000", "--year", "2025", "-o", str(work / f"{label}.xlsx")]
                        if name == "export"
                        else COMMANDS[name]
                    )
                    samples[(name, label)].append(child([*megaroth, "--db", str(db), *extra], env))
            print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr)
        print(
            f"{args.rounds} rounds, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
        )
        print(
            f"{'command':<12} | {'one-person ledger s (min-max)':<30} | {f'{PEOPLE}-person ledger s (min-max)':<30} "
            "| big - one wall | big - one CPU | peak RSS one / big MB"
        )
        for name in names:
            one, big = samples[(name, "one")], samples[(name, "big")]
            med = [statistics.median(w for w, _, _ in s) for s in (one, big)]
            cpu = [statistics.median(c for _, _, c in s) for s in (one, big)]
            cells = [
                f"{m:.3f} ({min(w for w, _, _ in s):.2f}-{max(w for w, _, _ in s):.2f})"
                for m, s in zip(med, (one, big))
            ]
            print(
                f"{name:<12} | {cells[0]:<30} | {cells[1]:<30} | {med[1] - med[0]:+.3f}s        | "
                f"{cpu[1] - cpu[0]:+.3f}s       | {max(r for _, r, _ in one)} / {max(r for _, r, _ in big)}"
            )
        x5 = samples[("export", "one-x5")]
        one_rss = max(r for _, r, _ in samples[("export", "one")])
        print(
            f"export with 5x the after-tax rows in 2025 (p000 alone): "
            f"{statistics.median(w for w, _, _ in x5):.3f}s, peak RSS {max(r for _, r, _ in x5)} MB "
            f"(vs {one_rss} MB with 1x)"
        )
        print("goal: big - one <= 0.1 s for every form; export's peak RSS not growing with the rows")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
