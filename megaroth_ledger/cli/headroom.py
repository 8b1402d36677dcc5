"""``megaroth headroom``: 402(g)/415(c)/catch-up room for a person-year."""

from __future__ import annotations

import click

from .common import YEAR, emit, fast, format_option, read_session


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


def _check_expected(expected: dict, remaining_paychecks) -> None:
    from ..errors import UserError

    if (expected["--expected-employer"] or expected["--expected-deferrals"]) and not remaining_paychecks:
        raise UserError("--expected-employer/--expected-deferrals go with --remaining-paychecks N")


def _fast_headroom(db, person_name, year, remaining_paychecks, expected):
    from ..services import fast as fast_svc

    _check_expected(expected, remaining_paychecks)
    return fast_svc.headroom(
        db,
        person_name,
        year,
        remaining_paychecks,
        expected["--expected-employer"],
        expected["--expected-deferrals"],
    )


def _headroom(ctx, person_name, year, remaining_paychecks, expected):
    from ..errors import UserError
    from ..services import headroom as svc

    with read_session(ctx) as session:
        for option, given in expected.items():
            if given and None in given:
                from ..services.ledger import list_plans

                employers = sorted(
                    {p["employer"] for p in list_plans(session, person_name) if p["kind"] != "457b"}
                )
                if len(employers) != 1 or len(given) > 1:
                    raise UserError(
                        f"{option}: with more than one employer write EMPLOYER=AMOUNT "
                        f"(employers: {', '.join(employers) or 'none'})"
                    )
                expected[option] = {employers[0]: given[None]}
        _check_expected(expected, remaining_paychecks)
        return svc.compute(
            session,
            person_name,
            year,
            remaining_paychecks,
            expected["--expected-employer"],
            expected["--expected-deferrals"],
        )


@click.command("headroom")
@click.option("--person", "person_name", required=True)
@click.option("--year", type=YEAR, required=True, help="Tax year (limits exist for 2015-2026).")
@click.option(
    "--remaining-paychecks",
    type=click.IntRange(min=1),
    help="Paychecks left this year: also show the after-tax amount per paycheck that fills the room.",
)
@click.option(
    "--expected-employer",
    multiple=True,
    metavar="[EMPLOYER=]AMOUNT",
    help="Employer money still to come this year (with several employers: EMPLOYER=AMOUNT, repeatable).",
)
@click.option(
    "--expected-deferrals",
    multiple=True,
    metavar="[EMPLOYER=]AMOUNT",
    help="Pre-tax/Roth deferrals still to come this year (they use 415(c) room too, except catch-up).",
)
@click.option("--explain", is_flag=True, help="Also show how each limit and each employer's room is figured.")
@format_option
@click.pass_context
def headroom(
    ctx, person_name, year, remaining_paychecks, expected_employer, expected_deferrals, explain, fmt
) -> None:
    """Contribution room: 402(g) deferrals, catch-up, and 415(c) after-tax room per employer.

    Example: megaroth headroom --person ann --year 2025 --remaining-paychecks 6 --expected-employer 1200
    """
    from ..reports.output import Column, Table
    from ..services import headroom as svc
    from ..store.lite import FULL

    expected = {
        "--expected-employer": _parse_expected(expected_employer, "--expected-employer"),
        "--expected-deferrals": _parse_expected(expected_deferrals, "--expected-deferrals"),
    }
    result = FULL
    if not any(given and None in given for given in expected.values()):
        result = fast(ctx, lambda db: _fast_headroom(db, person_name, year, remaining_paychecks, expected))
    if result is FULL:
        result = _headroom(ctx, person_name, year, remaining_paychecks, expected)
    data = svc.payload(result)
    summary = Table(
        f"{result.person}, {year} (age {result.age_at_year_end} on Dec 31)",
        [Column("item", "Item"), Column("amount", "Amount", True)],
        [
            {"item": "402(g) elective deferral limit", "amount": result.limits["elective_deferral"]},
            {"item": "Catch-up limit", "amount": result.limits["catch_up"]},
            {"item": "415(c) annual additions limit", "amount": result.limits["annual_additions"]},
            {"item": "Elective deferrals (all employers)", "amount": result.elective_deferrals},
            {"item": "Catch-up used", "amount": result.catch_up_used},
            {"item": "Excess deferrals", "amount": result.excess_deferrals},
        ],
    )
    flat_cols = [
        Column("employer", "employer"),
        Column("plans", "plans"),
        Column("annual_additions_limit", "annual_additions_limit", True),
        Column("elective_deferrals_counted", "elective_deferrals_counted", True),
        Column("employer_contributions", "employer_contributions", True),
        Column("after_tax_contributions", "after_tax_contributions", True),
        Column("after_tax_room", "after_tax_room", True),
        Column("per_paycheck_after_tax", "per_paycheck_after_tax", True),
    ]
    flat_cols += [
        Column(k, k, True)
        for k in (
            "last_paycheck_after_tax",
            "expected_employer",
            "expected_deferrals",
            "remaining_room_after_expected",
            "elective_deferrals",
            "catch_up_portion",
            "annual_additions",
            "compensation",
            "after_tax_returned",
        )
    ]
    person_items = [
        ("elective_deferral_limit", result.limits["elective_deferral"]),
        ("catch_up_limit", result.limits["catch_up"]),
        ("annual_additions_limit", result.limits["annual_additions"]),
        ("elective_deferrals", result.elective_deferrals),
        ("catch_up_used", result.catch_up_used),
        ("excess_deferrals", result.excess_deferrals),
        ("age_at_year_end", result.age_at_year_end),
        ("remaining_paychecks", remaining_paychecks),
    ]
    limits = Table(
        None,
        [Column("item", "item"), Column("amount", "amount", True)],
        [{"item": k, "amount": v} for k, v in person_items],
        section="limits",
    )
    csv_tables = [limits, Table(None, flat_cols, data["employers"], section="employers")]
    if data.get("plans_457b"):
        keys = list(dict.fromkeys(k for p in data["plans_457b"] for k in p))
        csv_tables.append(Table(None, [Column(k, k) for k in keys], data["plans_457b"], section="plans_457b"))
    if data["warnings"]:
        csv_tables.append(
            Table(
                None,
                [Column("code", "code"), Column("message", "message")],
                data["warnings"],
                section="warnings",
            )
        )
    how = None
    if explain:
        data["explain"] = _explain(data)
        how = Table(
            "How the room is figured",
            [Column("employer", "Employer"), Column("item", "Item"), Column("formula", "Formula")],
            [
                {"employer": e["employer"], "item": item, "formula": text}
                for e in data["explain"]
                for item, text in e["lines"]
            ],
            section="explain",
        )
        csv_tables.append(how)
    if fmt == "csv":
        emit(data, fmt, csv=csv_tables)
        return
    tables = [summary]
    for e in result.employers:
        items = [
            (
                "415(c) limit"
                + (
                    " (100% of compensation)"
                    if e.annual_additions_limit != result.limits["annual_additions"]
                    else ""
                ),
                e.annual_additions_limit,
            ),
            ("Elective deferrals counted (without catch-up)", e.elective_deferrals_counted),
            ("Employer contributions", e.employer_contributions),
            ("After-tax contributions", e.after_tax_contributions),
        ]
        if e.after_tax_returned:
            items.append(("After-tax returned under EPCRS (415(c) correction)", -e.after_tax_returned))
        items += [("After-tax room", e.after_tax_room)]
        if e.per_paycheck_after_tax is not None:
            items += [
                ("Employer money still expected", e.expected_employer),
                ("Deferrals still expected", e.expected_deferrals),
                (f"After-tax per paycheck (x{remaining_paychecks})", e.per_paycheck_after_tax),
            ]
        t = Table(
            f"{e.employer} ({', '.join(e.plans)}): 415(c)",
            [Column("item", "Item"), Column("amount", "Amount", True)],
            [{"item": k, "amount": v} for k, v in items],
        )
        if e.per_paycheck_after_tax is not None and e.last_paycheck_after_tax != e.per_paycheck_after_tax:
            t.footer.append(
                f"last paycheck {e.last_paycheck_after_tax:,.2f}, so the paychecks add up to exactly "
                f"{e.remaining_room_after_expected:,.2f}"
            )
        tables.append(t)
    if how is not None:
        tables.append(how)
    emit(data, fmt, tables)


