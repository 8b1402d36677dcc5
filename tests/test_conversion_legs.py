"""A conversion imported as one leg per fund is one distribution (Notice 2014-54: disbursements
made at the same time are a single distribution for the section 72 split): one layer per
conversion on the clocks, and a 1099-R whose box 2a is the conversion-level pro-rata split."""

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from megaroth_ledger.store.db import open_ledger
from megaroth_ledger.store.models import Conversion, Entry

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_fund_legs_of_one_conversion_are_split_once(ann):
    ann("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k")
    ledger = open_ledger(str(ann.db))
    with ledger.session() as s:
        convs = s.scalars(select(Conversion).order_by(Conversion.id)).all()
        legs = {
            c.id: s.scalars(
                select(Entry).where(Entry.conversion_id == c.id, Entry.type == "conversion_out")
            ).all()
            for c in convs
        }
        expected_gross = sum(c.amount_cents for c in convs)
    ledger.dispose()
    # issue 9: the split is figured from the ledger when read (one pro-rata split per conversion)
    listed = ann.json("conversion", "list")["conversions"]
    expected_taxable = sum(int(Decimal(c["taxable"]) * 100) for c in listed)
    assert all(c["taxable"] != c["gross"] for c in listed)
    assert len(convs) == 4 and all(len(v) > 1 for v in legs.values()), (
        "the sample converts several funds at once"
    )
    clocks = ann.json("clocks", "--person", "ann", "--as-of", "2025-12-31")
    assert len(clocks["conversions"]) == len(convs)
    (form,) = ann.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"]
    assert form["box1"] == f"{expected_gross / 100:.2f}"
    assert form["box2a"] == f"{expected_taxable / 100:.2f}"
