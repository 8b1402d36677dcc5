"""Pure post-processing of parsed rows: transfer pairing, conversion detection, identities.

Pairing (profile ``[derive] pair_transfers``, always on for OFX and the canonical CSV):
``exchange_*`` / ``conversion_*`` legs are held back (they are few) and, at the end of the
file, grouped by ``transfer_group`` when the file gives one, else paired on the same date
by equal absolute amount (same fund first). A pair that moves money from a non-Roth source
(after-tax, pre-tax, ...) into ``roth`` or ``roth_irr`` is an in-plan Roth conversion: its
legs become ``conversion_out`` / ``conversion_in``. Every other row streams straight
through, so memory stays flat on big files.

Identity (statement-formats.md 5.6): ``fitid:<FITID>`` when the file has one, else
``h:<date>:<hash>:<occurrence>`` where the hash covers the normalized (plan, date, fund id or
name, source label, type label, shares, amount) and the occurrence counts earlier identical
rows *in the same file*, so two genuinely identical rows both stay while re-importing the
same file (or an overlapping one) adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator

from .rows import CanonicalRow
from .text import cents_text

TRANSFER_TYPES = frozenset({"exchange_out", "exchange_in", "conversion_out", "conversion_in"})
ROTH_TARGETS = frozenset({"roth", "roth_irr"})
NOT_CONVERTIBLE = frozenset({"roth", "roth_irr", "roth_rollover", "employer_roth", "unknown"})


def pair_transfers(rows: Iterable[CanonicalRow]) -> Iterator[CanonicalRow]:
    """Stream ``rows`` through, pairing transfer legs at the end (see module docstring)."""
    held: list[CanonicalRow] = []
    for row in rows:
        if row.type in TRANSFER_TYPES:
            held.append(row)
        else:
            yield row
    if not held:
        return
    grouped: dict[tuple, list[CanonicalRow]] = defaultdict(list)
    for row in held:
        if row.transfer_group:
            grouped[(row.plan, "g", row.transfer_group)].append(row)
        else:
            grouped[(row.plan, "d", row.date)].append(row)
    for key, legs in grouped.items():
        if key[1] == "g":
            _classify_group(legs)
        else:
            _pair_by_amount(legs)
    held.sort(key=lambda r: r.line)
    yield from held


def _is_conversion(out_source: str, in_source: str) -> bool:
    return out_source != in_source and in_source in ROTH_TARGETS and out_source not in NOT_CONVERTIBLE


def _classify_group(legs: list[CanonicalRow]) -> None:
    outs = {r.source for r in legs if r.amount_cents < 0}
    ins = {r.source for r in legs if r.amount_cents > 0}
    if outs and ins and all(_is_conversion(o, i) for o in outs for i in ins):
        for r in legs:
            r.type = "conversion_out" if r.amount_cents < 0 else "conversion_in"
            _irr_year(r)


def _irr_year(row: CanonicalRow) -> None:
    if row.type == "conversion_in" and row.source == "roth_irr" and row.irr_year is None:
        row.irr_year = row.date.year


def _pair_by_amount(legs: list[CanonicalRow]) -> None:
    outs = [r for r in legs if r.amount_cents < 0]
    ins = [r for r in legs if r.amount_cents > 0]
    used: set[int] = set()
    conv_pairs: list[tuple[CanonicalRow, CanonicalRow]] = []
    for same_fund in (True, False):
        for o in outs:
            if id(o) in used:
                continue
            for i in ins:
                if id(i) in used or i.amount_cents != -o.amount_cents:
                    continue
                if same_fund and (i.fund_id or i.fund) != (o.fund_id or o.fund):
                    continue
                used.add(id(o))
                used.add(id(i))
                if _is_conversion(o.source, i.source) or (
                    o.type == "conversion_out" and i.type == "conversion_in"
                ):
                    conv_pairs.append((o, i))
                break
    if not conv_pairs:
        return
    group = f"auto:{legs[0].date.isoformat()}"
    for o, i in conv_pairs:
        o.type, i.type = "conversion_out", "conversion_in"
        for r in (o, i):
            if not r.transfer_group:
                r.transfer_group = group
            _irr_year(r)


def _norm_num(text: str | None) -> str:
    """Shares as compared for identity: ``1.50`` (CSV) and ``1.5`` (the same cell in XLSX) agree."""
    if not text:
        return ""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-", "-0") else text


def identity_base(row: CanonicalRow, plan: str) -> str:
    """``fitid:<FITID>``, or ``h:<date>:<hash>`` still without its occurrence (module docstring).

    The date prefix keeps the unique index's inserts local (files are in date order, or
    reverse date order), which keeps big imports fast; the hash alone identifies.
    """
    if row.external_id:
        return "fitid:" + row.external_id
    date = row.date.isoformat()
    key = "\x1f".join(
        (
            plan,
            date,
            row.fund_id or row.fund or "",
            row.source_label or row.source,
            row.type_label or row.type,
            _norm_num(row.shares),
            cents_text(row.amount_cents),
        )
    )
    return f"h:{date}:{hashlib.blake2b(key.encode(), digest_size=16).hexdigest()}"


def with_occurrence(base: str, seen: set[int], dupes: dict[int, int]) -> str:
    """Append the occurrence count of ``base`` within this file (``seen``/``dupes`` per file)."""
    if base[0] == "f":
        return base
    first = base + ":0"
    h = hash(first)  # the key of a base is the hash of its first identity (see store: per chunk)
    if h in seen:
        occ = dupes.get(h, 0) + 1
        dupes[h] = occ
        return f"{base}:{occ}"
    seen.add(h)
    return first


def row_identity(row: CanonicalRow, plan: str, seen: set[int], dupes: dict[int, int]) -> str:
    """The row's de-duplication key (module docstring). ``seen``/``dupes`` are per file."""
    return with_occurrence(identity_base(row, plan), seen, dupes)
