"""Ledger additions (issue 3): earnings, balance assertions, conversions, the IRA side, basis."""

from __future__ import annotations

import click

from .common import AMOUNT, DATE, YEAR, emit, format_option, out, plan_option, shell_quote, write_session

SOURCE_CHOICE = click.Choice(
    [
        "aftertax",
        "pretax",
        "roth",
        "roth_irr",
        "match",
        "nonelective",
        "safe_harbor",
        "profit_sharing",
        "employer_roth",
        "rollover",
        "roth_rollover",
    ]
)


@click.group("earnings")
def earnings() -> None:
    """Investment gains and losses of a plan sub-account: add, list, edit, rm."""


@earnings.command("add")
@plan_option()
@click.option("--date", "on", type=DATE, required=True)
@click.option("--source", type=SOURCE_CHOICE, required=True, help="Money source of the sub-account.")
@click.option("--amount", type=AMOUNT, required=True, help="Gain (positive) or loss (negative).")
@click.option("--memo")
@click.pass_context
def earnings_add(ctx, plan_name, person_name, on, source, amount, memo) -> None:
    """Record a gain or loss (changes the balance, never the basis).

    Example: megaroth earnings add --plan acme-401k --date 2025-03-01 --source aftertax --amount -120.50
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        entry_id = svc.add_earnings(session, plan_name, on, source, amount, memo, person_name)
    click.echo(f"recorded earnings #{entry_id}: {plan_name} {on.isoformat()} {source} {amount:,.2f}")


@click.group("balance")
def balance() -> None:
    """Statement balances checked against the ledger: assert, list, edit, rm."""


@balance.command("assert")
@plan_option()
@click.option("--date", "on", type=DATE, required=True)
@click.option("--source", type=SOURCE_CHOICE, required=True)
@click.option("--amount", type=AMOUNT, required=True, help="The statement balance of the sub-account.")
@click.option(
    "--strict", is_flag=True, help="A difference is an error instead of being recorded as earnings."
)
@format_option
@click.pass_context
def balance_assert(ctx, plan_name, person_name, on, source, amount, strict, fmt) -> None:
    """Assert a statement balance; a difference is recorded as earnings (with its provenance).

    Example: megaroth balance assert --plan acme-401k --date 2025-03-01 --source aftertax --amount 20500
    """
    from ..reports.output import Column, Table
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        res = svc.assert_balance(session, plan_name, on, source, amount, strict, person_name)
    cols = [
        Column("date", "Date"),
        Column("source", "Source"),
        Column("statement", "Statement", True),
        Column("ledger", "Ledger", True),
        Column("difference", "Recorded as earnings", True),
    ]
    emit(res, fmt, Table(f"Balance assertion #{res['assertion']} ({plan_name})", cols, [res]))


@click.command("convert")
@plan_option()
@click.option("--date", "on", type=DATE, required=True)
@click.option("--amount", type=AMOUNT, required=True, help="Amount taken out of the after-tax sub-account.")
@click.option(
    "--to",
    "to",
    type=click.Choice(["in-plan", "roth-ira"]),
    required=True,
    help="in-plan: in-plan Roth rollover (IRR); roth-ira: rollover to your Roth IRA.",
)
@click.option(
    "--earnings-to",
    type=click.Choice(["traditional-ira"]),
    help="Notice 2014-54 split: pretax earnings to a traditional IRA, basis to the Roth IRA.",
)
@click.option(
    "--basis", type=AMOUNT, help="Basis stated on the plan's confirmation (overrides the pro-rata figure)."
)
@click.option("--memo")
@format_option
@click.pass_context
def convert(ctx, plan_name, person_name, on, amount, to, earnings_to, basis, memo, fmt) -> None:
    """Convert after-tax money: basis = amount x basis / balance on the date (IRC 72(e)(8)).

    Example: megaroth convert --plan acme-401k --date 2025-03-03 --amount 20500 --to in-plan
    """
    from ..reports.output import Column, Table
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        res = svc.convert(session, plan_name, on, amount, to, earnings_to, basis, memo, person=person_name)
    cols = [
        Column("destination", "Destination"),
        Column("gross", "Amount", True),
        Column("taxable", "Taxable", True),
        Column("basis", "Basis", True),
    ]
    t = Table(
        f"Conversion #{res['conversion']}: {plan_name} {on.isoformat()}",
        cols,
        res["parts"],
        footer=[
            f"basis {res['basis']:,.2f} of {res['basis_before']:,.2f}; balance before "
            f"{res['balance_before']:,.2f}; earnings (taxable unless rolled to a traditional IRA) "
            f"{res['earnings']:,.2f}"
        ],
    )
    emit(res, fmt, t)


@click.group("ira")
def ira() -> None:
    """The IRA side: contributions, conversions, distributions, December 31 values.

    Corrections: `ira event list|edit|rm`, `ira value list|edit|rm`."""


@ira.command("contribute")
@click.option("--person", "person_name", required=True)
@click.option("--date", "on", type=DATE, required=True)
@click.option("--account", type=click.Choice(["traditional", "roth"]), required=True)
@click.option("--amount", type=AMOUNT, required=True)
@click.option("--tax-year", type=YEAR, help="Year the contribution is for (default: the date's year).")
@click.option(
    "--nondeductible",
    type=AMOUNT,
    help="Nondeductible part of a traditional contribution (Form 8606 line 1).",
)
@click.option(
    "--deductibility-open",
    is_flag=True,
    help="The deductible part is not known yet (you are covered by a workplace plan): it is figured from "
    "the year's MAGI (tax-year set), and a year with distributions or conversions uses Pub 590-B "
    "Worksheet 1-1 for Form 8606 lines 13 and 17.",
)
@click.pass_context
def ira_contribute(
    ctx, person_name, on, account, amount, tax_year, nondeductible, deductibility_open
) -> None:
    """Record an IRA contribution.

    Example: megaroth ira contribute --person ann --date 2025-02-01 --account traditional --amount 7000 --tax-year 2025 --nondeductible 7000
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        res = svc.ira_contribute(
            session, person_name, on, account, amount, tax_year, nondeductible, deductibility_open
        )
    click.echo(f"recorded IRA contribution #{res['id']}: {person_name} {account} {amount:,.2f}")
    for w in res["warnings"]:
        click.echo(f"warning [{w['code']}]: {w['message']}", err=True)


