"""The spouses of a household side by side (issue 13): the rows of ``report year --household``
and the workbook of ``export --household``.

No tax math here: every figure is copied from a spouse's ``report year`` payload, and the
joint-return column of Form 1040 lines 4a-5b is the payload's ``form_1040`` (summed by
:func:`megaroth_ledger.rules.form1040.joint_lines`).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ..money import ZERO
from ..services.preparer import converted, taxable

LINES_1040 = ("4a", "4b", "5a", "5b")


def side_by_side(payload: dict) -> list[dict]:
    """One row per figure: ``item``, one key per spouse (``spouse1``, ``spouse2``) and ``joint``."""
    members = payload["members"]
    rows: list[dict] = []

    def row(item: str, values: list[Any], joint: Any = None) -> None:
        rows.append({"item": item, **{f"spouse{i + 1}": v for i, v in enumerate(values)}, "joint": joint})

    row("elective deferrals", [m["headroom"]["elective_deferrals"] for m in members])
    row("after-tax contributions", [m["contributions_by_source"].get("aftertax", ZERO) for m in members])
    row("all contributions", [m["contributions_total"] for m in members])
    row("converted", [converted(m) for m in members])
    joint = payload["form_1040"] or {}
    row(
        "taxable (Form 1040 4b + 5b)",
        [taxable(m) for m in members],
        None if payload["form_1040"] is None else (joint.get("4b") or ZERO) + (joint.get("5b") or ZERO),
    )
    for line in LINES_1040:
        row(f"Form 1040 line {line}", [(m["form_1040"] or {}).get(line) for m in members], joint.get(line))
    row("warnings", [len(m["warnings"]) for m in members])
    return rows


def build_household_workbook(payload: dict, path: str | Path) -> int:
    """Write the side-by-side sheet plus each spouse's warnings; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .safe import is_dangerous
    from .workbook.writer import MONEY_FORMAT, clean_text

    names = [m["person"] for m in payload["members"]]
    wb = Workbook()
    ws = wb.active
    ws.title = "Household"

    def text(cell, value):
        cell.value = clean_text(value)
        if isinstance(cell.value, str) and is_dangerous(cell.value):
            cell.quotePrefix = True

    text(ws.cell(1, 1), f"Household {payload['household']}: {payload['year']}, joint return")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    text(
        ws.cell(2, 1),
        "Each spouse's own figures (limits, Form 8606, clocks are per spouse); "
        "Form 1040 lines 4a-5b of the joint return are their sum.",
    )
    for col, header in enumerate(["", *names, "Joint return"], start=1):
        text(ws.cell(3, col), header)
        ws.cell(3, col).font = Font(bold=True)
    rows = side_by_side(payload)
    for r, row in enumerate(rows, start=4):
        text(ws.cell(r, 1), row["item"])
        for c, key in enumerate([*(f"spouse{i + 1}" for i in range(len(names))), "joint"], start=2):
            v = row.get(key)
            cell = ws.cell(r, c)
            if isinstance(v, Decimal):
                cell.value = v
                cell.number_format = MONEY_FORMAT
            elif v is not None:
                cell.value = v
    ws.column_dimensions["A"].width = 28
    for c in range(2, len(names) + 3):
        ws.column_dimensions[ws.cell(3, c).column_letter].width = 20
    ws.freeze_panes = "B4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    warn = wb.create_sheet("Warnings")
    for col, header in enumerate(["Person", "Code", "From", "Message", "What to do"], start=1):
        text(warn.cell(1, col), header)
        warn.cell(1, col).font = Font(bold=True)
    r = 2
    for m in payload["members"]:
        for w in m["warnings"]:
            for col, key in enumerate(["code", "origin", "message", "advice"], start=2):
                text(warn.cell(r, col), w.get(key))
                warn.cell(r, col).alignment = Alignment(wrap_text=True, vertical="top")
            text(warn.cell(r, 1), m["person"])
            r += 1
    for letter, width in zip("ABCDE", (16, 24, 14, 70, 50)):
        warn.column_dimensions[letter].width = width
    warn.freeze_panes = "A2"
    wb.save(str(path))
    return len(rows)
