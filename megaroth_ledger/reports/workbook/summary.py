"""The Summary sheet: headroom per employer, contributions by source, conversions, Form 1040
taxable amounts, warnings with what to do, and the contributions chart."""

from __future__ import annotations

from decimal import Decimal

from ...vocab import AFTER_TAX_SOURCES, EMPLOYER_SOURCES
from ..advice import advice_for
from .charts import columns_and_line
from .data import BuildState, WorkbookData
from .forms import LINES_1040
from .writer import Col, Sheet, money, subtitle

SUMMARY_WIDTHS = (30, 48, 16, 16, 16, 16, 16, 60)


def collect_warnings(data: WorkbookData) -> list[tuple[int | None, str, dict]]:
    """Every warning the payloads carry, as (tax year, where from, warning), in the order the
    Summary lists them: per year headroom, Form 1040, 1099-R, Form 8606; then the clocks'."""
    out: list[tuple[int | None, str, dict]] = []
    for year in data.years:
        for origin, payload in (
            ("headroom", data.headroom.get(year)),
            ("Form 1040", data.form_1040.get(year)),
            ("1099-R", data.form_1099r.get(year)),
            ("Form 8606", data.form_8606.get(year)),
            ("IRA limits", data.ira_limits.get(year)),
        ):
            out += [
                (year, origin, w if isinstance(w, dict) else {"code": "NOTE", "message": w})
                for w in (payload or {}).get("warnings", [])
            ]
        out += [(year, "megaroth check", w) for w in data.checks.get(year, [])]
    if data.clocks:
        out += [
            (None, "clocks", w if isinstance(w, dict) else {"code": "NOTE", "message": w})
            for w in data.clocks.get("warnings", [])
        ]
    return out


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    totals = state.totals
    warnings = collect_warnings(data)
    # column A holds the warning codes unwrapped (a code broken mid-word cannot be searched for)
    code_width = max([SUMMARY_WIDTHS[0]] + [len(str(w.get("code") or "")) * 1.15 + 2 for _, _, w in warnings])
    s.setup((code_width,) + SUMMARY_WIDTHS[1:], 2)
    s.title(f"Mega Backdoor Roth year-end summary: {data.person}", subtitle(data))
    n = len(SUMMARY_WIDTHS)

    for year in data.years:
        s.blank()
        s.section(f"Tax year {year}", n)
        h = data.headroom.get(year)
        s.append([s.cell("Headroom per employer", style="label")])
        if h is None:
            s.note(data.unavailable.get("headroom", "Headroom not available."))
        else:
            lim = h.get("limits", {})
            s.append(
                [
                    s.cell("§402(g) limit"),
                    s.cell(""),
                    s.cell(lim.get("elective_deferral"), "money"),
                    s.cell("Catch-up limit"),
                    s.cell(lim.get("catch_up"), "money"),
                    s.cell("§415(c) limit"),
                    s.cell(lim.get("annual_additions"), "money"),
                ]
            )
            s.append(
                [
                    s.cell("Elective deferrals (all employers)"),
                    s.cell(""),
                    s.cell(h.get("elective_deferrals"), "money"),
                    s.cell("Catch-up used"),
                    s.cell(h.get("catch_up_used"), "money"),
                    s.cell("Excess deferrals"),
                    s.cell(h.get("excess_deferrals"), "money"),
                ]
            )
            cols = (
                Col("Employer", "employer"),
                Col("Plans", "plans"),
                Col("415(c) limit", "annual_additions_limit", "money"),
                Col("Deferrals counted", "elective_deferrals_counted", "money"),
                Col("Employer contributions", "employer_contributions", "money"),
                Col("After-tax contributions", "after_tax_contributions", "money"),
                Col("After-tax room", "after_tax_room", "money"),
                Col("After-tax per remaining paycheck", "per_paycheck_after_tax", "money"),
            )
            s.table(cols, h.get("employers", []), "No employers.")

        s.append([s.cell("Contributions by source", style="label")])
        by_src = totals.get(year, {})
        if by_src:
            s.header([Col("Source", ""), Col("Amount", "")])
            for src, amt in sorted(by_src.items()):
                s.append([s.cell(src), s.cell(amt, "money")])
            s.append(
                [
                    s.cell("Total", style="label"),
                    s.cell(sum(by_src.values(), Decimal("0.00")), "money", style="money_total"),
                ]
            )
        else:
            s.note("No contributions recorded.")

        convs = [c for c in data.conversions if c.get("tax_year") == year]
        s.append([s.cell("Conversions", style="label")])
        if convs:
            gross = sum((money(c.get("gross")) or Decimal(0) for c in convs), Decimal("0.00"))
            taxable = sum((money(c.get("taxable")) or Decimal(0) for c in convs), Decimal("0.00"))
            s.append(
                [
                    s.cell(f"{len(convs)} conversion(s), gross"),
                    s.cell(""),
                    s.cell(gross, "money"),
                    s.cell("Taxable part"),
                    s.cell(taxable, "money"),
                ]
            )
        else:
            s.note("No conversions.")

        s.append([s.cell("Taxable amounts (Form 1040)", style="label")])
        f1040 = data.form_1040.get(year)
        if f1040 is None:
            s.note(
                data.unavailable.get(f"forms:{year}")
                or data.unavailable.get("forms", "Form 1040 lines not available.")
            )
        else:
            lines = f1040.get("lines", {})
            for line, wording in LINES_1040.items():
                s.append([s.cell(f"Line {line}"), s.cell(wording), s.cell(lines.get(line), "money")])
        lim = data.ira_limits.get(year)
        if lim is not None:
            s.append([s.cell("IRA contributions and limits", style="label")])
            s.append(
                [
                    s.cell("IRA limit (traditional + Roth)"),
                    s.cell(""),
                    s.cell(lim.get("limit"), "money"),
                    s.cell("Traditional"),
                    s.cell(lim.get("traditional"), "money"),
                    s.cell("Roth"),
                    s.cell(lim.get("roth"), "money"),
                ]
            )
            s.append(
                [
                    s.cell("Roth IRA limit at this MAGI"),
                    s.cell(""),
                    s.cell(lim.get("roth_allowed"), "money"),
                    s.cell("Deductible at most"),
                    s.cell(lim.get("deductible_limit"), "money"),
                    s.cell("Excess"),
                    s.cell(
                        (money(lim.get("traditional_excess")) or Decimal(0))
                        + (money(lim.get("roth_excess")) or Decimal(0)),
                        "money",
                    ),
                ]
            )

    s.blank()
    s.section("Warnings and what to do", n)
    s.header(
        [
            Col("Code", ""),
            Col("Message", ""),
            Col("From", ""),
            Col("Tax year", ""),
            Col("", ""),
            Col("", ""),
            Col("", ""),
            Col("What to do", ""),
        ]
    )
    if not warnings:
        s.note("No warnings.")
    for year, origin, w in warnings:
        advice = advice_for(w)
        s._fit_height([(w.get("message"), SUMMARY_WIDTHS[1]), (advice, SUMMARY_WIDTHS[7])])
        s.append(
            [
                s.cell(w.get("code")),
                s.cell(w.get("message"), "wrap"),
                s.cell(origin),
                s.cell(year, "int"),
                None,
                None,
                None,
                s.cell(advice, "wrap"),
            ]
        )

    # Chart 1: contributions by source against the §415(c) limit, per year.
    s.blank()
    s.section("Contributions by year (chart data)", n)
    s.header(
        [
            Col("Year", ""),
            Col("Pre-tax", ""),
            Col("Roth", ""),
            Col("After-tax", ""),
            Col("Employer", ""),
            Col("§415(c) limit", ""),
        ]
    )
    first = s.row + 1
    for year in data.years:
        src = totals.get(year, {})
        pick = lambda keys: sum((v for k, v in src.items() if k in keys), Decimal("0.00"))  # noqa: E731
        lim = ((data.headroom.get(year) or {}).get("limits") or {}).get("annual_additions")
        s.append(
            [
                s.cell(str(year)),
                s.cell(pick({"pretax"}), "money"),
                s.cell(pick({"roth"}), "money"),
                s.cell(pick(AFTER_TAX_SOURCES), "money"),
                s.cell(pick(EMPLOYER_SOURCES), "money"),
                s.cell(lim, "money"),
            ]
        )
    last = s.row
    if data.years and any(totals.get(y) for y in data.years):
        columns_and_line(
            s,
            "Contributions by source vs the §415(c) limit",
            bars=(2, 5),
            line=6,
            first=first,
            last=last,
            anchor=f"A{last + 2}",
            stacked=True,
            line_color="C00000",
        )
