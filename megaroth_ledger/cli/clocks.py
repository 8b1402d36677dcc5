"""``megaroth clocks`` (five-year clocks per conversion layer) and ``megaroth withdraw`` (what a
Roth withdrawal would come out of and cost). The rules are in ``rules/clocks.py`` and
``rules/ordering.py``; the ledger assembly in ``services/clocks.py``."""

from __future__ import annotations

import datetime as dt

import click

from .common import AMOUNT, DATE, emit, fast, format_option, read_session

#: Shown in --help; the authoritative list is ``rules.ordering.EXCEPTIONS`` (a test keeps them equal).
EXCEPTION_NAMES = (
    "separation-55",
    "sepp",
    "disability",
    "death",
    "medical",
    "qdro",
    "health-insurance",
    "education",
    "first-home",
    "levy",
    "reservist",
)


@click.command("clocks")
@click.option("--person", "person_name", required=True, help="Whose clocks (see `megaroth person list`).")
@click.option("--as-of", type=DATE, default=None, help="Date to judge the clocks on (default: today).")
@format_option
@click.pass_context
def clocks(ctx, person_name: str, as_of: dt.date | None, fmt: str) -> None:
    """Five-year clocks: each conversion layer's 10% recapture clock, the qualified-distribution
    clocks (Roth IRA and each plan's Roth account), and when converted money becomes penalty-free.

    Example: megaroth clocks --person ann --as-of 2027-03-01 --format json
    """
    from ..reports.output import Column, Table
    from ..services import clocks as svc

    as_of = as_of or dt.date.today()
    from ..store.lite import FULL

    data = fast(ctx, lambda db: svc.clocks_payload(db, person_name, as_of))
    if data is FULL:
        with read_session(ctx) as session:
            data = svc.clocks_payload(session, person_name, as_of)
    full = [
        Column("kind", "kind"),
        Column("plan", "plan"),
        Column("date", "date"),
        Column("tax_year", "tax_year"),
        Column("amount", "amount", True),
        Column("taxable", "taxable", True),
        Column("nontaxable", "nontaxable", True),
        Column("remaining_taxable", "remaining_taxable", True),
        Column("remaining_nontaxable", "remaining_nontaxable", True),
        Column("clock_start", "clock_start"),
        Column("penalty_free_on", "penalty_free_on"),
        Column("penalty_free", "penalty_free"),
        Column("days_left", "days_left"),
        Column("exposed", "exposed", True),
    ]
    label = {
        "ira-conversion": "IRA conversion",
        "plan-rollover": "{plan} -> Roth IRA",
        "in-plan": "{plan} IRR",
    }
    from ..reports.display import NO_ROTH_IRA_CONVERSIONS, free_from, has_conversion_years

    rows = [
        {**c, "layer": label[c["kind"]].format(plan=c["plan"]), "free_from": free_from(c, as_of)}
        for c in data["conversions"]
    ]
    layers = Table(
        f"Conversion layers of {data['person']} on {as_of.isoformat()} (age 59½ on {data['age_59_half_on']})",
        [
            Column("date", "date"),
            Column("layer", "layer"),
            Column("amount", "amount", True),
            Column("taxable", "taxable", True),
            Column("remaining_taxable", "left taxable", True),
            Column("remaining_nontaxable", "left other", True),
            Column("free_from", "free from"),
            Column("days_left", "days"),
            Column("exposed", "exposed", True),
        ],
        rows,
        footer=["exposed = the taxable part still inside its five years (10% if withdrawn early)"]
        + [f"note: {n}" for n in data["notes"]],
        section="layers",
    )
    qualified = Table(
        "Qualified-distribution clocks",
        [
            Column("account", "account"),
            Column("clock_start", "clock start"),
            Column("five_years_on", "five years on"),
            Column("qualified_on", "qualified on (59½ and five years)"),
            Column("met", "met"),
        ],
        data["qualified"],
        section="qualified",
    )
    schedule = Table(
        "When Roth IRA conversion money becomes penalty-free (ordering rules: oldest year first)",
        [
            Column("on", "from"),
            Column("tax_years", "conversion years"),
            Column("why", "why"),
            Column("amount", "becomes free", True),
            Column("cumulative", "can withdraw penalty-free", True),
        ],
        data["schedule"],
        footer=[
            f"regular contributions (always free): {data['regular_contributions_remaining']:,.2f}; "
            "earnings are not included"
        ]
        + (
            [
                "in-plan Roth rollovers stay in the plan, where a distribution is pro rata, not ordered: "
                "see `megaroth withdraw --account PLAN`"
            ]
            if any(c["kind"] == "in-plan" for c in data["conversions"])
            else []
        ),
        section="schedule",
    )
    csv_layers = Table(None, full, data["conversions"], footer=layers.footer, section="layers")
    shown = schedule
    if not has_conversion_years(data["schedule"]):  # one line instead of an empty "0.00" row
        shown = Table(
            None,
            [],
            [],
            empty="",
            footer=[f"{NO_ROTH_IRA_CONVERSIONS}; {schedule.footer[0]}", *schedule.footer[1:]],
        )
    emit(data, fmt, [layers, qualified, shown], csv=[csv_layers, qualified, schedule])


