"""Parsing (pure, no database): each piece of real-world mess the issue lists, detection,
bad-row reporting, OFX specifics, XLSX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from megaroth_ledger.importers import parse_file
from megaroth_ledger.importers.ofx import parse_tree
from megaroth_ledger.importers.rows import ImportRowErrors
from megaroth_ledger.importers.text import CellError, parse_cents, parse_decimal_text

NO_USER = Path("/nonexistent-profiles")
VOYA_HEADER = 'Activity Date,Activity,Fund,Money Source,"# of Units",Unit Price,Amount\n'


def parse(path, **kw):
    kw.setdefault("user_dir", NO_USER)
    return parse_file(path, **kw)


def refused(path, **kw) -> list[str]:
    """The lines of the :class:`ImportRowErrors` parsing ``path`` must raise."""
    with pytest.raises(ImportRowErrors) as exc:
        parse(path, **kw)
    return str(exc.value).splitlines()


def write(tmp_path, name, text, encoding="utf-8", bom=b""):
    p = tmp_path / name
    p.write_bytes(bom + text.encode(encoding))
    return p


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text,cents",
    [
        ("1234.56", 123456),
        ("-1234.56", -123456),
        ("1,234.56", 123456),
        ("$1,234.56", 123456),
        ("-$3,320.05", -332005),
        ("$-5.00", -500),
        ("(12.00)", -1200),
        ("($1,200.50)", -120050),
        ("123.45-", -12345),
        ("\u221212.00", -1200),
        ("\u2013 12.00", -1200),
        ("12.5", 1250),
        ("7", 700),
        ("+5", 500),
        ("1135.4800", 113548),
        (" 42.00 ", 4200),
    ],
)
def test_amounts(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "12,34.00", "--5", "(-5)", "1e5", "NaN"])
def test_bad_amounts(text):
    with pytest.raises(CellError):
        parse_cents(text)


@pytest.mark.parametrize(
    "text,out",
    [
        ("0.389", "0.389"),
        ("-10.5000", "-10.5000"),
        ("1,234.5678", "1234.5678"),
        ("\u22120.0597", "-0.0597"),
        ("(3.2)", "-3.2"),
        ("--", None),
        ("-", None),
        ("", None),
        (".5", "0.5"),
    ],
)
def test_share_text_is_exact(text, out):
    assert parse_decimal_text(text, "shares") == out


# ---------------------------------------------------------------- encodings, preamble, footer


def voya_body():
    return (
        '"771234 ACME PLAN "\nDate Range :\t01/01/2025 - 12/31/2025\n"\n"\n"\n"\n'
        + VOYA_HEADER
        + "2025-01-13,CONTRIBUTION,0899 Vanguard 500 Index Fund Adm,Employee PreTax,1.0769,503.569400,542.30\n"
        + "2025-01-13,CONTRIBUTION,0899 Vanguard 500 Index Fund Adm,Employee PreTax,1.0769,503.569400,542.30\n"
    )


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")]
)
def test_encodings_and_csv_hostile_preamble(tmp_path, encoding, bom):
    p = write(
        tmp_path,
        "a.csv",
        voya_body().replace("Adm", "Adm\u2019s") if encoding == "cp1252" else voya_body(),
        encoding,
        bom,
    )
    profile, rows = parse(p, plan="p")
    assert profile == "voya-activity"
    assert len(rows) == 2  # genuinely identical rows both kept
    r = rows[0]
    assert (r.date, r.source, r.type, r.amount_cents, r.fund_id, r.shares, r.price) == (
        dt.date(2025, 1, 13),
        "pretax",
        "contribution",
        54230,
        "0899",
        "1.0769",
        "503.569400",
    )
    assert r.line == 8 and rows[1].line == 9
    assert r.raw_dict()["Money Source"] == "Employee PreTax"
    if encoding == "cp1252":
        assert r.fund.endswith("Adm\u2019s")


def test_utf16_tab_separated_with_paste_fragments(tmp_path):
    text = (
        "Date\tSource\tTransaction Type\tAmount\tShares/Unit\n"
        "01/13/2025\t1 - EMPLOYEE DEFERRAL\tCONTRIBUTIONS\t$903.84\t--\n"
        "show details\t\t\t\t\n"
        "\n"
        "03/31/2025\t5 - AFTER-TAX\tTRANSFERS\t-$8,064.23\t--\n"
        "03/31/2025\t12 - ROTH IN-PLAN CONVERSION\tTRANSFERS\t$8,064.23\t--\n"
    )
    p = write(tmp_path, "s.txt", text, "utf-16")
    profile, rows = parse(p, plan="p")
    assert profile == "fidelity-netbenefits-sources"
    assert [(r.source, r.type, r.amount_cents) for r in rows] == [
        ("pretax", "contribution", 90384),
        ("aftertax", "conversion_out", -806423),
        ("roth_irr", "conversion_in", 806423),
    ]
    assert rows[2].irr_year == 2025


def test_netbenefits_preamble_entities_quoted_thousands_footer(tmp_path):
    text = (
        "Plan name:,ACME CORP 401(K) PLAN     \nDate Range,01/01/2025 - 12/31/2025,,,,\n\n\n"
        "Date,Investment,Transaction Type,Amount,Shares/Unit\n"
        '06/25/2025,DODGE &amp; COX STOCK X,Dividend,"1,928.69","115.076"\n'
        '06/25/2025,FID WORLDWIDE,REVENUE CREDIT,"16.29","0.389"\n'
        '01/02/2025,FID WORLDWIDE,Balance Forward,"10,000.00","100.000"\n'
        "\n"
        '"The data and information in this spreadsheet is provided to you solely for your use."\n'
        '"Some, more text"\n'
    )
    p = write(tmp_path, "history.csv", text)
    profile, rows = parse(p, plan="p")
    assert profile == "fidelity-netbenefits-history"
    assert [(r.fund, r.source, r.type, r.amount_cents, r.shares) for r in rows] == [
        ("DODGE & COX STOCK X", "unknown", "dividend", 192869, "115.076"),
        ("FID WORLDWIDE", "unknown", "fee_rebate", 1629, "0.389"),
        ("FID WORLDWIDE", "unknown", "balance", 1000000, "100.000"),
    ]


def test_trailing_commas_multi_table_and_sign_from_type(tmp_path):
    text = (
        "Plan Number,Plan Name,Fund Name,Shares,Price,Total Value,\n"
        "091234,ACME,Vanguard 500,1.0,500.00,500.00,\n\n"
        "Account Number,Trade Date,Run Date,Transaction Activity,Transaction Description,Investment Name,"
        "Share Price,Transaction Shares,Dollar Amount,\n"
        "091234,07/15/2025,07/16/2025,245026,Fee,Vanguard 500,520.1,0.0577,30.00,\n"
        "091234,01/13/2025,01/14/2025,101001,Plan Contribution,Vanguard 500,503.5694,1.0769,542.30,\n"
        "\n"
        "Account Number,Investment Name,Symbol,Shares,Share Price,Total Value,\n"
        "555,MONEY MARKET,VMFXX,1,1,1,\n"
    )
    p = write(tmp_path, "OfxDownload.csv", text)
    profile, rows = parse(p, plan="p")
    assert profile == "vanguard-retirement-csv"
    assert [(r.type, r.amount_cents, r.shares, r.settle_date) for r in rows] == [
        ("fee", -3000, "-0.0577", dt.date(2025, 7, 16)),
        ("contribution", 54230, "1.0769", dt.date(2025, 1, 14)),
    ]


def test_parentheses_dollar_unicode_minus_and_total_footer(tmp_path):
    text = (
        "Date,Time,Sequence,Investment,Source,Activity,Ticker,Cusip,Price,Shares,Value\n"
        "07/15/2025,04:00 PM,1,Vanguard 500,Employee Pre-Tax,Fee - Recordkeeping,VFIAX,922908710,"
        '"$520.1234",\u22120.0577,($30.00)\n'
        "07/18/2025,04:00 PM,1,Vanguard 500,Employee After-Tax,Contribution,VFIAX,922908710,"
        '"$520.1234","1,000.0000","$1,336.54"\n'
        'Total,,,,,,,,,,"$1,306.54"\n'
    )
    p = write(tmp_path, "alerus.csv", text)
    profile, rows = parse(p, plan="p")
    assert profile == "alerus-history"
    assert [(r.source, r.type, r.amount_cents, r.shares, r.price, r.fund_id) for r in rows] == [
        ("pretax", "fee", -3000, "-0.0577", "520.1234", "VFIAX"),
        ("aftertax", "contribution", 133654, "1000.0000", "520.1234", "VFIAX"),
    ]


def test_midnight_timestamps_and_quoted_trailing_comma(tmp_path):
    text = (
        '"Transaction Date","Investment","Contribution","Description","Activity","Price","Units","Amount",\r\n'
        '"2/13/2026 12:00:00 AM","Cash","Employee 401(k)","Contributions - Employee","Cash Receipts",'
        '"1.000000","0.000000000","579.97",\r\n'
    )
    p = write(tmp_path, "w.csv", text, bom=b"\xef\xbb\xbf")
    profile, rows = parse(p, plan="p")
    assert profile == "workplace-contribution-activity"
    assert (rows[0].date, rows[0].source, rows[0].type, rows[0].amount_cents, rows[0].memo) == (
        dt.date(2026, 2, 13),
        "pretax",
        "contribution",
        57997,
        "Contributions - Employee",
    )


def test_generic_canonical_csv_and_plan_override(tmp_path):
    text = (
        "date,plan,source,type,amount,fund,shares,tax_year,status\n"
        "2025-01-13,acme-401k,aftertax,contribution,1336.54,F,2.5,,posted\n"
        "2026-01-05,acme-401k,match,contribution_true_up,120.00,F,,2025,pending\n"
    )
    p = write(tmp_path, "g.csv", text)
    profile, rows = parse(p)
    assert profile == "generic"
    assert [(r.plan, r.tax_year, r.status) for r in rows] == [
        ("acme-401k", None, "posted"),
        ("acme-401k", 2025, "pending"),
    ]
    _, rows = parse(p, plan="other")
    assert {r.plan for r in rows} == {"other"}


# ---------------------------------------------------------------- bad rows


def test_every_bad_row_reported_as_file_line_column_reason(tmp_path):
    text = (
        VOYA_HEADER
        + "2025-13-01,CONTRIBUTION,F,Employee PreTax,1,1,5.00\n"
        + "2025-01-13,CONTRIBUTION,F,Employee PreTax,1,1,5.001\n"
        + "2025-01-13,CONTRIBUTION,F,Mystery Money,1,1,5.00\n"
        + "2025-01-13,TELEPORT,F,Employee PreTax,1,1,5.00\n"
        + "2025-01-13,CONTRIBUTION,F,Employee PreTax,1,1,5.00\n"
    )
    msg = refused(write(tmp_path, "bad.csv", text), plan="p")
    assert msg[0] == "bad.csv: 4 bad rows; nothing was imported"
    assert msg[1].startswith("bad.csv:2: Activity Date: not a date: '2025-13-01'")
    assert msg[2].startswith("bad.csv:3: Amount: amount '5.001' has fractions of a cent")
    assert msg[3].startswith("bad.csv:4: Money Source: unmapped source label 'Mystery Money'")
    assert msg[4].startswith("bad.csv:5: Activity: unmapped transaction type 'TELEPORT'")


def test_at_most_50_bad_rows_listed(tmp_path):
    text = VOYA_HEADER + "".join(
        f"2025-01-{(i % 28) + 1:02d},CONTRIBUTION,F,Nope,1,1,5.00\n" for i in range(120)
    )
    p = write(tmp_path, "many.csv", text)
    with pytest.raises(ImportRowErrors) as exc:
        parse(p, plan="p")
    lines = str(exc.value).splitlines()
    assert exc.value.total == 120 and len(exc.value.errors) == 50
    # the 50 listed rows have one and the same problem: one line with the count, not 50 lines
    assert len(lines) == 1 + 1 + 1 and lines[-1] == "... and 70 more"
    assert lines[1].startswith("many.csv:2: Money Source: unmapped source label 'Nope'")
    assert lines[1].endswith(
        "(49 more rows with the same problem: lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ...)"
    )


def test_distinct_bad_rows_each_get_a_line(tmp_path):
    rows = "".join(f"2025-01-{(i % 28) + 1:02d},CONTRIBUTION,F,Nope{i},1,1,5.00\n" for i in range(60))
    p = write(tmp_path, "many.csv", VOYA_HEADER + rows)
    with pytest.raises(ImportRowErrors) as exc:
        parse(p, plan="p")
    lines = str(exc.value).splitlines()
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "... and 10 more"


def test_a_row_with_more_cells_than_the_header_is_a_bad_row(tmp_path):
    """An unquoted comma in a memo shifts the row: its extra cell is never dropped silently."""
    text = (
        "date,plan,source,type,amount,memo\n"
        "2025-01-13,acme-401k,pretax,contribution,5.00,fine\n"
        "2025-01-14,acme-401k,pretax,contribution,5.00,Smith, J\n"
        "2025-01-15,acme-401k,pretax,contribution,5.00,a,b,c,d,e\n"
    )
    lines = refused(write(tmp_path, "f.csv", text))
    assert lines[0] == "f.csv: 2 bad rows; nothing was imported"
    assert lines[1].startswith("f.csv:3: column 7: 7 cells but the header has 6 (extra: ' J'); ")
    assert lines[1].endswith(
        'quote any cell that contains the delimiter ("Smith, J") or remove the extra cells'
    )
    assert lines[2].startswith("f.csv:4: column 7: 10 cells but the header has 6 (extra: 'b', 'c', 'd', ...)")


def test_a_profiles_row_with_an_extra_cell_is_a_bad_row(tmp_path):
    text = VOYA_HEADER + "2025-01-13,CONTRIBUTION,F,Employee PreTax,1,1,5.00,,surplus\n"
    p = write(tmp_path, "voya.csv", text)
    with pytest.raises(ImportRowErrors, match=r"voya.csv:2: column 9: 9 cells but the header has 7"):
        parse(p, plan="p")


@pytest.mark.parametrize("tail", [",", ",,", ", ", ",,\t"])
def test_trailing_empty_cells_past_the_header_are_fine(tmp_path, tail):
    text = "date,plan,source,type,amount\n2025-01-13,acme-401k,pretax,contribution,5.00" + tail + "\n"
    _, rows = parse(write(tmp_path, "g.csv", text))
    assert [(r.amount_cents, r.raw_dict()) for r in rows] == [(500, {"plan": "acme-401k"})]


def test_empty_and_pdf_files_say_what_they_are(tmp_path):
    from megaroth_ledger.errors import UserError

    with pytest.raises(UserError, match=r"^empty.csv: the file is empty"):
        parse(write(tmp_path, "empty.csv", ""))
    pdf = tmp_path / "statement.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(UserError, match=r"^statement.csv is a PDF: megaroth reads"):
        parse(pdf)
    with pytest.raises(UserError, match="only blank lines"):
        parse(write(tmp_path, "blank.csv", "\n\n  \n"))


def test_unknown_format_asks_for_a_profile(tmp_path):
    from megaroth_ledger.errors import UserError

    p = write(tmp_path, "x.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(UserError, match="--profile"):
        parse(p)


def test_profile_option_and_user_profiles(tmp_path):
    udir = tmp_path / "profiles"
    udir.mkdir()
    (udir / "mine.toml").write_text(
        '[profile]\nid = "mine"\n[detect]\nheader = ["When", "What", "Money", "Amt"]\n'
        '[columns]\ndate = "When"\ntype_label = "What"\nsource_label = "Money"\namount = "Amt"\n'
        '[parse]\ndate_formats = ["%d.%m.%Y"]\n'
        '[sources]\nmap = [{ match = "^after$", source = "aftertax" }]\n'
        '[types]\nmap = [{ match = "^in$", type = "contribution" }]\n',
        encoding="utf-8",
    )
    p = write(tmp_path, "m.csv", "junk line\nWhen,What,Money,Amt\n13.01.2025,in,after,10.00\n")
    profile, rows = parse_file(p, plan="p", user_dir=udir)
    assert profile == "mine" and rows[0].source == "aftertax" and rows[0].date == dt.date(2025, 1, 13)
    with pytest.raises(ImportRowErrors):
        parse_file(p, plan="p", user_dir=udir, profile="voya-activity")


def test_plan_source_map_maps_labels_the_profile_does_not_know(tmp_path):
    p = write(tmp_path, "v.csv", VOYA_HEADER + "2025-01-13,CONTRIBUTION,F,Bonus After Tax,1,1,5.00\n")
    _, rows = parse(p, plan="p", source_map={"Bonus After Tax": "aftertax"})
    assert rows[0].source == "aftertax" and rows[0].source_label == "Bonus After Tax"


# ---------------------------------------------------------------- pairing


def test_cross_source_transfer_pairs_become_conversions_same_source_stay_exchanges(tmp_path):
    text = (
        VOYA_HEADER
        + "2025-03-31,TRANSFER,0899 A,Employee After-Tax,-1,1,-100.00\n"
        + "2025-03-31,TRANSFER,0899 A,Roth In-Plan Conversion,1,1,100.00\n"
        + "2025-04-02,TRANSFER,0899 A,Employee PreTax,-1,1,-50.00\n"
        + "2025-04-02,TRANSFER,1123 B,Employee PreTax,1,1,50.00\n"
    )
    _, rows = parse(write(tmp_path, "t.csv", text), plan="p")
    assert [r.type for r in rows] == ["conversion_out", "conversion_in", "exchange_out", "exchange_in"]
    assert rows[0].transfer_group == rows[1].transfer_group == "auto:2025-03-31"


# ---------------------------------------------------------------- OFX


SGML = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
CHARSET:1252

<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><DTASOF>20251231
<INVTRANLIST>
<BUYMF><INVBUY><INVTRAN><FITID>A1<DTTRADE>20250106160000.000[-5:EST]</INVTRAN>
<SECID><UNIQUEID>VGI1<UNIQUEIDTYPE>CUSIP</SECID><UNITS>2.5<UNITPRICE>10.00<TOTAL>-25.00
<INV401KSOURCE>PRETAX<DTPAYROLL>20250103<PRIORYEARCONTRIB>Y</INVBUY><BUYTYPE>BUY</BUYMF>
<BUYMF><INVBUY><INVTRAN><FITID>A2<DTTRADE>20250106<REVERSALFITID>A1</INVTRAN>
<SECID><UNIQUEID>VGI1<UNIQUEIDTYPE>CUSIP</SECID><UNITS>2.5<UNITPRICE>10.00<TOTAL>25.00
<INV401KSOURCE>PRETAX</INVBUY><BUYTYPE>BUY</BUYMF>
<TRANSFER><INVTRAN><FITID>A3<DTTRADE>20250331<MEMO>Investment Expense</INVTRAN>
<SECID><UNIQUEID>VGI1<UNIQUEIDTYPE>CUSIP</SECID><UNITS>-0.0123<TFERACTION>OUT<UNITPRICE>100.00
<INV401KSOURCE>MATCH</TRANSFER>
<REINVEST><INVTRAN><FITID>A4<DTTRADE>20250331</INVTRAN><SECID><UNIQUEID>VGI1<UNIQUEIDTYPE>CUSIP</SECID>
<INCOMETYPE>DIV<TOTAL>-3.21<UNITS>0.3<UNITPRICE>10.7</REINVEST>
<INVBANKTRAN><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250101<TRNAMT>1.00<FITID>B1</STMTTRN></INVBANKTRAN>
</INVTRANLIST>
<INVOOLIST><OOBUYMF><OO><FITID>P1<INV401KSOURCE>AFTERTAX</OO></OOBUYMF></INVOOLIST>
<INV401KBAL><PRETAX>0.00<AFTERTAX>0.00<TOTAL>0.00</INV401KBAL>
</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>
<SECLISTMSGSRSV1><SECLIST><MFINFO><SECINFO><SECID><UNIQUEID>VGI1<UNIQUEIDTYPE>CUSIP</SECID>
<SECNAME>Dodge &amp; Cox<TICKER>DODGX</SECINFO></MFINFO></SECLIST></SECLISTMSGSRSV1></OFX>
"""


