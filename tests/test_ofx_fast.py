"""The OFX fast path (importers/ofx_cut.py: plain transactions cut out as text and read by layout;
importers/ofx_pipe.py: a big statement read in a worker process) gives exactly the tree reader's
rows, lines and errors. Property: on generated statements (SGML 1.x without closing tags, XML 2.x,
odd whitespace, entities, tag case, missing optional elements, blank values, reversals, loans,
transfers, PRIOR-year contributions, bad values), ``FAST`` on and off read the same."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.importers import ofx, open_parse
from megaroth_ledger.importers.rows import ImportRowErrors
from tests.conftest import add_ann

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["PRETAX", "AFTERTAX", "MATCH", "OTHERVEST", "ROLLOVER", "BOGUS", ""]
DATES = ["20250106", "20250106160000.000[-5:EST]", "2025", "20251301", ""]
AMOUNTS = ["-25.00", "25.00", "-1,234.50", "3.21", "12.345", "", "x"]
TEXTS = ["A&amp;B", "plain memo", "  padded  ", "", "Investment Expense", "fee &lt;1&gt;", "x" * 30]


@st.composite
def leaf(draw, name, values):
    return (name, draw(st.sampled_from(values)))


@st.composite
def transaction(draw, i: int):
    kind = draw(
        st.sampled_from(
            [
                "BUYMF",
                "BUYSTOCK",
                "SELLMF",
                "REINVEST",
                "INCOME",
                "TRANSFER",
                "INVEXPENSE",
                "RETOFCAP",
                "JRNLFUND",
            ]
        )
    )
    fitid = draw(st.sampled_from([f"F{i}", f"F{i}", "", "dup"]))
    inv = [("FITID", fitid), ("DTTRADE", draw(st.sampled_from(DATES[:2] * 3 + DATES)))]
    if draw(st.booleans()):
        inv.append(("MEMO", draw(st.sampled_from(TEXTS))))
    if draw(st.integers(0, 5)) == 0:
        inv.append(("REVERSALFITID", f"F{i - 1}"))
    if draw(st.integers(0, 5)) == 0:
        inv.append(("DTSETTLE", draw(st.sampled_from(DATES))))
    inv = draw(st.permutations(inv))
    body = [
        ("INVTRAN", inv),
        ("SECID", [("UNIQUEID", draw(st.sampled_from(["VGI1", "VGI2", "ZZZ"]))), ("UNIQUEIDTYPE", "CUSIP")]),
    ]
    for name, values in (
        ("UNITS", ["2.5", "-0.0123", "", "1e3"]),
        ("UNITPRICE", ["10.00", "100", ""]),
        ("TOTAL", AMOUNTS),
        ("INV401KSOURCE", SOURCES),
    ):
        if draw(st.integers(0, 6)) > 0:
            body.append(draw(leaf(name, values)))
    if kind in ("BUYMF", "BUYSTOCK"):
        body.append(("DTPAYROLL", draw(st.sampled_from(DATES))))
        if draw(st.booleans()):
            body.append(("PRIORYEARCONTRIB", draw(st.sampled_from(["Y", "N", "y"]))))
        if kind == "BUYSTOCK" or draw(st.integers(0, 4)) == 0:
            body.append(("LOANID", "7"))
            for name, values in (("LOANPRINCIPAL", ["20.00", "25.00", ""]), ("LOANINTEREST", ["5.00", "0"])):
                if draw(st.booleans()):
                    body.append(draw(leaf(name, values)))
    if kind in ("REINVEST", "INCOME"):
        body.append(("INCOMETYPE", draw(st.sampled_from(["DIV", "CGLONG", "INTEREST", "MISC", "BAD", ""]))))
    if kind == "TRANSFER":
        body.append(("TFERACTION", draw(st.sampled_from(["IN", "OUT", "out", "SIDEWAYS"]))))
    if draw(st.integers(0, 4)) == 0:  # repeated names: Node.get follows the first of them
        body.append(("SECID", [("UNIQUEIDTYPE", "TICKER")]))
        body.append(("UNITS", "9"))
    body = draw(st.permutations(body))
    if kind.startswith(("BUY", "SELL")):
        wrapper = "INVBUY" if kind.startswith("BUY") else "INVSELL"
        return (kind, [(wrapper, body), ("BUYTYPE" if kind.startswith("BUY") else "SELLTYPE", "BUY")])
    return (kind, body)


def render(node, xml: bool, sep: str, lower: bool) -> str:
    name, content = node
    tag = name.lower() if lower else name
    if isinstance(content, list):
        inner = sep.join(render(c, xml, sep, lower) for c in content)
        return f"<{tag}>{sep}{inner}{sep}</{tag}>"
    return f"<{tag}>{content}</{tag}>" if xml else f"<{tag}>{content}"


@st.composite
def statement(draw):
    xml = draw(st.booleans())
    seps = st.sampled_from(["", "\n", "  ", "\r\n", "\n\t"])
    n = draw(st.integers(1, 12))
    trans = []
    for i in range(n):
        node = draw(transaction(i))
        trans.append(render(node, xml, draw(seps), draw(st.integers(0, 5)) == 0) + draw(seps))
    head = (
        '<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n'
        if xml
        else "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n"
    )
    end = "</DTEND>" if xml else ""
    body = "".join(trans)
    return (
        f"{head}<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><DTASOF>20251231{end}\n"
        f"<INVACCTFROM><BROKERID>b{end.replace('DTEND', 'BROKERID')}<ACCTID>1{end.replace('DTEND', 'ACCTID')}"
        f"</INVACCTFROM>\n<INVTRANLIST><DTSTART>20250101{end.replace('DTEND', 'DTSTART')}<DTEND>20251231{end}\n"
        f"{body}</INVTRANLIST>\n<INV401KBAL><PRETAX>1.00{end.replace('DTEND', 'PRETAX')}</INV401KBAL>\n"
        "</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>\n<SECLISTMSGSRSV1><SECLIST>"
        f"<MFINFO><SECINFO><SECID><UNIQUEID>VGI1{end.replace('DTEND', 'UNIQUEID')}</SECID>"
        f"<SECNAME>Dodge &amp; Cox{end.replace('DTEND', 'SECNAME')}</SECINFO></MFINFO>"
        "</SECLIST></SECLISTMSGSRSV1></OFX>\n"
    )


def read(path: Path, fast: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(ofx, "FAST", fast)
    parsed = open_parse(path, plan="p", source_map={"OTHERVEST": "roth_irr"})
    rows = [(r.as_canonical(), r.line, r.raw_dict()) for r in parsed.rows]
    try:
        parsed.finish()
        errors = None
    except ImportRowErrors as exc:
        errors = str(exc)
    return rows, errors, parsed.ctx.notes, parsed.ctx.account_id


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=statement(), block=st.sampled_from([64, 300, 1 << 20]))
def test_fast_reader_reads_what_the_tree_reader_reads(text, block, tmp_path_factory, monkeypatch):
    path = tmp_path_factory.mktemp("fast") / "s.ofx"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(ofx, "BLOCK", block)
    assert read(path, True, monkeypatch) == read(path, False, monkeypatch)


@pytest.mark.parametrize("path", sorted((ROOT / "samples").glob("*.[oq]fx")), ids=lambda p: p.name)
def test_fast_reader_on_the_samples(path, monkeypatch):
    fast = read(path, True, monkeypatch)
    assert fast == read(path, False, monkeypatch)
    assert len(fast[0]) > 100


def test_the_fast_path_really_cuts_plain_transactions(monkeypatch):
    """Most transactions of the sample are read from their text (not tag by tag)."""
    from megaroth_ledger.importers.ofx_cut import Raw

    path = ROOT / "samples" / "2025-acme.ofx"
    items = [node for kind, _, node in ofx._walk(ofx._tags(path, "cp1252")) if kind == "tran"]
    raws = [n for n in items if isinstance(n, Raw)]
    assert len(raws) > 0.9 * len(
        [n for n in items if n.__class__.__name__ != "Raw" and n.value is None] + raws
    )
    assert all(type(r.view()).__name__ == "Flat" for r in raws[:50])


def several_statements(text: str, copies: int) -> str:
    """``text`` with its statement (INVSTMTRS) repeated ``copies`` times, the copies' transactions
    given other FITIDs (a TRANSFER's pair, a REVERSALFITID, stay inside one copy)."""
    start, end = text.index("<INVSTMTRS>"), text.index("</INVSTMTRS>") + len("</INVSTMTRS>")
    stmt = text[start:end]
    copies_text = [stmt] + [stmt.replace(">F", f">C{c}F") for c in range(1, copies)]
    return text[:start] + "\n".join(copies_text) + text[end:]


def parse_state(path: Path, share=None) -> list:
    """What :meth:`.ofx.OfxImporter.parse` gives for ``path``, cut where ``share`` ends its chunks:
    ``[(rows, errors, error count, notes, checks, account id)]`` per chunk (one item without a
    share), each chunk's context emptied after it as :mod:`.ofx_pipe` does."""
    from megaroth_ledger.importers.ofx import CHUNK_END

    parsed = open_parse(path, plan="p", source_map={"OTHERVEST": "roth_irr"})
    ctx = parsed.ctx
    if share is not None:
        ctx.memo["ofx share"] = share
    out, rows = [], []

    def cut():
        errors = [(e.line, e.column, e.reason) for e in ctx.errors.errors]
        checks = [repr(c) for c in ctx.checks]
        out.append((rows, errors, ctx.errors.count, ctx.notes, checks, ctx.account_id))
        ctx.errors.errors, ctx.errors.count, ctx.notes, ctx.checks = [], 0, [], []

    for row in parsed.importer.parse(path, parsed.facts, ctx):
        if row is CHUNK_END:
            cut()
            rows = []
        else:
            rows.append((row.as_canonical(), row.line, row.raw_dict()))
    if share is None:
        cut()
    else:
        assert not rows and not ctx.errors.count  # everything came before a chunk's end
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=statement(),
    copies=st.integers(1, 3),
    readers=st.integers(1, 3),
    size=st.integers(1, 7),
)
def test_readers_sharing_a_file_give_the_serial_rows_in_order(text, copies, readers, size, tmp_path_factory):
    """ofx_pipe's readers: each makes rows of its own chunks only (ofx.Share); their chunks taken
    in turn are the serial reader's rows, errors (in order), notes, checks and account id."""
    from megaroth_ledger.importers.ofx import Share

    path = tmp_path_factory.mktemp("share") / "s.ofx"
    path.write_text(several_statements(text, copies), encoding="utf-8")
    [whole] = parse_state(path)
    per_reader = [parse_state(path, Share(j, readers, size)) for j in range(readers)]
    chunks = []
    for c in range(sum(map(len, per_reader))):
        j, k = c % readers, c // readers
        chunks.append(per_reader[j][k])  # a reader's k-th chunk is chunk j + k * readers
    merged = [sum((ch[i] for ch in chunks), []) for i in range(2)]
    assert merged[0] == whole[0]
    assert merged[1] == whole[1]
    assert sum(ch[2] for ch in chunks) == whole[2]
    assert sum((ch[3] for ch in chunks), []) == whole[3]
    assert sum((ch[4] for ch in chunks), []) == whole[4]
    account = next((ch[5] for ch in chunks if ch[5] is not None), None)
    assert account == whole[5]
    trans = sum(1 for item in ofx._walk(ofx._tags(path, "utf-8")) if item[0] == "tran")
    assert len(chunks) == trans // size + 1  # every chunk ended once, by its own reader


