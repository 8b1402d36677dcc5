"""OFX/QFX 401(k) statements (OFX 1.x SGML and 2.x XML) through a small tolerant reader.

No third-party parser: :func:`parse_tree` reads both dialects (SGML leaf elements need no
closing tag; aggregates are closed explicitly) into :class:`Node` trees without validating
element order, so real-world files that strict validators reject (ofxtools #95) still read.

What becomes canonical rows (statement-formats.md sections 1.2-1.4, 5.5):

- ``BUY*`` -> ``contribution`` (``rollover_in`` for ROLLOVER money, ``loan_repayment`` with a
  LOANID); OFX's cash-side sign is flipped, so money into the account is positive.
- ``SELL*`` -> ``exchange_out`` (``loan_issue`` with a LOANID).
- ``REINVEST`` / ``INCOME`` -> ``dividend``, ``capital_gain_dist``, ``interest``, ``adjustment``.
- ``TRANSFER`` IN/OUT -> ``exchange_in/out`` (amount ``TOTAL`` if given, else UNITS x
  UNITPRICE to the cent); a TRANSFER OUT whose memo says expense/fee -> ``fee``. Legs that move
  after-tax money into a Roth source are later paired into conversions (:mod:`.derive`).
- ``INVEXPENSE`` -> ``fee``; ``RETOFCAP`` -> ``adjustment``.
- ``INV401KBAL`` -> ``balance`` rows (balance assertions) unless every value is zero.
- Ignored: ``INVOOLIST`` (pending orders), ``INVPOSLIST``, ``INVBANKTRAN``, journals, splits.

``FITID`` is the identity, ``DTPAYROLL`` the paycheck date, ``PRIORYEARCONTRIB=Y`` sets
``tax_year`` to the prior year, ``REVERSALFITID`` is kept in ``reverses`` (the reversal is
its own row with the opposite sign, so history is kept and balances net out). Dates keep
the date part as written (the stated zone), never converted to UTC.

Sources: PRETAX/AFTERTAX/MATCH/PROFITSHARING/ROLLOVER map by default. OTHERVEST and
OTHERNONVEST must be mapped per plan (the plan's source map, or a profile's
``[sources.ofx]``); a missing INV401KSOURCE uses the map's ``MISSING`` entry, else ``unknown``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from .base import Head, ParseContext
from .profiles import Profile
from .rows import CanonicalRow, CellError
from .text import FileFacts, abs_text, negate_text, parse_cents, parse_decimal_text

DEFAULT_SOURCES = {
    "PRETAX": "pretax",
    "AFTERTAX": "aftertax",
    "MATCH": "match",
    "PROFITSHARING": "profit_sharing",
    "ROLLOVER": "rollover",
}
MUST_MAP = ("OTHERVEST", "OTHERNONVEST")
INCOME_TYPES = {"DIV": "dividend", "CGLONG": "capital_gain_dist", "CGSHORT": "capital_gain_dist",
                "INTEREST": "interest", "MISC": "adjustment"}
_TAG = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^>]*?(/?)>([^<]*)")
_FEE_MEMO = re.compile(r"(?i)expense|\bfee")


class Node:
    __slots__ = ("name", "value", "children", "line")

    def __init__(self, name: str, value: str | None, line: int):
        self.name = name
        self.value = value
        self.children: list[Node] = []
        self.line = line

    def child(self, name: str) -> Node | None:
        for c in self.children:
            if c.name == name:
                return c
        return None

    def get(self, path: str) -> str | None:
        node: Node | None = self
        for part in path.split("/"):
            node = node.child(part) if node is not None else None
        return node.value if node is not None else None

    def line_of(self, path: str) -> int:
        node: Node | None = self
        for part in path.split("/"):
            nxt = node.child(part) if node is not None else None
            if nxt is None:
                return node.line if node is not None else self.line
            node = nxt
        return node.line

    def iter(self, name: str) -> Iterator[Node]:
        for c in self.children:
            if c.name == name:
                yield c
            yield from c.iter(name)


def parse_tree(text: str) -> Node:
    """Read OFX SGML or XML into a tree (tolerant: unclosed leaves, any element order)."""
    start = text.upper().find("<OFX>")
    root = Node("#root", None, 1)
    if start < 0:
        return root
    stack = [root]
    line = text.count("\n", 0, start) + 1
    pos = start
    for m in _TAG.finditer(text, start):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        closing, name, selfclose, tail = m.group(1), m.group(2).upper(), m.group(3), m.group(4)
        if closing:
            for i in range(len(stack) - 1, 0, -1):
                if stack[i].name == name:
                    del stack[i:]
                    break
            continue
        value = tail.strip()
        if selfclose:
            stack[-1].children.append(Node(name, "", line))
        elif value:
            stack[-1].children.append(Node(name, html.unescape(value), line))
        else:
            node = Node(name, None, line)
            stack[-1].children.append(node)
            stack.append(node)
    return root


def ofx_date(text: str | None, column: str) -> dt.date | None:
    if not text:
        return None
    digits = text.strip()[:8]
    try:
        return dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise CellError(column, f"not an OFX date: {text!r}") from None


class OfxImporter:
    """The built-in OFX adapter; its TOML profile only supplies source overrides."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.id = profile.id
        self.title = profile.title
        self.source_overrides = {k.upper(): v for k, v in
                                 (profile.section("sources").get("ofx") or {}).items()}

    def detect(self, head: Head) -> float:  # money-ok: a detection confidence, not money
        if head.facts.kind != "text":
            return 0.0
        text = head.text[:20000].upper()
        if "<OFX>" in text or "OFXHEADER" in text:
            return 1.0 if ("INVSTMTRS" in text or "INVTRANLIST" in text or "<OFX>" in text) else 0.7
        return 0.0

    # -------------------------------------------------------------- sources

    def _source(self, label: str | None, ctx: ParseContext) -> str:
        key = (label or "").strip().upper()
        if not key:
            return ctx.mapped_source("MISSING") or self.source_overrides.get("MISSING") or "unknown"
        mapped = ctx.mapped_source(key) or self.source_overrides.get(key)
        if mapped:
            return mapped
        if key in DEFAULT_SOURCES:
            return DEFAULT_SOURCES[key]
        if key in MUST_MAP:
            raise CellError("INV401KSOURCE", f"{key} has no meaning of its own: map it for this plan "
                            f"with --map {key}=SOURCE (e.g. {key}=roth_irr; it is saved in the plan's source map)")
        raise CellError("INV401KSOURCE", f"unknown 401(k) source {key!r}")

    # -------------------------------------------------------------- parse

    def parse(self, path: Path, facts: FileFacts, ctx: ParseContext) -> Iterator[CanonicalRow]:
        with open(path, "rb") as f:
            data = f.read()
        if ctx.on_bytes:
            ctx.on_bytes(len(data))
        text = data.decode(facts.encoding or "utf-8", errors="replace")
        root = parse_tree(text)
        if not ctx.plan:
            ctx.errors.add(1, "plan", "an OFX statement names no ledger plan: give --plan")
            return
        secs: dict[str, tuple[str | None, str | None]] = {}
        for info in root.iter("SECINFO"):
            uid = info.get("SECID/UNIQUEID")
            if uid:
                secs[uid] = (info.get("SECNAME"), info.get("TICKER"))
        found = False
        for stmt in root.iter("INVSTMTRS"):
            found = True
            tranlist = stmt.child("INVTRANLIST")
            if tranlist is not None:
                for tran in tranlist.children:
                    try:
                        row = self._tran(tran, secs, ctx)
                    except CellError as exc:
                        line = next((n.line for n in tran.iter(exc.column)), tran.line)
                        ctx.errors.add(line, exc.column, exc.reason)
                        continue
                    if row is not None:
                        yield row
            bal = stmt.child("INV401KBAL")
            if bal is not None:
                asof = stmt.get("DTASOF")
                try:
                    yield from self._balances(bal, asof, ctx)
                except CellError as exc:
                    ctx.errors.add(bal.line, exc.column, exc.reason)
        if not found:
            ctx.errors.add(1, "INVSTMTRS", "no investment statement in this OFX file")

    def _tran(self, tran: Node, secs, ctx: ParseContext) -> CanonicalRow | None:
        name = tran.name
        if name.startswith("BUY"):
            body, kind = tran.child("INVBUY"), "buy"
        elif name.startswith("SELL"):
            body, kind = tran.child("INVSELL"), "sell"
        elif name in ("REINVEST", "INCOME", "TRANSFER", "INVEXPENSE", "RETOFCAP"):
            body, kind = tran, name.lower()
        else:
            return None  # INVBANKTRAN, JRNLFUND, JRNLSEC, SPLIT, CLOSUREOPT...: no plan-side money
        if body is None:
            raise CellError(name, f"{name} without its INVBUY/INVSELL aggregate")
        inv = body.child("INVTRAN")
        if inv is None:
            raise CellError("INVTRAN", f"{name} without INVTRAN")
        fitid = inv.get("FITID")
        date = ofx_date(inv.get("DTTRADE"), "DTTRADE")
        if date is None:
            raise CellError("DTTRADE", "missing trade date")
        label = tran.get("INV401KSOURCE") or body.get("INV401KSOURCE")
        source = self._source(label, ctx)
        uid = body.get("SECID/UNIQUEID")
        fund, ticker = secs.get(uid or "", (None, None))
        units = body.get("UNITS")
        price = body.get("UNITPRICE")
        total = body.get("TOTAL")
        memo = inv.get("MEMO")
        if memo and len(memo) % 2 == 0 and memo[: len(memo) // 2] == memo[len(memo) // 2:]:
            memo = memo[: len(memo) // 2]  # Vanguard doubles some memos end to end
        reverses = inv.get("REVERSALFITID")
        shares = parse_decimal_text(units, "UNITS", "unit count") if units else None
        price_t = abs_text(parse_decimal_text(price, "UNITPRICE", "price")) if price else None
        type_label = name
        if kind == "buy":
            cents = abs(self._total(total))
            typ = "rollover_in" if source in ("rollover", "roth_rollover") else (
                "loan_repayment" if body.get("LOANID") else "contribution")
        elif kind == "sell":
            cents = -abs(self._total(total))
            typ = "loan_issue" if body.get("LOANID") else "exchange_out"
        elif kind in ("reinvest", "income"):
            itype = (tran.get("INCOMETYPE") or "").upper()
            type_label = f"{name} {itype}".strip()
            typ = INCOME_TYPES.get(itype)
            if typ is None:
                raise CellError("INCOMETYPE", f"unknown income type {itype!r}")
            cents = abs(self._total(total))
        elif kind == "transfer":
            action = (tran.get("TFERACTION") or "").upper()
            if action not in ("IN", "OUT"):
                raise CellError("TFERACTION", f"TRANSFER needs TFERACTION IN or OUT, not {action!r}")
            type_label = f"TRANSFER {action}"
            if total:
                cents = abs(self._total(total))
            else:
                cents = abs(self._units_value(units, price))
            if action == "OUT":
                cents = -cents
                typ = "fee" if memo and _FEE_MEMO.search(memo) else "exchange_out"
            else:
                typ = "exchange_in"
        elif kind == "invexpense":
            cents, typ = -abs(self._total(total)), "fee"
        else:  # retofcap
            cents, typ = self._total(total), "adjustment"
        if reverses:
            cents = -cents
        if shares is not None and cents and (cents < 0) != shares.startswith("-"):
            shares = negate_text(shares)
        prior = (body.get("PRIORYEARCONTRIB") or "").upper() == "Y"
        raw = {k: v for k, v in (
            ("element", name), ("FITID", fitid), ("INV401KSOURCE", label), ("TOTAL", total),
            ("UNITS", units), ("UNITPRICE", price), ("MEMO", inv.get("MEMO")),
            ("REVERSALFITID", reverses), ("UNIQUEID", uid), ("DTPAYROLL", body.get("DTPAYROLL")),
            ("PRIORYEARCONTRIB", body.get("PRIORYEARCONTRIB")),
        ) if v}
        return CanonicalRow(
            date=date, plan=ctx.plan, source=source, type=typ, amount_cents=cents, line=tran.line,
            payroll_date=ofx_date(body.get("DTPAYROLL"), "DTPAYROLL"),
            settle_date=ofx_date(inv.get("DTSETTLE"), "DTSETTLE"),
            source_label=label, type_label=type_label, fund=fund, fund_id=uid, shares=shares,
            price=price_t, tax_year=date.year - 1 if prior else None, external_id=fitid,
            reverses=reverses, memo=memo, raw=raw,
        )

    @staticmethod
    def _total(total: str | None) -> int:
        if total is None or not total.strip():
            raise CellError("TOTAL", "missing TOTAL")
        return parse_cents(total.strip(), "TOTAL")

    @staticmethod
    def _units_value(units: str | None, price: str | None) -> int:
        try:
            value = (Decimal(units) * Decimal(price)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except (InvalidOperation, TypeError):
            raise CellError("UNITS", "TRANSFER without TOTAL needs UNITS and UNITPRICE") from None
        return int(value * 100)

    def _balances(self, bal: Node, asof: str | None, ctx: ParseContext) -> Iterator[CanonicalRow]:
        date = ofx_date(asof, "DTASOF")
        if date is None:
            return
        values = []
        for node in bal.children:
            if node.name in ("CASHBAL", "TOTAL", "BALLIST") or node.value is None:
                continue
            cents = parse_cents(node.value, node.name)
            values.append((node, cents))
        if not any(c for _, c in values):
            return  # Vanguard sends all zeros: useless, not a claim that the account is empty
        for node, cents in values:
            try:
                source = self._source(node.name, ctx)
            except CellError:
                if cents == 0:
                    continue
                raise
            yield CanonicalRow(date=date, plan=ctx.plan, source=source, type="balance",
                               amount_cents=cents, line=node.line, source_label=node.name,
                               type_label="INV401KBAL", raw={"element": "INV401KBAL",
                                                             node.name: node.value})

