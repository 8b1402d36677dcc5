"""The Audit sheet: every ledger row behind the workbook's years, with its provenance."""

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
    Col("Fund", "fund", "text", 22),
    Col("Memo", "memo", "text", 28),
    Col("Status", "status", "text", 9),
    Col("Source file", "file", "text", 24),
    Col("File row", "file_row", "int", 9),
    Col("Import id", "import_id", "int", 9),
    Col("Origin", "origin", "text", 18),
)


def write(s: Sheet, data: WorkbookData, state: BuildState) -> None:
    s.setup([c.width for c in AUDIT_COLS], 3)
    s.title("Audit: every ledger row behind these years, with its provenance", subtitle(data))
    state.counts["Audit"] = s.table(AUDIT_COLS, data.audit,
                                    data.unavailable.get("Audit", "No ledger rows for these years."), fast=True)
