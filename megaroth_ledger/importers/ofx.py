"""OFX/QFX 401(k) statements (OFX 1.x SGML and 2.x XML) through a small tolerant reader.

No third-party parser: :func:`parse_tree` reads both dialects (SGML leaf elements need no
closing tag; aggregates are closed explicitly) into :class:`Node` trees without validating
element order, so real-world files that strict validators reject (ofxtools #95) still read.

What becomes canonical rows (statement-formats.md sections 1.2-1.4, 5.5):

- ``BUY*`` with a ``LOANID`` -> ``loan_repayment`` (``LOANPRINCIPAL``) and ``loan_interest``
  (``LOANINTEREST``), whatever the source (the OFX 2.x specification's own 401(k) example repays
  a loan into ROLLOVER money): a participant loan repaid is neither a contribution nor an annual
  addition (Treas. Reg. 1.415(c)-1(b)(3): loan repayments are not annual additions) nor money
  rolled in. Otherwise ``contribution`` (``rollover_in`` for ROLLOVER money). OFX's cash-side
  sign is flipped, so money into the account is positive.
- ``SELL*`` -> ``exchange_out`` (``loan_issue`` with a LOANID).
- ``REINVEST`` / ``INCOME`` -> ``dividend``, ``capital_gain_dist``, ``interest``, ``adjustment``.
- ``TRANSFER`` IN/OUT -> ``exchange_in/out`` (amount ``TOTAL`` if given, else UNITS x
  UNITPRICE to the cent); a TRANSFER OUT whose memo says expense/fee -> ``fee``. Legs that move
  after-tax money into a Roth source are later paired into conversions (:mod:`.derive`).
- ``INVEXPENSE`` -> ``fee``; ``RETOFCAP`` -> ``adjustment``.
- ``INV401KBAL`` -> ``balance`` rows (balance assertions) unless every value is zero; a label
  that must be mapped (OTHERVEST/OTHERNONVEST) and is not is skipped with a note (a balance
  alone never stops an import). On a plan's first statement the store records the part the
  ledger cannot explain as an opening balance (:mod:`.store`), never as earnings.
- ``INV401K/INV401KSUMMARY/YEARTODATE/CONTRIBUTIONS`` (OFX 2.x section 13.9.3) -> the
  statement's year-to-date contributions per source, checked against the ledger after the
  import (:attr:`ParseContext.checks`); a difference is reported, nothing is changed.
- Ignored: ``INVOOLIST`` (pending orders), ``INVPOSLIST``, ``INVBANKTRAN``, journals, splits.

``FITID`` is the identity, ``DTPAYROLL`` the paycheck date, ``PRIORYEARCONTRIB=Y`` sets
``tax_year`` to the prior year, ``REVERSALFITID`` is kept in ``reverses`` (the reversal is
its own row with the opposite sign, so history is kept and balances net out). Dates keep
the date part as written (the stated zone), never converted to UTC.

A file that ends before its ``</OFX>`` (SGML 1.x closes its aggregates too) is truncated: refused
with the line it ends on and the aggregate it ends inside, nothing read from it.

A file without any 401(k) element (``INV401K``, ``INV401KBAL``, ``INV401KSOURCE``, or a
``USPRODUCTTYPE`` of 401K/403B) is a brokerage statement, not a plan's: it is refused with
``not a 401(k) statement: no INV401K`` (a stock buy there is not a contribution).

Sources: PRETAX/AFTERTAX/MATCH/PROFITSHARING/ROLLOVER map by default. OTHERVEST and
OTHERNONVEST must be mapped per plan (the plan's source map, or a profile's
``[sources.ofx]``); a missing INV401KSOURCE uses the map's ``MISSING`` entry, else ``unknown``.
"""

from __future__ import annotations

import datetime as dt
import html
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal, DecimalException
from pathlib import Path

from ..bounds import cents_problem, date_problem
from .base import Head, ParseContext
from .ofx_cut import Raw, plain_end
from .profiles import Profile
from .rows import CanonicalRow, CellError, ErrorCollector, check_row_bounds
from .text import FileFacts, abs_text, negate_text, parse_cents, parse_decimal_text

DEFAULT_SOURCES = {
    "PRETAX": "pretax",
    "AFTERTAX": "aftertax",
    "MATCH": "match",
    "PROFITSHARING": "profit_sharing",
    "ROLLOVER": "rollover",
}
MUST_MAP = ("OTHERVEST", "OTHERNONVEST")
INCOME_TYPES = {
    "DIV": "dividend",
    "CGLONG": "capital_gain_dist",
    "CGSHORT": "capital_gain_dist",
    "INTEREST": "interest",
    "MISC": "adjustment",
}
_TAG = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^<>]*?(/?)>([^<]*)")
_FEE_MEMO = re.compile(r"(?i)expense|\bfee")
NOT_401K = "not a 401(k) statement: no INV401K"
PLAN_PRODUCT_TYPES = ("401K", "403B")


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
        """Descendants called ``name``, depth first in document order (an explicit stack:
        a deeply nested file must not hit Python's recursion limit)."""
        stack = [iter(self.children)]
        while stack:
            c = next(stack[-1], None)
            if c is None:
                stack.pop()
                continue
            if c.name == name:
                yield c
            if c.children:
                stack.append(iter(c.children))