def snapshot(m):
    return (
        m.sql(
            "select date, payroll_date, tax_year, source, type, amount_cents, fund, fund_id, shares, memo, "
            "irr_year, status, file_row, raw, identity, conversion_id is not null from entry order by identity"
        ),
        m.sql("select date, amount_cents, basis_cents from conversion order by date, amount_cents"),
        m.sql("select date, source, amount_cents from balance_assertion order by date, source"),
        m.sql("select rows_read, rows_added, account_id from import_batch"),
    )


def test_the_worker_process_stores_what_the_serial_path_stores(ann, new_megaroth, monkeypatch, tmp_path):
    from megaroth_ledger.importers import ofx_pipe

    monkeypatch.setattr(ofx_pipe, "BATCH", 40)
    path = str(ROOT / "samples" / "2025-acme.ofx")
    args = ("import", path, "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr")
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    serial = ann.json(*args)
    other = add_ann(new_megaroth())
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    batches = []
    real = ofx_pipe._run
    monkeypatch.setattr(ofx_pipe, "_run", lambda *a: (batches.append(a[-1]), (yield from real(*a))))
    passes = tmp_path / "first-passes"
    first_pass = ofx._first_pass

    def counted(*a):
        with open(passes, "a") as f:  # from whichever process reads it
            f.write(f"{os.getpid()}\n")
        return first_pass(*a)

    monkeypatch.setattr(ofx, "_first_pass", counted)
    par = other.json(*args)
    assert batches == [2]  # the worker path really ran, with two readers taking turns
    assert len(passes.read_text().split()) == 1  # one reader's first pass served both
    assert serial["rows_added"] > 100 and serial["conversions_added"] > 0
    for key in ("rows_read", "rows_added", "conversions_added", "balance_assertions_added", "added", "notes"):
        assert par[key] == serial[key], key
    assert snapshot(other) == snapshot(ann)
    assert other.json(*args)["rows_added"] == 0  # idempotent through the worker too