@ira.command("convert")
@click.option("--person", "person_name", required=True)
@click.option("--date", "on", type=DATE, required=True)
@click.option("--amount", type=AMOUNT, required=True)
@click.pass_context
def ira_convert(ctx, person_name, on, amount) -> None:
    """Record a traditional IRA -> Roth IRA conversion.

    Example: megaroth ira convert --person ann --date 2025-02-05 --amount 7000
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        ev = svc.ira_convert(session, person_name, on, amount)
    click.echo(f"recorded IRA conversion #{ev}: {person_name} {amount:,.2f}")
    click.echo(
        f"next: megaroth ira value --person {shell_quote(person_name)} --year {on.year} --amount X  "
        "(Dec 31 value)"
    )


@ira.command("recharacterize")
@click.option("--person", "person_name", required=True)
@click.option("--date", "on", type=DATE, required=True, help="Date the custodian moved the money.")
@click.option(
    "--from",
    "from_account",
    type=click.Choice(["traditional", "roth"]),
    required=True,
    help="The IRA the contribution was made to.",
)
@click.option(
    "--amount", type=AMOUNT, required=True, help="The contribution recharacterized (without its earnings)."
)
@click.option(
    "--earnings", type=AMOUNT, required=True, help="Its net income moved with it (negative for a loss)."
)
@click.option("--tax-year", type=YEAR, required=True, help="The year the contribution was for.")
@click.option(
    "--nondeductible",
    type=AMOUNT,
    help="Nondeductible part (--from roth: of the new traditional contribution, default all of it; "
    "--from traditional: of the contribution moved).",
)
@format_option
@click.pass_context
def ira_recharacterize(
    ctx, person_name, on, from_account, amount, earnings, tax_year, nondeductible, fmt
) -> None:
    """Move a regular contribution, with its earnings, to the other kind of IRA by the due date
    (IRC 408A(d)(6)); it is treated as made to the second IRA. Conversions made after 2017 cannot
    be recharacterized.

    Example: megaroth ira recharacterize --person ann --date 2026-03-02 --from roth --amount 7000 --earnings 312.40 --tax-year 2025
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        res = svc.ira_recharacterize(
            session, person_name, on, from_account, amount, earnings, tax_year, nondeductible
        )
    if fmt == "json":
        emit(res, fmt)
        return
    out(
        f"recorded recharacterization #{res['id']}: {person_name} {tax_year} contribution "
        f"{amount:,.2f} (+ {earnings:,.2f} earnings) {from_account} -> {res['to']}"
    )
    for w in res["warnings"]:
        click.echo(f"warning [{w['code']}]: {w['message']}", err=True)


