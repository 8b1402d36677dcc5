"""The Paychecks sheet: one row per pay date x plan x source with running year-to-date totals
against §402(g) and §415(c)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from ...vocab import AFTER_TAX_SOURCES, DEFERRAL_SOURCES, EMPLOYER_SOURCES
from .data import BuildState, WorkbookData
from .writer import Col, Sheet, money, subtitle

PAYCHECK_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Pay date", "date", "date", 12),
    Col("Plan", "plan", "wrap", 16),
    Col("Employer", "employer", "wrap", 18),
    Col("Source", "source", "text", 12),
    Col("Amount", "amount", "money", 14),
    Col("YTD deferrals (all employers)", "ytd_deferrals", "money", 17),
    Col("402(g) + catch-up limit", "deferral_limit", "money", 16),
    Col("Deferral room left", "deferral_room", "money", 16),
    Col("YTD 415(c) additions (employer)", "ytd_additions", "money", 17),
    Col("415(c) limit (employer)", "additions_limit", "money", 16),
    Col("415(c) room left", "additions_room", "money", 16),
)


def running_paychecks(rows: Iterable[Mapping[str, Any]], headroom: Mapping[int, dict]) -> Iterator[dict]:
    """Pay rows with running year-to-date totals against §402(g) and §415(c).

    Deferrals (pretax, roth) accumulate per person across all employers against the §402(g)
    limit plus the catch-up the person is eligible for (``headroom[year]["limits"]``); the part
    of a paycheck's deferral above the §402(g) limit, up to the catch-up limit, is catch-up and
    is not an annual addition (IRC 414(v)(3)(A)) - attributed to the paycheck that crosses
    the limit. Annual additions (deferrals without catch-up, employer contributions,
    after-tax) accumulate per employer against that employer's limit from the headroom
    payload (min of §415(c) and compensation). A 457(b) plan's deferrals have their own limit
    (IRC 457(e)(15)) and are tracked per plan, outside §402(g) and §415(c).
    """
    year = None
    for r in rows:
        amount = money(r["amount"])
        if r["tax_year"] != year:
            year = r["tax_year"]
            h = headroom.get(year)
            lim = (h or {}).get("limits") or {}
            g = money(lim.get("elective_deferral"))
            cu = money(lim.get("catch_up")) or Decimal("0.00")
            employer_limit = {}
            for e in (h or {}).get("employers", []):
                employer_limit[e["employer"]] = money(e.get("annual_additions_limit"))
            plan_457_limit = {p["plan"]: money(p.get("limit")) for p in (h or {}).get("plans_457b", [])}
            ytd_def = Decimal("0.00")
            ytd_457: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
            ytd_add: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        src = r["source"]
        out = dict(r)
        employer = r.get("employer")
        if r.get("plan_kind") == "457b":
            if src in DEFERRAL_SOURCES:
                ytd_457[r["plan"]] += amount
            lim457 = plan_457_limit.get(r["plan"], None if g is None else g + cu)
            out["ytd_deferrals"] = ytd_457[r["plan"]]
            out["deferral_limit"] = lim457
            out["deferral_room"] = None if lim457 is None else lim457 - ytd_457[r["plan"]]
            yield out
            continue
        counted = Decimal("0.00")
        if src in DEFERRAL_SOURCES:
            before = ytd_def
            ytd_def += amount
            catch_up = Decimal("0.00")
            if g is not None:
                catch_up = _clamp(ytd_def - g, cu) - _clamp(before - g, cu)
            counted = amount - catch_up
        elif src in EMPLOYER_SOURCES or src in AFTER_TAX_SOURCES:
            counted = amount
        ytd_add[employer] += counted
        limit = employer_limit.get(employer)
        out["ytd_deferrals"] = ytd_def
        out["deferral_limit"] = None if g is None else g + cu
        out["deferral_room"] = None if g is None else g + cu - ytd_def
        out["ytd_additions"] = ytd_add[employer]
        out["additions_limit"] = limit
        out["additions_room"] = None if limit is None else limit - ytd_add[employer]
        yield out


def _clamp(x: Decimal, hi: Decimal) -> Decimal:
    return min(max(x, Decimal("0.00")), hi)


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    """Streams the pay rows (written first: its totals feed the Summary)."""

    def tally(rows: Iterable[dict]) -> Iterator[dict]:
        for r in rows:
            state.totals[r["tax_year"]][r["source"]] += money(r["amount"])
            yield r

    s.setup([c.width for c in PAYCHECK_COLS], 3)
    s.title("Paychecks: contributions by pay date and source, with year-to-date limits", subtitle(data))
    state.counts["Paychecks"] = s.table(
        PAYCHECK_COLS,
        running_paychecks(tally(data.paychecks), data.headroom),
        data.unavailable.get("Paychecks", "No contributions recorded for these years."),
        fast=True,
    )