def parse_tree(text: str) -> Node:
    """Read OFX SGML or XML into a tree (tolerant: unclosed leaves, any element order)."""
    start = text.upper().find("<OFX>")
    root = Node("#root", None, 1)
    if start < 0:
        return root

    def tokens():
        line = text.count("\n", 0, start) + 1
        pos = start
        for m in _TAG.finditer(text, start):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            yield m.group(1), m.group(2).upper(), m.group(3), m.group(4), line

    return build_tree(tokens(), root)


def build_tree(tokens, root: Node) -> Node:
    """``root`` with the tree of ``tokens`` (``(closing, NAME, selfclose, text after, line)``)."""
    stack = [root]
    for closing, name, selfclose, tail, line in tokens:
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


BLOCK = 1 << 20  # bytes read at a time by :class:`_Tags`
FAST = True  # plain transactions cut out whole (:mod:`.ofx_cut`); False: tag by tag (tests)


def _tags(path: Path, encoding: str, on_bytes=None) -> _Tags:
    return _Tags(path, encoding, on_bytes)


class _Tags:
    """``(closing, NAME, selfclose, text after the tag, line)`` of every tag from the first ``<OFX>``
    on, as :func:`parse_tree` sees them, read block by block (a tag's text runs to the next ``<``,
    so a block is cut at its last ``<`` and the rest carried over); last ``(None, "", "", "", n)``
    with ``n`` the line the file ends on. Right after an opening tag, :meth:`take` may take the
    whole transaction it opens as text (the tags are then not handed out)."""

    def __init__(self, path: Path, encoding: str, on_bytes=None):
        self.path, self.encoding, self.on_bytes = path, encoding, on_bytes
        self.buf, self.limit, self.at, self.after, self.line = "", 0, 0, 0, 1
        self.written = ""  # the last tag's name as written
        self.resume: tuple[int, int] | None = None
        self.layouts: dict = {}

    def take(self, name: str, ancestors: tuple[str, ...]):
        """The transaction the last tag (an aggregate's opening) begins, as
        :class:`.ofx_cut.Raw`, if it is plain (see there) and in this block; else None."""
        buf = self.buf
        end = plain_end(buf, self.after, self.limit, self.written, ancestors)
        if end < 0:
            return None
        text = buf[self.at : end]
        self.resume = (end, self.line + text.count("\n"))
        return Raw(text, self.line, self.layouts)

    def take_next(self, ancestors: tuple[str, ...]):
        """After a :meth:`take`, the transaction the next tag opens, taken the same way (without
        handing its opening tag out first); None (the tag is handed out next) if it is not one."""
        pos, line = self.resume or (self.after, self.line)
        m = _TAG.search(self.buf, pos, max(self.limit, 0))
        if m is None or m.group(1) or m.group(3) or m.group(4).strip():
            return None
        self.at, self.after, self.written = m.start(), m.start(4), m.group(2)
        self.line = line + self.buf.count("\n", pos, m.start())
        return self.take(self.written, ancestors)

    def _blocks(self):
        import codecs

        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        with open(self.path, "rb") as f:
            while True:
                data = f.read(BLOCK)
                if self.on_bytes and data:
                    self.on_bytes(len(data))
                yield decoder.decode(data, final=not data), not data
                if not data:
                    return

    def __iter__(self):
        buf, line, started = "", 1, False
        for text, final in self._blocks():
            buf += text
            if not started:
                at = buf.upper().find("<OFX>")
                if at < 0:
                    keep = len(buf) if final else max(0, len(buf) - 4)  # "<OFX" may straddle blocks
                    line += buf.count("\n", 0, keep)
                    buf = buf[keep:]
                    if final:
                        yield None, "", "", "", line
                    continue
                line += buf.count("\n", 0, at)
                buf, started = buf[at:], True
            end = len(buf) if final else buf.rfind("<")
            self.buf, self.limit = buf, end
            pos = 0
            search = _TAG.search
            m = search(buf, 0, max(end, 0))
            while m is not None:
                line += buf.count("\n", pos, m.start())
                pos = m.start()
                self.at, self.after, self.line, self.written = pos, m.start(4), line, m.group(2)
                yield m.group(1), m.group(2).upper(), m.group(3), m.group(4), line
                if self.resume is not None:
                    pos, line = self.resume
                    self.resume = None
                    m = search(buf, pos, max(end, 0))
                else:
                    m = search(buf, m.end(), max(end, 0))
            if final:
                line += buf.count("\n", pos)
                yield None, "", "", "", line - (buf.endswith("\n") and line > 1)
                return
            if end > 0:
                line += buf.count("\n", pos, end)
                buf = buf[end:]


