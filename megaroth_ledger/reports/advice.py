"""What to do about each warning the ledger gives (headroom, forms, clocks): one plain line
per warning code, shown beside the warning in the workbook's Summary and in ``report year``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: What to do about each warning code (codes of rules/headroom.py; ASSUMPTION* and others from
#: the forms and clocks services). A code is matched exactly, then by its longest known prefix;
#: an unknown code falls back on a generic line (the message itself says what is wrong).
ADVICE = {
    "EXCESS_DEFERRAL": "Tell the plan(s) by March 1 and have the excess and its earnings distributed by "
    "April 15 of next year (IRC 402(g)(2)); otherwise it is taxed twice.",
    "EXCESS_DEFERRAL_CORRECTED": "Report the plan's code P / 8 1099-Rs: the excess on the deferral year's Form "
    "1040 line 1h, its earnings in the year distributed.",
    "EXCESS_DEFERRAL_457B": "Ask the 457(b) plan for a corrective distribution of the excess (IRC 457(b)(2)).",
    "ANNUAL_ADDITIONS_EXCEEDED": "Ask the plan administrator to correct the excess under EPCRS (Rev. Proc. "
    "2021-30), usually by returning after-tax money and its earnings (1099-R code E).",
    "ANNUAL_ADDITIONS_CORRECTED": "Keep the plan's code-E 1099-R: only its box 2a (the earnings) is taxable, in "
    "the year distributed; the contributions returned (box 5) are not.",
    "AFTER_TAX_NOT_ALLOWED": "Check the plan document; if the plan accepts after-tax money, mark it with "
    "megaroth plan edit PLAN --after-tax, otherwise ask the plan to correct it.",
    "CATCH_UP_ALLOCATION": "Ask each plan how it counts the catch-up; the ledger's attribution is an assumption.",
    "FICA_WAGES_UNKNOWN": "Record last year's FICA wages (W-2 box 3) with megaroth wages set --fica-wages.",
    "ROTH_CATCH_UP_REVIEW": "Ask payroll how it applies the wage threshold; Roth catch-ups are safe either way.",
    "ROTH_CATCH_UP_REQUIRED": "Ask the plan to correct the pre-tax catch-up (it must be designated Roth).",
    "ROTH_CATCH_UP_TRANSITION": "Nothing to correct for this year; have payroll make catch-ups Roth from 2026.",
    "ASSUMED_GOVERNMENTAL_457B": "Confirm the 457(b) plan is governmental; otherwise no age-50 catch-up applies.",
    "ASSUMPTION": "The ledger applied its documented default where the rule is unconfirmed: show this line "
    "to your tax preparer.",
    # megaroth check (issue 9): a failing check shown with the year's warnings
    "CHECK_": "Run megaroth check for the records concerned and fix them (the message names the cause and "
    "the command); the figures above may be wrong until it passes.",
    # forms service (issue 3)
    "basis-cap": "Compare the basis with the plan's confirmation; if the plan states it, record it with "
    "convert --basis.",
    "withholding-assumed": "Check box 4 against the 1099-R the plan sends and reconcile it (reconcile 1099-r).",
    "ira-withholding": "If you elected withholding on the IRA distribution or conversion, use box 4 of the "
    "custodian's 1099-R instead.",
    "roth-ira-1099r": "Expect a 1099-R from the Roth IRA custodian as well; report it with Form 8606 Part III.",
    "annual-addition-correction-1099r": "Reconcile the plan's code-E 1099-R (reconcile 1099-r); it cannot be "
    "rolled over and owes no 10% additional tax.",
    "form-1040-not-derived": "Have a preparer place the code-E 1099-R's box 2a on Form 1040; the other forms "
    "of the year are derived.",
    "qualified-distribution": "A qualified distribution is not reported on Form 8606; check the clocks sheet.",
    # IRA limits (issue 11)
    "ira-excess": "Recharacterize the excess (megaroth ira recharacterize) or have it returned with its earnings "
    "(megaroth ira return) by the return's due date including extensions; otherwise 6% a year (Form 5329).",
    "roth-income-excess": "Recharacterize the Roth contribution as a nondeductible traditional one and convert it "
    "(the backdoor), or have it returned with its earnings, by the return's due date including extensions.",
    "ira-deduction-excess": "Record the part above the deduction limit as nondeductible (ira contribute "
    "--nondeductible): it becomes Form 8606 basis.",
    "distribution-maybe-return": "If the distribution paid back an excess contribution, record it with megaroth "
    "ira return (with its earnings, by the due date) instead of ira distribute.",
    "withdrawal-maybe-415-correction": "If the plan returned the after-tax money to correct a 415(c) excess "
    "(code-E 1099-R), remove the withdrawal and record it with megaroth correction add --kind "
    "excess-annual-addition.",
    "roth-income-unchecked": "Record filing status and MAGI with megaroth tax-year set.",
    "ira-deduction-unchecked": "Record filing status and MAGI with megaroth tax-year set.",
    "unconfirmed": "The ledger applied its documented default where the rule is unconfirmed: show this line "
    "to your tax preparer.",
}
#: Codes ending like this get the advice of the key.
SUFFIXES = {"-unconfirmed": "unconfirmed"}
GENERIC_ADVICE = "Review the figure the message names before filing; it may need a correction."


def advice_for(warning: Mapping[str, Any]) -> str:
    code = str(warning.get("code") or "")
    if code in ADVICE:
        return ADVICE[code]
    for key in sorted(ADVICE, key=len, reverse=True):
        if code.startswith(key):
            return ADVICE[key]
    for suffix, key in SUFFIXES.items():
        if code.endswith(suffix):
            return ADVICE[key]
    return GENERIC_ADVICE
