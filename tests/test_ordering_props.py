"""Property tests for the ordering rules: tranches sum to the amount withdrawn, no layer or
contribution goes negative, nothing is created or lost, and the DRA pro rata split adds up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from megaroth_ledger.rules.clocks import QualifiedClock, roth_ira_clock
from megaroth_ledger.rules.layers import RothContribution, RothLayer
from megaroth_ledger.rules.ordering import Distribution, dra_distribution, replay, split_pro_rata

cents = st.integers(min_value=0, max_value=5_000_000)
positive = st.integers(min_value=1, max_value=5_000_000).map(lambda c: D(c) / 100)
exceptions = st.sampled_from([None, None, None, "sepp", "disability", "death", "levy"])
born = st.dates(min_value=date(1950, 1, 1), max_value=date(2000, 12, 31))


@st.composite
def layers(draw):
    out = []
    for _ in range(draw(st.integers(0, 5))):
        day = draw(st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31)))
        total = draw(cents)
        taxable = draw(st.integers(0, total))
        kind = draw(st.sampled_from(["ira-conversion", "plan-rollover", "in-plan"]))
        out.append(
            RothLayer(
                kind,
                None if kind == "ira-conversion" else "p",
                day,
                day.year,
                D(total) / 100,
                D(taxable) / 100,
            )
        )
    return out


@st.composite
def contributions(draw):
    out = []
    for _ in range(draw(st.integers(0, 4))):
        year = draw(st.integers(2010, 2030))
        out.append(
            RothContribution(
                draw(st.sampled_from(["regular", "dra-rollover"])),
                date(year, 6, 1),
                year,
                D(draw(cents)) / 100,
            )
        )
    return out


distributions = st.lists(
    st.builds(
        Distribution, st.dates(min_value=date(2010, 1, 1), max_value=date(2031, 12, 31)), positive, exceptions
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(contributions(), layers(), distributions, born)
def test_tranches_sum_nothing_negative_nothing_lost(cs, ls, ds, b):
    clock, _ = roth_ira_clock(cs, ls, b)
    state = replay(cs, ls, ds, b, clock)
    for r in state.results:
        assert sum(t.amount for t in r.tranches) == r.distribution.amount
        assert all(t.amount > 0 for t in r.tranches)
        for t in r.tranches:
            assert 0 <= t.additional_tax_base <= t.amount and 0 <= t.income_tax_base <= t.amount
            assert t.recapture <= t.amount
            if t.source != "conversion-taxable":
                assert t.recapture == 0
    assert all(x >= 0 for x in state.regular_left + state.taxable_left + state.nontaxable_left)
    # conservation: what was taken from each layer/contribution is what the tranches say
    for i, x in enumerate(ls):
        took_t = sum(
            t.amount
            for r in state.results
            for t in r.tranches
            if t.layer == i and t.source == "conversion-taxable"
        )
        took_n = sum(
            t.amount
            for r in state.results
            for t in r.tranches
            if t.layer == i and t.source == "conversion-nontaxable"
        )
        assert state.taxable_left[i] == x.taxable - took_t
        assert state.nontaxable_left[i] == x.nontaxable - took_n
        if x.kind == "in-plan":
            assert took_t == took_n == 0  # IRRs live in a plan, not in the Roth IRA
    took_regular = sum(t.amount for r in state.results for t in r.tranches if t.source == "regular")
    assert sum(c.amount for c in cs) - sum(state.regular_left) == took_regular


@settings(max_examples=300, deadline=None)
@given(contributions(), layers(), distributions, born)
def test_order_is_regular_then_conversions_by_year_taxable_first_then_earnings(cs, ls, ds, b):
    state = replay(cs, ls, ds, b, None)
    rank = {"regular": 0, "conversion-taxable": 1, "conversion-nontaxable": 1, "earnings": 3}
    for r in state.results:
        keys = [
            (
                rank[t.source],
                t.tax_year if t.source.startswith("conversion") else 0,
                t.source == "conversion-nontaxable",
            )
            for t in r.tranches
        ]
        assert keys == sorted(keys)
        # earnings only once every reachable contribution and layer of the year or before is gone
        if any(t.source == "earnings" for t in r.tranches):
            year = r.distribution.date.year
            assert state.regular_remaining(year) == 0 and state.layers_remaining(year) == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(cents, min_size=1, max_size=8), st.data())
def test_split_pro_rata_sums_and_respects_weights(weights, data):
    ws = [D(w) / 100 for w in weights]
    total = D(data.draw(st.integers(0, sum(weights)))) / 100
    shares = split_pro_rata(total, ws)
    assert sum(shares) == total
    assert all(D(0) <= s <= w for s, w in zip(shares, ws, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.data(), born, exceptions.filter(lambda e: e != "education"))
def test_dra_tranches_sum_and_box_5_plus_2a_is_box_1(data, b, exc):
    contrib = D(data.draw(cents)) / 100
    irrs = []
    for k in range(data.draw(st.integers(0, 3))):
        total = data.draw(cents)
        taxable = data.draw(st.integers(0, total))
        layer = RothLayer(
            "in-plan", "p", date(2015 + 2 * k, 3, 1), 2015 + 2 * k, D(total) / 100, D(taxable) / 100
        )
        irrs.append((layer, layer.taxable, layer.nontaxable))
    basis = contrib + sum(t + n for _, t, n in irrs)
    balance = basis + D(data.draw(cents)) / 100
    if balance == 0:
        return
    amount = D(data.draw(st.integers(1, int(balance * 100)))) / 100
    clock = QualifiedClock("p", date(2015, 1, 1), date(2020, 1, 1), date(2060, 1, 1))
    on = data.draw(st.dates(min_value=date(2016, 1, 1), max_value=date(2030, 12, 31)))
    res = dra_distribution(
        amount,
        on,
        balance=balance,
        contributions_basis=contrib,
        irrs=irrs,
        born=b,
        clock=clock,
        exception=exc,
    )
    assert sum(t.amount for t in res.tranches) == amount
    assert res.basis + res.earnings == amount
    assert res.basis <= basis
    assert sum(p.taxable + p.nontaxable for p in res.irr_parts) + res.contributions_part == res.basis
    for p, (_, t, n) in zip(res.irr_parts, irrs, strict=True):
        assert 0 <= p.taxable <= t and 0 <= p.nontaxable <= n
    assert res.recapture <= sum(p.taxable for p in res.irr_parts)
    if res.box10 is not None:
        assert res.recapture <= res.box10 <= res.basis
