"""Corrections (issue 9): ``edit``/``rm``/``list`` for every kind of record a user can add.

The commands join the groups that add the records (``contribution``, ``earnings``,
``balance``, ``wages``, ``basis``, ``reconcile``, ``ira``, ``person``, ``plan``), plus a
``conversion`` group for what ``convert`` records. Edits take the add command's options;
an option not given keeps its value, a ``--no-...`` form clears an optional one. Every
edit and removal is in ``megaroth log`` with the values before and after.
"""

from __future__ import annotations

import click

from .common import (
    AMOUNT,
    DATE,
    YEAR,
    DefaultGroup,
    clearable,
    emit,
    filter_options,
    format_option,
    list_command,
    plan_option,
    read_session,
    rm_command,
    write_session,
)
from .common import opt_value as _opt
from .common import report_edit as _report_edit
from .forms import reconcile
from .ledger import contribution, contribution_options, person, plan, plan_options, wages
from .ledger_ops import SOURCE_CHOICE, balance, basis, earnings, ira, ira_value

ACCOUNT = click.Choice(["traditional", "roth"])


# ------------------------------------------------------------------------------- contributions
@contribution.command("edit")
@click.argument("entry_id", metavar="ID", type=int)
@contribution_options(required=False)
@click.option("--no-memo", is_flag=True, help="Clear the memo.")
@format_option
@click.pass_context
def contribution_edit(ctx, entry_id, on, source, amount, tax_year, memo, no_memo, fmt) -> None:
    """Correct a contribution (see `contribution list` for ids); options not given keep their value.

    Example: megaroth contribution edit 12 --amount 930.85
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_entry(
            session,
            "contribution",
            entry_id,
            on=on,
            amount=amount,
            source=source,
            tax_year=tax_year,
            memo=_opt(memo, no_memo),
        )
    _report_edit(res, fmt)


rm_command(
    contribution,
    "Remove a contribution (an imported one stays removed when its file is imported again).\n\n"
    'Example: megaroth contribution rm 12 --reason "typo: entered twice"',
    lambda svc, s, i, reason: svc.remove_entry(s, "contribution", i, reason),
)


# ------------------------------------------------------------------------------- earnings
list_command(
    earnings,
    "List gains, losses, dividends and fees, oldest first, with their ids.\n\n"
    "Example: megaroth earnings list --plan acme-401k --format json",
    "list_earnings",
    "earnings",
    "Earnings",
    [
        ("id", "#"),
        ("date", "Date"),
        ("plan", "Plan"),
        ("type", "Type"),
        ("source", "Source"),
        ("amount", "Amount", True),
        ("memo", "Memo"),
        ("origin", "Origin"),
    ],
    filter_options,
)


@earnings.command("edit")
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--source", type=SOURCE_CHOICE)
@click.option("--amount", type=AMOUNT, help="Gain (positive) or loss (negative).")
@click.option("--memo")
@click.option("--no-memo", is_flag=True, help="Clear the memo.")
@format_option
@click.pass_context
def earnings_edit(ctx, entry_id, on, source, amount, memo, no_memo, fmt) -> None:
    """Correct a gain or loss (see `earnings list` for ids).

    Example: megaroth earnings edit 7 --amount -120.05
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_entry(
            session, "earnings", entry_id, on=on, amount=amount, source=source, memo=_opt(memo, no_memo)
        )
    _report_edit(res, fmt)


rm_command(
    earnings,
    "Remove a gain or loss.\n\nExample: megaroth earnings rm 7",
    lambda svc, s, i, reason: svc.remove_entry(s, "earnings", i, reason),
)


# ------------------------------------------------------------------------------- balance assertions
list_command(
    balance,
    "List balance assertions with the difference each one recorded as earnings.\n\n"
    "Example: megaroth balance list --plan acme-401k",
    "list_balances",
    "balances",
    "Balance assertions",
    [
        ("id", "#"),
        ("date", "Date"),
        ("plan", "Plan"),
        ("source", "Source"),
        ("statement", "Statement", True),
        ("ledger", "Ledger", True),
        ("difference", "Recorded as earnings", True),
        ("import_id", "Import"),
    ],
    plan_option(
        required=False, help="Only this plan.", person_help="Only this person's plans (and their --plan)."
    ),
)


