"""SQLAlchemy 2.0 typed models.

Money columns are integer cents (``*_cents``, ``BigInteger``): SQLite's ``Numeric`` goes
through float, so it is never used for money. Enumerated text columns are plain strings
checked in Python (the vocabularies are in :mod:`megaroth_ledger.vocab`), so new values
do not need a table rebuild on SQLite.

The schema covers the whole product: people, plans, wages, the plan-side ledger
(contributions, earnings, conversion legs, distributions...), balance assertions,
conversions, the IRA side, carried-forward basis, imports with provenance, and
received 1099-Rs for reconciliation. Changing it means a new Alembic revision under
``migrations/versions``; ``tests/test_store.py`` proves models and migrations agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    born: Mapped[dt.date] = mapped_column(Date)

    plans: Mapped[list[Plan]] = relationship(back_populates="person", order_by="Plan.name")


class Plan(Base):
    """A person's workplace plan. The name is unique per person (two clients may both have a
    ``google-401k``); commands resolve ``--plan NAME`` within ``--person`` (store/lookup.py)."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("person_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    employer: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # 401k | 403b | 457b
    after_tax: Mapped[bool] = mapped_column(Boolean, default=False)
    in_plan_conversion: Mapped[bool] = mapped_column(Boolean, default=False)
    in_service_withdrawal: Mapped[bool] = mapped_column(Boolean, default=False)
    first_roth_year: Mapped[int | None] = mapped_column(Integer)  # 1099-R box 11
    # JSON object mapping raw source labels (e.g. OFX OTHERVEST) to canonical sources
    source_map: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="plans")


class Household(Base):
    """Spouses filing one joint return (issue 13): Form 1040 lines 4a-5b are summed over the
    members, while each keeps their own limits, Form 8606 and clocks (Form 8606 instructions:
    each spouse who must file it files their own, also on a joint return)."""

    __tablename__ = "household"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", order_by="HouseholdMember.id", cascade="all, delete-orphan"
    )


