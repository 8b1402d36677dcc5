"""``megaroth export`` (year-end Excel workbook), ``megaroth project`` (growth projection) and
``megaroth report year`` (the workbook's summary in the terminal). Thin: the payloads come
from ``services/export.py``, the workbook from ``reports/workbook.py`` (openpyxl is imported
only when ``export`` runs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import AMOUNT, DATE, YEAR, emit, format_option, progress, read_session


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
@click.option("--person", "person_name", help="Whose ledger (see `megaroth person list`).")
@click.option(
    "--all-people", is_flag=True, help="One workbook per person in the ledger; -o is then a folder."
)
@click.option(
    "--household", "household_name", help="A household's spouses side by side in one workbook (needs --year)."
)
@click.option("--year", type=YEAR, help="The tax year to export.")
@click.option("--all-years", is_flag=True, help="Every tax year in the ledger, in one workbook.")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help="The .xlsx file to write; - writes the workbook to standard output (not to a terminal); "
    "with --all-people: the folder to write them to.",
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
    ctx,
    person_name,
    all_people,
    household_name,
    year,
    all_years,
    output,
    rate,
    projection_years,
    annual_after_tax,
    as_of,
) -> None:
    """Write the year-end workbook: summary, paychecks, conversions, 1099-R, Form 8606, Form 1040
    lines, 5-year clocks, Roth basis, projection and audit sheets.

    With --all-people (and --year), one workbook per person goes into the folder -o names, as
    <person>-<year>.xlsx (the name made safe for any file system), one line printed for each;
    a person with no rows that year is listed as skipped.

    Example: megaroth export --person ann --year 2025 -o ann-2025.xlsx
    """
    from ..errors import UserError

    if sum([person_name is not None, all_people, household_name is not None]) != 1:
        raise UserError("give one of --person NAME, --all-people or --household NAME")
    if (year is None) == (not all_years):
        raise UserError("give either --year YEAR or --all-years")
    to_stdout = str(output) == "-"
    if to_stdout:
        import sys

        if person_name is None:
            raise UserError("-o - (standard output) writes one person's workbook; give --person NAME")
        if sys.stdout.isatty():
            raise UserError(
                "-o -: standard output is a terminal; redirect it to a file (megaroth export ... -o - > "
                "ann-2025.xlsx) or give a file name"
            )
    if household_name is not None:
        return _export_household(ctx, household_name, year, all_years, output)
    on = as_of or dt.date.today()
    args = {"rate": rate, "years": projection_years, "annual_after_tax": annual_after_tax, "today": on}
    if all_people:
        return _export_all(ctx, year, all_years, output, args, on)
    if not to_stdout:
        if output.suffix.lower() != ".xlsx":
            raise UserError(f"-o {output}: the workbook file name must end in .xlsx")
        if output.is_dir():
            raise UserError(f"-o {output} is a folder; give the .xlsx file to write")
    with read_session(ctx) as session:
        years, counts = _write_one(
            session, person_name, year, all_years, None if to_stdout else output, args, on
        )
    click.echo(
        f"wrote {'the workbook to standard output' if to_stdout else output} "
        f"({', '.join(str(y) for y in years)}; "
        f"{counts['Paychecks']} paycheck rows, {counts['Audit']} ledger rows)",
        err=to_stdout,
    )


def _export_household(ctx, name: str, year, all_years, output: Path) -> None:
    from ..errors import UserError
    from ..files import atomic_output, os_error
    from ..reports.household import build_household_workbook
    from ..services import household as hh

    if all_years:
        raise UserError("export --household needs --year YEAR (one joint return)")
    if output.suffix.lower() != ".xlsx" or output.is_dir():
        raise UserError(f"-o {output}: the workbook file name must end in .xlsx")
    with read_session(ctx) as session:
        payload = hh.year_summaries(session, name, year, as_of=dt.date.today())
    with atomic_output(output) as tmp:  # a private .part, fsync-ed, renamed over the target
        try:
            rows = build_household_workbook(payload, tmp)
        except OSError as exc:
            raise os_error(exc, output, "write") from None
    people = " and ".join(m["person"] for m in payload["members"])
    click.echo(f"wrote {output} (household {name}: {people} side by side, {year}; {rows} rows)")


def _write_one(
    session, person_name, year, all_years, output: Path | None, args, on
) -> tuple[list[int], dict]:
    """Build one person's workbook into ``output`` (a private ``.part``, renamed when complete);
    ``output=None`` writes it to standard output."""
    from ..errors import UserError
    from ..files import atomic_output, os_error
    from ..reports.workbook import build_workbook
    from ..services import export as svc

    known = svc.person_years(session, person_name)
    if not known:
        raise UserError(f"{person_name} has no ledger rows yet: nothing to export")
    if not all_years and year not in known:
        raise UserError(
            f"{person_name} has no ledger rows in {year} "
            f"(years with rows: {', '.join(str(y) for y in known)})"
        )
    years = known if all_years else [year]
    data = svc.workbook_data(session, person_name, years, as_of=on, projection_args=args)
    if output is None:
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
    return years, counts


def _export_all(ctx, year, all_years, folder: Path, args, on) -> None:
    """``export --all-people``: one workbook per person into ``folder``, one line each."""

    from ..errors import UserError
    from ..files import make_private_dirs, os_error
    from ..services import export as svc
    from ..services import preparer

    if folder.exists() and not folder.is_dir():
        raise UserError(f"-o {folder} is a file; with --all-people give a folder")
    if folder.suffix.lower() == ".xlsx":
        raise UserError(f"-o {folder}: with --all-people -o is a folder for the workbooks, not an .xlsx file")
    try:
        make_private_dirs(folder)
    except OSError as exc:
        raise os_error(exc, folder, "create the folder") from None
    suffix = "-all-years.xlsx" if all_years else f"-{year}.xlsx"
    with read_session(ctx) as session:
        names = [p.name for p in preparer.people(session)]
        if not names:
            raise UserError("the ledger has no people yet: nothing to export")
        files = preparer.workbook_names(names, suffix)
        written, failed = 0, []
        with progress(len(names), "exporting") as step:
            for name in names:
                out = folder / files[name]
                known = svc.person_years(session, name)
                if not known or (not all_years and year not in known):
                    click.echo(f"skipped {name}: no ledger rows" + ("" if all_years else f" in {year}"))
                    step(name)
                    continue
                try:
                    years, counts = _write_one(session, name, year, all_years, out, args, on)
                except UserError as exc:  # e.g. unsupported: the others still get their workbooks
                    failed.append(exc.exit_code)
                    click.echo(f"FAILED {name}: {exc}")
                else:
                    written += 1
                    click.echo(
                        f"wrote {out} ({name}: {', '.join(str(y) for y in years)}; "
                        f"{counts['Paychecks']} paycheck rows, {counts['Audit']} ledger rows)"
                    )
                step(name)
    click.echo(
        f"{written} of {len(names)} people exported to {folder}"
        + (f"; {len(failed)} failed" if failed else "")
    )
    if failed:
        ctx.exit(max(failed))


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
@click.option("--person", "person_name", help="Whose year.")
@click.option("--all-people", is_flag=True, help="Every person's summary, one after the other.")
@click.option(
    "--household",
    "household_name",
    help="Both spouses of a household side by side, with the joint return's Form 1040 lines.",
)
@click.option("--year", type=YEAR, required=True, help="The tax year.")
@format_option
@click.pass_context
def report_year(ctx, person_name, all_people, household_name, year, fmt) -> None:
    """The workbook's Summary in the terminal: headroom per employer, totals by source,
    conversions, taxable amounts, and every warning with what to do about it.

    With --all-people: an overview line per person, then each person's summary (JSON:
    {"year", "people": [summary, ...]}; CSV: the overview). With --household: the spouses side
    by side (JSON: {"household", "year", "members": [summary, ...], "form_1040": joint lines}).

    Example: megaroth report year --person ann --year 2025
    """
    from ..errors import UserError
    from ..services import export as svc

    if sum([person_name is not None, all_people, household_name is not None]) != 1:
        raise UserError("give one of --person NAME, --all-people or --household NAME")
    if all_people:
        return _report_all(ctx, year, fmt)
    if household_name is not None:
        return _report_household(ctx, household_name, year, fmt)
    with read_session(ctx) as session:
        data = svc.year_summary(session, person_name, year, as_of=dt.date.today())
    emit(data, fmt, _year_tables(data), warnings_in_tables=True)


def _report_household(ctx, name: str, year: int, fmt: str) -> None:
    from ..reports.household import side_by_side
    from ..reports.output import Column, Table
    from ..services import household as hh

    with read_session(ctx) as session:
        payload = hh.year_summaries(session, name, year, as_of=dt.date.today())
    names = [m["person"] for m in payload["members"]]
    cols = [Column("item", "")] + [Column(f"spouse{i + 1}", n, True) for i, n in enumerate(names)]
    cols.append(Column("joint", "joint return", True))
    tables = [
        Table(
            f"Household {name}, {year}: side by side",
            cols,
            side_by_side(payload),
            footer=[
                "limits, Form 8606 and clocks are each spouse's own; Form 1040 lines 4a-5b of "
                "the joint return are their sum"
            ],
        )
    ]
    if fmt == "table":
        warn_cols = [
            Column("person", "person"),
            Column("code", "code"),
            Column("origin", "from"),
            Column("message", "message"),
            Column("advice", "what to do"),
        ]
        tables.append(
            Table(
                "Warnings and what to do",
                warn_cols,
                [dict(w, person=m["person"]) for m in payload["members"] for w in m["warnings"]],
            )
        )
    emit(payload, fmt, tables, warnings_in_tables=True)


def _report_all(ctx, year: int, fmt: str) -> None:

    from ..errors import UserError
    from ..reports.output import Column, Table
    from ..services import export as svc
    from ..services import preparer

    summaries, overview = [], []
    with read_session(ctx) as session:
        names = [p.name for p in preparer.people(session)]
        with progress(len(names), "summarising") as step:
            for name in names:
                try:
                    data = svc.year_summary(session, name, year, as_of=dt.date.today())
                except UserError as exc:  # one client's unsupported year does not hide the others
                    data = {"person": name, "year": year, "error": str(exc)}
                summaries.append(data)
                overview.append(preparer.headline_of(data) | {"person": name})
                step(name)
    payload = {"year": year, "people": summaries}
    cols = [
        Column("person", "Person"),
        Column("elective_deferrals", "Deferrals", True),
        Column("after_tax_in", "After-tax in", True),
        Column("converted", "Converted", True),
        Column("taxable", "Taxable", True),
        Column("warnings", "Warnings"),
    ]
    view = [
        {**o, "warnings": "; ".join([w["code"] for w in o["warnings"]] + o["not_available"])}
        for o in overview
    ]
    tables = [Table(f"{year}: {len(names)} people", cols, view)]
    if fmt == "table":
        for data in summaries:
            if "error" not in data:
                tables += _year_tables(data)
    emit(payload, fmt, tables, warnings_in_tables=True)


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