def test_ofx_sgml_specifics(tmp_path):
    p = write(tmp_path, "s.qfx", SGML, "cp1252")
    profile, rows = parse(p, plan="acme")
    assert profile == "ofx"
    got = [
        (r.external_id, r.source, r.type, r.amount_cents, r.shares, r.payroll_date, r.tax_year, r.reverses)
        for r in rows
    ]
    assert got == [
        ("A1", "pretax", "contribution", 2500, "2.5", dt.date(2025, 1, 3), 2024, None),
        ("A2", "pretax", "contribution", -2500, "-2.5", None, None, "A1"),
        ("A3", "match", "fee", -123, "-0.0123", None, None, None),
        ("A4", "unknown", "dividend", 321, "0.3", None, None, None),  # no INV401KSOURCE
    ]
    assert rows[0].fund == "Dodge & Cox" and rows[0].date == dt.date(2025, 1, 6)
    assert rows[0].line == 8  # the line the transaction starts on


def test_ofx_xml_and_source_map_for_othervest_and_missing(tmp_path):
    xml = (
        '<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS>'
        "<INVSTMTRS><INVTRANLIST>"
        "<TRANSFER><INVTRAN><FITID>T1</FITID><DTTRADE>20250331</DTTRADE><MEMO></MEMO></INVTRAN>"
        "<SECID><UNIQUEID>X</UNIQUEID></SECID><UNITS>-10</UNITS><TFERACTION>OUT</TFERACTION>"
        "<UNITPRICE>50.005</UNITPRICE><INV401KSOURCE>AFTERTAX</INV401KSOURCE></TRANSFER>"
        "<TRANSFER><INVTRAN><FITID>T2</FITID><DTTRADE>20250331</DTTRADE></INVTRAN>"
        "<SECID><UNIQUEID>X</UNIQUEID></SECID><UNITS>10</UNITS><TFERACTION>IN</TFERACTION>"
        "<UNITPRICE>50.005</UNITPRICE><INV401KSOURCE>OTHERVEST</INV401KSOURCE></TRANSFER>"
        "<INCOME><INVTRAN><FITID>T3</FITID><DTTRADE>20250401</DTTRADE></INVTRAN><SECID><UNIQUEID>X</UNIQUEID></SECID>"
        "<INCOMETYPE>CGLONG</INCOMETYPE><TOTAL>4.00</TOTAL></INCOME>"
        "</INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>"
    )
    p = write(tmp_path, "x.ofx", xml)
    with pytest.raises(ImportRowErrors, match=r"x.ofx:3: INV401KSOURCE: OTHERVEST has no meaning of its own"):
        parse(p, plan="acme")
    _, rows = parse(p, plan="acme", source_map={"OTHERVEST": "roth_irr", "MISSING": "pretax"})
    assert [(r.source, r.type, r.amount_cents, r.irr_year) for r in rows] == [
        ("pretax", "capital_gain_dist", 400, None),
        ("aftertax", "conversion_out", -50005, None),  # units x price, to the cent
        ("roth_irr", "conversion_in", 50005, 2025),
    ]


