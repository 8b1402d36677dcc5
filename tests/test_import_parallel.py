"""Big files are parsed in worker processes (importers/parallel.py): the result must be
exactly what the serial path stores — rows, identities, line numbers, conversions, errors."""

from __future__ import annotations

import pytest

from megaroth_ledger.importers import parallel
from tests.conftest import add_ann

HEADER = "date,plan,source,type,amount,fund,shares,memo\n"


def big_csv(path, bad=False, extra=False):
    lines = [HEADER]
    for i in range(3000):
        day = f"2025-{(i // 250) + 1:02d}-{(i % 28) + 1:02d}"
        memo = f'"note {i}, with a comma\nand a second line"' if i % 97 == 0 else f"m{i % 5}"
        if extra and i in (7, 2200):
            memo = f"note {i}, unquoted"  # one cell more than the header
        elif extra and i % 3 == 0:
            memo += ",,"  # trailing commas: fine
        amount = "12.345" if bad and i in (5, 2500) else f"{(i % 700) + 1}.{i % 100:02d}"
        lines.append(f"{day},acme-401k,pretax,contribution,{amount},Fund {i % 3},{i % 7}.5,{memo}\n")
        if i % 400 == 0:  # genuinely identical rows, far apart in the file
            lines.append("2025-01-01,acme-401k,match,contribution,5.00,Fund 0,1,dup\n")
        if i % 1000 == 999:  # a conversion: after-tax money in, then converted
            lines.append(f"{day},acme-401k,aftertax,contribution,300.00,Fund 0,3,\n")
            lines.append(f"{day},acme-401k,aftertax,exchange_out,-300.00,Fund 0,-3,\n")
            lines.append(f"{day},acme-401k,roth_irr,exchange_in,300.00,Fund 0,3,\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def snapshot(m):
    if True:
        entries = m.sql(
            "select date, payroll_date, tax_year, source, type, amount_cents, fund, fund_id, "
            "shares, memo, irr_year, status, file_row, raw, identity, conversion_id is not null "
            "from entry order by identity"
        )
        convs = m.sql(
            "select date, amount_cents, basis_cents, balance_before_cents, basis_before_cents "
            "from conversion order by date"
        )
    return entries, convs


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(parallel, "BLOCK", 1500)


def test_parallel_equals_serial(ann, new_megaroth, tmp_path, monkeypatch, small_chunks):
    f = big_csv(tmp_path / "big.csv")
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    serial = ann.json("import", str(f))
    other = add_ann(new_megaroth())
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    collected = []
    real = parallel._collect
    monkeypatch.setattr(parallel, "_collect", lambda r, ctx: (collected.append(1), (yield from real(r, ctx))))
    par = other.json("import", str(f))
    assert len(collected) > 10  # the worker path really ran
    assert par["rows_added"] == serial["rows_added"] == 3000 + 8 + 9
    assert par["conversions_added"] == serial["conversions_added"] == 3
    assert par["added"] == serial["added"]
    assert snapshot(other) == snapshot(ann)
    assert other.json("import", str(f))["rows_added"] == 0  # idempotent in parallel too


def refused_both_ways(m, f, monkeypatch):
    """The results of importing ``f`` (refused) serially, then in parallel."""
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    serial = m("import", str(f), ok=False)
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    return serial, m("import", str(f), ok=False)


def test_parallel_reports_the_same_errors(ann, tmp_path, monkeypatch, small_chunks):
    serial, par = refused_both_ways(ann, big_csv(tmp_path / "bad.csv", bad=True), monkeypatch)
    assert par.exit_code == serial.exit_code != 0
    assert par.stderr == serial.stderr
    assert "bad.csv: 2 bad rows; nothing was imported" in par.stderr
    assert ann.sql("select count(*) from entry") == [(0,)]


def test_parallel_refuses_rows_with_extra_cells_like_serial(ann, tmp_path, monkeypatch, small_chunks):
    serial, par = refused_both_ways(ann, big_csv(tmp_path / "extra.csv", extra=True), monkeypatch)
    assert par.exit_code == serial.exit_code == 2
    assert par.stderr == serial.stderr
    assert "extra.csv: 2 bad rows; nothing was imported" in par.stderr
    assert "extra.csv:11: column 9: 9 cells but the header has 8 (extra: ' unquoted')" in par.stderr
    assert ann.sql("select count(*) from entry") == [(0,)]


def test_chunks_cover_the_file_and_never_cut_inside_quotes(tmp_path, small_chunks):
    f = big_csv(tmp_path / "c.csv")
    data = f.read_bytes()
    start = len(HEADER)
    pieces = list(parallel.chunks(f, start, 2))
    assert len(pieces) > 10
    assert pieces[0][0] == start and pieces[-1][1] == len(data)
    for (s, e, line), nxt in zip(pieces, pieces[1:] + [None]):
        assert data[s:e].count(b'"') % 2 == 0
        assert line == data[:s].count(b"\n") + 1
        if nxt:
            assert nxt[0] == e and data[e - 1 : e] == b"\n"


MESSY = [
    "date,plan,source,type,amount,payroll_date,fund,fund_id,shares,price,memo,source_label,type_label,",
    "2025-01-03,acme-401k,pretax,contribution,100.00,2025-01-01,Vanguard 500,VFIAX,1.2500,400.10,m1,Pre-Tax,Contrib,",
    "2025-01-03,acme-401k,pretax,contribution,100.00,2025-01-01,Vanguard 500,VFIAX,1.2500,400.10,m1,Pre-Tax,Contrib,",
    "2025-01-03,acme-401k,match,contribution,$1,234.5,,  Fund &amp; Co  ,,1.50,,  spaced memo  ,,,",
    '2025-01-04,acme-401k,match,contribution,"$1,234.50",,Fund &amp; Co,, ,(2.00),,,,',
    "2025-01-04, acme-401k ,aftertax,fee,(12.00),,Fund B, FB ,-,n/a,,,,",
    "2025-01-04,acme-401k,aftertax,fee,\u221212.00,,Fund B,FB,1.50-,,   ,,,",
    "2025-01-04,acme-401k,aftertax,fee,12.00-,,Fund B,,--,1.0,,x,y,",
    "2025-01-05,acme-401k,aftertax,dividend,0.05,,,,1,234.5,,,,",
    '2025-01-05,acme-401k,aftertax,dividend,0.05,,,,"1,234.5",,,,,',
    "2025-01-05,acme-401k,aftertax,dividend,-0.00,,,,0.000,,,,,",
    "2025-01-06,acme-401k,aftertax,exchange_out,-50.00,,Fund B,,-1,,,,,",
    "2025-01-06,acme-401k,roth_irr,exchange_in,50.00,,Fund B,,1,,,,,",
    "2025-01-07,acme-401k,pretax,balance,5000.00,,,,,,,,,",
    ",,,,,,,,,,,,,",
    "",
    "2025-01-08,acme-401k,pretax,contribution",
    "2025-13-08,acme-401k,pretax,contribution,1.00,,,,,,,,,",
    "2025-01-08,acme-401k,pretax,contribution,1.001,,,,,,,,,",
    "2025-01-08,acme-401k,nosuch,contribution,1.00,,,,,,,,,",
    "2025-01-08,acme-401k,pretax,nosuch,1.00,,,,,,,,,",
    "2025-01-08,,pretax,contribution,1.00,,,,,,,,,",
    "2025-01-08,acme-401k,pretax,contribution,1.00,2025-02-30,,,,,,,,",
    "2025-01-08,acme-401k,pretax,contribution,1.00,,,,abc,,,,,",
    "2025-01-08,acme-401k,pretax,contribution,1.00,,,,,abc,,,,",
    "2025-01-09,acme-401k,Pre-Tax,Contribution,7,,,,1.,,,,,",
    "2025-01-09,acme-401k, pretax ,contribution,+5,,,,.5,,,,,",
    '2025-01-09,acme-401k,pretax,contribution,3.10,,"Fund ""Q""",,2,,"line one\nline two",,,',
    "01/09/2025,acme-401k,pretax,contribution,3.10,,,,,,,,,",
    "2025-01-10,acme-401k,pretax,contribution,3.10,,,,,,,,,,extra,cells",
    "2025-01-11,acme-401k,pretax,contribution,007.50,,,,,,,,,",
    "2025-01-11,acme-401k,pretax,contribution,0.05,,,,0.0,,,,,",
    "2025-01-11,acme-401k,pretax,fee,-0.05,,,,-0,,,,,",
    "2025-01-11,acme-401k,pretax,fee,-00.00,,,,,,,,,",
    "2025-01-11,acme-401k,pretax,fee,-12.34,,,,-1.2300,,,,,",
    "2025-01-11,acme-401k,pretax,contribution,10.00,,,,10,,,,,",
    "2025-01-11,acme-401k,pretax,contribution,١٢.٣٤,,,,,,,,,",
    "2025-01-11,acme-401k,pretax,contribution,12.3,,,,,,,,,",
    "2025-01-11,acme-401k,pretax,contribution,.50,,,,,,,,,",
]


@pytest.mark.parametrize("plan", [None, "other-401k"])
def test_fast_canonical_path_equals_the_general_path(tmp_path, monkeypatch, plan):
    """The worker's fast path for the canonical CSV yields exactly what the general path
    does for every row (values, identities, raw cells, whole rows, errors and their order)."""
    import csv

    from megaroth_ledger.importers import all_importers, tabular
    from megaroth_ledger.importers.base import ParseContext
    from megaroth_ledger.importers.rows import ErrorCollector

    imp = all_importers(tmp_path / "no-user-profiles")["generic"]
    text = "\n".join(MESSY) + "\n"
    header, *_ = csv.reader([MESSY[0]])

    def run():
        reader = csv.reader(text.splitlines(keepends=True)[1:])
        rows = ((1 + reader.line_num, cells) for cells in reader)
        ctx = ParseContext("m.csv", ErrorCollector("m.csv"), plan=plan)
        # the fast path's (plan, values) items in the general form (irr_year None, status posted)
        got = [
            tabular.as_part(item)
            if type(item) is tuple
            else ("whole", item.as_canonical(), item.line, item.raw)
            for item in imp._map_rows(header, rows, ctx, parts=True)
        ]
        return got, [str(e) for e in ctx.errors.errors]

    calls = []
    real = tabular.ProfileImporter._fast_canonical
    monkeypatch.setattr(
        tabular.ProfileImporter,
        "_fast_canonical",
        staticmethod(lambda *a: (calls.append(1), (yield from real(*a)))[1]),
    )
    fast = run()
    assert calls  # the fast path really ran
    monkeypatch.setattr(tabular, "_FAST_COLUMNS", frozenset())
    general = run()
    assert len(calls) == 1
    assert fast == general
    assert len(fast[0]) >= 21 and len(fast[1]) >= 9


def plain_csv(path, unknown_plan_at=None):
    """Many rows, no transfer legs: every row is a bulk row (the tallied summary is used)."""
    lines = [HEADER]
    for i in range(4000):
        day = f"2025-{(i // 350) + 1:02d}-{(i % 28) + 1:02d}"
        plan = "nosuch-401k" if i == unknown_plan_at else "acme-401k"
        source = "unknown" if i % 500 == 7 else ("pretax", "match", "roth")[i % 3]
        lines.append(
            f"{day},{plan},{source},contribution,{(i % 900) + 1}.{i % 100:02d},Fund {i % 3},{i % 7}.5,m{i}\n"
        )
        if i % 300 == 0:  # twins far apart (across chunks) ...
            lines.append("2025-01-01,acme-401k,match,contribution,5.00,Fund 0,1,dup\n")
        if i % 1000 == 10:  # ... and next to each other (inside one chunk)
            lines.append("2025-02-02,acme-401k,pretax,dividend,0.07,Fund 1,0.001,\n" * 3)
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("same_hashes", [True, False])
def test_parallel_equals_serial_without_transfers(
    ann, new_megaroth, tmp_path, monkeypatch, small_chunks, same_hashes
):
    """Identities with twins inside and across chunks, the summary and the unknown-source note;
    with the workers' identity hashes (fork) and without (as after spawn: the importer hashes)."""
    if not same_hashes:
        monkeypatch.setattr(parallel, "_hash_probe", lambda: 0)

    f = plain_csv(tmp_path / "plain.csv")
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    serial = ann.json("import", str(f))
    other = add_ann(new_megaroth())
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    par = other.json("import", str(f))
    assert par["rows_added"] == serial["rows_added"] == 4000 + 14 + 12
    assert par["added"] == serial["added"]
    assert par["notes"] == serial["notes"] and "8 row(s) have source unknown" in par["notes"][0]
    assert par["message"] == serial["message"]
    assert snapshot(other) == snapshot(ann)
    again = other.json("import", str(f))
    assert again["rows_added"] == 0 and again["added"] == []


def test_parallel_reports_an_unknown_plan_like_serial(ann, tmp_path, monkeypatch, small_chunks):
    f = plain_csv(tmp_path / "plans.csv", unknown_plan_at=2222)
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    serial = ann("import", str(f), ok=False)
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    par = ann("import", str(f), ok=False)
    assert par.exit_code == serial.exit_code != 0
    assert par.stderr == serial.stderr
    assert "plans.csv:" in par.stderr and "unknown plan 'nosuch-401k'" in par.stderr
    assert ann.sql("select count(*) from entry") == [(0,)]


@pytest.mark.sqlite_only  # SQLite's page cache PRAGMA
def test_big_import_gives_the_page_cache_back(ann, tmp_path, monkeypatch):
    """The bigger SQLite page cache is for the import only; the pooled connection gets its
    own setting back (also after a failed import)."""
    from megaroth_ledger.importers.store import BULK_CACHE_KIB, import_file
    from megaroth_ledger.store.db import make_engine

    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    engine = make_engine(f"sqlite:///{ann.db}")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        dbapi = conn.connection.driver_connection
    assert before != -BULK_CACHE_KIB
    seen = []
    real = import_file.__globals__["_write"]

    def spy(conn, *a, **kw):
        seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar())
        return real(conn, *a, **kw)

    monkeypatch.setitem(import_file.__globals__, "_write", spy)
    f = tmp_path / "big.csv"
    f.write_text(
        HEADER
        + "".join(
            f"2025-01-{d % 28 + 1:02d},acme-401k,pretax,contribution,{d}.00,F,1,m{d}\n" for d in range(30000)
        ),
        encoding="utf-8",
    )
    assert f.stat().st_size > 1 << 20
    assert import_file(engine, f).rows_added == 30000
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f.read_text(encoding="utf-8") + "2025-01-01,acme-401k,pretax,contribution,x,F,1,m\n", encoding="utf-8"
    )
    with pytest.raises(Exception, match="bad row"):
        import_file(engine, bad)
    assert seen == [-BULK_CACHE_KIB, -BULK_CACHE_KIB]
    with engine.connect() as conn:
        assert conn.connection.driver_connection is dbapi  # the pooled connection the imports used
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before