class HouseholdMember(Base):
    """A person in a household; a person files one return, so is in at most one household."""

    __tablename__ = "household_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), unique=True)

    household: Mapped[Household] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class Wages(Base):
    """Per plan and year: 415(c)(3) compensation and prior-year FICA wages (414(v)(7))."""

    __tablename__ = "wages"
    __table_args__ = (UniqueConstraint("plan_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    compensation_cents: Mapped[int | None] = mapped_column(BigInteger)
    fica_wages_cents: Mapped[int | None] = mapped_column(BigInteger)  # prior year's W-2 box 3


class ImportBatch(Base):
    """One imported file: the provenance every imported row points back to."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    profile: Mapped[str] = mapped_column(String(100))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # the statement's own account id (OFX BROKERID:ACCTID): one account belongs to one plan
    account_id: Mapped[str | None] = mapped_column(String(200), index=True)
    # imported with --allow-overlap although its activity was already in the ledger
    overlap_allowed: Mapped[bool] = mapped_column(Boolean, default=False)


class Conversion(Base):
    """A conversion of after-tax money: in-plan Roth rollover, rollover to a Roth IRA, or a
    Notice 2014-54 split (earnings to a traditional IRA, basis to the Roth IRA)."""

    __tablename__ = "conversion"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    tax_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="aftertax")
    to: Mapped[str] = mapped_column(String(20))  # in-plan | roth-ira
    earnings_to: Mapped[str | None] = mapped_column(String(20))  # traditional-ira (Notice 2014-54)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    basis_cents: Mapped[int] = mapped_column(BigInteger)
    basis_computed_cents: Mapped[int] = mapped_column(BigInteger)
    basis_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    balance_before_cents: Mapped[int | None] = mapped_column(BigInteger)
    basis_before_cents: Mapped[int | None] = mapped_column(BigInteger)
    memo: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))
    transfer_group: Mapped[str | None] = mapped_column(String(100))


class Entry(Base):
    """One plan-side money movement (the canonical row of statement-formats.md section 5).

    ``amount_cents`` is signed from the participant's sub-account: money in is positive.
    ``type`` is the canonical type (contribution, earnings kinds, conversion_out/in, fee,
    withdrawal, rollover_out...); ``source`` the money source (pretax, roth, aftertax, ...).
    """

    __tablename__ = "entry"
    __table_args__ = (
        Index("ix_entry_plan_id_date", "plan_id", "date"),
        Index("ix_entry_plan_id_tax_year_type", "plan_id", "tax_year", "type"),
        UniqueConstraint("plan_id", "identity"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    date: Mapped[dt.date] = mapped_column(Date)
    payroll_date: Mapped[dt.date | None] = mapped_column(Date)
    tax_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(30))
    type: Mapped[str] = mapped_column(String(30))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fund: Mapped[str | None] = mapped_column(String(200))
    fund_id: Mapped[str | None] = mapped_column(String(50))
    shares: Mapped[str | None] = mapped_column(String(40))  # exact decimal text, never float
    memo: Mapped[str | None] = mapped_column(Text)
    irr_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="posted")
    conversion_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversion.id", ondelete="CASCADE"), index=True
    )
    # provenance
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )
    file_row: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str | None] = mapped_column(Text)  # JSON of the raw labels/cells
    origin: Mapped[str | None] = mapped_column(String(200))  # e.g. "balance assert #3"
    # de-duplication key within a plan: external id (FITID) or row hash + occurrence
    identity: Mapped[str | None] = mapped_column(String(200))


class EntryHold(Base):
    """An import that also holds an entry it did not insert (the row was already in the ledger,
    e.g. March's rows re-read from the Q1 statement). ``entry.import_id`` is the entry's owner;
    these rows are its other holders, so undoing the owner keeps (re-points) the entry while
    any other active import holds it."""

    __tablename__ = "entry_hold"
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AssertionHold(Base):
    """Like :class:`EntryHold`, for a balance assertion an import found already recorded."""

    __tablename__ = "assertion_hold"
    assertion_id: Mapped[int] = mapped_column(
        ForeignKey("balance_assertion.id", ondelete="CASCADE"), primary_key=True
    )
    import_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class BalanceAssertion(Base):
    __tablename__ = "balance_assertion"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(30))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    ledger_cents: Mapped[int] = mapped_column(BigInteger)  # what the ledger said before
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))


class IraEvent(Base):
    """The IRA side: contributions, conversions, distributions, rollovers in."""

    __tablename__ = "ira_event"
    __table_args__ = (Index("ix_ira_event_person_id_date", "person_id", "date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    date: Mapped[dt.date] = mapped_column(Date)
    tax_year: Mapped[int] = mapped_column(Integer)
    # contribution | conversion | distribution | rollover_in | recharacterization | return
    kind: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(20))  # traditional | roth (recharacterization: from)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    nondeductible_cents: Mapped[int | None] = mapped_column(BigInteger)
    taxable_cents: Mapped[int | None] = mapped_column(BigInteger)  # rollovers in: taxable part
    # recharacterizations and returned contributions: the net income moved / paid out with them
    earnings_cents: Mapped[int | None] = mapped_column(BigInteger)
    after_due_date: Mapped[bool | None] = mapped_column(Boolean)  # returned after the return's due date
    # a traditional contribution whose deductibility is still open (Pub 590-B Worksheet 1-1)
    deductibility_open: Mapped[bool | None] = mapped_column(Boolean)
    exception: Mapped[str | None] = mapped_column(String(30))  # 72(t) exception claimed
    conversion_id: Mapped[int | None] = mapped_column(ForeignKey("conversion.id", ondelete="CASCADE"))
    memo: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))


class IraValue(Base):
    """December 31 value of all traditional/SEP/SIMPLE IRAs plus outstanding rollovers
    (Form 8606 line 6)."""

    __tablename__ = "ira_value"
    __table_args__ = (UniqueConstraint("person_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    # the value already takes into account the year's contributions recharacterized after December 31
    # (Form 8606 instructions, line 6); None / False: the plain December 31 value
    after_recharacterizations: Mapped[bool | None] = mapped_column(Boolean)


class TaxYear(Base):
    """Per person and tax year: what the IRA limits need (``megaroth tax-year set``): filing
    status, modified AGI, whether the person / the spouse is an active participant in a workplace
    plan (IRC 219(g)(5); ``None`` = derived from the ledger's plan contributions of the year) and
    taxable compensation (IRC 219(b)(1)(B); ``None`` = at least the limit)."""

    __tablename__ = "tax_year"
    __table_args__ = (UniqueConstraint("person_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    filing_status: Mapped[str] = mapped_column(String(10))  # single | mfj | mfs | hoh | qss
    magi_cents: Mapped[int] = mapped_column(BigInteger)
    covered: Mapped[bool | None] = mapped_column(Boolean)
    spouse_covered: Mapped[bool] = mapped_column(Boolean, default=False)
    compensation_cents: Mapped[int | None] = mapped_column(BigInteger)


class RothIraValue(Base):
    """December 31 value of all Roth IRAs (Form 5329 line 25: the 6% excise is capped at 6% of it)."""

    __tablename__ = "roth_ira_value"
    __table_args__ = (UniqueConstraint("person_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class BasisCarryforward(Base):
    """Basis known at the end of ``year`` for someone whose history starts mid-way."""

    __tablename__ = "basis_carryforward"
    __table_args__ = (UniqueConstraint("person_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    traditional_cents: Mapped[int | None] = mapped_column(BigInteger)  # prior 8606 line 14
    roth_contributions_cents: Mapped[int | None] = mapped_column(BigInteger)  # line 22 basis


class BasisLayer(Base):
    """An earlier conversion/rollover layer recorded with ``basis set --conversion Y:GROSS:TAXABLE``."""

    __tablename__ = "basis_layer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carryforward_id: Mapped[int] = mapped_column(
        ForeignKey("basis_carryforward.id", ondelete="CASCADE"), index=True
    )
    layer_year: Mapped[int] = mapped_column(Integer)
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    taxable_cents: Mapped[int] = mapped_column(BigInteger)


class OpeningBasis(Base):
    """The basis in a plan sub-account's opening balance (``basis set --plan``): after-tax
    contributions (IRC 72(e)(8) investment in the contract) or designated Roth contributions
    (IRC 402A(d)) held before the ledger's history starts. Absent = unknown."""

    __tablename__ = "opening_basis"
    __table_args__ = (UniqueConstraint("plan_id", "source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(30))
    basis_cents: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Received1099R(Base):
    """A 1099-R the user actually received, as entered by ``reconcile 1099-r``."""

    __tablename__ = "received_1099r"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    box1_cents: Mapped[int | None] = mapped_column(BigInteger)
    box2a_cents: Mapped[int | None] = mapped_column(BigInteger)
    box4_cents: Mapped[int | None] = mapped_column(BigInteger)
    box5_cents: Mapped[int | None] = mapped_column(BigInteger)
    box10_cents: Mapped[int | None] = mapped_column(BigInteger)
    box7: Mapped[str | None] = mapped_column(String(4))
    box11: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ChangeLog(Base):
    """Every change a user made (issue 9): add, edit, rm, import, undo, plan/person edits.

    ``before``/``after`` are JSON snapshots of the record (amounts as two-decimal strings,
    dates ISO; see :mod:`megaroth_ledger.services.changelog`). ``person_id`` is a plain
    integer (no foreign key), so the trail outlives what it describes.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_person_id_at", "person_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    action: Mapped[str] = mapped_column(
        String(20)
    )  # add | edit | rm | import | undo | plan-edit | person-edit
    record: Mapped[str] = mapped_column(String(40))  # contribution, earnings, balance, conversion, ...
    record_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class RemovedRow(Base):
    """A tombstone: an imported row the user removed (``... rm ID``), keyed by plan and the
    row's identity, so importing the same file again does not bring it back."""

    __tablename__ = "removed_row"
    __table_args__ = (UniqueConstraint("plan_id", "identity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    identity: Mapped[str] = mapped_column(String(200))
    removed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    change_id: Mapped[int | None] = mapped_column(Integer)


class ReceivedIra1099R(Base):
    """A 1099-R an IRA custodian issued, as entered by ``reconcile 1099-r --person P --account A``."""

    __tablename__ = "received_ira_1099r"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(20))  # traditional | roth
    year: Mapped[int] = mapped_column(Integer)
    box1_cents: Mapped[int | None] = mapped_column(BigInteger)
    box2a_cents: Mapped[int | None] = mapped_column(BigInteger)
    box4_cents: Mapped[int | None] = mapped_column(BigInteger)
    box7: Mapped[str | None] = mapped_column(String(4))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PlanCorrection(Base):
    """A corrective distribution of an IRC 402(g) excess deferral, or after-tax contributions returned
    to correct a 415(c) excess (``megaroth correction add``);
    its money out of the sub-account is an ``Entry`` of type withdrawal with origin
    ``correction #ID``."""

    __tablename__ = "plan_correction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    tax_year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))  # excess-deferral | excess-annual-addition
    source: Mapped[str] = mapped_column(String(30))  # pretax | roth | aftertax
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    earnings_cents: Mapped[int] = mapped_column(BigInteger)


class ReceivedW2(Base):
    """A W-2 the person received from an employer (``reconcile w2``): the boxes compared with
    the ledger. Re-entering the same employer and year replaces it."""

    __tablename__ = "received_w2"
    __table_args__ = (UniqueConstraint("person_id", "employer", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    employer: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    box1_cents: Mapped[int | None] = mapped_column(BigInteger)  # wages, tips, other compensation
    box3_cents: Mapped[int | None] = mapped_column(BigInteger)  # social security wages
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    box12: Mapped[list[ReceivedW2Box12]] = relationship(
        cascade="all, delete-orphan", order_by="ReceivedW2Box12.code"
    )


class ReceivedW2Box12(Base):
    """One W-2 box 12 entry (code D, E, G, AA, BB, EE...)."""

    __tablename__ = "received_w2_box12"
    __table_args__ = (UniqueConstraint("w2_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    w2_id: Mapped[int] = mapped_column(ForeignKey("received_w2.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(4))
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class Received5498(Base):
    """A Form 5498 an IRA custodian sent (``reconcile 5498``). One per person, IRA kind,
    custodian and year; re-entering it replaces it. ``set_ira_value``: its box 5 was recorded as
    the year's IRA value (none was recorded before)."""

    __tablename__ = "received_5498"
    __table_args__ = (UniqueConstraint("person_id", "account", "custodian", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    account: Mapped[str] = mapped_column(String(20))  # traditional | roth
    custodian: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int] = mapped_column(Integer)
    box1_cents: Mapped[int | None] = mapped_column(BigInteger)  # IRA contributions
    box2_cents: Mapped[int | None] = mapped_column(BigInteger)  # rollover contributions
    box3_cents: Mapped[int | None] = mapped_column(BigInteger)  # Roth IRA conversion amount
    box4_cents: Mapped[int | None] = mapped_column(BigInteger)  # recharacterized contributions
    box5_cents: Mapped[int | None] = mapped_column(BigInteger)  # fair market value on December 31
    box10_cents: Mapped[int | None] = mapped_column(BigInteger)  # Roth IRA contributions
    set_ira_value: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