@balance.command("edit")
@click.argument("assertion_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--source", type=SOURCE_CHOICE)
@click.option("--amount", type=AMOUNT, help="The statement balance of the sub-account.")
@format_option
@click.pass_context
def balance_edit(ctx, assertion_id, on, source, amount, fmt) -> None:
    """Correct a balance assertion; its difference entry is figured again.

    Example: megaroth balance edit 3 --amount 20550
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_balance(session, assertion_id, on=on, source=source, amount=amount)
    _report_edit(res, fmt)


rm_command(
    balance,
    "Remove a balance assertion and the difference it recorded as earnings.\n\nExample: megaroth balance rm 3",
    "remove_balance",
)


# ------------------------------------------------------------------------------- conversions
@click.group("conversion")
def conversion() -> None:
    """Conversions recorded with `convert` or imported: list (basis, earnings and taxable part
    figured from the ledger now), edit, rm."""


list_command(
    conversion,
    "List plan conversions with their ids, basis, earnings and taxable part.\n\n"
    "Example: megaroth conversion list --person ann --year 2025 --format json",
    "list_conversions",
    "conversions",
    "Conversions",
    [
        ("id", "#"),
        ("date", "Date"),
        ("plan", "Plan"),
        ("route", "Route"),
        ("gross", "Gross", True),
        ("basis", "Basis", True),
        ("earnings", "Earnings", True),
        ("taxable", "Taxable", True),
        ("import_id", "Import"),
        ("memo", "Memo"),
    ],
    filter_options,
)


@conversion.command("edit")
@click.argument("conversion_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--amount", type=AMOUNT, help="Amount taken out of the after-tax sub-account.")
@click.option("--to", "to", type=click.Choice(["in-plan", "roth-ira"]))
@click.option("--earnings-to", type=click.Choice(["traditional-ira"]), help="Notice 2014-54 split.")
@click.option("--no-earnings-to", is_flag=True, help="No longer a Notice 2014-54 split.")
@click.option("--basis", type=AMOUNT, help="Basis stated on the plan's confirmation.")
@click.option("--no-basis", is_flag=True, help="Drop the --basis override: basis pro rata again.")
@click.option("--memo")
@click.option("--no-memo", is_flag=True, help="Clear the memo.")
@format_option
@click.pass_context
def conversion_edit(
    ctx, conversion_id, on, amount, to, earnings_to, no_earnings_to, basis, no_basis, memo, no_memo, fmt
) -> None:
    """Correct a conversion (same checks as `convert`); an imported one takes --basis and --memo only.

    Example: megaroth conversion edit 2 --amount 20500 --basis 20000
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_conversion(
            session,
            conversion_id,
            on=on,
            amount=amount,
            to=to,
            earnings_to=_opt(earnings_to, no_earnings_to),
            basis=_opt(basis, no_basis),
            memo=_opt(memo, no_memo),
        )
    _report_edit(res, fmt)


rm_command(
    conversion,
    "Remove a conversion with its plan-side legs and IRA-side rollovers.\n\nExample: megaroth conversion rm 2",
    "remove_conversion",
)


# ------------------------------------------------------------------------------- IRA events and values
@ira.group("event")
def ira_event() -> None:
    """IRA contributions, conversions and distributions: list, edit, rm."""


list_command(
    ira_event,
    "List IRA events with their ids (rollovers in from a plan are part of their conversion).\n\n"
    "Example: megaroth ira event list --person ann --format json",
    "list_ira_events",
    "ira_events",
    "IRA events, {person_name}",
    [
        ("id", "#"),
        ("date", "Date"),
        ("tax_year", "Tax year"),
        ("kind", "Kind"),
        ("account", "Account"),
        ("amount", "Amount", True),
        ("nondeductible", "Nondeductible", True),
        ("exception", "Exception"),
    ],
    click.option("--person", "person_name", required=True),
    click.option("--year", type=YEAR, help="Only this tax year."),
)


