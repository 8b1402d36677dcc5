#!/usr/bin/env python3
"""Import benchmark (issue 5): is ``megaroth import`` close to the speed of a bare loader?

Generates a canonical CSV of N rows (default 1,000,000) and times, in the same run and each
in its own fresh process and fresh database:

(a) baseline: Python's ``csv`` reader + ``sqlite3`` ``executemany`` of the raw cells into an
    equivalent table (the ledger's own ``entry`` DDL and indexes, same WAL and page-cache
    pragmas as the import), one transaction, no validation;
(b) ``megaroth --db NEW import FILE`` (the real CLI: detection, validation, exact money,
    identities, provenance, one transaction). The database is created (schema migrated,
    person and plan added) before the clock starts.

Prints both wall times, the ratio (goal <= 1.5) and each process's peak RSS (goal < 300 MB
for the import). Not a test: nothing here asserts on time.

    python bench/run.py                 # 1,000,000 rows
    python bench/run.py --rows 200000 --keep
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNDS = [("Vanguard 500 Index Fund Adm", "VFIAX"), ("Dodge & Cox Income X", "DOXIX"),
         ("Vanguard Total Intl Stock Index Adm", "VTIAX"), ("Fidelity Contrafund K6", "FLCNX")]
SOURCES = ["pretax", "aftertax", "match", "roth"]
HEADER = "date,plan,source,type,amount,payroll_date,fund,fund_id,shares,price,memo\n"


def generate(path: Path, n: int) -> None:
    """N canonical rows: paychecks of 4 sources x 4 funds, a dividend every 30th row."""
    import datetime as dt

    start = dt.date(2000, 1, 7)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        i = 0
        check = 0
        buf = []
        while i < n:
            pay = start + dt.timedelta(days=14 * (check % 2000))
            trade = pay + dt.timedelta(days=3)
            pi, ti = pay.isoformat(), trade.isoformat()
            for s_i, source in enumerate(SOURCES):
                for f_i, (fund, ticker) in enumerate(FUNDS):
                    if i >= n:
                        break
                    cents = 10000 + (check * 37 + s_i * 101 + f_i * 13) % 90000
                    typ = "dividend" if i % 30 == 29 else "contribution"
                    price = 100 + (check % 400)
                    buf.append(f"{ti},bench-401k,{source},{typ},{cents // 100}.{cents % 100:02d},{pi},{fund},"
                               f"{ticker},{cents % 997}.{check % 10000:04d},{price}.250000,c{check}\n")
                    i += 1
            check += 1
            if len(buf) > 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


BASELINE = r"""
import csv, sqlite3, sys
src, db, ddl, cache_kib = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute(f"PRAGMA cache_size=-{cache_kib}")  # the page cache the import uses for a big file
for stmt in ddl.split(";\n"):
    if stmt.strip():
        con.execute(stmt)
sql = ("INSERT INTO entry (plan_id, date, payroll_date, tax_year, source, type, amount_cents, fund, fund_id, "
       "shares, memo, status, file_row) VALUES (1, ?, ?, 2025, ?, ?, ?, ?, ?, ?, ?, 'posted', ?)")
with open(src, newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    next(r)
    def rows():
        batch = []
        for n, c in enumerate(r, start=2):
            batch.append((c[0], c[5], c[2], c[3], c[4], c[6], c[7], c[8], c[10], n))
            if len(batch) == 5000:
                yield from batch
                batch.clear()
        yield from batch
    with con:
        con.executemany(sql, rows())
print(con.execute("select count(*) from entry").fetchone()[0])
"""


def entry_ddl(ledger_db: Path) -> str:
    """CREATE statements of the ledger's entry table and its indexes (no foreign keys enforced)."""
    with sqlite3.connect(ledger_db) as c:
        stmts = [r[0] for r in c.execute(
            "select sql from sqlite_master where tbl_name='entry' and sql is not null order by type desc")]
    return ";\n".join(stmts) + ";\n"


def run(cmd: list[str], env=None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return wall, ru.ru_maxrss // 1024, out.decode()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="megaroth-bench-"))
    py = sys.executable
    megaroth = [py, "-c", "from megaroth_ledger.cli import main; main()"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        csv_path = work / "canonical.csv"
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        size = csv_path.stat().st_size
        print(f"generated {args.rows:,} rows ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s: {csv_path}")

        ledger = work / "ledger.db"
        run([*megaroth, "--db", str(ledger), "person", "add", "bench", "--born", "1985-04-02"], env)
        run([*megaroth, "--db", str(ledger), "plan", "add", "bench-401k", "--person", "bench",
             "--employer", "Bench Corp", "--after-tax"], env)
        ddl = entry_ddl(ledger)

        sys.path.insert(0, str(ROOT))
        from megaroth_ledger.importers.store import BULK_CACHE_KIB

        base_wall, base_rss, out = run([py, "-c", BASELINE, str(csv_path), str(work / "baseline.db"), ddl,
                                        str(BULK_CACHE_KIB)], env)
        print(f"(a) baseline csv+executemany: {base_wall:7.2f}s  peak RSS {base_rss:4d} MB  rows {out.strip()}")
        imp_wall, imp_rss, out = run([*megaroth, "--db", str(ledger), "import", str(csv_path), "--format", "json"], env)
        import json

        res = json.loads(out)
        print(f"(b) megaroth import:          {imp_wall:7.2f}s  peak RSS {imp_rss:4d} MB  rows {res['rows_added']:,}")
        ratio = imp_wall / base_wall
        print(f"ratio (b)/(a) = {ratio:.2f} (goal <= 1.5); import peak RSS {imp_rss} MB (goal < 300 MB)")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
