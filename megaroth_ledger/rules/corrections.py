"""Plan-side corrective distributions (issue 11): IRC 402(g) excess deferrals (pure functions).

Sources
-------
- IRC 402(g)(2)(A): the individual may allocate excess deferrals among the plans by March 1 and
  "not later than the 1st April 15 following the close of the taxable year, each such plan may
  distribute to the individual the amount allocated to it (and any income allocable to such
  amount through the end of such taxable year)"; 402(g)(2)(C): the distributed excess is not
  included in income again, "any income on the excess deferral shall, for purposes of this
  chapter, be treated as earned and received in the taxable year in which such income is
  distributed", and "No tax shall be imposed under section 72(t) on any distribution described in
  the preceding sentence". The excess itself stays income of the deferral year (402(g)(1)).
- IRC 402A(d)(3): a designated Roth excess not distributed by April 15 is not investment in the
  contract and is taxed again when distributed; a Roth excess distributed in time is not taxed
  again (it was never excluded) -- only its income is.
- Instructions for Forms 1099-R and 5498 (Guide to Distribution Codes; Corrective distributions):
  code 8 "Excess contributions plus earnings/excess deferrals (and/or earnings) taxable in
  [the year of the form]", code P "taxable in [the prior year]"; when an excess deferral is
  distributed in the year after the deferral year, the excess (taxable in the deferral year, code
  P) and its earnings (taxable in the year distributed, code 8) go on separate forms; for excess
  designated Roth deferrals "report the corrective distribution amount in box 1, 0 (zero) in box
  2a", with code B beside 8 or P (read in quotations of the instructions, not the full text:
  UNCONFIRMED in parts, see :data:`CORRECTION_1099R_WARNING`).
- Form 1040 instructions, line 1h (other earned income): the excess deferrals of the year, and
  "corrective distributions from a retirement plan shown on Form 1099-R of excess salary deferrals
  and excess contributions (plus earnings)" -- not lines 5a/5b.

April 15 is not moved for a weekend (the statute names the date; UNCONFIRMED).

Section 415(c) excess annual additions (``excess-annual-addition``): after-tax employee contributions
returned with their earnings under EPCRS.

- Instructions for Forms 1099-R and 5498, "Distributions Under Employee Plans Compliance Resolution
  System (EPCRS)": "The procedure for correcting excess annual additions under section 415 is explained
  in ... section 6.06 of Rev. Proc. 2021-30" (the 1981 regulation's return of deferrals and employee
  contributions, Treas. Reg. 1.415-6(b)(6), was removed by the 2007 final 415 regulations, which point to
  EPCRS). "Distributions to correct a section 415 failure are not eligible rollover distributions ...
  such distributions are not subject to the 10% early distribution tax under section 72(t)." "For a
  return of employee contributions (or designated Roth contributions) plus earnings, enter the gross
  distribution in box 1, the earnings attributable to the employee contributions ... being returned in
  box 2a, and the employee contributions ... being returned in box 5. Enter Code E in box 7." "If you
  made other distributions during the year, report them on a separate Form 1099-R."
- So the returned contributions are recovered tax free as investment in the contract (box 5): the
  after-tax sub-account's basis falls by exactly them -- not by a pro-rata share (IRC 72(e)(8)) -- and
  its earnings by the earnings paid; only the earnings are taxable, in the year distributed.
- The returned contributions no longer count as annual additions for the limitation year: EPCRS
  corrections "restore the plan to the position it would have been in had the failure not occurred"
  (Rev. Proc. 2021-30 section 6.02(1)); a 415(c) failure is corrected when the participant's annual
  additions are back within the limit (the headroom service subtracts them).
- Form 1040 is NOT derived for the year of such a distribution (:data:`ANNUAL_ADDITION_1040_REFUSAL`).
- Returning elective deferrals (pretax or designated Roth) instead is not supported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..errors import UnsupportedSituation, UserError
from ..money import ZERO
from .form1099r import Form1099R

CORRECTION_1099R_WARNING = (
    "UNCONFIRMED: a corrective distribution of an excess deferral is shown as the 1099-R instructions "
    "describe it: code P for the excess taxable in the deferral year and code 8 "
    "for its earnings taxable in the year distributed (one code-8 form when both are taxable the same "
    "year), B beside them for designated Roth money with 0 in box 2a for the Roth excess; box 4 is shown "
    "as 0.00 (withholding not recorded)"
)
LINE_1H_NOTE = (
    "Form 1040 line 1h: excess deferrals are income of the year deferred, and the earnings of a corrective "
    "distribution income of the year distributed (Form 1040 instructions, line 1h); a code-P amount belongs "
    "on the deferral year's return (amend it if already filed)"
)
KINDS = ("excess-deferral", "excess-annual-addition")
ANNUAL_ADDITION_REFUSAL = (
    "a section 415(c) excess corrected by returning elective deferrals (pretax or designated Roth) is not "
    "supported: only after-tax employee contributions returned with their earnings (--source aftertax) are "
    "derived; ask the plan for its correction and its code-E 1099-R"
)
ANNUAL_ADDITION_1099R_NOTE = (
    "a section 415(c) correction under EPCRS (Rev. Proc. 2021-30 section 6.06): the plan's code-E 1099-R shows "
    "the after-tax contributions returned plus their earnings in box 1, the earnings (taxable in the year "
    "distributed) in box 2a and the contributions returned in box 5, on a form of its own; it is not an "
    "eligible rollover distribution and not subject to the 10% additional tax (Instructions for Forms 1099-R "
    "and 5498, Distributions Under EPCRS); box 4 is shown as 0.00 (withholding not recorded)"
)
ANNUAL_ADDITION_1040_REFUSAL = (
    "Form 1040 {year} is not derived: {plan}'s code-E 1099-R ({earnings:,.2f} of earnings taxable in {year}, a "
    "section 415(c) correction) -- the Form 1040 instructions send 'corrective distributions (including any "
    "earnings) of excess elective deferrals or other excess contributions to retirement plans' to line 1h "
    "instead of lines 5a/5b and do not say whether an EPCRS return of excess annual additions is one, so the "
    "line for box 2a is not confirmed; `form 1099-r` and the after-tax basis are derived -- ask a preparer "
    "where the earnings go"
)


def deferral_deadline(tax_year: int) -> date:
    """IRC 402(g)(2)(A)(ii): April 15 of the year after the deferral year."""
    return date(tax_year + 1, 4, 15)


@dataclass(frozen=True)
class PlanCorrection:
    plan: str
    date: date
    tax_year: int
    kind: str
    source: str  # pretax | roth
    amount: Decimal
    earnings: Decimal = ZERO
    ref: str = ""


@dataclass
class CorrectionResult:
    forms: dict[int, list[Form1099R]] = field(default_factory=dict)  # by the year of the form
    line1h: dict[int, Decimal] = field(default_factory=dict)  # Form 1040 line 1h by tax year
    corrected: dict[int, Decimal] = field(
        default_factory=dict
    )  # excess deferrals corrected, by deferral year
    #: year of the distribution -> why its Form 1040 is not derived (415(c) corrections)
    f1040_refusals: dict[int, str] = field(default_factory=dict)
    #: (plan, limitation year) -> after-tax contributions returned to correct a 415(c) excess
    annual_additions_returned: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    #: years whose forms include a 402(g) corrective distribution (codes P / 8)
    deferral_years: set[int] = field(default_factory=set)


def check_annual_addition(c: PlanCorrection) -> None:
    """Refuse what is not a return of after-tax contributions (with earnings) under EPCRS."""
    if c.source != "aftertax":
        raise UnsupportedSituation(ANNUAL_ADDITION_REFUSAL)
    if c.amount <= 0:
        raise UserError("--amount (the after-tax contributions returned) must be positive")
    if c.earnings < 0:
        raise UnsupportedSituation(
            "a loss allocable to after-tax contributions returned under EPCRS is not supported (the 1099-R "
            "treatment of a negative earnings adjustment is not derived)"
        )
    if c.date.year < c.tax_year:
        raise UserError(
            f"a correction of {c.tax_year} annual additions cannot be made on {c.date.isoformat()}"
        )


def check(c: PlanCorrection) -> None:
    """Refuse what is not a 402(g)(2) corrective distribution or a supported 415(c) correction, with
    the reason."""
    if c.kind == "excess-annual-addition":
        check_annual_addition(c)
        return
    if c.kind != "excess-deferral":
        raise UserError(f"unknown correction kind {c.kind!r}; expected one of {', '.join(KINDS)}")
    if c.source not in ("pretax", "roth"):
        raise UserError("an excess deferral is pretax or designated Roth money (--source pretax|roth)")
    if c.amount <= 0:
        raise UserError("--amount (the excess distributed) must be positive")
    if c.earnings < 0:
        raise UnsupportedSituation(
            "a loss allocable to an excess deferral is not supported (the 1099-R and "
            "Form 1040 treatment of a negative income allocation is not derived)"
        )
    deadline = deferral_deadline(c.tax_year)
    if c.date.year < c.tax_year:
        raise UserError(f"a correction of {c.tax_year} deferrals cannot be made on {c.date.isoformat()}")
    if c.date > deadline:
        raise UnsupportedSituation(
            f"an excess deferral distributed after April 15, {c.tax_year + 1} is not a corrective distribution "
            "(IRC 402(g)(2)(A)(ii)): the excess stays income of "
            f"{c.tax_year} and is taxed again when distributed, without basis (taxed twice; IRC 402A(d)(3) for "
            "Roth money) -- that distribution is not supported here"
        )


def _form(payer: str, code: str, box1: Decimal, box2a: Decimal, why: str, ref: str) -> Form1099R:
    return Form1099R(
        payer=payer,
        destination="cash",
        box1=box1,
        box2a=box2a,
        box2b_taxable_not_determined=False,
        box2b_total_distribution=False,
        box4=ZERO,
        box5=None,
        box7=code,
        explain={
            "box1": [f"corrective distribution of an excess deferral: {ref}: {box1:,.2f}"],
            "box2a": [why],
            "box7": [
                f"{code}: 8 taxable this year, P taxable in the prior "
                "year, B designated Roth (1099-R instructions)"
            ],
        },
    )


def derive(corrections: list[PlanCorrection]) -> CorrectionResult:
    """The plans' 1099-Rs and Form 1040 line 1h amounts of the corrective distributions."""
    out = CorrectionResult()
    code_e: dict[tuple[str, int], Form1099R] = {}
    for c in sorted(corrections, key=lambda c: c.date):
        check(c)
        y, dy = c.tax_year, c.date.year
        if c.kind == "excess-annual-addition":
            _annual_addition(c, out, code_e)
            continue
        out.deferral_years.add(dy)
        roth = c.source == "roth"
        b = "B" if roth else ""
        forms = out.forms.setdefault(dy, [])
        out.corrected[y] = out.corrected.get(y, ZERO) + c.amount
        excess_taxable = ZERO if roth else c.amount  # a Roth deferral was never excluded from income
        if dy == y:
            forms.append(
                _form(
                    c.plan,
                    "8" + b,
                    c.amount + c.earnings,
                    excess_taxable + c.earnings,
                    "the excess (pretax) and its earnings, both taxable this year"
                    if not roth
                    else "the earnings only: the Roth excess was already taxed",
                    c.ref,
                )
            )
            out.line1h[y] = out.line1h.get(y, ZERO) + excess_taxable + c.earnings
        else:
            forms.append(
                _form(
                    c.plan,
                    "P" + b,
                    c.amount,
                    excess_taxable,
                    f"the excess, taxable in {y} (the deferral year)"
                    if not roth
                    else "0: the Roth excess was already taxed",
                    c.ref,
                )
            )
            out.line1h[y] = out.line1h.get(y, ZERO) + excess_taxable
            if c.earnings > 0:
                forms.append(
                    _form(
                        c.plan,
                        "8" + b,
                        c.earnings,
                        c.earnings,
                        f"its earnings, taxable in {dy} (IRC 402(g)(2)(C))",
                        c.ref,
                    )
                )
                out.line1h[dy] = out.line1h.get(dy, ZERO) + c.earnings
    return out


