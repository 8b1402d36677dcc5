#!/usr/bin/env python3
"""The SQLite floor of an import (issue 15): what storing the ledger's own rows costs, with no
parsing at all, against storing the bare baseline's cells.

``run.py`` compares ``megaroth import`` with a bare csv + ``executemany`` loader. This script
takes the parsing out of both sides to show how much of the gap is only SQLite: it imports a
generated file of ``--shape`` with the real CLI, reads the stored ``entry`` rows back, and then
times, in this process and on fresh database files, rounds interleaved:

- ``bare``: the bare baseline's 10 cells per row into its table with no index (``run.py``'s
  ``BARE_DDL``; pre-made tuples, so no CSV reading either);
- ``ledger``: the very rows the import stored, into the ledger's ``entry`` DDL, as the import
  stores a big file into an empty ledger (``INSERT OR IGNORE`` on the ``(plan_id, identity)``
  unique key, the secondary indexes built afterwards);
- ``no-raw``: the same with ``raw`` left NULL (a lighter row: what dropping the per-row raw
  cells would save);
- ``short-id``: the same with each identity a 16-byte blob (3 bytes of date, 12 of the hash, 1
  of occurrence) instead of its text, so the unique key is smaller;
- ``lightest``: both.

The last three are not what the ledger stores: they measure what a schema change would buy
before anyone makes one. Every variant uses the import's WAL and page-cache pragmas and one
transaction; reported: the median of each phase (insert, index build, commit with its WAL
checkpoint) and of the whole, its ratio to ``bare``, and the database's size. Not a test:
nothing here asserts on time.

    python bench/floor.py                       # 1,000,000 rows of the decade shape, 3 rounds
    python bench/floor.py --rows 200000 --shape own --rounds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (this directory's import benchmark: shapes, baselines)

COLUMNS = (
    "date,payroll_date,tax_year,source,type,amount_cents,fund,fund_id,shares,memo,"
    "irr_year,status,file_row,raw,plan_id,import_id,identity"
)
BARE_INSERT = (
    "INSERT INTO entry (plan_id, date, payroll_date, tax_year, source, type, amount_cents, fund, "
    "fund_id, shares, memo, status, file_row) VALUES (1, ?, ?, 2025, ?, ?, ?, ?, ?, ?, ?, 'posted', ?)"
)
BATCH = 5000


def stored_rows(work: Path, shape: str, n: int) -> tuple[list[tuple], str, list[str]]:
    """(entry rows as the import stored them, the entry table's DDL, its index DDL)."""
    csv_path, db = work / f"{shape}.csv", work / "source.db"
    run.write_csv(csv_path, run.ROWS[shape](n))
    megaroth = [sys.executable, "-c", "from megaroth_ledger.cli import main; main()", "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(run.ROOT)}
    subprocess.run([sys.executable, "-c", run.PREPARE, str(db), *run.plans_of(shape)], env=env, check=True)
    subprocess.run(
        [*megaroth, "import", str(csv_path), "--format", "json"], env=env, check=True, capture_output=True
    )
    csv_path.unlink()
    with sqlite3.connect(db) as c:
        rows = c.execute(f"SELECT {COLUMNS} FROM entry ORDER BY id").fetchall()
        table = c.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entry'").fetchone()[
            0
        ]
        indexes = [
            r[0]
            for r in c.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entry' AND sql IS NOT NULL"
            )
        ]
    db.unlink()
    if len(rows) != n:
        sys.exit(f"the import stored {len(rows):,} rows of {n:,}")
    return rows, table, indexes


def amount_text(cents: int) -> str:
    """The amount cell as the CSV had it (exact: no float)."""
    sign, a = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}{a // 100}.{a % 100:02d}"


def short_identity(text: str) -> bytes:
    """``h:<date>:<hash>:<occurrence>`` as 16 bytes (date first: inserts stay local)."""
    _, date, digest, occurrence = text.split(":")
    days = dt.date.fromisoformat(date).toordinal()
    return days.to_bytes(3, "big") + bytes.fromhex(digest)[:12] + int(occurrence).to_bytes(1, "big")


def variants(rows: list[tuple], table: str, indexes: list[str]) -> dict[str, tuple]:
    """name -> (DDL before, INSERT statement, rows, DDL after the rows)."""
    ledger_insert = f"INSERT OR IGNORE INTO entry ({COLUMNS}) VALUES ({', '.join('?' * 17)})"
    bare = [(r[0], r[1], r[3], r[4], amount_text(r[5]), r[6], r[7], r[8], r[9], r[12]) for r in rows]
    if any(r[16][0] != "h" for r in rows):
        sys.exit("short-id needs hashed identities (a CSV shape)")
    no_raw = [r[:13] + (None,) + r[14:] for r in rows]
    short = [r[:16] + (short_identity(r[16]),) for r in rows]
    lightest = [r[:13] + (None,) + r[14:16] + (short_identity(r[16]),) for r in rows]
    return {
        "bare": ([run.BARE_DDL], BARE_INSERT, bare, []),
        "ledger": ([table], ledger_insert, rows, indexes),
        "no-raw": ([table], ledger_insert, no_raw, indexes),
        "short-id": ([table], ledger_insert, short, indexes),
        "lightest": ([table], ledger_insert, lightest, indexes),
    }


def measure(
    db: Path, before: list[str], insert: str, rows: list[tuple], after: list[str], cache_kib: int
) -> dict:
    for p in db.parent.glob(f"{db.name}*"):
        p.unlink()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA cache_size=-{cache_kib}")
    for stmt in before:
        con.execute(stmt)
    t0 = time.perf_counter()
    con.execute("BEGIN")
    for i in range(0, len(rows), BATCH):
        con.executemany(insert, rows[i : i + BATCH])
    t1 = time.perf_counter()
    for stmt in after:
        con.execute(stmt)
    t2 = time.perf_counter()
    con.execute("COMMIT")
    t3 = time.perf_counter()
    con.close()
    size = db.stat().st_size
    for p in db.parent.glob(f"{db.name}*"):
        p.unlink()
    return {"insert": t1 - t0, "index": t2 - t1, "commit": t3 - t2, "total": t3 - t0, "mb": size / 1e6}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--shape", default="decade", choices=[s for s in run.SHAPES if s != "ofx"])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(run.ROOT))
    from megaroth_ledger.importers.store import BULK_CACHE_KIB

    with tempfile.TemporaryDirectory(prefix="megaroth-floor-") as tmp:
        work = Path(tmp)
        rows, table, indexes = stored_rows(work, args.shape, args.rows)
        cases = variants(rows, table, indexes)
        del rows
        got: dict[str, list[dict]] = {name: [] for name in cases}
        for r in range(args.rounds):
            for name, (before, insert, data, after) in cases.items():
                got[name].append(measure(work / f"{name}.db", before, insert, data, after, BULK_CACHE_KIB))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    med = {name: {k: statistics.median(m[k] for m in ms) for k in ms[0]} for name, ms in got.items()}
    print(
        f"{args.rows:,} rows of the {args.shape} shape, {args.rounds} rounds (medians), {os.cpu_count()} CPUs, "
        f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f} at the end"
    )
    bare = med["bare"]["total"]
    for name, m in med.items():
        spread = [x["total"] for x in got[name]]
        print(
            f"{name:<9} {m['total']:5.2f}s ({min(spread):.2f}-{max(spread):.2f}) = {m['total'] / bare:4.2f}x bare | "
            f"insert {m['insert']:5.2f}s, indexes {m['index']:4.2f}s, commit {m['commit']:4.2f}s | {m['mb']:4.0f} MB"
        )


if __name__ == "__main__":
    main()