@ira_event.command("edit")
@click.argument("event_id", metavar="ID", type=int)
@click.option("--date", "on", type=DATE)
@click.option("--account", type=click.Choice(["traditional", "roth"]))
@click.option("--amount", type=AMOUNT)
@click.option("--tax-year", type=YEAR, help="Year a contribution is for.")
@click.option("--nondeductible", type=AMOUNT, help="Nondeductible part of a traditional contribution.")
@click.option("--no-nondeductible", is_flag=True, help="Clear the nondeductible part.")
@click.option("--exception", help="A 72(t) exception of a distribution.")
@click.option("--no-exception", is_flag=True, help="Clear the exception.")
@format_option
@click.pass_context
def ira_event_edit(
    ctx,
    event_id,
    on,
    account,
    amount,
    tax_year,
    nondeductible,
    no_nondeductible,
    exception,
    no_exception,
    fmt,
) -> None:
    """Correct an IRA contribution, conversion or distribution.

    Example: megaroth ira event edit 4 --amount 7000 --nondeductible 7000
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_ira_event(
            session,
            event_id,
            on=on,
            amount=amount,
            account=account,
            tax_year=tax_year,
            nondeductible=_opt(nondeductible, no_nondeductible),
            exception=_opt(exception, no_exception),
        )
    _report_edit(res, fmt)


rm_command(
    ira_event,
    "Remove an IRA contribution, conversion or distribution.\n\nExample: megaroth ira event rm 4",
    "remove_ira_event",
)


ira.commands.pop("value", None)


@ira.group("value", cls=DefaultGroup)
def ira_value_group() -> None:
    """December 31 value of all traditional/SEP/SIMPLE IRAs (+ outstanding rollovers): Form 8606 line 6;
    with --account roth, of all Roth IRAs: Form 5329 line 25.

    \b
    megaroth ira value --person P --year Y --amount A [--account roth]   (record; same as `ira value set`)
    megaroth ira value list --person P [--account roth]
    megaroth ira value edit ID [--year Y] [--amount A] [--account roth]
    megaroth ira value rm ID [--account roth]

    Example: megaroth ira value --person ann --year 2025 --amount 0
    """


ira_value_group.add_command(ira_value, "set")
account_value_option = click.option(
    "--account",
    type=ACCOUNT,
    default="traditional",
    show_default=True,
    help="roth: the Roth IRAs' December 31 values (Form 5329 line 25), with their own ids.",
)


list_command(
    ira_value_group,
    "List the recorded December 31 values with their ids.\n\nExample: megaroth ira value list --person ann --account roth",
    "list_ira_values",
    "ira_values",
    "December 31 {account} IRA values, {person_name}",
    [
        ("id", "#"),
        ("year", "Year"),
        ("amount", "Value", True),
        ("after_recharacterizations", "After rechar."),
    ],
    click.option("--person", "person_name", required=True),
    account_value_option,
)


@ira_value_group.command("edit")
@click.argument("value_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@click.option("--amount", type=AMOUNT)
@account_value_option
@format_option
@click.pass_context
def ira_value_edit(ctx, value_id, year, amount, account, fmt) -> None:
    """Correct a December 31 value.

    Example: megaroth ira value edit 1 --amount 512.33
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_ira_value(session, value_id, year=year, amount=amount, account=account)
    _report_edit(res, fmt)


rm_command(
    ira_value_group,
    "Remove a December 31 value.\n\nExample: megaroth ira value rm 1 --account roth",
    "remove_ira_value",
    account_value_option,
)


