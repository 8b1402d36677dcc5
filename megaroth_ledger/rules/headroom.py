"""Contribution headroom: IRC 402(g) elective deferrals, 414(v) catch-up, 415(c) annual additions.

Pure functions over plain dataclasses; no database, no I/O.

Rules implemented (see ../shared/reference/tax-rules.md sections (a), (b), (g)):

* **402(g)** elective deferrals = pre-tax + designated Roth (IRC 402(g)(3)(A), 402A(a)(1)),
  aggregated per person across all employers' 401(k)/403(b) plans (Treas. Reg. 1.402(g)-1(b);
  IRS "Retirement topics - 401(k) and profit-sharing plan contribution limits").
  457(b) plans have their own, separate deferral limit (IRC 457(b)(2), 457(e)(15)).
* **Catch-up** (IRC 402(g)(1)(C), 414(v)): a participant who attains 50 by December 31 may
  defer above the 402(g) limit up to the catch-up limit; ages 60-63 at year end get the larger
  SECURE 2.0 sec. 109 amount from 2025 (IRC 414(v)(2)(E)). The catch-up portion is the
  deferrals above the 402(g) limit, up to the catch-up limit. Deferrals beyond that are
  excess deferrals (IRC 402(g)(2)): distribute by April 15 of the next year.
* **415(c)** per employer (plans of one employer share the limit; IRC 415(c)(1), 414(b)/(c)):
  annual additions = deferrals without the catch-up portion (IRC 414(v)(3)(A)) + employer
  contributions + after-tax employee contributions (IRC 415(c)(2)); limit = the lesser of the
  dollar limit and 100% of compensation when compensation is known (IRC 415(c)(1)(B)).
  After-tax room = limit - annual additions, never below zero.
* **Roth catch-up** (IRC 414(v)(7), SECURE 2.0 sec. 603): from 2026 a catch-up by someone whose
  prior-year FICA wages from the employer exceed the threshold must be designated Roth;
  2024-2025 only informs (Notice 2023-62 administrative transition).

Assumptions stated in warnings rather than hidden:

* With deferrals at more than one employer, the catch-up portion is attributed to the
  employer(s) whose paychecks, in date order, crossed the 402(g) limit (CATCH_UP_ALLOCATION).
* Excess deferrals still count as annual additions until they are distributed (conservative:
  it lowers the after-tax room; a timely corrective distribution removes them).
* A 457(b) catch-up assumes a governmental plan (non-governmental 457(b) plans may not
  offer 414(v) catch-ups); the 457(b)(3) final-three-years catch-up is not supported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from ..errors import UserError
from ..money import CENT, ZERO, fmt_table
from ..vocab import AFTER_TAX_SOURCES, DEFERRAL_SOURCES, EMPLOYER_SOURCES
from .dates import age_at_year_end
from .limits import YearLimits, limits_for


@dataclass(frozen=True)
class PlanInfo:
    name: str
    employer: str
    kind: str = "401k"  # 401k | 403b | 457b
    after_tax_allowed: bool = False


@dataclass(frozen=True)
class Contribution:
    plan: str
    date: dt.date
    source: str
    amount: Decimal


@dataclass(frozen=True)
class PlanWages:
    plan: str
    compensation: Decimal | None = None  # 415(c)(3) compensation for the year
    prior_year_fica_wages: Decimal | None = None  # W-2 box 3 of the previous year (414(v)(7))


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


@dataclass
class EmployerHeadroom:
    employer: str
    plans: list[str]
    annual_additions_limit: Decimal
    elective_deferrals_counted: Decimal
    employer_contributions: Decimal
    after_tax_contributions: Decimal
    after_tax_room: Decimal
    per_paycheck_after_tax: Decimal | None = None
    # additions beyond the contract
    elective_deferrals: Decimal = ZERO
    catch_up_portion: Decimal = ZERO
    annual_additions: Decimal = ZERO
    compensation: Decimal | None = None
    expected_employer: Decimal = ZERO
    expected_deferrals: Decimal = ZERO
    remaining_room_after_expected: Decimal | None = None
    last_paycheck_after_tax: Decimal | None = None
    #: after-tax contributions returned under EPCRS to correct a 415(c) excess (no longer annual
    #: additions; rules.corrections)
    after_tax_returned: Decimal = ZERO


@dataclass
class Plan457Headroom:
    plan: str
    limit: Decimal
    elective_deferrals: Decimal
    catch_up_used: Decimal
    excess_deferrals: Decimal


@dataclass
class Headroom:
    person: str
    year: int
    age_at_year_end: int
    limits: dict[str, Decimal]
    elective_deferrals: Decimal
    catch_up_used: Decimal
    excess_deferrals: Decimal
    employers: list[EmployerHeadroom]
    warnings: list[Warning] = field(default_factory=list)
    plans_457b: list[Plan457Headroom] = field(default_factory=list)
    remaining_paychecks: int | None = None


def _catch_up_split(
    deferrals: list[Contribution], plan_employer: dict[str, str], base_limit: Decimal, catch_up_limit: Decimal
) -> tuple[dict[str, Decimal], Decimal, Decimal]:
    """Walk deferrals in date order; what lies above ``base_limit`` is catch-up (up to its limit),
    then excess. Returns (catch-up per employer, catch-up total, excess total)."""
    running, catch_used = ZERO, ZERO
    per_employer: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in sorted(deferrals, key=lambda c: (c.date, c.plan)):
        before = running
        running += c.amount
        above = max(running - base_limit, ZERO) - max(before - base_limit, ZERO)
        take = min(max(above, ZERO), catch_up_limit - catch_used)
        if take > 0:
            per_employer[plan_employer[c.plan]] += take
            catch_used += take
    total = sum((c.amount for c in deferrals), ZERO)
    excess = max(total - base_limit - catch_up_limit, ZERO)
    return dict(per_employer), catch_used, excess


def compute_headroom(
    *,
    person: str,
    born: dt.date,
    year: int,
    plans: list[PlanInfo],
    contributions: list[Contribution],
    wages: Sequence[PlanWages] = (),
    remaining_paychecks: int | None = None,
    expected_employer: dict[str, Decimal] | None = None,
    expected_deferrals: dict[str, Decimal] | None = None,
    returned_after_tax: dict[str, Decimal] | None = None,
) -> Headroom:
    """Headroom for one person and tax year. ``contributions`` are that tax year's only.

    ``returned_after_tax`` maps plan -> after-tax contributions of the year returned (with their
    earnings, code E) to correct a 415(c) excess under EPCRS: they no longer count as annual
    additions (Rev. Proc. 2021-30 section 6.02(1): the correction restores the position the plan
    would have been in had the failure not occurred; see rules.corrections). The ANNUAL_ADDITIONS_
    EXCEEDED warning then becomes ANNUAL_ADDITIONS_CORRECTED once the additions are within the limit.

    ``expected_employer`` maps employer name -> employer money still to come this year; with
    ``remaining_paychecks`` the after-tax amount per paycheck that fills the remaining room is
    given (rounded down to the cent; ``last_paycheck_after_tax`` takes the remainder so the
    paychecks add up to the room exactly). ``expected_deferrals`` (employer -> pre-tax/Roth
    deferrals still to come) reduce that room too, except the part that will be catch-up
    (above the 402(g) limit, within the catch-up limit not yet used; IRC 414(v)(3)(A)).
    """
    lim: YearLimits = limits_for(year)
    age = age_at_year_end(born, year)
    catch_up_limit = lim.catch_up_for_age(age)
    by_plan = {p.name: p for p in plans}
    unknown = sorted({c.plan for c in contributions} - set(by_plan))
    if unknown:
        raise ValueError(f"contributions name plans not given: {unknown}")
    if remaining_paychecks is not None and remaining_paychecks < 1:
        raise UserError("--remaining-paychecks must be at least 1")
    expected_employer = dict(expected_employer or {})
    expected_deferrals = dict(expected_deferrals or {})
    warnings: list[Warning] = []

    plan_employer = {p.name: p.employer for p in plans}
    dc_plans = [p for p in plans if p.kind != "457b"]
    deferrals = [c for c in contributions if c.source in DEFERRAL_SOURCES and by_plan[c.plan].kind != "457b"]
    catch_per_employer, catch_used, excess = _catch_up_split(
        deferrals, plan_employer, lim.elective_deferral, catch_up_limit
    )
    total_deferrals = sum((c.amount for c in deferrals), ZERO)

    if excess > 0:
        warnings.append(
            Warning(
                "EXCESS_DEFERRAL",
                (
                    f"elective deferrals of {fmt_table(total_deferrals)} exceed the {year} limit of "
                    f"{fmt_table(lim.elective_deferral + catch_up_limit)} by {fmt_table(excess)} (IRC 402(g)); "
                    f"tell the plan(s) by March 1, {year + 1} and have the excess and its earnings distributed "
                    f"by April 15, {year + 1}, or it is taxed twice"
                ),
            )
        )

    wages_by_plan = {w.plan: w for w in wages}
    employers: dict[str, list[PlanInfo]] = defaultdict(list)
    for p in dc_plans:
        employers[p.employer].append(p)
    for option, given in (
        ("--expected-employer", expected_employer),
        ("--expected-deferrals", expected_deferrals),
    ):
        for e in given:
            if e not in employers:
                raise UserError(f"{option} names {e!r}, which has no 401(k)/403(b) plan for {person}")
    # Deferrals still to come: the part under the 402(g) limit counts toward 415(c); the part
    # within the unused catch-up limit does not; beyond that it would be an excess deferral.
    base_left = max(lim.elective_deferral - total_deferrals, ZERO)
    catch_left = catch_up_limit - catch_used
    future_counted: dict[str, Decimal] = {}
    for e in sorted(expected_deferrals):
        amount = expected_deferrals[e]
        under = min(amount, base_left)
        base_left -= under
        catch = min(amount - under, catch_left)
        catch_left -= catch
        future_counted[e] = amount - catch

    rows: list[EmployerHeadroom] = []
    for employer, eplans in sorted(employers.items()):
        names = sorted(p.name for p in eplans)
        ec = [c for c in contributions if c.plan in names]
        deferred = sum((c.amount for c in ec if c.source in DEFERRAL_SOURCES), ZERO)
        roth = sum((c.amount for c in ec if c.source == "roth"), ZERO)
        employer_money = sum((c.amount for c in ec if c.source in EMPLOYER_SOURCES), ZERO)
        after_tax = sum((c.amount for c in ec if c.source in AFTER_TAX_SOURCES), ZERO)
        returned = sum(((returned_after_tax or {}).get(n, ZERO) for n in names), ZERO)
        if returned > after_tax:
            raise UserError(
                f"{employer}: {fmt_table(returned)} of {year} after-tax contributions recorded as returned under "
                f"EPCRS, but only {fmt_table(after_tax)} were contributed; check `megaroth correction list`"
            )
        other = sorted({c.source for c in ec} - DEFERRAL_SOURCES - EMPLOYER_SOURCES - AFTER_TAX_SOURCES)
        if other:
            from ..errors import UnsupportedSituation

            raise UnsupportedSituation(
                f"{employer}: contributions with source {', '.join(other)} cannot be classified for "
                "402(g)/415(c); assign a source (pretax, roth, aftertax, match, nonelective) before "
                "computing headroom"
            )
        catch_portion = catch_per_employer.get(employer, ZERO)
        counted = deferred - catch_portion
        comps = {c for n in names if n in wages_by_plan and (c := wages_by_plan[n].compensation) is not None}
        if len(comps) > 1:
            raise UserError(
                f"plans of {employer} record different {year} compensation "
                f"({', '.join(fmt_table(c) for c in sorted(comps))}); fix with megaroth wages set"
            )
        compensation = comps.pop() if comps else None
        limit = lim.annual_additions if compensation is None else min(lim.annual_additions, compensation)
        additions = counted + employer_money + after_tax - returned
        room = max(limit - additions, ZERO)
        row = EmployerHeadroom(
            employer=employer,
            plans=names,
            annual_additions_limit=limit,
            elective_deferrals_counted=counted,
            employer_contributions=employer_money,
            after_tax_contributions=after_tax,
            after_tax_room=room,
            elective_deferrals=deferred,
            catch_up_portion=catch_portion,
            annual_additions=additions,
            compensation=compensation,
            expected_employer=expected_employer.get(employer, ZERO),
            after_tax_returned=returned,
        )
        if returned and additions <= limit:
            warnings.append(
                Warning(
                    "ANNUAL_ADDITIONS_CORRECTED",
                    (
                        f"{employer}: the {year} 415(c) excess was corrected under EPCRS: {fmt_table(returned)} of "
                        f"after-tax contributions returned with their earnings (code-E 1099-R) no longer count; "
                        f"annual additions {fmt_table(additions)} of {fmt_table(limit)}"
                    ),
                )
            )
        if additions > limit:
            cap = (
                "100% of compensation"
                if compensation is not None and compensation < lim.annual_additions
                else "the 415(c) dollar limit"
            )
            warnings.append(
                Warning(
                    "ANNUAL_ADDITIONS_EXCEEDED",
                    (
                        f"{employer}: annual additions of {fmt_table(additions)} exceed {cap} of {fmt_table(limit)} "
                        f"by {fmt_table(additions - limit)} (IRC 415(c)); the plan must correct it under EPCRS "
                        f"(Rev. Proc. 2021-30), reported on a 1099-R with code E"
                        + (f" ({fmt_table(returned)} already returned and not counted)" if returned else "")
                    ),
                )
            )
        allowed = any(p.after_tax_allowed for p in eplans)
        for p in eplans:
            money = sum((c.amount for c in ec if c.plan == p.name and c.source in AFTER_TAX_SOURCES), ZERO)
            if money and not p.after_tax_allowed:
                warnings.append(
                    Warning(
                        "AFTER_TAX_NOT_ALLOWED",
                        (
                            f"{p.name}: {fmt_table(money)} of after-tax contributions, but the plan is not marked as "
                            f"accepting after-tax money; check the plan document (if it does: megaroth plan edit "
                            f"{p.name} --after-tax)"
                        ),
                    )
                )
        if remaining_paychecks is not None and allowed:
            row.expected_deferrals = expected_deferrals.get(employer, ZERO)
            left = limit - additions - row.expected_employer - future_counted.get(employer, ZERO)
            row.remaining_room_after_expected = max(left, ZERO)
            per = (row.remaining_room_after_expected / remaining_paychecks).quantize(
                CENT, rounding=ROUND_DOWN
            )
            row.per_paycheck_after_tax = per
            row.last_paycheck_after_tax = row.remaining_room_after_expected - per * (remaining_paychecks - 1)
        _roth_catch_up_check(warnings, lim, employer, names, wages_by_plan, catch_portion, roth, year)
        rows.append(row)

    if len(catch_per_employer) > 1 or (
        catch_used > 0 and len({plan_employer[c.plan] for c in deferrals}) > 1
    ):
        warnings.append(
            Warning(
                "CATCH_UP_ALLOCATION",
                (
                    "deferrals at more than one employer: the catch-up portion was attributed to the employer(s) "
                    "whose paychecks crossed the 402(g) limit in date order (assumption; the plans may treat it "
                    "differently under Treas. Reg. 1.414(v)-1)"
                ),
            )
        )

    plans457 = _headroom_457b(plans, contributions, lim, catch_up_limit, warnings, year)
    return Headroom(
        person=person,
        year=year,
        age_at_year_end=age,
        limits={
            "elective_deferral": lim.elective_deferral,
            "catch_up": catch_up_limit,
            "annual_additions": lim.annual_additions,
        },
        elective_deferrals=total_deferrals,
        catch_up_used=catch_used,
        excess_deferrals=excess,
        employers=rows,
        warnings=warnings,
        plans_457b=plans457,
        remaining_paychecks=remaining_paychecks,
    )


def _roth_catch_up_check(
    warnings: list[Warning],
    lim: YearLimits,
    employer: str,
    names: list[str],
    wages_by_plan: dict[str, PlanWages],
    catch_portion: Decimal,
    roth: Decimal,
    year: int,
) -> None:
    """IRC 414(v)(7): catch-ups of high earners must be designated Roth (enforced from 2026)."""
    threshold = lim.roth_catch_up_wage_threshold
    if threshold is None or catch_portion <= 0:
        return
    fica = [
        w for n in names if n in wages_by_plan and (w := wages_by_plan[n].prior_year_fica_wages) is not None
    ]
    if not fica:
        if lim.roth_catch_up_enforced:
            warnings.append(
                Warning(
                    "FICA_WAGES_UNKNOWN",
                    (
                        f"{employer}: catch-up of {fmt_table(catch_portion)} in {year}, but no prior-year FICA wages "
                        f"are recorded; record them (megaroth wages set --fica-wages) to check the Roth catch-up rule "
                        f"(IRC 414(v)(7))"
                    ),
                )
            )
        return
    wages_prior = max(fica)
    pretax_catch_up = max(catch_portion - roth, ZERO)
    if wages_prior == threshold:
        warnings.append(
            Warning(
                "ROTH_CATCH_UP_REVIEW",
                (
                    f"{employer}: prior-year FICA wages equal the {fmt_table(threshold)} threshold exactly; the statute "
                    "says 'exceeded' but some guidance says 'or more': review the Roth catch-up rule (IRC 414(v)(7))"
                ),
            )
        )
        return
    if wages_prior <= threshold or pretax_catch_up <= 0:
        return
    if lim.roth_catch_up_enforced:
        warnings.append(
            Warning(
                "ROTH_CATCH_UP_REQUIRED",
                (
                    f"{employer}: prior-year FICA wages of {fmt_table(wages_prior)} exceed {fmt_table(threshold)}, so "
                    f"catch-up contributions must be designated Roth (IRC 414(v)(7), SECURE 2.0 sec. 603); "
                    f"{fmt_table(pretax_catch_up)} of the {year} catch-up was pre-tax: ask the plan to correct it"
                ),
            )
        )
    else:
        warnings.append(
            Warning(
                "ROTH_CATCH_UP_TRANSITION",
                (
                    f"{employer}: prior-year FICA wages of {fmt_table(wages_prior)} exceed {fmt_table(threshold)}; "
                    f"from 2026 such catch-ups must be Roth (IRC 414(v)(7)). For {year} the pre-tax catch-up of "
                    f"{fmt_table(pretax_catch_up)} is allowed under the Notice 2023-62 transition"
                ),
            )
        )


def _headroom_457b(
    plans: list[PlanInfo],
    contributions: list[Contribution],
    lim: YearLimits,
    catch_up_limit: Decimal,
    warnings: list[Warning],
    year: int,
) -> list[Plan457Headroom]:
    """457(b): a separate deferral limit per plan (IRC 457(b)(2), 457(e)(15)); not part of 415(c)."""
    out = []
    for p in sorted((p for p in plans if p.kind == "457b"), key=lambda p: p.name):
        pc = [c for c in contributions if c.plan == p.name]
        deferred = sum((c.amount for c in pc if c.source in DEFERRAL_SOURCES), ZERO)
        catch = min(max(deferred - lim.elective_deferral, ZERO), catch_up_limit)
        excess = max(deferred - lim.elective_deferral - catch_up_limit, ZERO)
        if catch > 0:
            warnings.append(
                Warning(
                    "ASSUMED_GOVERNMENTAL_457B",
                    (
                        f"{p.name}: a catch-up of {fmt_table(catch)} assumes a governmental 457(b) (IRC 414(v)(6)(A)(iii)); "
                        "the 457(b)(3) final-three-years catch-up is not supported"
                    ),
                )
            )
        if excess > 0:
            warnings.append(
                Warning(
                    "EXCESS_DEFERRAL_457B",
                    (
                        f"{p.name}: deferrals exceed the {year} 457(b) limit by {fmt_table(excess)} "
                        "(IRC 457(b)(2)); ask the plan for a corrective distribution"
                    ),
                )
            )
        others = sorted({c.source for c in pc} - DEFERRAL_SOURCES)
        if others:
            warnings.append(
                Warning(
                    "AFTER_TAX_NOT_ALLOWED",
                    (
                        f"{p.name}: a 457(b) plan holds {', '.join(others)} money, which megaroth does not model"
                    ),
                )
            )
        out.append(
            Plan457Headroom(
                plan=p.name,
                limit=lim.elective_deferral + catch_up_limit,
                elective_deferrals=deferred,
                catch_up_used=catch,
                excess_deferrals=excess,
            )
        )
    return out
