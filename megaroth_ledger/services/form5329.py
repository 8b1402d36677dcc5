"""Form 5329 for recorded events (issue 11): Part I (lines 1-4, the 10% additional tax on early
distributions) and Parts III / IV (the 6% excise on excess traditional / Roth IRA contributions,
carried year after year while the excess stays in).

Part I, line 1 = the early (before 59 1/2) amounts included in income: the taxable part of
traditional IRA distributions (Form 8606 line 15c, or all of them without basis, shared among the
year's distributions by amount), nonqualified Roth IRA distributions and conversion recapture
amounts (:mod:`megaroth_ledger.rules.ordering`, the same engine as the what-ifs), the net income of
contributions returned before 59 1/2 (Form 8606 instructions, Return of IRA Contributions) and the
plans' code-1 distributions (box 2a, plus box 10 of designated Roth distributions: amounts
allocable to an in-plan Roth rollover within five years, IRC 402A(c)(4)(D), 408A(d)(3)(F)).
Line 2 = the part covered by an exception recorded on the distribution (Form 5329 line 2 numbers).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO, from_cents
from ..rules import form5329 as rules
from ..rules.dates import age_59_half_on
from ..rules.limits import supported_years
from ..store.lookup import get_person
from ..store.models import IraEvent, IraValue, RothIraValue

NO_CAP = Decimal("1e15")
LINES = (
    "1",
    "2",
    "2_exception",
    "3",
    "4",
    "9",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
)


def _part_i(session: Session, person_name: str, year: int) -> tuple[dict, list[str]]:
    from ..rules.ordering import exception_for
    from . import forms

    notes: list[str] = []
    try:
        r, _result, hist = forms._compute_year(session, person_name, year)
    except UserError as exc:
        if "nothing recorded" in str(exc):
            return rules.part_i([]), notes
        raise
    born59 = age_59_half_on(hist.born)
    items: list[tuple[Decimal, str | None]] = []
    trad = [
        m
        for m in hist.ira_moves
        if m.kind == "distribution" and m.account == "traditional" and m.date.year == year
    ]
    if trad:
        total = sum((m.amount for m in trad), ZERO)
        taxable_total = r.f8606.traditional_taxable
        left = taxable_total
        for i, m in enumerate(sorted(trad, key=lambda m: m.date)):
            share = (
                left if i == len(trad) - 1 else (taxable_total * m.amount / total).quantize(Decimal("0.01"))
            )
            left -= share
            if m.date < born59 and share > 0:
                exc = exception_for(m.exception, ira=True) if m.exception else None
                items.append((share, exc.number if exc else None))
    for _on, earnings in r.returned_early_earnings:
        items.append((earnings, None))
    for f in r.plan_forms:
        code = f.box7
        if code in ("1", "1B"):
            items.append(((f.box2a or ZERO) + (f.box10 or ZERO), None))
        elif code[:1] in ("2", "3"):
            raise UnsupportedSituation(
                f"Form 5329 {year}: the {f.payer} 1099-R with code {code} (an exception applies) is not derived "
                "on Part I: its exception number is not recorded"
            )
    # Roth IRA distributions: the ordering rules (regular contributions, conversions FIFO, earnings)
    from ..rules import ordering as ro
    from . import clocks

    inp = clocks.load(session, person_name)
    in_year = [d for d in inp.distributions if d.date.year == year]
    if in_year:
        before = ro.replay(
            inp.contributions,
            inp.layers,
            [d for d in inp.distributions if d.date.year < year],
            inp.person.born,
            inp.clock,
        )
        state = before.copy()
        for d in sorted(in_year, key=lambda d: d.date):
            res = ro.take(state, d, inp.person.born, inp.clock)
            amt = res.form5329_line1
            if amt > 0:
                items.append((amt, res.exception.number if res.early and res.exception is not None else None))
        notes += [w["message"] for w in inp.warnings]
    return rules.part_i(items), notes


def _values(session: Session, model, person_id: int) -> dict[int, Decimal]:
    return {
        v.year: from_cents(v.amount_cents)
        for v in session.scalars(select(model).where(model.person_id == person_id))
    }


def form_5329(session: Session, person_name: str, year: int) -> dict:
    """Form 5329 lines 1-4 and 9-25 for a person-year."""
    from . import ira_limits

    person = get_person(session, person_name)
    if year not in supported_years():
        raise UnsupportedSituation(
            f"Form 5329 for {year}: the IRA limits are known for "
            f"{supported_years()[0]}-{supported_years()[-1]}"
        )
    part1, notes = _part_i(session, person_name, year)
    events = list(session.scalars(select(IraEvent).where(IraEvent.person_id == person.id)))
    contrib_years = sorted({e.tax_year for e in events if e.kind == "contribution"})
    first = min(contrib_years + [year])
    if first < supported_years()[0]:
        notes.append(
            f"contributions before {supported_years()[0]} are not checked for excess: the limits table "
            f"starts in {supported_years()[0]}"
        )
        first = supported_years()[0]
    trad_values = _values(session, IraValue, person.id)
    roth_values = _values(session, RothIraValue, person.id)
    prior_t = prior_r = ZERO
    lines3: dict = {}
    lines4: dict = {}
    warnings: list[dict] = []
    for y in range(first, year + 1):
        chk = ira_limits.year_check(session, person_name, y)
        trad_c = chk.traditional if chk else ZERO
        roth_c = chk.roth if chk else ZERO
        cur_t = chk.traditional_excess if chk else ZERO
        cur_r = chk.roth_excess if chk else ZERO
        room_t = room_r = dist_t = dist_r = withdrawn = ZERO
        if prior_t > 0 and prior_r > 0:
            raise UnsupportedSituation(
                f"Form 5329 {y}: excess contributions carried into {y} in both traditional IRAs (line 9: "
                f"{prior_t:,.2f}) and Roth IRAs (line 18: {prior_r:,.2f}): lines 10 and 19 both draw on the same "
                f"{y} contribution limit (IRC 4973(b)(2)(C), 4973(f)(2)(B)) and the Form 5329 instructions do not "
                "say how it is shared between them -- not supported"
            )
        if prior_t > 0:
            f, _ = ira_limits.facts(session, person, y)
            from ..rules.ira_limits import traditional_limit

            # line 10: the limit less the year's traditional AND Roth contributions (IRC 4973(b)(2)(C))
            room_t = rules.line_10(traditional_limit(f), trad_c, roth_c)
            if any(
                e.kind in ("distribution", "conversion") and e.account == "traditional" and e.date.year == y
                for e in events
            ):
                # line 11: the taxable part of the year's traditional IRA distributions and conversions
                from . import forms

                r8606 = forms._compute_year(session, person_name, y)[0].f8606
                dist_t = rules.line_11(r8606.traditional_taxable, r8606.conversion_taxable)
            withdrawn = sum(
                (
                    from_cents(e.amount_cents)
                    for e in events
                    if e.kind == "return" and e.after_due_date and e.date.year == y
                ),
                ZERO,
            )
        if prior_r > 0:
            if chk is None or chk.roth_worksheet is None:
                raise UserError(
                    f"Form 5329 {y} line 19 needs the {y} filing status and MAGI: "
                    f"`megaroth tax-year set --year {y}`"
                )
            room_r = max(ZERO, chk.roth_worksheet.lines["8"] - trad_c - roth_c)
            dist_r = rules.line_20(
                sum(
                    (
                        from_cents(e.amount_cents)
                        for e in events
                        if e.kind == "distribution" and e.account == "roth" and e.date.year == y
                    ),
                    ZERO,
                ),
                prior_r,
                roth_values.get(y) == ZERO,
            )
        target = y == year
        later_t = sum(
            (
                from_cents(e.amount_cents)
                for e in events
                if e.kind == "contribution"
                and e.account == "traditional"
                and e.tax_year == y
                and e.date.year > y
            ),
            ZERO,
        )
        later_r = sum(
            (
                from_cents(e.amount_cents)
                for e in events
                if e.kind == "contribution" and e.account == "roth" and e.tax_year == y and e.date.year > y
            ),
            ZERO,
        )
        tv = (trad_values[y] + later_t) if y in trad_values else None
        rv = (roth_values[y] + later_r) if y in roth_values else None
        l3, prior_t_next = rules.part_iii(
            rules.ExcessYear(y, prior_t, room_t, dist_t, withdrawn, cur_t, tv if target else NO_CAP)
        )
        l4, prior_r_next = rules.part_iv(
            rules.ExcessYear(y, prior_r, room_r, dist_r, ZERO, cur_r, rv if target else NO_CAP)
        )
        if target:
            lines3, lines4 = l3, l4
            if chk is not None:
                warnings += [w for w in chk.findings if w["code"] in ("ira-excess", "roth-income-excess")]
                notes += list(chk.notes)
        prior_t, prior_r = prior_t_next, prior_r_next
    lines = dict.fromkeys(LINES)
    lines.update(part1)
    lines.update(lines3)
    lines.update({k: v for k, v in lines4.items() if k})
    if lines["16"] and lines["16"] > 0:
        notes.append(
            "line 17: the December 31 traditional IRA value is the one recorded with `ira value` (Form "
            "8606 line 6; it includes outstanding rollovers) plus contributions for the year made later"
        )
    return {
        "person": person_name,
        "tax_year": year,
        "lines": lines,
        "total_additional_tax": (lines["4"] or ZERO) + (lines["17"] or ZERO) + (lines["25"] or ZERO),
        "notes": notes,
        "warnings": warnings,
    }