def _annual_addition(
    c: PlanCorrection, out: CorrectionResult, code_e: dict[tuple[str, int], Form1099R]
) -> None:
    """One code-E 1099-R per plan and year for its 415(c) returns of after-tax contributions
    (boxes per the 1099-R instructions, module docstring)."""
    dy = c.date.year
    f = code_e.get((c.plan, dy))
    if f is None:
        f = code_e[(c.plan, dy)] = Form1099R(
            payer=c.plan,
            destination="cash",
            box1=ZERO,
            box2a=ZERO,
            box2b_taxable_not_determined=False,
            box2b_total_distribution=False,
            box4=ZERO,
            box5=ZERO,
            box7="E",
            explain={
                "box1": ["after-tax contributions returned to correct a 415(c) excess, plus their earnings:"],
                "box2a": ["the earnings, taxable in the year distributed (1099-R instructions, EPCRS)"],
                "box5": ["the after-tax contributions returned (recovered tax free):"],
                "box7": ["E: distribution under EPCRS (not an eligible rollover distribution, no 72(t) tax)"],
            },
        )
        out.forms.setdefault(dy, []).append(f)
    f.box1 += c.amount + c.earnings
    f.box2a = (f.box2a or ZERO) + c.earnings
    f.box5 = (f.box5 or ZERO) + c.amount
    f.explain["box1"].append(f"  {c.ref}: {c.amount:,.2f} + {c.earnings:,.2f}")
    f.explain["box5"].append(f"  {c.ref}: {c.amount:,.2f}")
    key = (c.plan, c.tax_year)
    out.annual_additions_returned[key] = out.annual_additions_returned.get(key, ZERO) + c.amount
    out.f1040_refusals[dy] = ANNUAL_ADDITION_1040_REFUSAL.format(year=dy, plan=c.plan, earnings=f.box2a)


