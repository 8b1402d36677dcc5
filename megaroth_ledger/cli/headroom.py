"""``megaroth headroom``: 402(g)/415(c)/catch-up room for a person-year."""

from __future__ import annotations

import click

from .common import YEAR, emit, format_option, read_session


def _parse_expected(values: tuple[str, ...], option: str) -> dict | None:
    """``AMOUNT`` (single employer) or ``EMPLOYER=AMOUNT`` (repeatable)."""
    from ..money import parse_amount

    if not values:
        return None
    out: dict = {}
    for v in values:
        if "=" in v:
            name, _, amount = v.rpartition("=")
            out[name.strip()] = parse_amount(amount, what=option)
        else:
            out[None] = parse_amount(v, what=option)
    return out


@click.command("headroom")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True, help="Tax year (limits exist for 2015-2026).")
@click.option("--remaining-paychecks", type=click.IntRange(min=1),
              help="Paychecks left this year: also show the after-tax amount per paycheck that fills the room.")
@click.option("--expected-employer", multiple=True, metavar="[EMPLOYER=]AMOUNT",
              help="Employer money still to come this year (with several employers: EMPLOYER=AMOUNT, repeatable).")
@click.option("--expected-deferrals", multiple=True, metavar="[EMPLOYER=]AMOUNT",
              help="Pre-tax/Roth deferrals still to come this year (they use 415(c) room too, except catch-up).")
@format_option
@click.pass_context
def headroom(ctx, person_name, year, remaining_paychecks, expected_employer, expected_deferrals, fmt) -> None:
    """Contribution room: 402(g) deferrals, catch-up, and 415(c) after-tax room per employer.

    Example: megaroth headroom --person ann --year 2025 --remaining-paychecks 6 --expected-employer 1200
    """
    from ..errors import UserError
    from ..reports.output import Column, Table
    from ..services import headroom as svc

    expected = {"--expected-employer": _parse_expected(expected_employer, "--expected-employer"),
                "--expected-deferrals": _parse_expected(expected_deferrals, "--expected-deferrals")}
    with read_session(ctx) as session:
        for option, given in expected.items():
            if given and None in given:
                from ..services.ledger import list_plans

                employers = sorted({p["employer"] for p in list_plans(session, person_name) if p["kind"] != "457b"})
                if len(employers) != 1 or len(given) > 1:
                    raise UserError(f"{option}: with more than one employer write EMPLOYER=AMOUNT "
                                    f"(employers: {', '.join(employers) or 'none'})")
                expected[option] = {employers[0]: given[None]}
        if (expected["--expected-employer"] or expected["--expected-deferrals"]) and not remaining_paychecks:
            raise UserError("--expected-employer/--expected-deferrals go with --remaining-paychecks N")
        result = svc.compute(session, person_name, year, remaining_paychecks, expected["--expected-employer"],
                             expected["--expected-deferrals"])
    data = svc.payload(result)
    summary = Table(
        f"{result.person}, {year} (age {result.age_at_year_end} on Dec 31)",
        [Column("item", "Item"), Column("amount", "Amount", True)],
        [{"item": "402(g) elective deferral limit", "amount": result.limits["elective_deferral"]},
         {"item": "Catch-up limit", "amount": result.limits["catch_up"]},
         {"item": "415(c) annual additions limit", "amount": result.limits["annual_additions"]},
         {"item": "Elective deferrals (all employers)", "amount": result.elective_deferrals},
         {"item": "Catch-up used", "amount": result.catch_up_used},
         {"item": "Excess deferrals", "amount": result.excess_deferrals}])
    flat_cols = [Column("employer", "employer"), Column("plans", "plans"),
                 Column("annual_additions_limit", "annual_additions_limit", True),
                 Column("elective_deferrals_counted", "elective_deferrals_counted", True),
                 Column("employer_contributions", "employer_contributions", True),
                 Column("after_tax_contributions", "after_tax_contributions", True),
                 Column("after_tax_room", "after_tax_room", True),
                 Column("per_paycheck_after_tax", "per_paycheck_after_tax", True)]
    if fmt == "csv":
        emit(data, fmt, [Table(None, flat_cols, data["employers"])])
        return
    tables = [summary]
    for e in result.employers:
        items = [("415(c) limit" + (" (100% of compensation)" if e.annual_additions_limit != result.limits[
                      "annual_additions"] else ""), e.annual_additions_limit),
                 ("Elective deferrals counted (without catch-up)", e.elective_deferrals_counted),
                 ("Employer contributions", e.employer_contributions),
                 ("After-tax contributions", e.after_tax_contributions),
                 ("After-tax room", e.after_tax_room)]
        if e.per_paycheck_after_tax is not None:
            items += [("Employer money still expected", e.expected_employer),
                      ("Deferrals still expected", e.expected_deferrals),
                      (f"After-tax per paycheck (x{remaining_paychecks})", e.per_paycheck_after_tax)]
        t = Table(f"{e.employer} ({', '.join(e.plans)}): 415(c)", [Column("item", "Item"),
                  Column("amount", "Amount", True)], [{"item": k, "amount": v} for k, v in items])
        if e.per_paycheck_after_tax is not None and e.last_paycheck_after_tax != e.per_paycheck_after_tax:
            t.footer.append(f"last paycheck {e.last_paycheck_after_tax:,.2f}, so the paychecks add up to exactly "
                            f"{e.remaining_room_after_expected:,.2f}")
        tables.append(t)
    emit(data, fmt, tables)


COMMANDS = [headroom]