@pytest.mark.parametrize("status_column", [False, True])
def test_parallel_equals_serial_two_plans_pending_and_irr_years(
    ann, new_megaroth, tmp_path, monkeypatch, small_chunks, status_column
):
    """Chunks whose rows differ in plan (fast path) or in status / irr_year (general path)."""
    header = "date,plan,source,type,amount,fund,shares,memo" + (
        ",status,irr_year\n" if status_column else "\n"
    )
    lines = [header]
    for i in range(3000):
        day = f"2025-{(i // 250) + 1:02d}-{(i % 28) + 1:02d}"
        plan = "acme-401k" if (i // 7) % 3 else "beta-401k"
        extra = ""
        if status_column:
            extra = (
                ","
                + ("pending" if i % 11 == 0 else "posted" if i % 2 else "")
                + ","
                + ("2024" if i % 13 == 0 else "")
            )
        lines.append(
            f"{day},{plan},pretax,contribution,{(i % 500) + 1}.25,Fund {i % 3},{i % 7}.5,m{i % 9}{extra}\n"
        )
    f = tmp_path / "mixed.csv"
    f.write_text("".join(lines), encoding="utf-8")

    def ledger():
        m = new_megaroth()
        m("person", "add", "bob", "--born", "1980-01-01")
        m("plan", "add", "acme-401k", "--person", "bob", "--employer", "Acme Corp")
        m("plan", "add", "beta-401k", "--person", "bob", "--employer", "Beta Corp")
        return m

    def plans_of(m):
        return m.sql(
            "select p.name, e.identity, e.status, e.irr_year from entry e join plan p "
            "on p.id = e.plan_id order by e.identity"
        )

    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "0")
    one = ledger()
    serial = one.json("import", str(f))
    monkeypatch.setenv("MEGAROTH_IMPORT_WORKERS", "1")
    two = ledger()
    par = two.json("import", str(f))
    assert par["rows_added"] == serial["rows_added"] == 3000
    assert par["added"] == serial["added"] and par["plans"] == serial["plans"] == ["acme-401k", "beta-401k"]
    assert snapshot(two) == snapshot(one)
    assert plans_of(two) == plans_of(one)
    assert {r[0] for r in plans_of(two)} == {"acme-401k", "beta-401k"}
    if status_column:
        assert {r[2] for r in plans_of(two)} == {"posted", "pending"}
        assert {r[3] for r in plans_of(two)} == {None, 2024}
    assert two.json("import", str(f))["rows_added"] == 0