@ira.command("return")
@click.option("--person", "person_name", required=True)
@click.option("--date", "on", type=DATE, required=True, help="Date the custodian paid it out.")
@click.option("--account", type=click.Choice(["traditional", "roth"]), required=True)
@click.option(
    "--amount", type=AMOUNT, required=True, help="The contribution returned (without its earnings)."
)
@click.option(
    "--earnings", type=AMOUNT, help="Its net income paid with it (negative for a loss; by the due date)."
)
@click.option("--tax-year", type=YEAR, required=True, help="The year the contribution was for.")
@click.option(
    "--after-due-date",
    is_flag=True,
    help=(
        "An excess withdrawn after the due date of the return, without earnings: traditional under IRC "
        "408(d)(5); Roth: recorded as the Roth IRA distribution it is (ordering rules, Form 5329 line 20)."
    ),
)
@click.option(
    "--nondeductible", type=AMOUNT, help="Nondeductible part of a traditional contribution returned."
)
@format_option
@click.pass_context
def ira_return(
    ctx, person_name, on, account, amount, earnings, tax_year, after_due_date, nondeductible, fmt
) -> None:
    """A contribution paid back: by the due date with its net income it counts as never made
    (IRC 408(d)(4); the net income is taxable for that year); an excess withdrawn after the due
    date stops the 6% excise from the next year on (Form 5329). A Roth IRA excess withdrawn after
    the due date is a Roth IRA distribution (regular contributions come out first, so it is not
    taxed; IRC 408A(d)(4)(B)) that reduces the excess carried into that year (IRC 4973(f)(2)(A)).

    Example: megaroth ira return --person ann --date 2026-03-02 --account roth --amount 7000 --earnings 312.40 --tax-year 2025
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        res = svc.ira_return(
            session, person_name, on, account, amount, earnings, tax_year, after_due_date, nondeductible
        )
    if fmt == "json":
        emit(res, fmt)
        return
    if res.get("recorded_as") == "distribution":
        out(
            f"recorded Roth IRA distribution #{res['id']}: {person_name} {on.isoformat()} {amount:,.2f}, the "
            f"{tax_year} excess withdrawn after the due date (Form 8606 Part III; Form 5329 line 20)"
        )
    else:
        out(
            f"recorded returned contribution #{res['id']}: {person_name} {tax_year} {account} {amount:,.2f}"
            + (
                f" + {res['earnings']:,.2f} earnings"
                if res["earnings"] is not None
                else " (after the due date)"
            )
        )
    for w in res["warnings"]:
        click.echo(f"warning [{w['code']}]: {w['message']}", err=True)


@ira.command("distribute")
@click.option("--person", "person_name", required=True)
@click.option("--date", "on", type=DATE, required=True)
@click.option("--account", type=click.Choice(["traditional", "roth"]), required=True)
@click.option("--amount", type=AMOUNT, required=True)
@click.option(
    "--exception",
    help="A 72(t) exception that applies (1099-R code 2, 3 for disability, 4 for "
    "death; medical, education, first-home and similar stay code 1 and are claimed on Form 5329).",
)
@click.pass_context
def ira_distribute(ctx, person_name, on, account, amount, exception) -> None:
    """Record an IRA distribution (not a conversion).

    Example: megaroth ira distribute --person ann --date 2025-06-01 --account roth --amount 600
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        ev = svc.ira_distribute(session, person_name, on, account, amount, exception)
    click.echo(f"recorded IRA distribution #{ev}: {person_name} {account} {amount:,.2f}")