def test_ofx_needs_plan(tmp_path):
    p = write(tmp_path, "s.qfx", SGML)
    with pytest.raises(ImportRowErrors, match="give --plan"):
        parse(p)


def test_ofx_reader_tolerates_unclosed_leaves_and_any_order():
    tree = parse_tree("junk<OFX><A><B>1<C>two &amp; three</A><D/><E>5</E></OFX>")
    ofx = tree.child("OFX")
    assert ofx.get("A/B") == "1" and ofx.get("A/C") == "two & three" and ofx.get("E") == "5"


# ---------------------------------------------------------------- XLSX


def test_xlsx_through_the_same_profile_exactly(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Plan: ACME"])
    ws.append([])
    ws.append(["Activity Date", "Activity", "Fund", "Money Source", "# of Units", "Unit Price", "Amount"])
    ws.append([dt.date(2025, 1, 13), "CONTRIBUTION", "0899 F", "Employee After-Tax", 1.0769, 503.5694, 542.3])
    ws.append([dt.datetime(2025, 1, 14), "CONTRIBUTION", "0899 F", "Employee After-Tax", 0.1, 0.1, 0.1])
    p = tmp_path / "a.xlsx"
    wb.save(p)
    profile, rows = parse(p, plan="p")
    assert profile == "voya-activity"
    assert [(r.date, r.amount_cents, r.shares, r.price, r.line) for r in rows] == [
        (dt.date(2025, 1, 13), 54230, "1.0769", "503.5694", 4),
        (dt.date(2025, 1, 14), 10, "0.1", "0.1", 5),
    ]


def test_xlsx_values_past_the_headers_last_column(tmp_path):
    """A sheet has no quoting to get wrong, but a value past the header's last column would be
    dropped as silently: it is a bad row too; empty cells there (a wide sheet) are fine."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Plan: ACME", None, None, None, None, None, None, None, None, "wide preamble"])
    ws.append(["Activity Date", "Activity", "Fund", "Money Source", "# of Units", "Unit Price", "Amount"])
    ws.append([dt.date(2025, 1, 13), "CONTRIBUTION", "0899 F", "Employee After-Tax", 1, 1, 5])
    ws.append([dt.date(2025, 1, 14), "CONTRIBUTION", "0899 F", "Employee After-Tax", 1, 1, 5, None, "note"])
    p = tmp_path / "a.xlsx"
    wb.save(p)
    lines = refused(p, plan="p")
    assert lines[0] == "a.xlsx: 1 bad row; nothing was imported"
    assert lines[1].startswith("a.xlsx:4: column I: 9 cells but the header has 7 (extra: 'note'); ")
    assert lines[1].endswith("clear the cells past the header's last column")
    ws.delete_rows(4)
    wb.save(p)
    _, rows = parse(p, plan="p")
    assert [r.line for r in rows] == [3]


def test_no_float_calls_in_importers():
    root = Path(__file__).resolve().parent.parent / "megaroth_ledger" / "importers"
    for f in root.rglob("*.py"):
        assert "float" + "(" not in f.read_text(encoding="utf-8"), f


# ---------------------------------------------------------------- properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.integers(min_value=-(10**11), max_value=10**11))  # the bound: ±1,000,000,000.00 (bounds.py)
def test_every_amount_spelling_parses_to_the_same_cents(cents):
    whole, frac = divmod(abs(cents), 100)
    body = f"{whole}.{frac:02d}"
    grouped = f"{whole:,}.{frac:02d}"
    neg = cents < 0
    spellings = [
        ("-" if neg else "") + body,
        ("-$" if neg else "$") + grouped,
        f"({grouped})" if neg else grouped,
        f"{body}-" if neg else body,
        ("\u2212" if neg else "") + grouped,
        f"$({grouped})".replace("$(", "($") if neg else f"${body}",
    ]
    for s in spellings:
        assert parse_cents(s) == cents, s


@given(st.integers(min_value=10**11 + 1, max_value=10**40), st.booleans())
def test_amounts_outside_the_bound_are_cell_errors(cents, neg):
    whole, frac = divmod(cents, 100)
    for s in (f"{'-' if neg else ''}{whole}.{frac:02d}", f"${whole:,}.{frac:02d}", f"({whole:,}.{frac:02d})"):
        with pytest.raises(CellError, match="outside the bound"):
            parse_cents(s)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_share_text_keeps_every_digit(value):
    from decimal import Decimal

    text = format(value, "f")
    out = parse_decimal_text(text, "shares")
    assert out == text and Decimal(out) == value
