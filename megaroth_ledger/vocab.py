"""Controlled vocabularies (statement-formats.md sections 5.3 and 5.4; issue contracts)."""

from __future__ import annotations

PLAN_KINDS = ("401k", "403b", "457b")

#: Sources a user can type on ``contribution add`` (issue #2 contract).
CONTRIBUTION_SOURCES = ("pretax", "roth", "aftertax", "match", "nonelective")

#: Every canonical source the ledger stores (statement-formats.md 5.3).
SOURCES = (
    "pretax",
    "roth",
    "aftertax",
    "aftertax_pre87",
    "match",
    "nonelective",
    "safe_harbor",
    "profit_sharing",
    "employer_roth",
    "roth_irr",
    "rollover",
    "roth_rollover",
    "unknown",
)

#: Elective deferrals: IRC 402(g)(3)(A) and 402A(a)(1) (designated Roth is a deferral).
DEFERRAL_SOURCES = frozenset({"pretax", "roth"})
#: Employer contributions, part of 415(c)(2)(A) annual additions.
EMPLOYER_SOURCES = frozenset({"match", "nonelective", "safe_harbor", "profit_sharing", "employer_roth"})
#: After-tax (non-Roth) employee contributions, 415(c)(2)(B).
AFTER_TAX_SOURCES = frozenset({"aftertax", "aftertax_pre87"})

#: Canonical entry types (statement-formats.md 5.4) plus ``earnings`` for ``earnings add``
#: and balance-assertion differences.
ENTRY_TYPES = (
    "contribution",
    "contribution_true_up",
    "rollover_in",
    "conversion_out",
    "conversion_in",
    "exchange_out",
    "exchange_in",
    "withdrawal",
    "rollover_out",
    "dividend",
    "capital_gain_dist",
    "interest",
    "change_in_value",
    "earnings",
    "fee",
    "fee_rebate",
    "loan_issue",
    "loan_repayment",
    "loan_interest",
    "forfeiture",
    "adjustment",
    "unknown",
    "opening_balance",
)
#: Participant-loan rows (IRC 72(p)): money between the account and the participant's loan
#: note. Never contributions or annual additions (Treas. Reg. 1.415(c)-1(b)(3)), never rollovers.
LOAN_TYPES = frozenset({"loan_issue", "loan_repayment", "loan_interest"})
#: What a sub-account held before the ledger's history starts (a first statement's balance the
#: ledger cannot explain): neither a contribution nor earnings; its basis is recorded apart.
OPENING_TYPE = "opening_balance"
#: Types that count as contributions for the limits (statement-formats.md 5.5).
CONTRIBUTION_TYPES = frozenset({"contribution", "contribution_true_up"})
#: Investment results: they change a sub-account's balance but never its basis.
EARNINGS_TYPES = frozenset(
    {
        "dividend",
        "capital_gain_dist",
        "interest",
        "change_in_value",
        "earnings",
        "fee",
        "fee_rebate",
    }
)