@click.command("withdraw")
@click.option("--person", "person_name", required=True, help="Whose Roth money.")
@click.option("--amount", type=AMOUNT, required=True, help="Amount to withdraw.")
@click.option("--date", "on", type=DATE, default=None, help="Withdrawal date (default: today).")
@click.option(
    "--account",
    default="roth-ira",
    show_default=True,
    metavar="roth-ira|PLAN",
    help="The Roth IRA, or a plan's designated Roth account (pro rata, not ordered).",
)
@click.option(
    "--exception",
    default=None,
    metavar="NAME",
    help="A 72(t) exception that applies: " + ", ".join(EXCEPTION_NAMES) + ".",
)
@format_option
@click.pass_context
def withdraw(
    ctx, person_name: str, amount, on: dt.date | None, account: str, exception: str | None, fmt: str
) -> None:
    """What-if: which money a Roth withdrawal would come out of, the income tax base and 10%
    additional tax of each part, and the Form 8606 Part III / Form 5329 lines it would produce.
    Nothing is recorded (use `megaroth ira distribute --account roth` for a real distribution).

    Example: megaroth withdraw --person ann --amount 8000 --date 2024-06-01 --format json
    """
    from ..reports.output import Column, Table
    from ..services import clocks as svc

    on = on or dt.date.today()
    with read_session(ctx) as session:
        data = svc.withdraw_payload(session, person_name, amount, on, account, exception)
    status = "qualified" if data["qualified"] else ("early" if data["early"] else "after 59½")
    tranches = Table(
        f"Withdrawal of {amount:,.2f} from {data['account']} on {on.isoformat()} ({status})",
        [
            Column("source", "source"),
            Column("tax_year", "year"),
            Column("amount", "amount", True),
            Column("income_tax_base", "taxable income", True),
            Column("additional_tax_base", "10% base", True),
            Column("additional_tax", "10% tax", True),
            Column("note", "why"),
        ],
        data["tranches"],
        footer=[
            f"total: income tax base {data['totals']['income_tax_base']:,.2f}, "
            f"10% additional tax {data['totals']['additional_tax']:,.2f}"
        ]
        + [f"note: {n}" for n in data["notes"]],
        section="withdrawal",
    )
    tables = [tranches]
    if "form_8606_part_iii" in data:
        recorded = data["recorded_same_year"]
        tables.append(
            Table(
                None,
                [Column("line", f"Form 8606 Part III, {on.year}: line"), Column("amount", "amount", True)],
                [{"line": k, "amount": v} for k, v in data["form_8606_part_iii"].items() if v is not None]
                or [{"line": "(not filed: qualified distribution)", "amount": None}],
                footer=[f"includes {recorded} distribution(s) already recorded in {on.year}"]
                if recorded
                else [],
                section="form_8606_part_iii",
            )
        )
    if "form_1099r" in data:
        tables.append(
            Table(
                None,
                [Column("box", f"Form 1099-R from {data['account']}: box"), Column("amount", "amount", True)],
                [{"box": k, "amount": v} for k, v in data["form_1099r"].items()],
                section="form_1099r",
            )
        )
    f5329 = data["form_5329"]
    tables.append(
        Table(
            None,
            [
                Column("line", f"Form 5329 Part I, {on.year}: line"),
                Column("amount", "amount", True),
                Column("note", ""),
            ],
            [
                {
                    "line": k,
                    "amount": v,
                    "note": f"exception number {f5329['2_exception']}"
                    if k == "2" and f5329.get("2_exception")
                    else None,
                }
                for k, v in f5329.items()
                if k != "2_exception"
            ],
            section="form_5329",
        )
    )
    totals = Table(
        None,
        [Column("item", "item"), Column("amount", "amount", True)],
        [{"item": k, "amount": v} for k, v in data["totals"].items()],
        section="totals",
    )
    emit(data, fmt, tables, csv=tables[:1] + [totals] + tables[1:])


COMMANDS = [clocks, withdraw]