@ira.command("value")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True)
@click.option("--amount", type=AMOUNT, required=True)
@click.option(
    "--account",
    type=click.Choice(["traditional", "roth"]),
    default="traditional",
    show_default=True,
    help="roth: the Dec 31 value of all Roth IRAs (Form 5329 line 25).",
)
@click.option(
    "--after-recharacterizations",
    is_flag=True,
    help=(
        "The value already takes into account the year's contributions recharacterized after Dec 31 "
        "(Form 8606 instructions, line 6); needed when such a recharacterization meets a year with "
        "distributions or conversions."
    ),
)
@click.pass_context
def ira_value(ctx, person_name, year, amount, account, after_recharacterizations) -> None:
    """Dec 31 value of all traditional/SEP/SIMPLE IRAs (+ outstanding rollovers): Form 8606 line 6
    (or, with --account roth, of all Roth IRAs: Form 5329 line 25).

    Example: megaroth ira value --person ann --year 2025 --amount 0
    """
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        svc.ira_value(session, person_name, year, amount, account, after_recharacterizations)
    click.echo(
        f"recorded Dec 31 {year} {account} IRA value for {person_name}: {amount:,.2f}"
        + (" (taking into account recharacterizations after Dec 31)" if after_recharacterizations else "")
    )


@click.group("basis")
def basis() -> None:
    """Basis carried forward for a history that starts mid-way: set, list, edit, rm."""


@basis.command("set")
@click.option("--person", "person_name", help="Whose IRA basis (with --year); with --plan, whose plan.")
@click.option("--year", type=YEAR, help="The last year these figures cover.")
@click.option("--traditional", type=AMOUNT, help="Traditional IRA basis: that year's Form 8606 line 14.")
@click.option("--roth-contributions", type=AMOUNT, help="Roth IRA regular-contribution basis (line 22).")
@click.option(
    "--conversion",
    "conversions",
    multiple=True,
    metavar="YEAR:GROSS:TAXABLE",
    help="An earlier conversion/rollover layer; repeat for each year.",
)
@click.option(
    "--plan",
    "plan_name",
    metavar="NAME",
    help="A plan whose first imported statement recorded an opening balance (with --aftertax/--roth).",
)
@click.option(
    "--aftertax",
    type=AMOUNT,
    help="With --plan: the after-tax contributions (basis, IRC 72(e)(8)) "
    "in the after-tax opening balance, from the plan's records.",
)
@click.option(
    "--roth",
    type=AMOUNT,
    help="With --plan: the designated Roth contributions (IRC 402A(d)) in the Roth opening balance.",
)
@click.pass_context
def basis_set(
    ctx, person_name, year, traditional, roth_contributions, conversions, plan_name, aftertax, roth
) -> None:
    """Record carryforward basis at the end of a year, or the basis in a plan's opening balance
    (a first imported statement's balance: the statement does not say how much is basis).

    Example: megaroth basis set --person ann --year 2022 --traditional 2000 --roth-contributions 5000 --conversion 2016:80000:60000

    Example: megaroth basis set --plan acme-401k --aftertax 12000
    """
    if plan_name is not None or aftertax is not None or roth is not None:
        if plan_name is None:
            raise click.UsageError("--aftertax/--roth need --plan (the plan whose opening balance it is)")
        if aftertax is None and roth is None:
            raise click.UsageError("--plan needs --aftertax AMOUNT and/or --roth AMOUNT")
        if any(v is not None for v in (year, traditional, roth_contributions)) or conversions:
            raise click.UsageError(
                "--plan records a plan's opening basis; give the IRA figures "
                "(--person/--year/...) in a separate `basis set`"
            )
        from ..services import opening as svc_open

        with write_session(ctx) as session:  # --person here says whose plan (plan names are per person)
            done = [
                svc_open.set_opening_basis(session, plan_name, src, amt, person=person_name)
                for src, amt in (("aftertax", aftertax), ("roth", roth))
                if amt is not None
            ]
        for d in done:
            click.echo(
                f"recorded {d['source']} basis {d['basis']:,.2f} in plan {plan_name}'s opening balance "
                f"({d['opening_balance']:,.2f})"
            )
        return
    if person_name is None:
        raise click.UsageError("Missing option '--person'.")
    if year is None:
        raise click.UsageError("Missing option '--year'.")
    from ..services import ledger_ops as svc

    with write_session(ctx) as session:
        svc.basis_set(session, person_name, year, traditional, roth_contributions, list(conversions))
    click.echo(f"recorded basis for {person_name} at the end of {year}")


COMMANDS = [earnings, balance, convert, ira, basis]