def _walk(tags) -> Iterator[tuple[str, int, Node]]:
    """:func:`parse_tree`'s tree from ``tags``, less the transactions: ``("tran", k, node)`` for
    each child of statement k's INVTRANLIST (the first one directly in the k-th INVSTMTRS, in
    tree order) as soon as it is complete, in file order; then ``("root", -1, root)`` with every
    other node (transaction aggregates are not kept in it; leaves like DTSTART are). A statement
    nested inside a transaction is not read as one. Before the root, ``("end", line, node)`` when
    the file ends before its ``</OFX>`` (truncated): the line it ends on, the innermost open node
    of the tree."""
    tree = _Skeleton(getattr(tags, "take", None) if FAST else None)
    stack, lists = tree.stack, tree.lists
    end_line = 1
    for closing, name, selfclose, tail, line in tags:
        if closing is None:  # the end of the file
            end_line = line
            continue
        if closing:
            for i in range(len(stack) - 1, 0, -1):
                if stack[i].name == name:
                    yield from tree.close(i)
                    break
            continue
        parent = stack[-1]
        k = lists.get(id(parent))
        value = tail.strip()
        if selfclose or value:
            node = Node(name, "" if selfclose else html.unescape(value), line)
            parent.children.append(node)
            if k is not None:
                yield "tran", k, node
            elif name == "INVSTMTRS" and not tree.dropped:
                tree.n_stmt += 1
        elif k is None or tree.take is None:
            tree.open(name, line, k)
        else:  # a transaction: cut out whole if it is plain, and the plain ones right after it
            names = tree.names_around()
            raw = tree.take(name, names)
            if raw is None:
                tree.open(name, line, k)  # not plain: read tag by tag
            while raw is not None:
                yield "tran", k, raw
                raw = tags.take_next(names)
    yield from tree.finish(end_line)


class _Skeleton:
    """What :func:`_walk` has read so far: the tree less the transactions (``root``), the open
    aggregates (``stack``, transactions' own included) and which aggregates are statements and
    their transaction lists."""

    __slots__ = ("take", "root", "stack", "lists", "stmt_index", "n_stmt", "dropped", "around")

    def __init__(self, take):
        self.take = take  # :meth:`_Tags.take`, or None: every transaction read tag by tag
        self.root = Node("#root", None, 1)
        self.stack = [self.root]
        self.lists: dict[int, int] = {}  # id() of statement k's transaction list -> k
        self.stmt_index: dict[int, int] = {}  # id() of the k-th INVSTMTRS aggregate -> k
        self.n_stmt = 0
        self.dropped = 0  # transaction aggregates on the stack (not in the tree)
        self.around: dict[int, tuple[str, ...]] = {}  # id() of a transaction list -> the names it sits in

    def open(self, name: str, line: int, k: int | None) -> None:
        """Aggregate ``<name>`` opened in the innermost open one (statement k's transaction list,
        or ``k`` None): onto the stack, and into the tree unless it is or is inside a transaction.
        There a statement (INVSTMTRS) is numbered, and its first INVTRANLIST takes its number."""
        parent = self.stack[-1]
        node = Node(name, None, line)
        self.stack.append(node)
        if k is not None:
            self.dropped += 1
            return
        parent.children.append(node)
        if self.dropped:
            return
        if name == "INVSTMTRS":
            self.stmt_index[id(node)] = self.n_stmt
            self.n_stmt += 1
        elif name == "INVTRANLIST" and id(parent) in self.stmt_index and parent.child("INVTRANLIST") is node:
            self.lists[id(node)] = self.stmt_index[id(parent)]

    def names_around(self) -> tuple[str, ...]:
        """The names of the aggregates the innermost open one (a transaction list) sits in, and
        its own, as :meth:`_Tags.take` wants them."""
        stack = self.stack
        names = self.around.get(id(stack[-1]))
        if names is None:
            names = self.around[id(stack[-1])] = tuple(n.name for n in stack[1:])
        return names

    def close(self, first: int) -> Iterator[tuple[str, int, Node]]:
        """``stack[first]`` and the aggregates inside it closed: the transactions among them."""
        stack, lists = self.stack, self.lists
        for j in range(first, len(stack)):
            k = lists.get(id(stack[j - 1]))
            if k is not None:
                self.dropped -= 1
                yield "tran", k, stack[j]
        del stack[first:]

    def finish(self, end_line: int) -> Iterator[tuple[str, int, Node]]:
        """After the last tag (the file ends on ``end_line``): ``("end", ...)`` if the file is
        truncated, the transactions still open, then ``("root", -1, root)``."""
        stack = self.stack
        if any(n.name == "OFX" for n in stack[1:]):
            # the innermost open aggregate of the tree (a transaction's own are not in it)
            inner = next((j for j in range(1, len(stack)) if id(stack[j - 1]) in self.lists), len(stack))
            yield "end", end_line, stack[inner - 1]
        yield from self.close(1)  # a file that ends inside a transaction: the tree keeps what it read
        yield "root", -1, self.root


#: among the rows of a reader that shares the file (:class:`Share`): the end of one of its chunks
CHUNK_END = object()