# ------------------------------------------------------------------------------- wages
@wages.command("edit")
@click.argument("wages_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@clearable("compensation", "415(c)(3) compensation for the year.", AMOUNT, "Clear the compensation.")
@clearable(
    "fica-wages", "Prior-year Social Security wages (W-2 box 3).", AMOUNT, "Clear the prior-year FICA wages."
)
@format_option
@click.pass_context
def wages_edit(ctx, wages_id, year, compensation, no_compensation, fica_wages, no_fica_wages, fmt) -> None:
    """Correct a wages record (see `wages list` for ids).

    Example: megaroth wages edit 1 --compensation 205000
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_wages(
            session,
            wages_id,
            year=year,
            compensation=_opt(compensation, no_compensation),
            fica_wages=_opt(fica_wages, no_fica_wages),
        )
    _report_edit(res, fmt)


rm_command(
    wages,
    "Remove a wages record.\n\nExample: megaroth wages rm 1",
    "remove_wages",
)


# ------------------------------------------------------------------------------- carried-forward basis
plan_basis_option = plan_option(
    required=False,
    help="A plan's opening-balance basis (recorded with `basis set --plan`; its own ids) instead of "
    "carried-forward IRA basis.",
)


@basis.command("list")
@plan_option(
    required=False,
    help="Only this plan's opening-balance basis.",
    person_help="Whose basis: carried forward, and in their plans' opening balances (with --plan: whose plan).",
)
@format_option
@click.pass_context
def basis_list(ctx, person_name, plan_name, fmt) -> None:
    """List carried-forward basis records (--person) and the basis in plans' opening balances
    (--person or --plan), with their ids.

    Example: megaroth basis list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    if person_name is None and plan_name is None:
        raise click.UsageError(
            "give --person (all of that person's basis) or --plan (that plan's opening basis)"
        )
    with read_session(ctx) as session:
        rows = svc.list_basis(session, person_name) if person_name and not plan_name else []
        opening = svc.list_opening_basis(session, person_name, plan_name)
    view = [
        {**r, "conversions": ", ".join(f"{c['year']}:{c['gross']}:{c['taxable']}" for c in r["conversions"])}
        for r in rows
    ]
    opening_table = Table(
        "Basis in plans' opening balances (basis set --plan)",
        [
            Column("id", "#"),
            Column("plan", "Plan"),
            Column("source", "Source"),
            Column("basis", "Basis", True),
            Column("opening_balance", "Opening balance", True),
        ],
        opening,
        section="opening_basis",
    )
    if plan_name:
        emit({"opening_basis": opening}, fmt, opening_table)
        return
    carried = Table(
        f"Carried-forward basis, {person_name}",
        [
            Column("id", "#"),
            Column("year", "End of year"),
            Column("traditional", "Traditional (8606 line 14)", True),
            Column("roth_contributions", "Roth contributions", True),
            Column("conversions", "Conversion layers YEAR:GROSS:TAXABLE"),
        ],
        view,
        section="basis",
    )
    emit({"basis": rows, "opening_basis": opening}, fmt, [carried, opening_table] if opening else carried)


@basis.command("edit")
@click.argument("basis_id", metavar="ID", type=int)
@click.option("--year", type=YEAR, help="The last year these figures cover.")
@clearable(
    "traditional",
    "Traditional IRA basis: that year's Form 8606 line 14.",
    AMOUNT,
    "Clear the traditional basis.",
)
@clearable(
    "roth-contributions",
    "Roth IRA regular-contribution basis (line 22).",
    AMOUNT,
    "Clear the Roth contribution basis.",
)
@click.option(
    "--conversion",
    "conversions",
    multiple=True,
    metavar="YEAR:GROSS:TAXABLE",
    help="Replace the conversion layers with these; repeat for each year.",
)
@click.option("--no-conversion", "no_conversions", is_flag=True, help="Remove every conversion layer.")
@plan_basis_option
@click.option(
    "--aftertax", type=AMOUNT, help="With --plan: the after-tax contributions in its opening balance."
)
@click.option(
    "--roth", type=AMOUNT, help="With --plan: the designated Roth contributions in its opening balance."
)
@format_option
@click.pass_context
def basis_edit(
    ctx,
    basis_id,
    year,
    traditional,
    no_traditional,
    roth_contributions,
    no_roth_contributions,
    conversions,
    no_conversions,
    plan_name,
    person_name,
    aftertax,
    roth,
    fmt,
) -> None:
    """Correct carried-forward basis, or (with --plan) the basis in a plan's opening balance.

    Example: megaroth basis edit 1 --traditional 2500

    Example: megaroth basis edit 1 --plan acme-401k --aftertax 12500
    """
    from ..services import corrections as svc

    if conversions and no_conversions:
        raise click.UsageError("give --conversion or --no-conversion, not both")
    if plan_name is not None or aftertax is not None or roth is not None or person_name is not None:
        if plan_name is None:
            raise click.UsageError(
                "--aftertax/--roth/--person need --plan (the plan whose opening basis it is)"
            )
        if (aftertax is None) == (roth is None):
            raise click.UsageError("--plan needs --aftertax AMOUNT or --roth AMOUNT")
        if year is not None or traditional is not None or roth_contributions is not None or conversions:
            raise click.UsageError("--plan edits a plan's opening basis: give no IRA figures with it")
        source, amount = ("aftertax", aftertax) if aftertax is not None else ("roth", roth)
        with write_session(ctx) as session:
            res = svc.edit_opening_basis(session, basis_id, plan_name, source, amount, person_name)
        _report_edit(res, fmt)
        return
    with write_session(ctx) as session:
        res = svc.edit_basis(
            session,
            basis_id,
            year=year,
            traditional=_opt(traditional, no_traditional),
            roth_contributions=_opt(roth_contributions, no_roth_contributions),
            layers=list(conversions),
            no_conversions=no_conversions,
        )
    _report_edit(res, fmt)


rm_command(
    basis,
    "Remove a carried-forward basis record, or (with --plan) the basis recorded in a plan's opening "
    "balance (unknown again: the forms refuse a distribution of that money until it is set).\n\n"
    "Example: megaroth basis rm 1",
    "remove_basis",
    plan_basis_option,
)


# ------------------------------------------------------------------------------- received 1099-Rs
ira_1099r_option = click.option(
    "--account",
    type=ACCOUNT,
    help="A 1099-R from that IRA's custodian (entered with `reconcile 1099-r --person P --account A`; "
    "its own ids) instead of a plan's.",
)


@reconcile.command("list")
@filter_options
@ira_1099r_option
@format_option
@click.pass_context
def reconcile_list(ctx, person_name, plan_name, year, account, fmt) -> None:
    """List the 1099-Rs you entered with `reconcile 1099-r`, with their ids: the plans' (or, with
    --account, the IRA custodians').

    Example: megaroth reconcile list --person ann --format json
    """
    from ..reports.output import Column, Table
    from ..services import corrections as svc

    if account is not None:
        if plan_name is not None:
            raise click.UsageError("--account lists the IRA custodians' 1099-Rs: give --person, not --plan")
        with read_session(ctx) as session:
            rows = svc.list_received_ira(session, person_name, account, year)
        cols = [
            Column("id", "#"),
            Column("person", "Person"),
            Column("account", "IRA"),
            Column("year", "Year"),
        ]
        cols += [Column(b, b.replace("box", "Box "), True) for b in svc.IRA_RECEIVED_BOXES]
        emit(
            {"received_ira_1099r": rows},
            fmt,
            Table(
                f"Received 1099-Rs from the {account} IRA custodian", [*cols, Column("box7", "Box 7")], rows
            ),
        )
        return
    with read_session(ctx) as session:
        rows = svc.list_received(session, person_name, plan_name, year)
    cols = [
        Column("id", "#"),
        Column("plan", "Plan"),
        Column("year", "Year"),
        Column("box1", "Box 1", True),
        Column("box2a", "Box 2a", True),
        Column("box4", "Box 4", True),
        Column("box5", "Box 5", True),
        Column("box10", "Box 10", True),
        Column("box7", "Box 7"),
        Column("box11", "Box 11"),
    ]
    emit({"received_1099r": rows}, fmt, Table("Received 1099-Rs", cols, rows))


def _box_options(f):
    for box in ("box11", "box10", "box5", "box4", "box2a", "box1"):
        f = clearable(box, f"Box {box[3:]}.", YEAR if box == "box11" else AMOUNT, f"Clear {box}.")(f)
    return clearable("code", "Box 7 distribution code(s), e.g. G.", None, "Clear box 7.")(f)


@reconcile.command("edit")
@click.argument("received_id", metavar="ID", type=int)
@click.option("--year", type=YEAR)
@_box_options
@ira_1099r_option
@format_option
@click.pass_context
def reconcile_edit(ctx, received_id, year, account, fmt, **boxes) -> None:
    """Correct a received 1099-R (run `reconcile 1099-r` again to compare it); with --account, one
    from an IRA custodian.

    Example: megaroth reconcile edit 1 --box2a 500
    """
    from ..services import corrections as svc
    from ..services.changelog import UNSET

    boxes["box7"], boxes["no_box7"] = boxes.pop("code"), boxes.pop("no_code")
    changes: dict = {}
    for box in ("box1", "box2a", "box4", "box5", "box10", "box11", "box7"):
        value = boxes[box]
        if box == "box7" and value:
            value = value.strip().upper()
        v = _opt(value, boxes[f"no_{box}"])
        if v is not UNSET:
            changes[box] = v
    if year is not None:
        changes["year"] = year
    if account is not None:
        with write_session(ctx) as session:
            res = svc.edit_received_ira(session, received_id, account, changes)
        _report_edit(res, fmt)
        return
    with write_session(ctx) as session:
        res = svc.edit_received(session, received_id, changes)
    if fmt == "json":
        emit(res, fmt)
    else:
        from .common import out

        out(
            f"edited received 1099-R #{received_id}; compare it again with "
            f"`megaroth reconcile 1099-r --plan {res['after']['plan']} --year {res['after']['year']} ...`"
        )


rm_command(
    reconcile,
    "Remove a received 1099-R (with --account, one from an IRA custodian).\n\nExample: megaroth reconcile rm 1",
    "remove_received",
    ira_1099r_option,
)


# ------------------------------------------------------------------------------- people and plans
@person.command("edit")
@click.argument("name")
@click.option("--born", type=DATE, help="Birth date, YYYY-MM-DD.")
@click.option("--name", "new_name", help="A new name.")
@format_option
@click.pass_context
def person_edit(ctx, name, born, new_name, fmt) -> None:
    """Correct a person's birth date or name.

    Example: megaroth person edit ann --born 1985-04-20
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_person(session, name, born=born, new_name=new_name)
    _report_edit(res, fmt)


@plan.command("edit")
@click.argument("name")
@click.option(
    "--person",
    "person_name",
    metavar="P",
    help="Whose plan (needed when two people have a plan of that name).",
)
@plan_options(edit=True)
@click.option("--no-first-roth-year", is_flag=True, help="Clear the first Roth year.")
@format_option
@click.pass_context
def plan_edit(
    ctx,
    name,
    person_name,
    employer,
    kind,
    after_tax,
    in_plan_conversion,
    in_service_withdrawal,
    first_roth_year,
    no_first_roth_year,
    fmt,
) -> None:
    """Change a plan's employer or features (every `plan add` feature has a --no- form).

    Example: megaroth plan edit acme-401k --after-tax --in-plan-conversion
    """
    from ..services import corrections as svc

    with write_session(ctx) as session:
        res = svc.edit_plan(
            session,
            name,
            person=person_name,
            employer=employer,
            kind=kind,
            after_tax=after_tax,
            in_plan_conversion=in_plan_conversion,
            in_service_withdrawal=in_service_withdrawal,
            first_roth_year=_opt(first_roth_year, no_first_roth_year),
        )
    _report_edit(res, fmt)  # with its warnings


COMMANDS = [conversion]
