"""Annual dollar limits, loaded from ``megaroth_ledger/data/limits.toml``.

The figures and their citations live only in that data file (IRC 402(g), 414(v), 415(c),
219(b)(5), 414(v)(7) as indexed by the IRS notices it names). This module only reads them.
A year outside the table is an error naming the supported years: we never extrapolate.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from ..errors import UnsupportedSituation


@dataclass(frozen=True)
class YearLimits:
    year: int
    elective_deferral: Decimal
    catch_up: Decimal
    catch_up_60_63: Decimal | None
    annual_additions: Decimal
    ira: Decimal
    ira_catch_up: Decimal
    roth_catch_up_wage_threshold: Decimal | None
    roth_catch_up_enforced: bool
    sources: tuple[str, ...]
    #: IRA income phase-outs, MAGI (start, end); see the data file's header for each key's IRC section
    roth_phaseout_single: tuple[Decimal, Decimal] | None = None
    roth_phaseout_joint: tuple[Decimal, Decimal] | None = None
    deduction_phaseout_single: tuple[Decimal, Decimal] | None = None
    deduction_phaseout_joint: tuple[Decimal, Decimal] | None = None
    deduction_phaseout_spouse_covered: tuple[Decimal, Decimal] | None = None
    phaseout_sources: tuple[str, ...] = ()

    def catch_up_for_age(self, age_at_year_end: int) -> Decimal:
        """Catch-up limit for someone of this age on December 31 (0 if not eligible).

        IRC 414(v)(5)(A): eligible if the participant "would attain age 50 by the end of the
        taxable year". SECURE 2.0 sec. 109 (IRC 414(v)(2)(E)): for ages 60, 61, 62 or 63 at year
        end, from 2025, the larger amount replaces (does not add to) the regular catch-up.
        """
        if age_at_year_end < 50:
            return Decimal("0.00")
        if self.catch_up_60_63 is not None and 60 <= age_at_year_end <= 63:
            return self.catch_up_60_63
        return self.catch_up

    def ira_limit_for_age(self, age_at_year_end: int) -> Decimal:
        """IRA contribution limit, IRC 219(b)(5)(A) plus the 219(b)(5)(B) catch-up at 50+."""
        return self.ira + (self.ira_catch_up if age_at_year_end >= 50 else Decimal("0.00"))


def _money(v: int | None) -> Decimal | None:
    return None if v is None else _amount(v)


def _amount(v: int) -> Decimal:
    """A figure every year must have (a missing one is a KeyError in the data file)."""
    return Decimal(v).quantize(Decimal("0.01"))


#: Statutory widths of the phase-out ranges: IRC 408A(c)(3)(A)(ii) ($15,000; $10,000 for a joint
#: return or a married individual filing separately), 219(g)(2)(A)(ii) ($10,000; $20,000 for a joint
#: return), 219(g)(7)(A) ($10,000). A data row with another width is a typo in the data file.
PHASEOUT_WIDTHS = {
    "roth_phaseout_single": 15000,
    "roth_phaseout_joint": 10000,
    "deduction_phaseout_single": 10000,
    "deduction_phaseout_joint": 20000,
    "deduction_phaseout_spouse_covered": 10000,
}


def _range(year: int, key: str, v) -> tuple[Decimal, Decimal] | None:
    if v is None:
        return None
    lo, hi = v
    if hi - lo != PHASEOUT_WIDTHS[key]:
        raise ValueError(f"limits.toml year {year} {key} {v}: width must be {PHASEOUT_WIDTHS[key]}")
    return _amount(lo), _amount(hi)


@lru_cache(maxsize=1)
def _table() -> dict[int, YearLimits]:
    raw = tomllib.loads(resources.files("megaroth_ledger.data").joinpath("limits.toml").read_text("utf-8"))
    table: dict[int, YearLimits] = {}
    for key, row in raw["years"].items():
        year = int(key)
        unknown = [
            s for s in list(row["sources"]) + list(row.get("phaseout_sources", [])) if s not in raw["sources"]
        ]
        if unknown:  # a figure without a citation is a bug in the data file
            raise ValueError(f"limits.toml year {year} cites unknown sources {unknown}")
        table[year] = YearLimits(
            year=year,
            elective_deferral=_amount(row["elective_deferral"]),
            catch_up=_amount(row["catch_up"]),
            catch_up_60_63=_money(row.get("catch_up_60_63")),
            annual_additions=_amount(row["annual_additions"]),
            ira=_amount(row["ira"]),
            ira_catch_up=_amount(row["ira_catch_up"]),
            roth_catch_up_wage_threshold=_money(row.get("roth_catch_up_wage_threshold")),
            roth_catch_up_enforced=bool(row.get("roth_catch_up_enforced", False)),
            sources=tuple(row["sources"]),
            phaseout_sources=tuple(row.get("phaseout_sources", ())),
            **{k: _range(year, k, row.get(k)) for k in PHASEOUT_WIDTHS},
        )
    return table


def supported_years() -> list[int]:
    return sorted(_table())


def sources() -> dict[str, str]:
    raw = tomllib.loads(resources.files("megaroth_ledger.data").joinpath("limits.toml").read_text("utf-8"))
    return dict(raw["sources"])


def limits_for(year: int) -> YearLimits:
    """The limits of ``year``; an :class:`UnsupportedSituation` naming the table's range otherwise."""
    table = _table()
    try:
        return table[year]
    except KeyError:
        years = supported_years()
        raise UnsupportedSituation(
            f"no contribution limits for {year}: supported tax years are {years[0]}-{years[-1]}"
        ) from None