@pytest.mark.parametrize("damage", ["bad rows", "bad rows everywhere", "truncated", "no plan map"])
def test_the_worker_process_reports_what_the_serial_path_reports(ann, tmp_path, monkeypatch, damage):
    from megaroth_ledger.importers import ofx_pipe

    monkeypatch.setattr(ofx_pipe, "BATCH", 40)  # chunks of 40 transactions: both readers report
    text = (ROOT / "samples" / "2025-acme.ofx").read_text(encoding="cp1252")
    args = ["--map", "OTHERVEST=roth_irr"]
    if damage == "bad rows":
        text = text.replace("<TOTAL>-", "<TOTAL>-x", 3)
    elif damage == "bad rows everywhere":  # more than the 50 reported, in every chunk
        parts = text.split("<TOTAL>-")
        text = "".join(p + ("<TOTAL>-x" if i % 3 == 0 else "<TOTAL>-") for i, p in enumerate(parts[:-1]))
        text += parts[-1]
    elif damage == "truncated":
        text = text[: len(text) // 2]
    else:
        args = []
    path = tmp_path / "d.ofx"
    path.write_text(text, encoding="cp1252")
    out = {}
    for workers in ("0", "1"):
        monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", workers)
        out[workers] = ann("import", str(path), "--plan", "acme-401k", *args, ok=False)
    assert out["1"].exit_code == out["0"].exit_code == 2
    assert out["1"].stderr == out["0"].stderr
    assert ann.sql("select count(*) from entry") == [(0,)]


@settings(max_examples=300, deadline=None)
@given(
    cents=st.sampled_from([0, -5, 10**13, -(10**15), 10**17]),
    year=st.sampled_from([None, 1800, 2025, 2200]),
    day=st.sampled_from([None, "1800-01-01", "2025-03-01", "2999-12-31"]),
    text=st.sampled_from([None, "", "x" * 40, "x" * 41, "x" * 50, "x" * 51, "x" * 101, "x" * 191, "x" * 201]),
    field=st.sampled_from(["fund", "fund_id", "shares", "external_id", "transfer_group", "reverses", "plan"]),
)
def test_the_quick_bounds_check_agrees_with_the_detailed_one(cents, year, day, text, field):
    """rows.check_row_bounds answers quickly for a row within bounds; the quick answer is the
    detailed check's (which names the value out of bounds)."""
    import datetime as dt

    from megaroth_ledger.importers import rows

    row = rows.CanonicalRow(
        date=dt.date(2025, 1, 2),
        plan="p",
        source="pretax",
        type="contribution",
        amount_cents=cents,
        line=1,
        tax_year=year,
        irr_year=year,
    )
    if day:
        row.payroll_date = dt.date.fromisoformat(day)
    setattr(row, field, text)
    try:
        rows._check_each(row, None)
        fine = True
    except rows.CellError:
        fine = False
    assert rows._within_bounds(row) == fine


ORPHAN = """
import multiprocessing, os, sys
from megaroth_ledger.importers import open_parse, ofx_pipe
ofx_pipe.BATCH = 10  # many small messages: the queues fill at once
p = open_parse(sys.argv[1], plan="p", source_map={"OTHERVEST": "roth_irr"})
rows = ofx_pipe._run(p.path, p.facts, p.importer, p.ctx, 1, 1, 2)
next(rows)
print(" ".join(str(c.pid) for c in multiprocessing.active_children()), flush=True)
os._exit(9)  # as if killed: no clean-up, the readers' queues are never read again
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie has ended
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_the_readers_end_when_the_importing_process_is_killed():
    """kill -9 of `megaroth import` must not leave its OFX readers waiting for ever on a queue
    nobody reads (ofx_pipe._ToParent)."""
    import subprocess
    import sys
    import time

    path = str(ROOT / "samples" / "2025-acme.ofx")
    proc = subprocess.Popen([sys.executable, "-c", ORPHAN, path], stdout=subprocess.PIPE, text=True)
    pids = [int(x) for x in proc.stdout.readline().split()]
    proc.stdout.close()  # the readers hold it open too
    assert proc.wait(timeout=60) == 9 and len(pids) == 2
    deadline = time.monotonic() + 10
    while not all(map(_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if not _gone(pid)]
    for pid in left:
        os.kill(pid, 9)
    assert not left, "the readers outlived the importing process"


def test_a_reader_process_that_dies_is_an_error_and_nothing_is_written(ann, monkeypatch):
    import os

    from megaroth_ledger.importers import ofx_pipe

    monkeypatch.setattr(ofx_pipe, "_read", lambda *a: os._exit(9))  # as if killed mid-file
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    path = str(ROOT / "samples" / "2025-acme.ofx")
    res = ann("import", path, "--plan", "acme-401k", "--map", "OTHERVEST=roth_irr", ok=False)
    assert res.exit_code == 2
    assert res.stderr == (
        "Error: 2025-acme.ofx: the process reading it ended without finishing (exit code 9); "
        "nothing was imported\n"
    )
    assert ann.sql("select count(*) from entry") == [(0,)]
    assert ann.sql("select count(*) from import_batch") == [(0,)]