def _explain(data: dict) -> list[dict]:
    """How each employer's figures follow from the person's limits and contributions (the same
    figures as the payload, written out as formulas with their sources)."""
    from decimal import Decimal

    def m(v) -> str:
        return f"{Decimal(str(v)):,.2f}" if v is not None else "none"

    lim = data["limits"]
    person = [
        (
            "402(g) limit",
            f"{m(lim['elective_deferral'])} for {data['year']} (IRC 402(g)(1), megaroth_ledger/data/"
            "limits.toml); deferrals across all employers count against it",
        ),
        (
            "catch-up",
            f"{m(lim['catch_up'])} for age {data['age_at_year_end']} at year end (IRC 414(v)); "
            f"used {m(data['catch_up_used'])}, kept out of 415(c) by IRC 414(v)(3)(A)",
        ),
        (
            "excess deferrals",
            f"deferrals {m(data['elective_deferrals'])} - 402(g) limit - catch-up used, "
            f"at least 0 = {m(data['excess_deferrals'])}",
        ),
    ]
    out = [{"employer": "(all employers)", "lines": person}]
    for e in data["employers"]:
        lines = [
            (
                "415(c) limit",
                f"the lesser of {m(lim['annual_additions'])} (IRC 415(c)(1)(A)) and 100% of "
                f"compensation {m(e.get('compensation'))} (IRC 415(c)(1)(B)) = "
                f"{m(e['annual_additions_limit'])}",
            ),
            (
                "deferrals counted",
                f"elective deferrals {m(e.get('elective_deferrals'))} - catch-up "
                f"{m(e.get('catch_up_portion'))} = {m(e['elective_deferrals_counted'])}",
            ),
            (
                "after-tax room",
                f"{m(e['annual_additions_limit'])} - deferrals counted "
                f"{m(e['elective_deferrals_counted'])} - employer {m(e['employer_contributions'])}"
                f" - after-tax {m(e['after_tax_contributions'])}"
                + (
                    f" + after-tax returned under EPCRS {m(e['after_tax_returned'])} (no longer annual additions)"
                    if e.get("after_tax_returned")
                    else ""
                )
                + ", at least 0 = "
                f"{m(e['after_tax_room'])} (IRC 415(c)(2): all annual additions to the "
                "employer's plans)",
            ),
        ]
        if e.get("per_paycheck_after_tax") is not None:
            lines.append(
                (
                    "per paycheck",
                    f"(room {m(e['after_tax_room'])} - employer still expected "
                    f"{m(e.get('expected_employer'))} - deferrals still expected "
                    f"{m(e.get('expected_deferrals'))}) = "
                    f"{m(e.get('remaining_room_after_expected'))} over "
                    f"{data.get('remaining_paychecks')} paycheck(s) = "
                    f"{m(e['per_paycheck_after_tax'])} each"
                    + (
                        f", the last {m(e['last_paycheck_after_tax'])}"
                        if e.get("last_paycheck_after_tax") != e["per_paycheck_after_tax"]
                        else ""
                    ),
                )
            )
        out.append({"employer": e["employer"], "lines": lines})
    return out


COMMANDS = [headroom]
