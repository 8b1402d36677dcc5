"""Property tests (hypothesis) for issue 3:

1. Basis is never created or lost: after-tax contributions = box 5 amounts so far + the
   basis left in the sub-account (IRC 72(e)(8): a distribution recovers a share of the
   investment in the contract; nothing else changes it).
2. A multi-year history gives the same figures computed year by year (each year started from
   the previous year's carried figures, as `basis set` would) as all at once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.money import ZERO
from megaroth_ledger.rules.basis import SubAccountMove, replay
from megaroth_ledger.rules.tax_history import CarryForward, IraMove, PersonHistory, PlanMove, compute_history

cents = st.integers(min_value=1, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
signed_cents = st.integers(min_value=-500_000, max_value=2_000_000).map(lambda c: Decimal(c) / 100)
fraction = st.integers(min_value=1, max_value=100)  # percent of the balance distributed


@st.composite
def subaccount_moves(draw, start_year=2020, years=4):
    """Contributions, earnings and distributions; distributions never exceed the balance."""
    moves, balance = [], ZERO
    n = draw(st.integers(min_value=1, max_value=25))
    day = date(start_year, 1, 1).toordinal()
    end = date(start_year + years - 1, 12, 31).toordinal()
    for _ in range(n):
        day = min(end, day + draw(st.integers(min_value=1, max_value=50)))  # no same-day ties
        kind = draw(st.sampled_from(["contribution", "contribution", "earnings", "distribution"]))
        on = date.fromordinal(day)
        if kind == "contribution":
            amount = draw(cents)
            balance += amount
        elif kind == "earnings":
            amount = draw(signed_cents)
            if balance + amount < 0:
                amount = -balance
            if amount == 0:
                continue
            balance += amount
        else:
            if balance <= 0:
                continue
            amount = (balance * draw(fraction) / 100).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            balance -= amount
        moves.append(SubAccountMove(on, kind, amount))
    return moves


@settings(max_examples=300, deadline=None)
@given(subaccount_moves())
def test_basis_is_never_created_or_lost(moves):
    rp = replay(moves)
    contributed = sum((m.amount for m in moves if m.kind == "contribution"), ZERO)
    recovered = sum((s.basis for s in rp.splits), ZERO)  # 1099-R box 5 amounts so far
    assert contributed == recovered + rp.final.basis
    for s in rp.splits:
        assert ZERO <= s.basis <= s.amount
    assert rp.final.basis >= 0 and rp.final.balance >= 0


@settings(max_examples=200, deadline=None)
@given(subaccount_moves(), st.integers(min_value=0, max_value=30))
def test_replay_in_pieces_equals_all_at_once(moves, cut):
    cut = min(cut, len(moves))
    whole = replay(moves)
    first = replay(moves[:cut])
    second = replay(moves[cut:], first.final)
    assert [s.basis for s in whole.splits] == [s.basis for s in first.splits + second.splits]
    assert whole.final == second.final


@st.composite
def histories(draw):
    """Plan moves (all after-tax, converted in-plan or to a Roth IRA) and an IRA side with
    nondeductible contributions, conversions, Dec 31 values and Roth IRA distributions."""
    sub = draw(subaccount_moves(start_year=2020, years=4))
    plan_moves = []
    for m in sub:
        if m.kind == "distribution":
            to = draw(st.sampled_from(["in-plan", "roth-ira", "roth-ira-split"]))
            plan_moves.append(
                PlanMove(
                    "p",
                    m.date,
                    "distribution",
                    m.amount,
                    to="roth-ira" if to.startswith("roth-ira") else to,
                    earnings_to="traditional-ira" if to == "roth-ira-split" else None,
                )
            )
        else:
            plan_moves.append(PlanMove("p", m.date, m.kind, m.amount))
    ira = []
    values = {}
    for y in range(2020, 2024):
        if draw(st.booleans()):
            amt = draw(cents)
            nd = (amt * draw(fraction) / 100).quantize(Decimal("0.01"))
            made = date(y + 1, 3, 1) if draw(st.booleans()) else date(y, 2, 1)
            ira.append(IraMove(made, y, "contribution", "traditional", amt, nd))
        if draw(st.booleans()):
            ira.append(IraMove(date(y, 6, 1), y, "conversion", "traditional", draw(cents)))
        if draw(st.booleans()):
            ira.append(IraMove(date(y, 4, 1), y, "contribution", "roth", draw(cents)))
        if draw(st.booleans()):
            ira.append(IraMove(date(y, 9, 1), y, "distribution", "roth", draw(cents)))
        values[y] = Decimal(draw(st.integers(min_value=0, max_value=10_000_000))) / 100
    return PersonHistory(
        person="p",
        born=date(1990, 1, 1),
        plan_moves=tuple(plan_moves),
        ira_moves=tuple(ira),
        ira_values=values,
    )


def _figures(y):
    return (
        [(f.payer, f.destination, f.box1, f.box2a, f.box5, f.box7) for f in y.forms],
        y.f8606.lines,
        y.f1040.lines,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(min_value=2020, max_value=2022))
def test_year_by_year_equals_all_at_once(h, k):
    whole = compute_history(h, through=2023)
    upto = compute_history(h, through=k)
    carry = upto.years[k].f8606.carry
    first = upto.first_roth_year if upto.first_roth_year is not None and upto.first_roth_year <= k else None
    later = PersonHistory(
        person="p",
        born=h.born,
        plan_moves=tuple(m for m in h.plan_moves if m.date.year > k),
        ira_moves=tuple(
            m for m in h.ira_moves if (m.tax_year if m.kind == "contribution" else m.date.year) > k
        ),
        ira_values={y: v for y, v in h.ira_values.items() if y > k},
        carryforward=CarryForward(
            k,
            carry.traditional_basis,
            carry.roth_regular_basis,
            roth_conversion_basis=carry.roth_conversion_basis,
            first_roth_year=first,
        ),
        plan_starts={
            "p": replay(
                [SubAccountMove(m.date, m.kind, m.amount) for m in h.plan_moves if m.date.year <= k]
            ).final
        },
    )
    rest = compute_history(later, through=2023)
    for y in range(k + 1, 2024):
        assert _figures(rest.years[y]) == _figures(whole.years[y]), y
    for y in range(min(whole.years), k + 1):
        assert _figures(upto.years[y]) == _figures(whole.years[y]), y
