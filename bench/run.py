#!/usr/bin/env python3
"""Import benchmark (issues 5 and 15): is ``megaroth import`` close to the speed of a bare loader,
on every canonical file shape?

For each shape it generates a file of N rows (default 1,000,000) and times, in the same run,
each in its own fresh process and fresh database, interleaved repetition by repetition:

- ``bare``: Python's ``csv`` reader + ``sqlite3`` ``executemany`` of the raw cells into a
  table with the ``entry`` columns and no index or constraint, one transaction, no
  validation: the physical floor for getting the rows into SQLite from Python;
- ``indexed``: the same into the ledger's own ``entry`` DDL and indexes;
- ``megaroth --db NEW import FILE`` (the real CLI: detection, validation, exact money,
  identities, provenance, one transaction). The database is created (schema migrated,
  people and plans added) before the clock starts.

Both baselines use the same WAL and page-cache pragmas as the import and read the canonical
CSV of the shape (for the OFX shape: the CSV of the very same rows).

Shapes (``--shapes``, comma-separated):

- ``own``: issue 5's file: 2,000 biweekly paychecks x 4 sources x 4 funds, a dividend every
  30th row, repeated memos, a ``plan`` column, no ``--plan``;
- ``decade``: 10 years of dates (date order), unique memos, a ``plan`` column, no ``--plan``;
- ``plans``: 100 plans of 100 people in one file (a preparer's), ``plan`` column;
- ``funds``: 50 funds per paycheck and source (200 rows per paycheck);
- ``ofx``: an OFX 2.x statement with the same number of transactions (``--plan``).

Reported per shape: median wall seconds and spread (min-max) over ``--repeat`` runs, the
ratios of medians to each baseline (goals: <= 2.0x the bare baseline), and peak RSS (goal <
300 MB for the import; the largest of the importing process and its parse workers).
``--before REF`` also imports with the code of a git ref, side by side in the same run.
Not a test: nothing here asserts on time.

    python bench/run.py                                   # every shape, 1,000,000 rows, 3 runs
    python bench/run.py --rows 200000 --shapes decade,ofx --repeat 5
    python bench/run.py --before main --json after.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNDS = [
    ("Vanguard 500 Index Fund Adm", "VFIAX"),
    ("Dodge & Cox Income X", "DOXIX"),
    ("Vanguard Total Intl Stock Index Adm", "VTIAX"),
    ("Fidelity Contrafund K6", "FLCNX"),
]
SOURCES = ["pretax", "aftertax", "match", "roth"]
HEADER = "date,plan,source,type,amount,payroll_date,fund,fund_id,shares,price,memo\n"
OFX_SOURCES = {"pretax": "PRETAX", "aftertax": "AFTERTAX", "match": "MATCH", "roth": "OTHERVEST"}
SHAPES = ("own", "decade", "plans", "funds", "ofx")


# ------------------------------------------------------------------ file shapes


def rows_own(n: int):
    """Issue 5's rows: paychecks of 4 sources x 4 funds, a dividend every 30th row."""
    start = dt.date(2000, 1, 7)
    i = check = 0
    while i < n:
        pay = start + dt.timedelta(days=14 * (check % 2000))
        trade = pay + dt.timedelta(days=3)
        pi, ti = pay.isoformat(), trade.isoformat()
        for s_i, source in enumerate(SOURCES):
            for f_i, (fund, ticker) in enumerate(FUNDS):
                if i >= n:
                    return
                cents = 10000 + (check * 37 + s_i * 101 + f_i * 13) % 90000
                typ = "dividend" if i % 30 == 29 else "contribution"
                price = 100 + (check % 400)
                yield (
                    ti,
                    "bench-401k",
                    source,
                    typ,
                    cents,
                    pi,
                    fund,
                    ticker,
                    f"{cents % 997}.{check % 10000:04d}",
                    f"{price}.250000",
                    f"c{check}",
                )
                i += 1
        check += 1