def annual_additions_returned(corrections: list[PlanCorrection], year: int) -> dict[str, Decimal]:
    """plan -> the after-tax contributions for limitation year ``year`` returned under EPCRS; they
    are no longer annual additions (module docstring)."""
    out: dict[str, Decimal] = {}
    for c in corrections:
        if c.kind == "excess-annual-addition" and c.tax_year == year:
            out[c.plan] = out.get(c.plan, ZERO) + c.amount
    return out


def settle_excess_deferral(
    excess: Decimal, corrected: Decimal, year: int, as_of: date
) -> tuple[str, str] | None:
    """What becomes of the EXCESS_DEFERRAL warning once corrective distributions are recorded.

    - corrected in full: EXCESS_DEFERRAL_CORRECTED (the excess is income of ``year`` only, its earnings of
      the year distributed: IRC 402(g)(2)(C));
    - not (fully) corrected and April 15 of the next year has passed: EXCESS_DEFERRAL (the issue #2 code,
      kept for scripts) with a message that starts "NOT CORRECTED IN TIME" -- the
      rest is taxed in ``year`` and again when it is distributed, with no basis for it (IRS "Retirement
      Topics - What Happens When an Employee has Elective Deferrals in Excess of the Limits?"; IRC
      402A(d)(3) for designated Roth money);
    - otherwise EXCESS_DEFERRAL with what is still to distribute.
    Returns (code, message), or None without an excess."""
    if excess <= 0:
        return None
    deadline = deferral_deadline(year)
    if corrected >= excess:
        return (
            "EXCESS_DEFERRAL_CORRECTED",
            (
                f"the {year} excess deferral of {excess:,.2f} was distributed by April 15, {year + 1} "
                f"({corrected:,.2f} recorded with `correction add`; IRC 402(g)(2)): it is income of {year} (Form 1040 "
                "line 1h for pretax money) and its earnings of the year distributed; see the plan's code P / 8 1099-Rs"
            ),
        )
    left = excess - corrected
    if as_of > deadline:
        return (
            "EXCESS_DEFERRAL",
            (
                f"NOT CORRECTED IN TIME: {left:,.2f} of the {year} excess deferral of {excess:,.2f} was not distributed by April 15, {year + 1}: "
                f"it is taxable in {year} (Form 1040 line 1h) and taxed AGAIN when the plan distributes it, because it "
                "gives no basis (taxed twice; IRC 402A(d)(3) for Roth money) -- a correction can no longer prevent that; "
                "ask the plan how it will handle the excess (a 401(a)(30) failure within one employer's plans is "
                "corrected under EPCRS)"
            ),
        )
    return (
        "EXCESS_DEFERRAL",
        (
            f"{left:,.2f} of the {year} excess deferral of {excess:,.2f} is still to be distributed: tell the plan(s) by "
            f"March 1, {year + 1} and have it and its earnings distributed by April 15, {year + 1} (IRC 402(g)(2)); record "
            "it with `megaroth correction add --kind excess-deferral`, or it is taxed twice"
        ),
    )
