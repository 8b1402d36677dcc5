"""Rows whose money source the export did not say (source ``unknown``).

Exports such as Fidelity NetBenefits ``history.csv`` or Vanguard's retirement CSV have no
money-source column, so their rows are stored with source ``unknown`` (never guessed).
Anything that depends on the source (402(g)/415(c) headroom, the after-tax basis, 1099-R,
Form 8606) must refuse rather than silently leave them out: call
:func:`require_known_sources` before computing. The message says how to fix it.
"""

from __future__ import annotations

import shlex

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import UnsupportedSituation
from ..store.models import Entry, ImportBatch, Plan


def unknown_source_summary(session: Session, plan: Plan, year: int | None = None) -> list[dict]:
    """Per import: how many posted rows of ``plan`` (in ``year``) have source ``unknown``."""
    q = (
        select(Entry.import_id, ImportBatch.file_name, func.count(), func.min(Entry.file_row))
        .outerjoin(ImportBatch, ImportBatch.id == Entry.import_id)
        .where(Entry.plan_id == plan.id, Entry.source == "unknown", Entry.status == "posted")
        .group_by(Entry.import_id, ImportBatch.file_name)
        .order_by(Entry.import_id)
    )
    if year is not None:
        q = q.where(Entry.tax_year == year)
    return [{"import": i, "file": f, "rows": n, "first_row": r} for i, f, n, r in session.execute(q)]


def fix_hint(plan_name: str, import_id: int | None) -> str:
    undo = f"`megaroth import undo {import_id}`, then " if import_id else ""
    return (
        f"{undo}re-import with sources: an export that has a money-source column (e.g. "
        f"NetBenefits' Sources view, the OFX statement), or the same file with "
        f"`--plan {shlex.quote(plan_name)} --map LABEL=SOURCE`"
    )


def require_known_sources(session: Session, plan: Plan, year: int | None, what: str) -> None:
    """Raise :class:`UnsupportedSituation` if ``plan`` has ``unknown``-source rows (in ``year``)."""
    found = unknown_source_summary(session, plan, year)
    if not found:
        return
    total = sum(f["rows"] for f in found)
    first = found[0]
    where = f"{first['file']} (import #{first['import']})" if first["import"] else "entered rows"
    raise UnsupportedSituation(
        f"{what} needs every row's money source, but plan {plan.name} has {total} row(s) with source "
        f"unknown{f' in {year}' if year else ''}, e.g. from {where}; fix: {fix_hint(plan.name, first['import'])}"
    )
