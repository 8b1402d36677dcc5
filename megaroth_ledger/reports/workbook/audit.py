"""The Audit sheet: every ledger row behind the workbook's years, with its provenance, then the
corrections of those years (the change log: edits, removals, imports and undos)."""

from __future__ import annotations

from .data import BuildState, WorkbookData
from .writer import Col, Sheet, subtitle

AUDIT_COLS = (
    Col("Entry id", "id", "int", 9),
    Col("Date", "date", "date", 12),
    Col("Tax year", "tax_year", "int", 9),
    Col("Plan", "plan", "text", 16),
    Col("Source", "source", "text", 12),
    Col("Type", "type", "text", 16),
    Col("Amount", "amount", "money", 14),
    Col("Fund", "fund", "wrap", 34),
    Col("Memo", "memo", "wrap", 38),
    Col("Status", "status", "text", 9),
    Col("Source file", "file", "wrap", 24),
    Col("File row", "file_row", "int", 9),
    Col("Import id", "import_id", "int", 9),
    Col("Origin", "origin", "text", 18),
)


CORRECTION_COLS = (
    Col("Change", "change", "int", 9),
    Col("At (UTC)", "at", "text", 20),
    Col("Action", "action", "text", 12),
    Col("Record", "record", "text", 14),
    Col("Record id", "id", "int", 9),
    Col("Before", "before", "wrap", 40),
    Col("After", "after", "wrap", 40),
    Col("Reason", "reason", "wrap", 24),
)


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in AUDIT_COLS], 3)
    s.title("Audit: every ledger row behind these years, with its provenance", subtitle(data))
    state.counts["Audit"] = s.table(
        AUDIT_COLS, data.audit, data.unavailable.get("Audit", "No ledger rows for these years."), fast=True
    )
    s.blank()
    s.section(
        "Corrections of these years (megaroth log): edits, removals, imports and undos, newest first",
        len(CORRECTION_COLS),
    )
    s.header(CORRECTION_COLS)
    s.rows(CORRECTION_COLS, data.corrections)
    if not data.corrections:
        s.note("No corrections recorded for these years.")