class Share:
    """Which transactions this reader turns into rows when several processes read one file
    (:mod:`.ofx_pipe`). A *position* is the number of transactions before a point of the file;
    positions fall in chunks of ``size`` (the first chunk also holds what comes before the first
    transaction, the last what comes after the last). Reader ``index`` of ``readers`` owns the
    chunks ``c`` with ``c % readers == index``: it reads their transactions and statement
    figures, skips the others', and puts :data:`CHUNK_END` among its rows where each chunk of
    its own ends. The default, one reader, owns everything and marks nothing."""

    def __init__(self, index: int = 0, readers: int = 1, size: int = 0):
        self.index, self.readers, self.size = index, readers, size
        self.chunk = 0  # the chunk of the last position asked about
        self.next_end = size  # where that chunk ends

    def owns(self, pos: int) -> bool:
        return self.readers == 1 or (pos // self.size) % self.readers == self.index

    def marks(self, pos: int) -> Iterator:
        """:data:`CHUNK_END` for each chunk of this reader's that ends at or before ``pos``."""
        while self.size and pos >= self.next_end:
            if self.chunk % self.readers == self.index:
                yield CHUNK_END
            self.chunk += 1
            self.next_end += self.size

    def close(self) -> Iterator:
        """The end of the last chunk, if it is this reader's."""
        if self.size and self.chunk % self.readers == self.index:
            yield CHUNK_END


def _first_pass(path: Path, encoding: str) -> tuple[Node, bool, tuple[int, str] | None]:
    """The first pass of :meth:`OfxImporter.parse`: the tree without the transactions
    (:func:`_walk`), whether a transaction marks the file as a 401(k) statement, and the line the
    file ends on and the node it ends inside when it is cut short (else None)."""
    skeleton, plan_kind, cut = None, False, None
    for kind, line, node in _walk(_tags(path, encoding)):
        if kind == "root":
            skeleton = node
        elif kind == "end":
            cut = (line, node.name)
        elif not plan_kind:
            plan_kind = is_401k(_wrap(node.node() if isinstance(node, Raw) else node))
    return skeleton, plan_kind, cut


def _wrap(node: Node) -> Node:
    holder = Node("#holder", None, node.line)
    holder.children.append(node)
    return holder


_DATES: dict[str, dt.date] = {}  # OFX date texts already read (a statement repeats its dates)


def ofx_date(text: str | None, column: str) -> dt.date | None:
    if not text:
        return None
    d = _DATES.get(text)
    if d is not None:
        return d
    d = _read_date(text, column)
    if len(_DATES) < 20000:
        _DATES[text] = d
    return d


def _read_date(text: str, column: str) -> dt.date:
    digits = text.strip()[:8]
    if not (len(digits) == 8 and digits.isascii() and digits.isdigit()):
        raise CellError(column, f"not an OFX date: {text[:40]!r}")
    try:
        d = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise CellError(column, f"not an OFX date: {text[:40]!r}") from None
    problem = date_problem(d)
    if problem:
        raise CellError(column, f"date {d.isoformat()} {problem}")
    return d


class OfxImporter:
    """The built-in OFX adapter; its TOML profile only supplies source overrides."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.id = profile.id
        self.title = profile.title
        self.source_overrides = {
            k.upper(): v for k, v in (profile.section("sources").get("ofx") or {}).items()
        }

    def detect(self, head: Head) -> float:  # money-ok: a detection confidence, not money
        if head.facts.kind != "text":
            return 0.0
        text = head.text[:20000].upper()
        if "<OFX>" in text or "OFXHEADER" in text:
            return 1.0 if ("INVSTMTRS" in text or "INVTRANLIST" in text or "<OFX>" in text) else 0.7
        return 0.0

    # -------------------------------------------------------------- sources

    def _source(self, label: str | None, ctx: ParseContext) -> str:
        known = ctx.memo.setdefault("ofx sources", {})
        source = known.get(label)
        if source is None:
            source = known[label] = self._map_source(label, ctx)
        return source

    def _map_source(self, label: str | None, ctx: ParseContext) -> str:
        key = (label or "").strip().upper()
        if not key:
            return ctx.mapped_source("MISSING") or self.source_overrides.get("MISSING") or "unknown"
        mapped = ctx.mapped_source(key) or self.source_overrides.get(key)
        if mapped:
            return mapped
        if key in DEFAULT_SOURCES:
            return DEFAULT_SOURCES[key]
        if key in MUST_MAP:
            raise CellError(
                "INV401KSOURCE",
                f"{key} has no meaning of its own: map it for this plan "
                f"with --map {key}=SOURCE (e.g. {key}=roth_irr; it is saved in the plan's source map)",
            )
        raise CellError("INV401KSOURCE", f"unknown 401(k) source {key!r}")

    # -------------------------------------------------------------- parse

    def parse(self, path: Path, facts: FileFacts, ctx: ParseContext) -> Iterator[CanonicalRow]:
        """Two streaming passes, never the whole file or all its transactions in memory (a
        million-transaction statement reads in bounded memory). The first builds the tree without
        the transactions (:func:`_walk`), for the 401(k) check, the securities (listed after the
        transactions) and each statement's account, window, balances and year-to-date; the second
        hands each transaction to :meth:`_tran` as soon as it is complete. The rows, their order and
        the errors are those of reading the whole tree (:func:`parse_tree`)."""
        encoding = facts.encoding or "utf-8"
        first = ctx.memo.get("ofx first pass")  # .ofx_pipe: one reader's first pass serves all
        if first is not None:
            skeleton, plan_kind, cut = first(lambda: _first_pass(path, encoding))
        else:
            skeleton, plan_kind, cut = _first_pass(path, encoding)
        if cut is not None:
            from ..errors import UserError

            raise UserError(
                f"{ctx.file_label}:{cut[0]}: the file ends inside <{cut[1]}> (no </OFX>): truncated?"
            )
        if not (plan_kind or is_401k(skeleton)):
            from ..errors import UserError

            raise UserError(NOT_401K)
        if not ctx.plan:
            ctx.errors.add(1, "plan", "an OFX statement names no ledger plan: give --plan")
            return
        secs: dict[str, tuple[str | None, str | None]] = {}
        for info in skeleton.iter("SECINFO"):
            uid = info.get("SECID/UNIQUEID")
            if uid:
                secs[uid] = (info.get("SECNAME"), info.get("TICKER"))
        stmts = list(skeleton.iter("INVSTMTRS"))
        stream = (item for item in _walk(_tags(path, encoding, ctx.on_bytes)) if item[0] == "tran")
        yield from self._second_pass(stmts, stream, secs, ctx)

    def _second_pass(self, stmts: list[Node], stream, secs, ctx: ParseContext) -> Iterator[CanonicalRow]:
        """Each statement's rows: its transactions (``stream``: ``("tran", k, node)`` in file order,
        k the statement), then its balances and year-to-date check; only the parts this reader
        owns when several share the file (:class:`Share`, ``ctx.memo["ofx share"]``)."""
        share = ctx.memo.get("ofx share") or Share()
        other = replace(ctx, errors=ErrorCollector(ctx.file_label), notes=[], checks=[])
        pending = next(stream, None)
        t = 0  # transactions read so far: where in the file this is
        for k, stmt in enumerate(stmts):
            yield from share.marks(t)
            window_start = self._statement_begin(stmt, ctx if share.owns(t) else other)
            while pending is not None and pending[1] <= k:
                tran = pending[2]
                pending = next(stream, None)
                yield from share.marks(t)
                if share.owns(t):
                    yield from self._rows_of(tran, secs, ctx)
                t += 1
            yield from share.marks(t)
            if share.owns(t):
                yield from self._statement_end(stmt, ctx, window_start)
        yield from share.marks(t)
        if not stmts and share.owns(t):
            ctx.errors.add(1, "INVSTMTRS", "no investment statement in this OFX file")
        yield from share.close()

    def _rows_of(self, tran: Node | Raw, secs, ctx: ParseContext) -> list[CanonicalRow]:
        """The rows of one transaction (a bad one reported in ``ctx``, no rows). A plain one is
        read from its values (:meth:`.ofx_cut.Raw.view`); a bad one again from its tree, so the
        error and its line are the tree's."""
        if isinstance(tran, Raw):
            try:
                return self._tran(tran.view(), secs, ctx)
            except CellError:
                tran = tran.node()
        try:
            return self._tran(tran, secs, ctx)
        except CellError as exc:
            line = next((n.line for n in tran.iter(exc.column)), tran.line)
            ctx.errors.add(line, exc.column, exc.reason)
            return []

    @staticmethod
    def _statement_begin(stmt: Node, ctx: ParseContext) -> dt.date | None:
        """The statement's account id (the first statement's, for the import) and window start."""
        acct = (stmt.get("INVACCTFROM/ACCTID") or "").strip()
        if acct and ctx.account_id is None:
            broker = (stmt.get("INVACCTFROM/BROKERID") or "").strip()
            ctx.account_id = f"{broker}:{acct}" if broker else acct
        tranlist = stmt.child("INVTRANLIST")
        if tranlist is None:
            return None
        try:
            return ofx_date(tranlist.get("DTSTART"), "DTSTART")
        except CellError as exc:
            ctx.errors.add(tranlist.line_of("DTSTART"), exc.column, exc.reason)
            return None

    def _statement_end(
        self, stmt: Node, ctx: ParseContext, window_start: dt.date | None
    ) -> Iterator[CanonicalRow]:
        """The statement's balance rows, and its year-to-date check."""
        bal = stmt.child("INV401KBAL")
        if bal is not None:
            asof = stmt.get("DTASOF")
            try:
                yield from self._balances(bal, asof, ctx, window_start)
            except CellError as exc:
                ctx.errors.add(bal.line, exc.column, exc.reason)
        summary = stmt.child("INV401K")
        ytd = summary.child("INV401KSUMMARY") if summary is not None else None
        ytd = ytd.child("YEARTODATE") if ytd is not None else None
        if ytd is not None:
            try:
                check = self._year_to_date(ytd, ctx)
            except CellError as exc:
                ctx.errors.add(next((n.line for n in ytd.iter(exc.column)), ytd.line), exc.column, exc.reason)
            else:
                if check is not None:
                    ctx.checks.append(check)

    def _tran(self, tran: Node, secs, ctx: ParseContext) -> list[CanonicalRow]:
        """The rows of one transaction, none for one that moves no plan-side money: where its
        values are (:func:`_parts_of`), its texts (:func:`_texts`), its source, shares, price, amount
        and type (:meth:`_amount_and_type`), read in that order (the first problem is the one
        reported), then its rows (:func:`_make_rows`)."""
        parts = _parts_of(tran)
        if parts is None:
            return []  # INVBANKTRAN, JRNLFUND, JRNLSEC, SPLIT, CLOSUREOPT...: no plan-side money
        kind, body, inv, date = parts
        texts = _texts(tran, body, inv)
        units, price = texts["UNITS"], texts["UNITPRICE"]
        source = self._source(texts["INV401KSOURCE"], ctx)
        memo = _undoubled(texts["MEMO"])
        shares = parse_decimal_text(units, "UNITS", "unit count") if units else None
        price_t = abs_text(parse_decimal_text(price, "UNITPRICE", "price")) if price else None
        amount = self._amount_and_type(kind, tran, body, texts, source, memo)
        return _make_rows(tran, inv, texts, date, source, memo, shares, price_t, amount, secs, ctx.plan)

    def _amount_and_type(
        self, kind: str, tran: Node, body: Node, texts: dict[str, str | None], source: str, memo: str | None
    ) -> tuple[int, str, str, list[tuple[str, int]]]:
        """(cents, type, type label, loan parts) of a transaction of ``kind`` (see :func:`_parts_of`)
        before a reversal's sign: OFX's cash-side sign is flipped, so money into the account is
        positive. Loan parts (:meth:`_loan_parts`) only for a loan repayment."""
        name, total = tran.name, texts["TOTAL"]
        if kind == "buy":
            cents = abs(self._total(total))
            if texts["LOANID"]:
                # the loan test comes first: a repayment into ROLLOVER money is not a rollover
                return cents, "loan_repayment", name, self._loan_parts(body, cents)
            typ = "rollover_in" if source in ("rollover", "roth_rollover") else "contribution"
            return cents, typ, name, []
        if kind == "sell":
            return -abs(self._total(total)), "loan_issue" if texts["LOANID"] else "exchange_out", name, []
        if kind in ("reinvest", "income"):
            cents, typ, type_label = self._income(tran, total)
            return cents, typ, type_label, []
        if kind == "transfer":
            cents, typ, type_label = self._transfer(tran, texts, memo)
            return cents, typ, type_label, []
        if kind == "invexpense":
            return -abs(self._total(total)), "fee", name, []
        return self._total(total), "adjustment", name, []  # retofcap

    def _income(self, tran: Node, total: str | None) -> tuple[int, str, str]:
        """(cents, type, type label) of a REINVEST or INCOME: the type its INCOMETYPE names
        (:data:`INCOME_TYPES`)."""
        itype = (tran.get("INCOMETYPE") or "").upper()
        type_label = f"{tran.name} {itype}".strip()
        typ = INCOME_TYPES.get(itype)
        if typ is None:
            raise CellError("INCOMETYPE", f"unknown income type {itype!r}")
        return abs(self._total(total)), typ, type_label

    def _transfer(self, tran: Node, texts: dict[str, str | None], memo: str | None) -> tuple[int, str, str]:
        """(cents, type, type label) of a TRANSFER: IN -> ``exchange_in``, OUT -> ``exchange_out``
        (``fee`` when its memo says expense/fee); the amount TOTAL if given, else UNITS x UNITPRICE
        to the cent."""
        action = (tran.get("TFERACTION") or "").upper()
        if action not in ("IN", "OUT"):
            raise CellError("TFERACTION", f"TRANSFER needs TFERACTION IN or OUT, not {action!r}")
        total = texts["TOTAL"]
        if total:
            cents = abs(self._total(total))
        else:
            cents = abs(self._units_value(texts["UNITS"], texts["UNITPRICE"]))
        if action == "OUT":
            return -cents, "fee" if memo and _FEE_MEMO.search(memo) else "exchange_out", "TRANSFER OUT"
        return cents, "exchange_in", "TRANSFER IN"

    @staticmethod
    def _loan_parts(body: Node, cents: int) -> list[tuple[str, int]]:
        """(type, cents) of a loan repayment: principal -> ``loan_repayment``, interest ->
        ``loan_interest`` (the interest a participant pays on a plan loan is plan earnings, not a
        contribution: Treas. Reg. 1.415(c)-1(b)(3); IRC 72(p)). Without a split: all principal."""
        principal = body.get("LOANPRINCIPAL")
        interest = body.get("LOANINTEREST")
        p = abs(parse_cents(principal.strip(), "LOANPRINCIPAL")) if principal and principal.strip() else None
        i = abs(parse_cents(interest.strip(), "LOANINTEREST")) if interest and interest.strip() else None
        if p is None and i is None:
            return [("loan_repayment", abs(cents))]
        if p is None:
            p = abs(cents) - i
        if i is None:
            i = abs(cents) - p
        if p < 0 or i < 0 or p + i != abs(cents):
            raise CellError(
                "LOANPRINCIPAL",
                f"LOANPRINCIPAL {principal or '-'} + LOANINTEREST {interest or '-'} "
                f"do not add up to TOTAL {_money(abs(cents))}",
            )
        parts = [("loan_repayment", p)] if p else []
        if i:
            parts.append(("loan_interest", i))
        return parts or [("loan_repayment", 0)]

    @staticmethod
    def _total(total: str | None) -> int:
        if total is None or not total.strip():
            raise CellError("TOTAL", "missing TOTAL")
        return parse_cents(total.strip(), "TOTAL")

    @staticmethod
    def _units_value(units: str | None, price: str | None) -> int:
        if units is None or price is None or len(units) > 40 or len(price) > 40:
            raise CellError("UNITS", "TRANSFER without TOTAL needs UNITS and UNITPRICE (numbers)")
        try:
            value = (Decimal(units) * Decimal(price)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except (DecimalException, TypeError):
            raise CellError("UNITS", "TRANSFER without TOTAL needs UNITS and UNITPRICE (numbers)") from None
        if not value.is_finite():
            raise CellError("UNITS", f"UNITS x UNITPRICE is not a number: {units[:40]} x {price[:40]}")
        cents = int(value * 100)
        if cents_problem(cents):
            raise CellError("UNITS", f"UNITS x UNITPRICE = {value} {cents_problem(cents)}")
        return cents

    def _balances(
        self, bal: Node, asof: str | None, ctx: ParseContext, window_start: dt.date | None = None
    ) -> Iterator[CanonicalRow]:
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
                if cents and node.name in MUST_MAP:
                    # a label seen only in the balance aggregate: nothing to map on any row, so it
                    # does not stop the import; its balance is simply not checked
                    ctx.notes.append(
                        f"{ctx.file_label}:{node.line}: INV401KBAL {node.name} {_money(cents)} not checked: "
                        f"{node.name} is not mapped for this plan (--map {node.name}=SOURCE to check it)"
                    )
                    continue
                if cents == 0:
                    continue
                raise
            raw = {"element": "INV401KBAL", node.name: node.value}
            if window_start is not None:
                raw["DTSTART"] = window_start.isoformat()
            yield CanonicalRow(
                date=date,
                plan=ctx.plan,
                source=source,
                type="balance",
                amount_cents=cents,
                line=node.line,
                source_label=node.name,
                type_label="INV401KBAL",
                raw=raw,
            )

    def _year_to_date(self, ytd: Node, ctx: ParseContext) -> YearToDate | None:
        """INV401KSUMMARY/YEARTODATE/CONTRIBUTIONS (OFX 2.x 13.9.3.1) as a check for the store."""
        contrib = ytd.child("CONTRIBUTIONS")
        if contrib is None:
            return None
        start = ofx_date(ytd.get("DTSTART"), "DTSTART")
        end = ofx_date(ytd.get("DTEND"), "DTEND")
        if start is None or end is None:
            raise CellError("DTSTART" if start is None else "DTEND", "YEARTODATE needs DTSTART and DTEND")
        if end < start:
            raise CellError("DTEND", f"YEARTODATE ends ({end}) before it starts ({start})")
        by_source: dict[str, int] = {}
        unmapped: list[str] = []
        for node in contrib.children:
            if node.value is None or node.name == "TOTAL":
                continue
            cents = parse_cents(node.value, node.name)
            try:
                source = self._source(node.name, ctx)
            except CellError:
                unmapped.append(node.name)
                continue
            by_source[source] = by_source.get(source, 0) + cents
        total = contrib.get("TOTAL")
        return YearToDate(
            plan=ctx.plan or "",
            start=start,
            end=end,
            by_source=by_source,
            total_cents=parse_cents(total, "TOTAL") if total else None,
            unmapped=tuple(unmapped),
            line=contrib.line,
        )


def _parts_of(tran: Node) -> tuple[str, Node, Node, dt.date] | None:
    """A transaction's kind (``buy``, ``sell``, ``reinvest``, ``income``, ``transfer``,
    ``invexpense``, ``retofcap``), the aggregate holding its values (its INVBUY/INVSELL for a
    BUY*/SELL*, else itself), its INVTRAN and its trade date; None for any other transaction."""
    name = tran.name
    if name.startswith("BUY"):
        body, kind = tran.child("INVBUY"), "buy"
    elif name.startswith("SELL"):
        body, kind = tran.child("INVSELL"), "sell"
    elif name in ("REINVEST", "INCOME", "TRANSFER", "INVEXPENSE", "RETOFCAP"):
        body, kind = tran, name.lower()
    else:
        return None
    if body is None:
        raise CellError(name, f"{name} without its INVBUY/INVSELL aggregate")
    inv = body.child("INVTRAN")
    if inv is None:
        raise CellError("INVTRAN", f"{name} without INVTRAN")
    date = ofx_date(inv.get("DTTRADE"), "DTTRADE")
    if date is None:
        raise CellError("DTTRADE", "missing trade date")
    return kind, body, inv, date


def _texts(tran: Node, body: Node, inv: Node) -> dict[str, str | None]:
    """A transaction's texts as written (None: absent) by element name, ``element`` its own name,
    in the order a row's ``raw`` keeps those that are not empty. INV401KSOURCE is the
    transaction's own, else its INVBUY/INVSELL's."""
    return {
        "element": tran.name,
        "FITID": inv.get("FITID"),
        "INV401KSOURCE": tran.get("INV401KSOURCE") or body.get("INV401KSOURCE"),
        "TOTAL": body.get("TOTAL"),
        "UNITS": body.get("UNITS"),
        "UNITPRICE": body.get("UNITPRICE"),
        "MEMO": inv.get("MEMO"),
        "REVERSALFITID": inv.get("REVERSALFITID"),
        "UNIQUEID": body.get("SECID/UNIQUEID"),
        "DTPAYROLL": body.get("DTPAYROLL"),
        "PRIORYEARCONTRIB": body.get("PRIORYEARCONTRIB"),
        "LOANID": body.get("LOANID"),
        "LOANPRINCIPAL": body.get("LOANPRINCIPAL"),
        "LOANINTEREST": body.get("LOANINTEREST"),
    }


def _undoubled(memo: str | None) -> str | None:
    """``memo`` less its second half when that repeats the first (Vanguard doubles some memos end
    to end)."""
    if memo and len(memo) % 2 == 0 and memo[: len(memo) // 2] == memo[len(memo) // 2 :]:
        return memo[: len(memo) // 2]
    return memo


def _make_rows(tran, inv, texts, date, source, memo, shares, price, amount, secs, plan) -> list[CanonicalRow]:
    """The rows of a transaction :meth:`OfxImporter._tran` has read (``amount``: its
    :meth:`OfxImporter._amount_and_type`), each one's bounds checked: a reversal's amount negated
    (the reversal is its own row), the shares signed like the amount; two rows for a loan
    repayment of principal and interest in one BUY (:func:`_loan_rows`)."""
    cents, typ, type_label, loan_parts = amount
    reverses, uid = texts["REVERSALFITID"], texts["UNIQUEID"]
    if reverses:
        cents = -cents
    if shares is not None and cents and (cents < 0) != shares.startswith("-"):
        shares = negate_text(shares)
    # PRIORYEARCONTRIB=Y: the prior tax year; a loan repayment belongs to no contribution year
    prior = (texts["PRIORYEARCONTRIB"] or "").upper() == "Y" and not loan_parts
    row = CanonicalRow(
        date=date,
        plan=plan,
        source=source,
        type=loan_parts[0][0] if loan_parts else typ,
        amount_cents=cents,
        line=tran.line,
        payroll_date=ofx_date(texts["DTPAYROLL"], "DTPAYROLL"),
        settle_date=ofx_date(inv.get("DTSETTLE"), "DTSETTLE"),
        source_label=texts["INV401KSOURCE"],
        type_label=type_label,
        fund=secs.get(uid or "", (None, None))[0],
        fund_id=uid,
        shares=shares,
        price=price,
        tax_year=date.year - 1 if prior else None,
        external_id=texts["FITID"],
        reverses=reverses,
        memo=memo,
        raw={k: v for k, v in texts.items() if v},
    )
    if len(loan_parts) > 1:
        return _loan_rows(row, loan_parts)
    check_row_bounds(row)
    return [row]


#: a row's field values in order (a copy of the row is ``CanonicalRow(*_ROW_VALUES(row))``)
_ROW_VALUES = operator.attrgetter(*(f.name for f in fields(CanonicalRow) if f.init))


def _loan_rows(row: CanonicalRow, loan_parts: list[tuple[str, int]]) -> list[CanonicalRow]:
    """The rows of a loan repayment of both principal and interest in one BUY (``row``: the
    whole of it), each one's bounds checked: one per part (:meth:`OfxImporter._loan_parts`), the
    interest one with its own identity (``FITID:interest``) and no shares."""
    sign = -1 if row.amount_cents < 0 else 1
    fitid, reverses = row.external_id, row.reverses
    made = []
    for t, part in loan_parts:
        part_row = CanonicalRow(*_ROW_VALUES(row))
        part_row.type, part_row.amount_cents = t, sign * part
        if t != "loan_repayment":
            part_row.shares = None
        if t == "loan_interest":
            part_row.external_id = f"{fitid}:interest" if fitid else fitid
            part_row.reverses = f"{reverses}:interest" if reverses else reverses
        check_row_bounds(part_row)
        made.append(part_row)
    return made


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def is_401k(root: Node) -> bool:
    """Whether an OFX tree holds a 401(k)/403(b) statement (any of the OFX 2.x 401(k) elements)."""
    for name in ("INV401K", "INV401KBAL", "INV401KSOURCE"):
        if next(root.iter(name), None) is not None:
            return True
    return any((n.value or "").strip().upper() in PLAN_PRODUCT_TYPES for n in root.iter("USPRODUCTTYPE"))


@dataclass(frozen=True)
class YearToDate:
    """A statement's year-to-date contributions per ledger source, to check against the ledger."""

    plan: str
    start: dt.date
    end: dt.date
    by_source: dict[str, int]
    total_cents: int | None
    unmapped: tuple[str, ...]
    line: int
