"""The Form 8606 and Form 1040 lines sheets: one row per line with its short wording and how it
was computed."""

from __future__ import annotations

from collections.abc import Mapping

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, subtitle

#: Form 8606 line wording in short (2023 form text, see tax-rules.md section (d)).
LINES_8606 = {
    "1": "Nondeductible contributions to traditional IRAs for the year",
    "2": "Total basis in traditional IRAs (prior year's line 14)",
    "3": "Add lines 1 and 2",
    "4": "Contributions on line 1 made Jan 1 - Apr 15 of next year",
    "5": "Line 3 minus line 4",
    "6": "Value of all traditional/SEP/SIMPLE IRAs on Dec 31 (+ outstanding rollovers)",
    "7": "Distributions from traditional/SEP/SIMPLE IRAs (not converted)",
    "8": "Net amount converted to Roth IRAs",
    "9": "Add lines 6, 7 and 8",
    "10": "Line 5 / line 9 (at least 3 places, at most 1.000)",
    "11": "Line 8 x line 10: nontaxable part of conversions",
    "12": "Line 7 x line 10: nontaxable part of distributions",
    "13": "Add lines 11 and 12",
    "14": "Line 3 minus line 13: total basis carried forward",
    "15a": "Line 7 minus line 12",
    "15b": "Part of 15a from qualified disaster distributions",
    "15c": "Taxable amount (to Form 1040 line 4b)",
    "16": "Amount converted to Roth IRAs",
    "17": "Basis in the amount converted",
    "18": "Taxable amount of conversions (to Form 1040 line 4b)",
    "19": "Nonqualified Roth IRA distributions",
    "20": "Qualified first-time homebuyer expenses",
    "21": "Line 19 minus line 20",
    "22": "Basis in regular Roth IRA contributions",
    "23": "Line 21 minus line 22",
    "24": "Basis in conversions and plan rollovers to Roth IRAs",
    "25a": "Line 23 minus line 24",
    "25b": "Part of 25a from qualified disaster distributions",
    "25c": "Taxable amount (to Form 1040 line 4b)",
}
LINES_1040 = {
    "4a": "IRA distributions (gross)",
    "4b": "IRA distributions, taxable amount",
    "5a": "Pensions and annuities (gross)",
    "5b": "Pensions and annuities, taxable amount",
}
FORM_COLS = (
    Col("Tax year", "tax_year", "int", 9),
    Col("Line", "line", "text", 7),
    Col("Form wording (short)", "wording", "wrap", 58),
    Col("Value", "value", "money", 15),
    Col("How it was computed", "explain", "wrap", 70),
)


def _line_sort_key(line: str) -> tuple[int, str]:
    digits = "".join(ch for ch in line if ch.isdigit())
    return (int(digits) if digits else 0, line)


def _form_lines(
    s: Sheet,
    data: WorkbookData,
    form: str,
    payloads: Mapping[int, dict],
    wording: Mapping[str, str],
    title: str,
) -> None:
    s.setup([c.width for c in FORM_COLS], 3)
    s.title(title, subtitle(data, "values equal `megaroth form " + form + " --format json`"))
    s.header(FORM_COLS)
    wrote = False
    for year in data.years:
        p = payloads.get(year)
        if p is None:
            if f"forms:{year}" in data.unavailable:
                s.note(data.unavailable[f"forms:{year}"])
            continue
        explain = data.explain.get((form, year), {})
        lines = p.get("lines", {})
        wrote = True
        if form == "8606" and all(v is None for v in lines.values()):
            # no line has a value: the form is not filed (Instructions for Form 8606, "Who Must File")
            s.append(
                [
                    s.cell(year, "int"),
                    s.cell(""),
                    s.cell(
                        f"Form 8606 is not required for {data.person} in {year}: no nondeductible traditional IRA "
                        "contributions, no conversions to a Roth IRA and no IRA distributions in the ledger.",
                        "note",
                    ),
                ]
            )
            continue
        keys = list(wording) + sorted((k for k in lines if k not in wording), key=_line_sort_key)
        for line in keys:
            value = lines.get(line)
            kind = "ratio" if (form == "8606" and line == "10") else "money"
            s._fit_height(
                [(wording.get(line, ""), FORM_COLS[2].width), (explain.get(line), FORM_COLS[4].width)]
            )
            s.append(
                [
                    s.cell(year, "int"),
                    s.cell(line),
                    s.cell(wording.get(line, ""), "wrap"),
                    s.cell(value, kind),
                    s.cell(explain.get(line), "wrap"),
                ]
            )
    if not wrote:
        s.note(data.unavailable.get("forms", f"Form {form} not available."))


def write_8606(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    _form_lines(
        s,
        data,
        "8606",
        data.form_8606,
        LINES_8606,
        "Form 8606: nondeductible IRAs, conversions, Roth IRA distributions",
    )


def write_1040(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    _form_lines(
        s,
        data,
        "1040",
        data.form_1040,
        LINES_1040,
        "Form 1040 lines 4a-5b: IRA distributions, pensions and annuities",
    )
