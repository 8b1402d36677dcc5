"""``megaroth export`` (year-end Excel workbook), ``megaroth project`` (growth projection) and
``megaroth report year`` (the workbook's summary in the terminal). Thin: the payloads come
from ``services/export.py``, the workbook from ``reports/workbook.py`` (openpyxl is imported
only when ``export`` runs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import AMOUNT, DATE, YEAR, emit, format_option, read_session


def _rate(ctx, param, value):
    if value is None:
        return None
    from ..errors import UserError
    from ..rules.projection import parse_rate

    try:
        return parse_rate(value)
    except UserError as exc:
        raise click.BadParameter(str(exc).removeprefix("invalid --rate "), ctx, param) from None


@click.command("export")
@click.option("--person", "person_name", required=True, help="Whose ledger (see `megaroth person list`).")
@click.option("--year", type=YEAR, help="The tax year to export.")
@click.option("--all-years", is_flag=True, help="Every tax year in the ledger, in one workbook.")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .xlsx file to write; - writes the workbook to standard output (not to a terminal).",
)
@click.option(
    "--rate",
    callback=_rate,
    default="7",
    show_default=True,
    metavar="PERCENT",
    help="Annual growth rate in percent for the Projection sheet (an assumption, not a forecast).",
)
@click.option(
    "--projection-years",
    type=click.IntRange(1, 100),
    default=20,
    show_default=True,
    help="Years to project on the Projection sheet.",
)
@click.option(
    "--annual-after-tax",
    type=AMOUNT,
    help="Continued after-tax contributions a year, for the Projection sheet.",
)
@click.option("--as-of", type=DATE, help="Date for the clocks (default: today).")
@click.pass_context
def export(
    ctx, person_name, year, all_years, output, rate, projection_years, annual_after_tax, as_of
) -> None:
    """Write the year-end workbook: summary, paychecks, conversions, 1099-R, Form 8606, Form 1040
    lines, 5-year clocks, Roth basis, projection and audit sheets.

    Example: megaroth export --person ann --year 2025 -o ann-2025.xlsx
    """
    from ..errors import UserError

    if (year is None) == (not all_years):
        raise UserError("give either --year YEAR or --all-years")
    to_stdout = str(output) == "-"
    if to_stdout:
        import sys

        if sys.stdout.isatty():
            raise UserError(
                "-o -: standard output is a terminal; redirect it to a file (megaroth export ... -o - > "
                "ann-2025.xlsx) or give a file name"
            )
    elif output.suffix.lower() != ".xlsx":
        raise UserError(f"-o {output}: the workbook file name must end in .xlsx")
    from ..files import atomic_output, os_error
    from ..reports.workbook import build_workbook
    from ..services import export as svc

    on = as_of or dt.date.today()
    with read_session(ctx) as session:
        known = svc.person_years(session, person_name)
        if not known:
            raise UserError(f"{person_name} has no ledger rows yet: nothing to export")
        if not all_years and year not in known:
            raise UserError(
                f"{person_name} has no ledger rows in {year} "
                f"(years with rows: {', '.join(str(y) for y in known)})"
            )
        years = known if all_years else [year]
        args = {"rate": rate, "years": projection_years, "annual_after_tax": annual_after_tax, "today": on}
        data = svc.workbook_data(session, person_name, years, as_of=on, projection_args=args)
        if to_stdout:
            import shutil
            import sys
            import tempfile

            with tempfile.TemporaryDirectory(prefix="megaroth-export-") as tmpdir:
                tmp = Path(tmpdir) / "workbook.xlsx"
                counts = build_workbook(data, tmp)
                with open(tmp, "rb") as f:
                    shutil.copyfileobj(f, sys.stdout.buffer)
                sys.stdout.buffer.flush()
        else:
            with atomic_output(output) as tmp:  # a private .part, fsync-ed, renamed over the target
                try:
                    counts = build_workbook(data, tmp)
                except OSError as exc:
                    raise os_error(exc, output, "write") from None
    click.echo(
        f"wrote {'the workbook to standard output' if to_stdout else output} "
        f"({', '.join(str(y) for y in years)}; "
        f"{counts['Paychecks']} paycheck rows, {counts['Audit']} ledger rows)",
        err=to_stdout,
    )


@click.command("project")
@click.option("--person", "person_name", required=True, help="Whose conversions to project.")
@click.option(
    "--rate",
    callback=_rate,
    required=True,
    metavar="PERCENT",
    help="Annual growth rate in percent, e.g. 7 or 6.5.",
)
@click.option("--years", type=click.IntRange(1, 100), required=True, help="How many years to project.")
@click.option(
    "--annual-after-tax",
    type=AMOUNT,
    help="Also project continued after-tax contributions of this much a year.",
)
@click.option(
    "--start-year", type=YEAR, help="Project from Dec 31 of this year (default: the last conversion year)."
)
@format_option
@click.pass_context
def project(ctx, person_name, rate, years, annual_after_tax, start_year, fmt) -> None:
    """Future value of each year's Roth conversions at an annual rate, year by year, with and
    without continued after-tax contributions (annual compounding; see the docs of
    rules/projection.py for the convention).

    Example: megaroth project --person ann --rate 7 --years 20 --annual-after-tax 36500 --format json
    """
    from ..reports.output import Column, Table
    from ..services import export as svc

    with read_session(ctx) as session:
        data = svc.projection(session, person_name, rate, years, annual_after_tax, start_year)
    cols = [Column("year", "Dec 31 of"), Column("years_elapsed", "years")]
    if len(data["conversions"]) > 1:  # one year's column would repeat the total beside it
        cols += [
            Column(f"y{c['tax_year']}", f"{c['tax_year']} conversions", True) for c in data["conversions"]
        ]
    cols += [
        Column(
            "without_contributions",
            "without continued contributions" if annual_after_tax is not None else "value of the conversions",
            True,
        )
    ]
    if annual_after_tax is not None:
        cols += [
            Column("contributed", "contributed so far", True),
            Column("with_contributions", "with continued contributions", True),
        ]
    from decimal import Decimal

    rows = []
    for r in data["rows"]:
        row = {
            k: (
                Decimal(v) if k in ("without_contributions", "with_contributions", "contributed") and v else v
            )
            for k, v in r.items()
            if k != "by_conversion_year"
        }
        row.update({f"y{y}": Decimal(v) for y, v in r["by_conversion_year"].items()})
        rows.append(row)
    title = (
        f"{data['person']}: {data['rate']}% a year for {data['years']} years from Dec 31 {data['start_year']}"
        + (f", plus {data['annual_after_tax']} a year" if data["annual_after_tax"] else "")
    )
    emit(data, fmt, [Table(title, cols, rows, footer=[f"convention: {data['convention']}"])])


@click.group("report")
def report() -> None:
    """Reports in the terminal.

    Example: megaroth report year --person ann --year 2025
    """


@report.command("year")
@click.option("--person", "person_name", required=True, help="Whose year.")
@click.option("--year", type=YEAR, required=True, help="The tax year.")
@format_option
@click.pass_context
def report_year(ctx, person_name, year, fmt) -> None:
    """The workbook's Summary in the terminal: headroom per employer, totals by source,
    conversions, taxable amounts, and every warning with what to do about it.

    Example: megaroth report year --person ann --year 2025
    """
    from ..services import export as svc

    with read_session(ctx) as session:
        data = svc.year_summary(session, person_name, year, as_of=dt.date.today())
    emit(data, fmt, _year_tables(data), warnings_in_tables=True)


def _year_tables(data: dict) -> list:
    from ..reports.output import Column, Table

    h = data["headroom"]
    tables = [
        Table(
            f"{data['person']}, {data['year']}: headroom per employer",
            [
                Column("employer", "employer"),
                Column("plans", "plans"),
                Column("annual_additions_limit", "415(c) limit", True),
                Column("elective_deferrals_counted", "deferrals counted", True),
                Column("employer_contributions", "employer", True),
                Column("after_tax_contributions", "after-tax", True),
                Column("after_tax_room", "after-tax room", True),
            ],
            h["employers"],
            footer=[
                f"elective deferrals {h['elective_deferrals']:,.2f} of {h['limits']['elective_deferral']:,.2f}"
                f" (catch-up used {h['catch_up_used']:,.2f}, excess {h['excess_deferrals']:,.2f})"
            ],
            section="headroom",
        ),
        Table(
            "Contributions by source",
            [Column("source", "source"), Column("amount", "amount", True)],
            [{"source": k, "amount": v} for k, v in data["contributions_by_source"].items()]
            + [{"source": "total", "amount": data["contributions_total"]}],
            section="contributions",
        ),
        Table(
            "Conversions",
            [
                Column("date", "date"),
                Column("plan", "plan"),
                Column("route", "route"),
                Column("destination", "destination"),
                Column("gross", "gross", True),
                Column("basis", "basis", True),
                Column("taxable", "taxable", True),
            ],
            data["conversions"],
            section="conversions",
        ),
    ]
    if data["form_1040"] is not None:
        tables.append(
            Table(
                "Form 1040 lines",
                [Column("line", "line"), Column("amount", "amount", True)],
                [{"line": k, "amount": v} for k, v in data["form_1040"].items()],
                section="form_1040",
            )
        )
    lim = data.get("ira_limits")
    if lim is not None:
        keys = (
            "limit",
            "traditional",
            "roth",
            "roth_allowed",
            "deductible_limit",
            "traditional_excess",
            "roth_excess",
        )
        tables.append(
            Table(
                "IRA contributions and limits",
                [Column("item", "item"), Column("amount", "amount", True)],
                [{"item": k.replace("_", " "), "amount": lim[k]} for k in keys],
                section="ira_limits",
            )
        )
    tables.append(
        Table(
            "Warnings and what to do",
            [
                Column("code", "code"),
                Column("origin", "from"),
                Column("message", "message"),
                Column("advice", "what to do"),
            ],
            data["warnings"],
            footer=data["not_available"],
            section="warnings",
            empty="none",
        )
    )
    return tables


COMMANDS = [export, project, report]
