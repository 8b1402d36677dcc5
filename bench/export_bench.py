"""Export benchmark (issue #6): a year with N ledger rows (default 100,000) exported to the
workbook, against a baseline that writes the same cells with openpyxl's write-only mode.

    .venv/bin/python bench/export_bench.py [--rows 100000] [--check]

Each measurement runs in a fresh subprocess so its peak memory (ru_maxrss) is its own:
- ``export``: open the ledger, gather the payloads (headroom, forms, clocks, projection) and
  stream the ledger rows into the ten-sheet workbook, exactly what ``megaroth export`` does;
- ``baseline``: the cells of the produced workbook (values and number formats) are read first
  (not timed), then written again with a plain openpyxl write-only loop (timed).

Bounded memory is shown by exporting a fifth of the rows too: the export's peak memory must
not grow with the rows (streamed), while the baseline holds its cells in lists.
``--check`` exits non-zero when the export takes more than 1.5x the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_ledger(db: Path, rows: int) -> None:
    from sqlalchemy import insert, select

    from megaroth_ledger.services import ledger as L
    from megaroth_ledger.services import ledger_ops as ops
    from megaroth_ledger.store.db import open_ledger
    from megaroth_ledger.store.models import Entry, ImportBatch, Plan

    led = open_ledger(str(db))
    with led.session() as s:
        L.add_person(s, "ann", dt.date(1985, 4, 2))
        L.add_plan(
            s,
            name="acme-401k",
            person="ann",
            employer="Acme Corp",
            kind="401k",
            after_tax=True,
            in_plan_conversion=True,
            in_service_withdrawal=True,
        )
        s.flush()
        plan_id = s.scalars(select(Plan.id)).first()
        batch = ImportBatch(
            file_name="acme-2025-activity.csv",
            file_sha256="0" * 64,
            profile="bench",
            plan_id=plan_id,
            created_at=dt.datetime(2026, 1, 5),
            rows_read=rows,
            rows_added=rows,
        )
        s.add(batch)
        s.flush()
        funds = [f"Fund {i:02d}" for i in range(40)] + ['=HYPERLINK("http://x","y")']
        payload = []
        day0 = dt.date(2025, 1, 1)
        for i in range(rows):
            d = day0 + dt.timedelta(days=(i * 7) % 350)
            kind = i % 4
            source, typ, cents = (
                ("pretax", "contribution", 100),
                ("match", "contribution", 50),
                ("aftertax", "contribution", 300),
                ("aftertax", "dividend", 10),
            )[kind]
            payload.append(
                {
                    "plan_id": plan_id,
                    "date": d,
                    "tax_year": 2025,
                    "source": source,
                    "type": typ,
                    "amount_cents": cents,
                    "fund": funds[i % len(funds)],
                    "memo": f"row {i}",
                    "status": "posted",
                    "import_id": batch.id,
                    "file_row": i + 2,
                    "identity": f"r{i}",
                }
            )
        s.execute(insert(Entry), payload)
        ops.convert(s, "acme-401k", dt.date(2025, 12, 20), Decimal("1000.00"), "in-plan")
    led.dispose()


def run_export(db: Path, out: Path) -> dict:
    from megaroth_ledger.reports.workbook import build_workbook
    from megaroth_ledger.rules.projection import parse_rate
    from megaroth_ledger.services import export as svc
    from megaroth_ledger.store.db import open_ledger

    t0 = time.perf_counter()
    led = open_ledger(str(db))
    with led.session() as s:
        data = svc.workbook_data(
            s,
            "ann",
            [2025],
            as_of=dt.date(2026, 11, 22),
            projection_args={"rate": parse_rate("7"), "years": 20},
        )
        t1 = time.perf_counter()
        counts = build_workbook(data, out)
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "services": t1 - t0, "writing": t2 - t1, "counts": counts}


def run_stream(db: Path, out: Path) -> dict:
    """Only the streamed sheets (Paychecks, Audit) from the ledger: the export's own memory,
    without the forms and clocks services (which load the person's whole history)."""
    from megaroth_ledger.reports.workbook import WorkbookData, build_workbook
    from megaroth_ledger.services import export as svc
    from megaroth_ledger.services import headroom
    from megaroth_ledger.store.db import open_ledger

    t0 = time.perf_counter()
    led = open_ledger(str(db))
    with led.session() as s:
        data = WorkbookData(
            person="ann",
            years=[2025],
            generated_on=dt.date(2026, 11, 22),
            headroom={2025: headroom.payload(headroom.compute(s, "ann", 2025))},
        )
        data.paychecks = svc.paycheck_rows(s, 1, [2025])
        data.audit = svc.audit_rows(s, 1, [2025])
        counts = build_workbook(data, out)
    return {"seconds": time.perf_counter() - t0, "counts": counts}


def run_baseline(src: Path, out: Path) -> dict:
    """Read every cell (value + number format) of ``src``, then time writing them again."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.load_workbook(src, read_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            rows.append(
                [(c.value, c.number_format) if c.value is not None else (None, "General") for c in row]
            )
        sheets.append((ws.title, rows))
    wb.close()

    t0 = time.perf_counter()
    out_wb = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        ws = out_wb.create_sheet(title)
        for row in rows:
            cells = []
            for value, number_format in row:
                if number_format != "General" and value is not None:
                    c = WriteOnlyCell(ws, value)
                    c.number_format = number_format
                    cells.append(c)
                else:
                    cells.append(value)
            ws.append(cells)
    out_wb.save(out)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "cells": sum(len(r) for _, rows in sheets for r in rows)}


def peak_rss_mib() -> int:
    """This process's own peak resident memory (VmHWM; ru_maxrss would include the parent's
    peak, which Linux carries across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def child(mode: str, a: str, b: str) -> None:
    result = {"export": run_export, "stream": run_stream, "baseline": run_baseline}[mode](Path(a), Path(b))
    result["max_rss_mb"] = peak_rss_mib()
    print(json.dumps(result))


def measure(mode: str, a: Path, b: Path) -> dict:
    r = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(a), str(b)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--check", action="store_true", help="fail when the export is over 1.5x the baseline")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results = {}
        for n in (args.rows // 5, args.rows):
            db = tmp / f"bench-{n}.db"
            t0 = time.perf_counter()
            build_ledger(db, n)
            setup = time.perf_counter() - t0
            exp = measure("export", db, tmp / f"export-{n}.xlsx")
            base = measure("baseline", tmp / f"export-{n}.xlsx", tmp / f"baseline-{n}.xlsx")
            stream = measure("stream", db, tmp / f"stream-{n}.xlsx")
            results[n] = (exp, base, stream)
            ratio = exp["seconds"] / base["seconds"]
            print(
                f"{n:>7} ledger rows (setup {setup:.1f}s): export {exp['seconds']:.2f}s "
                f"(payload services {exp['services']:.2f}s + streaming rows and writing {exp['writing']:.2f}s), "
                f"peak {exp['max_rss_mb']:.0f} MiB "
                f"({exp['counts']['Audit']} audit rows, {exp['counts']['Paychecks']} paycheck rows); "
                f"baseline write-only {base['seconds']:.2f}s for {base['cells']} cells, peak {base['max_rss_mb']:.0f} MiB; "
                f"ratio {ratio:.2f}x; streamed sheets alone {stream['seconds']:.2f}s, peak {stream['max_rss_mb']:.0f} MiB"
            )
        exp, base, stream = results[args.rows]
        ratio = exp["seconds"] / base["seconds"]
        small, _, small_stream = results[args.rows // 5]
        print(
            f"export/baseline at {args.rows} rows: {ratio:.2f}x (target <= 1.5x); writing alone "
            f"{exp['writing'] / base['seconds']:.2f}x; peak memory at {args.rows // 5} -> {args.rows} rows: "
            f"export {small['max_rss_mb']:.0f} -> {exp['max_rss_mb']:.0f} MiB, streamed sheets "
            f"{small_stream['max_rss_mb']:.0f} -> {stream['max_rss_mb']:.0f} MiB"
        )
        if args.check and ratio > 1.5:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
