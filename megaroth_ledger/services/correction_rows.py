"""Plan-side corrective distributions as rule inputs, read with plain SQL (no SQLAlchemy: the
forms, the headroom and their thin path share it; :mod:`.plan_corrections` writes them)."""

from __future__ import annotations

from ..money import from_cents
from ..store.sqlrun import Sql, marks


def corrections_of(sql: Sql, person_id: int) -> list:
    """The person's plan-side corrective distributions as rule inputs (rules.corrections)."""
    from ..rules import corrections as correction_rules

    plans = {
        r[0]: r[1]
        for r in sql.rows(
            'SELECT "plan".id, "plan".name FROM "plan" WHERE "plan".person_id = ?', (person_id,)
        )
    }
    if not plans:
        return []
    rows = sql.recs(
        "SELECT plan_correction.id, plan_correction.plan_id, plan_correction.date, plan_correction.tax_year, "
        "plan_correction.kind, plan_correction.source, plan_correction.amount_cents, "
        f"plan_correction.earnings_cents FROM plan_correction WHERE plan_correction.plan_id IN ({marks(plans)}) "
        "ORDER BY plan_correction.date, plan_correction.id",
        tuple(plans),
    )
    return [
        correction_rules.PlanCorrection(
            plans[c.plan_id],
            c.date,
            c.tax_year,
            c.kind,
            c.source,
            from_cents(c.amount_cents),
            from_cents(c.earnings_cents),
            ref=f"correction #{c.id} {c.date.isoformat()} {c.kind} for {c.tax_year}",
        )
        for c in rows
    ]


def excess_corrected(sql: Sql, person_id: int, year: int):
    """How much of the person's ``year`` excess deferrals corrective distributions took out."""
    from decimal import Decimal

    return sum(
        (
            c.amount
            for c in corrections_of(sql, person_id)
            if c.tax_year == year and c.kind == "excess-deferral"
        ),
        Decimal("0.00"),
    )