def _spread_rows(n: int, per_check: int, plan_of, funds):
    """Rows over 10 years of biweekly paychecks in date order, every memo unique."""
    start = dt.date(2016, 1, 8)
    checks = max(1, -(-n // per_check))
    i = 0
    for check in range(checks):
        pay = start + dt.timedelta(days=(3653 * check) // checks)
        trade = pay + dt.timedelta(days=3)
        pi, ti = pay.isoformat(), trade.isoformat()
        for k in range(per_check):
            if i >= n:
                return
            s_i, f_i = k % len(SOURCES), (k // len(SOURCES)) % len(funds)
            fund, ticker = funds[f_i]
            cents = 1000 + (i * 7919) % 250000
            typ = "dividend" if i % 29 == 28 else "contribution"
            price = 20 + (i * 31) % 480
            shares = f"{cents // price // 100}.{(cents * 7) % 10000:04d}"
            yield (
                ti,
                plan_of(i, check),
                SOURCES[s_i],
                typ,
                cents,
                pi,
                fund,
                ticker,
                shares,
                f"{price}.{i % 1000000:06d}",
                f"payroll {pi} txn {i:08d} batch {check}",
            )
            i += 1


def rows_decade(n: int):
    return _spread_rows(n, 16 * 24, lambda i, c: "bench-401k", FUNDS)


PLANS = [f"client{p:03d}-401k" for p in range(100)]


def rows_plans(n: int):
    return _spread_rows(n, 16 * 100, lambda i, c: PLANS[(i // 16) % 100], FUNDS)


MANY_FUNDS = [(f"Target Date {2025 + k} Fund Institutional Class {k:02d}", f"TD{k:03d}X") for k in range(50)]


def rows_funds(n: int):
    return _spread_rows(n, 200, lambda i, c: "bench-401k", MANY_FUNDS)


ROWS = {"own": rows_own, "decade": rows_decade, "plans": rows_plans, "funds": rows_funds, "ofx": rows_decade}


def write_csv(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        buf = []
        for date, plan, source, typ, cents, pay, fund, ticker, shares, price, memo in rows:
            buf.append(
                f"{date},{plan},{source},{typ},{cents // 100}.{cents % 100:02d},{pay},{fund},{ticker},"
                f"{shares},{price},{memo}\n"
            )
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


def write_ofx(path: Path, rows) -> None:
    """The same rows as an OFX 2.x 401(k) statement: BUYMF contributions, REINVEST dividends."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" '
            'OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n<OFX>\n<INVSTMTMSGSRSV1><INVSTMTTRNRS><TRNUID>1</TRNUID>'
            "<INVSTMTRS><DTASOF>20251231</DTASOF><CURDEF>USD</CURDEF>\n<INVACCTFROM><BROKERID>bench</BROKERID>"
            "<ACCTID>1</ACCTID></INVACCTFROM>\n<INVTRANLIST><DTSTART>20160101</DTSTART><DTEND>20251231</DTEND>\n"
        )
        buf = []
        for i, (date, _plan, source, typ, cents, pay, _fund, ticker, shares, price, memo) in enumerate(rows):
            d, p = date.replace("-", ""), pay.replace("-", "")
            amount = f"{cents // 100}.{cents % 100:02d}"
            inv = (
                f"<INVTRAN><FITID>B{i:09d}</FITID><DTTRADE>{d}160000</DTTRADE><MEMO>{memo}</MEMO></INVTRAN>"
                f"<SECID><UNIQUEID>{ticker}</UNIQUEID><UNIQUEIDTYPE>TICKER</UNIQUEIDTYPE></SECID>"
            )
            if typ == "dividend":
                buf.append(
                    f"<REINVEST>{inv}<INCOMETYPE>DIV</INCOMETYPE><TOTAL>-{amount}</TOTAL>"
                    f"<SUBACCTSEC>CASH</SUBACCTSEC><UNITS>{shares}</UNITS><UNITPRICE>{price}</UNITPRICE>"
                    f"<INV401KSOURCE>{OFX_SOURCES[source]}</INV401KSOURCE></REINVEST>\n"
                )
            else:
                buf.append(
                    f"<BUYMF><INVBUY>{inv}<UNITS>{shares}</UNITS><UNITPRICE>{price}</UNITPRICE>"
                    f"<TOTAL>-{amount}</TOTAL><SUBACCTSEC>CASH</SUBACCTSEC><SUBACCTFUND>OTHER</SUBACCTFUND>"
                    f"<INV401KSOURCE>{OFX_SOURCES[source]}</INV401KSOURCE><DTPAYROLL>{p}</DTPAYROLL>"
                    f"</INVBUY><BUYTYPE>BUY</BUYTYPE></BUYMF>\n"
                )
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
        f.write("</INVTRANLIST>\n</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>\n<SECLISTMSGSRSV1><SECLIST>\n")
        tickers = sorted({t for _, t in FUNDS})
        for fund, ticker in FUNDS:
            f.write(
                f"<MFINFO><SECINFO><SECID><UNIQUEID>{ticker}</UNIQUEID><UNIQUEIDTYPE>TICKER</UNIQUEIDTYPE>"
                f"</SECID><SECNAME>{fund.replace('&', '&amp;')}</SECNAME><TICKER>{ticker}</TICKER></SECINFO>"
                "</MFINFO>\n"
            )
        del tickers
        f.write("</SECLIST></SECLISTMSGSRSV1>\n</OFX>\n")


def plans_of(shape: str) -> list[str]:
    return PLANS if shape == "plans" else ["bench-401k"]


# ------------------------------------------------------------------ baselines

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
    h = {name: i for i, name in enumerate(next(r))}
    i0, i5, i2, i3, i4, i6, i7, i8, i10 = (h[k] for k in (
        "date", "payroll_date", "source", "type", "amount", "fund", "fund_id", "shares", "memo"))
    def rows():
        batch = []
        for n, c in enumerate(r, start=2):
            batch.append((c[i0], c[i5], c[i2], c[i3], c[i4], c[i6], c[i7], c[i8], c[i10], n))
            if len(batch) == 5000:
                yield from batch
                batch.clear()
        yield from batch
    with con:
        con.executemany(sql, rows())
print(con.execute("select count(*) from entry").fetchone()[0])
"""

BARE_DDL = (
    "CREATE TABLE entry (id INTEGER PRIMARY KEY, plan_id INTEGER, date DATE, payroll_date DATE, "
    "tax_year INTEGER, source VARCHAR(30), type VARCHAR(30), amount_cents BIGINT, fund VARCHAR(200), "
    "fund_id VARCHAR(50), shares VARCHAR(40), memo TEXT, irr_year INTEGER, status VARCHAR(10), "
    "conversion_id INTEGER, import_id INTEGER, file_row INTEGER, raw TEXT, origin VARCHAR(200), "
    "identity VARCHAR(200));\n"
)


def entry_ddl(ledger_db: Path) -> str:
    """CREATE statements of the ledger's entry table and its indexes (no foreign keys enforced)."""
    with sqlite3.connect(ledger_db) as c:
        stmts = [
            r[0]
            for r in c.execute(
                "select sql from sqlite_master where tbl_name='entry' and sql is not null order by type desc"
            )
        ]
    return ";\n".join(stmts) + ";\n"


# ------------------------------------------------------------------ processes

PREPARE = r"""
import datetime as dt, sys
from megaroth_ledger.services import ledger as L
from megaroth_ledger.store.db import open_ledger
led = open_ledger(sys.argv[1])
with led.session() as s:
    for i, plan in enumerate(sys.argv[2:]):
        L.add_person(s, f"p{i:03d}", dt.date(1985, 4, 2))
        L.add_plan(s, name=plan, person=f"p{i:03d}", employer=f"Employer {i}", kind="401k", after_tax=True)
led.dispose()
"""


def run(cmd: list[str], env=None) -> tuple[float, int, str, float]:
    """(wall seconds, peak RSS in MB, stdout, CPU seconds) of one child process.

    The RSS is wait4's ru_maxrss: the largest of the child and its reaped descendants (parse
    workers). Linux starts it from this process's RSS at fork, so this process stays small.
    """
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{' '.join(cmd[:4])}... failed:\n{err.decode()[-3000:]}")
    # CPU: user + system of the child and its reaped descendants (steadier than wall on a
    # shared machine)
    return wall, ru.ru_maxrss // 1024, out.decode(), ru.ru_utime + ru.ru_stime


class Variant:
    """One megaroth source tree: this one, or a git ref unpacked into a temporary directory."""

    def __init__(self, label: str, tree: Path):
        self.label, self.tree = label, tree
        self.env = {**os.environ, "PYTHONPATH": str(tree)}
        # -P: the package comes from PYTHONPATH's tree, never from the current directory
        self.megaroth = [sys.executable, "-P", "-c", "from megaroth_ledger.cli import main; main()"]
        # byte-compiled, as ``pip install`` leaves an installed wheel (with PYTHONDONTWRITEBYTECODE=1
        # a source tree would otherwise be recompiled in every process)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                str(tree / "megaroth_ledger"),
                str(tree / "migrations"),
            ],
            check=True,
        )

    def prepare(self, db: Path, plans: list[str]) -> None:
        run([sys.executable, "-P", "-c", PREPARE, str(db), *plans], self.env)

    def import_(self, db: Path, path: Path, shape: str) -> tuple[float, int, int]:
        extra = ["--plan", "bench-401k", "--map", "OTHERVEST=roth"] if shape == "ofx" else []
        wall, rss, out, cpu = run(
            [*self.megaroth, "--db", str(db), "import", str(path), *extra, "--format", "json"], self.env
        )
        return wall, rss, json.loads(out)["rows_added"], cpu


def unpack_ref(ref: str, dest: Path) -> Path:
    archive = dest.with_suffix(".tar")
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref], check=True)
    dest.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    return dest


def stats(samples: list[tuple[float, int, float]]) -> dict:
    walls = [s[0] for s in samples]
    return {
        "wall": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "rss": max(s[1] for s in samples),
        "cpu": statistics.median(s[2] for s in samples),
        "runs": len(walls),
    }


def bench_shape(shape: str, n: int, work: Path, variants: list[Variant], repeat: int, cache_kib: int) -> dict:
    csv_path = work / f"{shape}.csv"
    t0 = time.perf_counter()
    write_csv(csv_path, ROWS[shape](n))
    src = csv_path
    if shape == "ofx":
        src = work / f"{shape}.ofx"
        write_ofx(src, ROWS[shape](n))
    print(
        f"[{shape}] generated {n:,} rows: {src.name} {src.stat().st_size / 1e6:.0f} MB "
        f"in {time.perf_counter() - t0:.1f}s",
        file=sys.stderr,
    )
    samples: dict[str, list] = {"bare": [], "indexed": [], **{v.label: [] for v in variants}}
    ddl = None
    for rep in range(repeat):
        for v in variants:
            db = work / f"{shape}-{v.label}.db"
            for p in work.glob(f"{db.name}*"):
                p.unlink()
            v.prepare(db, plans_of(shape))
            if ddl is None:
                ddl = entry_ddl(db)
            wall, rss, added, cpu = v.import_(db, src, shape)
            if added != n:
                sys.exit(f"[{shape}] {v.label} added {added:,} rows of {n:,}")
            samples[v.label].append((wall, rss, cpu))
            db.unlink()
        for name, table_ddl in (("bare", BARE_DDL), ("indexed", ddl)):
            base_db = work / f"{shape}-{name}.db"
            wall, rss, out, cpu = run(
                [sys.executable, "-c", BASELINE, str(csv_path), str(base_db), table_ddl, str(cache_kib)]
            )
            assert int(out) == n, out
            samples[name].append((wall, rss, cpu))
            for p in work.glob(f"{base_db.name}*"):
                p.unlink()
        print(f"[{shape}] repetition {rep + 1}/{repeat} done", file=sys.stderr)
    for p in work.glob(f"{shape}.*"):
        p.unlink()
    return {k: stats(v) for k, v in samples.items()}


def report(shape: str, res: dict, labels: list[str]) -> None:
    bare, idx = res["bare"], res["indexed"]
    print(
        f"{shape:<7} bare {bare['wall']:6.2f}s ({bare['min']:.2f}-{bare['max']:.2f}) cpu {bare['cpu']:.2f}s "
        f"{bare['rss']:3d} MB | indexed {idx['wall']:6.2f}s ({idx['min']:.2f}-{idx['max']:.2f}) "
        f"cpu {idx['cpu']:.2f}s {idx['rss']:3d} MB"
    )
    for label in labels:
        s = res[label]
        print(
            f"        {label:<7} import {s['wall']:6.2f}s ({s['min']:.2f}-{s['max']:.2f}) "
            f"= {s['wall'] / bare['wall']:4.2f}x bare, {s['wall'] / idx['wall']:4.2f}x indexed; "
            f"cpu {s['cpu']:.2f}s; peak RSS {s['rss']} MB"
        )


def peak_rss_mib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of: {', '.join(SHAPES)}")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median and spread)")
    ap.add_argument("--before", metavar="REF", help="also import with this git ref's code, side by side")
    ap.add_argument("--json", metavar="FILE", help="write the medians, spreads and peaks as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    for s in shapes:
        if s not in SHAPES:
            ap.error(f"unknown shape {s!r}")
    work = Path(tempfile.mkdtemp(prefix="megaroth-bench-"))
    sys.path.insert(0, str(ROOT))
    from megaroth_ledger.importers.store import BULK_CACHE_KIB  # the import's page cache, for the baselines

    try:
        variants = []
        if args.before:
            variants.append(Variant("before", unpack_ref(args.before, work / "before")))
        variants.append(Variant("after" if args.before else "import", ROOT))
        results = {}
        for shape in shapes:
            results[shape] = bench_shape(shape, args.rows, work, variants, args.repeat, BULK_CACHE_KIB)
        print(
            f"{args.rows:,} rows per shape, {args.repeat} runs each (median, min-max), {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f} at the end; this process peaked at {peak_rss_mib()} MB"
        )
        for shape in shapes:
            report(shape, results[shape], [v.label for v in variants])
        print("goals: import <= 2.0x bare, peak RSS < 300 MB, on every shape")
        if args.json:
            Path(args.json).write_text(
                json.dumps({"rows": args.rows, "repeat": args.repeat, "results": results}, indent=1)
            )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
