#!/usr/bin/env python3
"""Generate the made-up 2025 sample exports in samples/ (reproducible: run it again and
the files come out identical). Run from the repo root: ``python samples/make_samples.py``.

One person, ``ann`` (born 1985-04-02), one plan, ``acme-401k`` at "Acme Corp". The year:

- 26 biweekly paychecks (Fridays from 2025-01-10), traded the Monday after: pre-tax
  903.84, after-tax 1,336.54, employer match 451.92 (50% of pre-tax), each split 60/25/15
  over three funds, so every paycheck is 3 sources x 3 funds = 9 rows;
- quarterly dividends on every sub-account, a 30.00 recordkeeping fee (pre-tax, 07/15);
- quarterly in-plan Roth conversions of the whole after-tax balance (fund by fund) into
  the in-plan Roth conversion sub-account (``roth_irr``).

The same year is written in every shipped format. Each file exercises the real-world mess
its format is known for (statement-formats.md sections 2 and 7): preambles, footers, BOM,
UTF-16, cp1252, HTML entities, ``$``/thousands/parentheses/Unicode minus, trailing commas,
per-fund rows, newest-first order. Money is computed in integer cents and Decimal only.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent
PLAN = "acme-401k"
YEAR = 2025

# (key, display name, plan fund code, ticker, pseudo-CUSIP, base price, daily drift, dividend rate per quarter)
FUNDS = [
    (
        "F1",
        "Vanguard 500 Index Fund Adm",
        "0899",
        "VFIAX",
        "922908710",
        Decimal("502.1134"),
        Decimal("0.112"),
        Decimal("0.0032"),
    ),
    (
        "F2",
        "Dodge & Cox Income X",
        "1123",
        "DOXIX",
        "256210105",
        Decimal("13.0412"),
        Decimal("0.0009"),
        Decimal("0.0105"),
    ),
    (
        "F3",
        "Vanguard Total Int'l Stock Index Adm",
        "4410",
        "VTIAX",
        "921909818",
        Decimal("33.5721"),
        Decimal("0.0061"),
        Decimal("0.0071"),
    ),
]
SPLIT = {"F1": 60, "F2": 25, "F3": 15}
PER_CHECK = {"pretax": 90384, "aftertax": 133654, "match": 45192}
DIVIDEND_DAYS = [dt.date(YEAR, 3, 27), dt.date(YEAR, 6, 26), dt.date(YEAR, 9, 25), dt.date(YEAR, 12, 23)]
CONVERSION_DAYS = [dt.date(YEAR, 3, 31), dt.date(YEAR, 6, 30), dt.date(YEAR, 9, 30), dt.date(YEAR, 12, 30)]
FEE_DAY, FEE_CENTS = dt.date(YEAR, 7, 15), 3000
SOURCES_ORDER = ["pretax", "aftertax", "match", "roth_irr"]
FUND = {f[0]: f for f in FUNDS}


def price(fund: str, d: dt.date) -> Decimal:
    f = FUND[fund]
    return (f[5] + f[6] * d.timetuple().tm_yday).quantize(Decimal("0.000001"))


def shares(cents: int, p: Decimal) -> Decimal:
    return (Decimal(cents) / 100 / p).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


class Ev:
    """One truth row: (date, source, fund) movement of ``cents``."""

    def __init__(self, date, source, fund, kind, cents, payroll=None, group=None):
        self.date, self.source, self.fund, self.kind, self.cents = date, source, fund, kind, cents
        self.payroll, self.group = payroll, group
        self.price = price(fund, date)
        self.shares = shares(cents, self.price)


def split(cents: int) -> dict[str, int]:
    f1 = cents * SPLIT["F1"] // 100
    f2 = cents * SPLIT["F2"] // 100
    return {"F1": f1, "F2": f2, "F3": cents - f1 - f2}


def truth() -> list[Ev]:
    events: list[Ev] = []
    bal: dict[tuple[str, str], int] = defaultdict(int)
    paydays = [dt.date(YEAR, 1, 10) + dt.timedelta(days=14 * i) for i in range(26)]
    days = sorted(
        set(paydays) | set(DIVIDEND_DAYS) | set(CONVERSION_DAYS) | {FEE_DAY},
        key=lambda d: (d + dt.timedelta(days=3) if d in paydays else d, d),
    )
    for day in days:
        if day in paydays:
            trade = day + dt.timedelta(days=3)
            for source in ("pretax", "aftertax", "match"):
                for fund, c in split(PER_CHECK[source]).items():
                    events.append(Ev(trade, source, fund, "contribution", c, payroll=day))
                    bal[(source, fund)] += c
        if day in DIVIDEND_DAYS:
            for source in SOURCES_ORDER:
                for fund in FUND:
                    b = bal[(source, fund)]
                    if b > 0:
                        c = int((Decimal(b) * FUND[fund][7]).quantize(Decimal(1)))
                        events.append(Ev(day, source, fund, "dividend", c))
                        bal[(source, fund)] += c
        if day == FEE_DAY:
            events.append(Ev(day, "pretax", "F1", "fee", -FEE_CENTS))
            bal[("pretax", "F1")] -= FEE_CENTS
        if day in CONVERSION_DAYS:
            group = f"conv-{day.isoformat()}"
            for fund in FUND:
                b = bal[("aftertax", fund)]
                if b:
                    events.append(Ev(day, "aftertax", fund, "conversion_out", -b, group=group))
                    events.append(Ev(day, "roth_irr", fund, "conversion_in", b, group=group))
                    bal[("aftertax", fund)] = 0
                    bal[("roth_irr", fund)] += b
    return events


def year_end_balances(events) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for e in events:
        out[e.source] += e.cents
    return out


def money(c: int) -> str:
    return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"


def money_fmt(c: int, *, dollar=False, parens=False, thousands=True) -> str:
    body = f"{abs(c) // 100:,}" if thousands else str(abs(c) // 100)
    body = f"{'$' if dollar else ''}{body}.{abs(c) % 100:02d}"
    if c < 0:
        return f"({body})" if parens else f"-{body}"
    return body


def write(name: str, text: str, encoding="utf-8", newline="\r\n"):
    data = text.replace("\n", newline).encode(encoding)
    (OUT / name).write_bytes(data)


def csv_line(cells, quote_all=False, trailing_comma=False) -> str:
    out = []
    for c in cells:
        c = str(c)
        if quote_all or any(ch in c for ch in ',"\n'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out) + ("," if trailing_comma else "") + "\n"


# ------------------------------------------------------------------ renderers


def generic(events):
    cols = [
        "date",
        "plan",
        "source",
        "type",
        "amount",
        "payroll_date",
        "fund",
        "fund_id",
        "shares",
        "price",
        "irr_year",
        "transfer_group",
        "memo",
    ]
    out = [csv_line(cols)]
    for e in events:
        f = FUND[e.fund]
        sh = e.shares
        out.append(
            csv_line(
                [
                    e.date.isoformat(),
                    PLAN,
                    e.source,
                    e.kind,
                    money(e.cents),
                    e.payroll.isoformat() if e.payroll else "",
                    f[1],
                    f[3],
                    sh,
                    e.price,
                    YEAR if e.kind == "conversion_in" else "",
                    e.group or "",
                    "Recordkeeping fee" if e.kind == "fee" else "",
                ]
            )
        )
    write("2025-acme-generic.csv", "".join(out), newline="\n")


VOYA_SOURCE = {
    "pretax": "Employee PreTax",
    "aftertax": "Employee After-Tax",
    "match": "Employer Match",
    "roth_irr": "Roth In-Plan Conversion",
}
VOYA_TYPE = {
    "contribution": "CONTRIBUTION",
    "dividend": "DIVIDEND",
    "fee": "OTHER",
    "conversion_out": "TRANSFER",
    "conversion_in": "TRANSFER",
}


def voya_rows(events):
    rows = []
    for e in reversed(events):  # newest first, as Voya exports
        f = FUND[e.fund]
        sh = e.shares
        rows.append(
            (e.date, VOYA_TYPE[e.kind], f"{f[2]} {f[1]}", VOYA_SOURCE[e.source], sh, e.price, e.cents)
        )
    return rows


def voya_csv(events):
    out = [
        '"771234 ACME CORP 401(K) PLAN "\n',
        "Date Range :\t01/01/2025 - 12/31/2025\n",
        '"\n',
        '"\n',
        '"\n',
        '"\n',
        csv_line(["Activity Date", "Activity", "Fund", "Money Source", "# of Units", "Unit Price", "Amount"]),
    ]
    for d, act, fund, src, sh, p, c in voya_rows(events):
        out.append(csv_line([d.isoformat(), act, fund, src, f"{sh:.4f}", f"{p:.6f}", money(c)]))
    write("2025-acme-voya-activity.csv", "".join(out))


def voya_xlsx(events):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Activity"
    ws.append(["771234 ACME CORP 401(K) PLAN"])
    ws.append(["Date Range : 01/01/2025 - 12/31/2025"])
    ws.append([])
    ws.append(["Activity Date", "Activity", "Fund", "Money Source", "# of Units", "Unit Price", "Amount"])
    for d, act, fund, src, sh, p, c in voya_rows(events):
        ws.append([d, act, fund, src, sh, p, Decimal(c) / 100])
    for row in ws.iter_rows(min_row=5, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    fixed = dt.datetime(2026, 1, 5, 9, 0, 0)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    # re-zip with fixed timestamps so the file is byte-for-byte reproducible
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                import re

                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>2026-01-05T09:00:00Z\2", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 5, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    (OUT / "2025-acme-voya-activity.xlsx").write_bytes(out.getvalue())


FID_TYPE = {
    "contribution": "Contributions",
    "dividend": "Dividend",
    "fee": "RECORDKEEPING FEE",
    "conversion_out": "Transfers",
    "conversion_in": "Transfers",
}
FID_FUND = {"F1": "VANGUARD 500 INDEX ADM", "F2": "DODGE &amp; COX INCOME X", "F3": "VANG TOTAL INTL STK ADM"}


def fidelity_history(events):
    # by investment: sources are summed away (the export has no source column)
    agg: dict[tuple, list[int]] = {}
    order = []
    for e in events:
        key = (e.date, e.fund, FID_TYPE[e.kind], "out" if e.kind == "conversion_out" else "in")
        if key not in agg:
            agg[key] = [0, Decimal(0)]
            order.append(key)
        agg[key][0] += e.cents
        agg[key][1] += e.shares
    out = [
        "Plan name:,ACME CORP 401(K) PLAN     \n",
        "Date Range,01/01/2025 - 12/31/2025,,,,\n",
        "\n",
        "\n",
        "Date,Investment,Transaction Type,Amount,Shares/Unit\n",
    ]
    for key in reversed(order):
        d, fund, typ, _ = key
        c, sh = agg[key]
        out.append(f'{d:%m/%d/%Y},{FID_FUND[fund]},{typ},"{money_fmt(c)}","{sh:,.3f}"\n')
    out.append("\n")
    out.append('"The data and information in this spreadsheet is provided to you solely for your use."\n')
    write("2025-acme-fidelity-netbenefits-history.csv", "".join(out))


FID_SRC = {
    "pretax": "1 - EMPLOYEE DEFERRAL",
    "match": "2 - EMPLOYER MATCH",
    "aftertax": "5 - AFTER-TAX",
    "roth_irr": "12 - ROTH IN-PLAN CONVERSION",
}
FID_SRC_TYPE = {
    "contribution": "CONTRIBUTIONS",
    "dividend": "DIVIDEND",
    "fee": "RECORDKEEPING FEE",
    "conversion_out": "TRANSFERS",
    "conversion_in": "TRANSFERS",
}


def fidelity_sources(events):
    # by source: funds are summed away; copied from the web page and saved by Excel as
    # "Unicode Text" (UTF-16 with BOM, tab-separated)
    agg: dict[tuple, int] = {}
    order = []
    for e in events:
        key = (e.date, e.source, FID_SRC_TYPE[e.kind])
        if key not in agg:
            agg[key] = 0
            order.append(key)
        agg[key] += e.cents
    out = ["Date\tSource\tTransaction Type\tAmount\tShares/Unit\n"]
    for i, key in enumerate(reversed(order)):
        d, src, typ = key
        out.append(f"{d:%m/%d/%Y}\t{FID_SRC[src]}\t{typ}\t{money_fmt(agg[key], dollar=True)}\t--\n")
        if i % 40 == 7:
            out.append("show details\t\t\t\t\n")
    write("2025-acme-fidelity-netbenefits-sources.txt", "".join(out), encoding="utf-16")


VAN_FUND = {
    "F1": "Vanguard 500 Index Fund Admiral",
    "F2": "Dodge & Cox Income Fund X",
    "F3": "Vanguard Total Int\u2019l Stock Index Admiral",
}
VAN_ACT = {
    "contribution": ("101001", "Plan Contribution"),
    "dividend": ("219004", "Dividends on Equity Investments"),
    "fee": ("245026", "Fee"),
    "conversion_out": ("382021", "Plan Initiated TransferOut"),
    "conversion_in": ("382007", "Plan Initiated TransferIn"),
}


def vanguard_csv(events):
    agg: dict[tuple, list] = {}
    order = []
    for e in events:
        key = (e.date, e.fund, e.kind)
        if key not in agg:
            agg[key] = [0, Decimal(0), e.price]
            order.append(key)
        agg[key][0] += abs(e.cents)
        agg[key][1] += abs(e.shares)
    bal = defaultdict(int)
    for e in events:
        bal[e.fund] += e.cents
    out = ["Plan Number,Plan Name,Fund Name,Shares,Price,Total Value,\n"]
    for k, f in FUND.items():
        p = price(k, dt.date(YEAR, 12, 31))
        out.append(
            csv_line(
                ["091234", "ACME CORP 401(K) PLAN", VAN_FUND[k], f"{shares(bal[k], p)}", p, money(bal[k])],
                trailing_comma=True,
            )
        )
    out.append("\n\n")
    out.append(
        "Account Number,Trade Date,Run Date,Transaction Activity,Transaction Description,Investment Name,"
        "Share Price,Transaction Shares,Dollar Amount,\n"
    )
    for key in order:  # grouped by date, oldest first; outflows printed unsigned
        d, fund, kind = key
        c, sh, p = agg[key]
        code, desc = VAN_ACT[kind]
        out.append(
            csv_line(
                [
                    "091234",
                    f"{d:%m/%d/%Y}",
                    f"{d + dt.timedelta(days=1):%m/%d/%Y}",
                    code,
                    desc,
                    VAN_FUND[fund],
                    p,
                    sh,
                    money(c),
                ],
                trailing_comma=True,
            )
        )
    out.append("\n\nAccount Number,Investment Name,Symbol,Shares,Share Price,Total Value,\n")
    out.append("55512345,VANGUARD FEDERAL MONEY MARKET,VMFXX,12.34,1.00,12.34,\n")
    write("2025-acme-vanguard-retirement.csv", "".join(out), encoding="cp1252")


WP_SRC = {
    "pretax": "Employee 401(k)",
    "aftertax": "Employee After-Tax",
    "match": "Matching",
    "roth_irr": "Roth In-Plan Conversion",
}


def workplace(events):
    out = [
        csv_line(
            [
                "Transaction Date",
                "Investment",
                "Contribution",
                "Description",
                "Activity",
                "Price",
                "Units",
                "Amount",
            ],
            quote_all=True,
            trailing_comma=True,
        )
    ]
    for e in events:
        f = FUND[e.fund]
        desc, act = {
            "contribution": (
                "Contributions - Employer" if e.source == "match" else "Contributions - Employee",
                "Purchase",
            ),
            "dividend": ("Dividends", "Dividend"),
            "fee": ("Recordkeeping Fee", "Fee"),
            "conversion_out": ("Roth In-Plan Conversion", "Transfer Out"),
            "conversion_in": ("Roth In-Plan Conversion", "Transfer In"),
        }[e.kind]
        units = e.shares
        out.append(
            csv_line(
                [
                    f"{e.date.month}/{e.date.day}/{e.date.year} 12:00:00 AM",
                    f[1],
                    WP_SRC[e.source],
                    desc,
                    act,
                    f"{e.price:.6f}",
                    f"{units:.9f}",
                    money(e.cents),
                ],
                quote_all=True,
                trailing_comma=True,
            )
        )
    (OUT / "2025-acme-workplace-activity.csv").write_bytes(
        b"\xef\xbb\xbf" + "".join(out).replace("\n", "\r\n").encode()
    )


AL_SRC = {
    "pretax": "Employee Pre-Tax",
    "aftertax": "Employee After-Tax",
    "match": "Employer Match",
    "roth_irr": "Roth In-Plan Conversion",
}
AL_ACT = {
    "contribution": "Contribution",
    "dividend": "Dividends Reinvested",
    "fee": "Fee - Recordkeeping",
    "conversion_out": "Transfer Out - Roth Conversion",
    "conversion_in": "Transfer In - Roth Conversion",
}


def alerus(events):
    out = [
        csv_line(
            [
                "Date",
                "Time",
                "Sequence",
                "Investment",
                "Source",
                "Activity",
                "Ticker",
                "Cusip",
                "Price",
                "Shares",
                "Value",
            ]
        )
    ]
    seq = defaultdict(int)
    total = 0
    for e in events:
        f = FUND[e.fund]
        seq[e.date] += 1
        sh = e.shares
        sh_text = f"{sh:,.4f}".replace("-", "\u2212")  # Unicode minus, as some web exports print
        out.append(
            csv_line(
                [
                    f"{e.date:%m/%d/%Y}",
                    "04:00 PM",
                    seq[e.date],
                    f[1],
                    AL_SRC[e.source],
                    AL_ACT[e.kind],
                    f[3],
                    f[4],
                    f"${e.price:,.4f}",
                    sh_text,
                    money_fmt(e.cents, dollar=True, parens=True),
                ]
            )
        )
        total += e.cents
    out.append(
        csv_line(["Total", "", "", "", "", "", "", "", "", "", money_fmt(total, dollar=True, parens=True)])
    )
    write("2025-acme-alerus-history.csv", "".join(out))


# ------------------------------------------------------------------ OFX

OFX_SRC = {"pretax": "PRETAX", "aftertax": "AFTERTAX", "match": "MATCH", "roth_irr": "OTHERVEST"}


def ofx_body(events, xml: bool) -> str:
    def el(name, value):
        return f"<{name}>{value}</{name}>" if xml else f"<{name}>{value}"

    def d(x: dt.date, hour="160000"):
        return f"{x:%Y%m%d}{hour}.000[-5:EST]"

    L: list[str] = []
    add = L.append
    fitid = 0

    def tran(e, fid, *, reversal=None, total_override=None):
        f = FUND[e.fund]
        secid = f"<SECID>{el('UNIQUEID', 'VGI' + f[2].zfill(6))}{el('UNIQUEIDTYPE', 'CUSIP')}</SECID>"
        invtran = (
            f"<INVTRAN>{el('FITID', fid)}{el('DTTRADE', d(e.date))}{el('DTSETTLE', d(e.date))}"
            + (el("REVERSALFITID", reversal) if reversal else "")
            + el("MEMO", "Price as of date based on closing price")
            + "</INVTRAN>"
        )
        units = e.shares
        src = el("INV401KSOURCE", OFX_SRC[e.source])
        total = total_override if total_override is not None else -e.cents
        if e.kind == "contribution":
            return (
                f"<BUYMF><INVBUY>{invtran}{secid}{el('UNITS', units)}{el('UNITPRICE', e.price)}"
                f"{el('TOTAL', money(total))}{el('SUBACCTSEC', 'CASH')}{el('SUBACCTFUND', 'OTHER')}"
                f"{src}{el('DTPAYROLL', d(e.payroll, '000000'))}{el('PRIORYEARCONTRIB', 'N')}</INVBUY>"
                f"{el('BUYTYPE', 'BUY')}</BUYMF>"
            )
        if e.kind == "dividend":
            return (
                f"<REINVEST>{invtran}{secid}{el('INCOMETYPE', 'DIV')}{el('TOTAL', money(-e.cents))}"
                f"{el('SUBACCTSEC', 'CASH')}{el('UNITS', units)}{el('UNITPRICE', e.price)}{src}</REINVEST>"
            )
        if e.kind == "fee":
            return (
                f"<INVEXPENSE>{invtran.replace('Price as of date based on closing price', 'Recordkeeping fee')}"
                f"{secid}{el('TOTAL', money(e.cents))}{el('SUBACCTSEC', 'CASH')}{el('SUBACCTFUND', 'OTHER')}"
                f"{src}</INVEXPENSE>"
            )
        action = "OUT" if e.kind == "conversion_out" else "IN"
        u = units
        # TOTAL inside TRANSFER is an extension this recordkeeper adds; the reader falls back
        # to UNITS x UNITPRICE without it
        return (
            f"<TRANSFER>{invtran.replace('Price as of date based on closing price', 'In-plan Roth conversion')}"
            f"{secid}{el('SUBACCTSEC', 'OTHER')}{el('UNITS', u)}{el('TFERACTION', action)}"
            f"{el('POSTYPE', 'LONG')}{el('UNITPRICE', e.price)}{el('TOTAL', money(e.cents))}{src}</TRANSFER>"
        )

    add("<OFX>")
    add(
        f"<SIGNONMSGSRSV1><SONRS><STATUS>{el('CODE', 0)}{el('SEVERITY', 'INFO')}</STATUS>"
        f"{el('DTSERVER', '20260105090000.000[-5:EST]')}{el('LANGUAGE', 'ENG')}"
        f"<FI>{el('ORG', 'Acme Recordkeeping')}{el('FID', '1234')}</FI>{el('INTU.BID', '1234')}</SONRS></SIGNONMSGSRSV1>"
    )
    add(
        "<INVSTMTMSGSRSV1><INVSTMTTRNRS>"
        + el("TRNUID", 1)
        + f"<STATUS>{el('CODE', 0)}{el('SEVERITY', 'INFO')}</STATUS>"
    )
    add("<INVSTMTRS>" + el("DTASOF", d(dt.date(YEAR, 12, 31))) + el("CURDEF", "USD"))
    add(f"<INVACCTFROM>{el('BROKERID', 'acme-rk.example')}{el('ACCTID', '091234-0042')}</INVACCTFROM>")
    add(
        "<INVTRANLIST>"
        + el("DTSTART", d(dt.date(YEAR, 1, 1), "000000"))
        + el("DTEND", d(dt.date(YEAR, 12, 31)))
    )
    mistake_done = False
    for e in events:
        fitid += 1
        fid = f"2025{fitid:06d}"
        add(tran(e, fid))
        if not mistake_done and e.date >= dt.date(YEAR, 5, 19) and e.kind == "contribution":
            # a contribution posted twice by mistake, then reversed (REVERSALFITID)
            mistake_done = True
            add(tran(e, "2025ERR001"))
            add(tran(e, "2025ERR002", reversal="2025ERR001", total_override=e.cents))
    add("</INVTRANLIST>")
    add("<INVPOSLIST>")
    for k, f in FUND.items():
        add(
            f"<POSMF><INVPOS><SECID>{el('UNIQUEID', 'VGI' + f[2].zfill(6))}{el('UNIQUEIDTYPE', 'CUSIP')}</SECID>"
            f"{el('HELDINACCT', 'OTHER')}{el('POSTYPE', 'LONG')}{el('UNITS', '1.0000')}{el('UNITPRICE', price(k, dt.date(YEAR, 12, 31)))}"
            f"{el('MKTVAL', '0.00')}{el('DTPRICEASOF', d(dt.date(YEAR, 12, 31)))}{el('INV401KSOURCE', 'OTHERNONVEST')}</INVPOS></POSMF>"
        )
    add("</INVPOSLIST>")
    add(
        f"<INVBAL>{el('AVAILCASH', '0.00')}{el('MARGINBALANCE', '0.00')}{el('SHORTBALANCE', '0.00')}</INVBAL>"
    )
    # a pending order: never booked
    add(
        f"<INVOOLIST><OOBUYMF><OO>{el('FITID', '2025PEND01')}<SECID>{el('UNIQUEID', 'VGI000899')}{el('UNIQUEIDTYPE', 'CUSIP')}</SECID>"
        f"{el('DTPLACED', d(dt.date(YEAR, 12, 31)))}{el('UNITS', '1.0000')}{el('SUBACCT', 'CASH')}{el('DURATION', 'DAY')}"
        f"{el('RESTRICTION', 'NONE')}{el('INV401KSOURCE', 'AFTERTAX')}</OO>{el('BUYTYPE', 'BUY')}{el('UNITTYPE', 'SHARES')}</OOBUYMF></INVOOLIST>"
    )
    add(f"<INV401K>{el('EMPLOYERNAME', 'Acme Corp')}{el('CURRENTVESTPCT', '100')}</INV401K>")
    bals = year_end_balances(events)
    add(
        "<INV401KBAL>"
        + el("CASHBAL", "0.00")
        + el("PRETAX", money(bals["pretax"]))
        + el("AFTERTAX", money(bals["aftertax"]))
        + el("MATCH", money(bals["match"]))
        + el("OTHERVEST", money(bals["roth_irr"]))
        + el("TOTAL", money(sum(bals.values())))
        + "</INV401KBAL>"
    )
    add("</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>")
    add("<SECLISTMSGSRSV1><SECLIST>")
    for k, f in FUND.items():
        name = f[1].replace("&", "&amp;")
        add(
            f"<MFINFO><SECINFO><SECID>{el('UNIQUEID', 'VGI' + f[2].zfill(6))}{el('UNIQUEIDTYPE', 'CUSIP')}</SECID>"
            f"{el('SECNAME', name)}{el('TICKER', f[3])}</SECINFO></MFINFO>"
        )
    add("</SECLIST></SECLISTMSGSRSV1>")
    add("</OFX>")
    return "\n".join(L) + "\n"


def ofx_sgml(events):
    header = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
        "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
    )
    write("2025-acme.qfx", header + ofx_body(events, xml=False))


def ofx_xml(events):
    header = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
    )
    write("2025-acme.ofx", header + ofx_body(events, xml=True), newline="\n")


SAMPLES = {
    # file name -> (profile, plan source map needed)
    "2025-acme-generic.csv": "generic",
    "2025-acme-voya-activity.csv": "voya-activity",
    "2025-acme-voya-activity.xlsx": "voya-activity",
    "2025-acme-fidelity-netbenefits-history.csv": "fidelity-netbenefits-history",
    "2025-acme-fidelity-netbenefits-sources.txt": "fidelity-netbenefits-sources",
    "2025-acme-vanguard-retirement.csv": "vanguard-retirement-csv",
    "2025-acme-workplace-activity.csv": "workplace-contribution-activity",
    "2025-acme-alerus-history.csv": "alerus-history",
    "2025-acme.qfx": "ofx",
    "2025-acme.ofx": "ofx",
}


def main(argv: list[str] | None = None) -> None:
    import argparse

    global OUT
    ap = argparse.ArgumentParser(description="Write the 2025 sample exports.")
    ap.add_argument("--out", type=Path, default=OUT, help="directory to write to (default: samples/)")
    OUT = ap.parse_args(argv).out
    OUT.mkdir(parents=True, exist_ok=True)
    events = truth()
    generic(events)
    voya_csv(events)
    voya_xlsx(events)
    fidelity_history(events)
    fidelity_sources(events)
    vanguard_csv(events)
    workplace(events)
    alerus(events)
    ofx_sgml(events)
    ofx_xml(events)
    print(f"wrote {len(SAMPLES)} sample files ({len(events)} truth rows) to {OUT}")


if __name__ == "__main__":
    main()
