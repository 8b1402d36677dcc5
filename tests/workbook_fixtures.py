"""Fixture payloads in the JSON contracts of issues 2-4 (headroom, form, clocks) for workbook
tests that must not depend on those services. Figures follow the seeds: $200,000 salary, 5%
match, $23,500 deferrals -> $36,500 after-tax room; $20,000 after-tax grown to $20,500 and
converted in-plan (1099-R box 1 20,500, 2a 500, 5 20,000, code G)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from megaroth_ledger.reports.workbook import WorkbookData
from megaroth_ledger.rules.projection import project, projection_payload

HEADROOM_2025 = {
    "person": "ann",
    "year": 2025,
    "age_at_year_end": 40,
    "limits": {"elective_deferral": "23500.00", "catch_up": "0.00", "annual_additions": "70000.00"},
    "elective_deferrals": "23500.00",
    "catch_up_used": "0.00",
    "excess_deferrals": "0.00",
    "employers": [
        {
            "employer": "Acme Corp",
            "plans": ["acme-401k"],
            "annual_additions_limit": "70000.00",
            "elective_deferrals_counted": "23500.00",
            "employer_contributions": "10000.00",
            "after_tax_contributions": "20000.00",
            "after_tax_room": "16500.00",
            "per_paycheck_after_tax": None,
        }
    ],
    "warnings": [{"code": "EXCESS_DEFERRAL", "message": "fixture warning: deferrals above 402(g)"}],
}
FORM_1099R_2025 = {
    "person": "ann",
    "tax_year": 2025,
    "forms": [
        {
            "payer": "acme-401k",
            "destination": "in-plan",
            "box1": "20500.00",
            "box2a": "500.00",
            "box2b_taxable_not_determined": False,
            "box2b_total_distribution": False,
            "box4": "0.00",
            "box5": "20000.00",
            "box7": "G",
            "box10": None,
            "box11": 2025,
        }
    ],
    "warnings": [],
}
RECEIVED_2025 = [
    {"payer": "acme-401k", "box1": "20500.00", "box2a": "450.00", "box5": "20050.00", "box7": "G"}
]
FORM_8606_2025 = {
    "person": "ann",
    "tax_year": 2025,
    "lines": {
        "1": "7000.00",
        "2": "0.00",
        "3": "7000.00",
        "4": "0.00",
        "5": "7000.00",
        "6": "0.00",
        "7": "0.00",
        "8": "7000.00",
        "9": "7000.00",
        "10": "1.000",
        "11": "7000.00",
        "12": "0.00",
        "13": "7000.00",
        "14": "0.00",
        "15a": "0.00",
        "15b": None,
        "15c": "0.00",
        "16": "7000.00",
        "17": "7000.00",
        "18": "0.00",
        "19": None,
        "20": None,
        "21": None,
        "22": None,
        "23": None,
        "24": None,
        "25a": None,
        "25b": None,
        "25c": None,
    },
    "warnings": [],
}
FORM_1040_2025 = {
    "person": "ann",
    "tax_year": 2025,
    "lines": {"4a": "7000.00", "4b": "0.00", "5a": "20500.00", "5b": "500.00"},
}
CLOCKS = {
    "person": "ann",
    "as_of": "2026-11-22",
    "age_59_half_on": "2044-10-02",
    "conversions": [
        {
            "kind": "ira-conversion",
            "plan": None,
            "date": "2021-03-10",
            "tax_year": 2021,
            "amount": "10000.00",
            "taxable": "500.00",
            "nontaxable": "9500.00",
            "remaining_taxable": "500.00",
            "remaining_nontaxable": "9500.00",
            "clock_start": "2021-01-01",
            "penalty_free_on": "2026-01-01",
            "penalty_free": True,
            "days_left": 0,
        },
        {
            "kind": "in-plan",
            "plan": "acme-401k",
            "date": "2025-06-30",
            "tax_year": 2025,
            "amount": "20500.00",
            "taxable": "500.00",
            "nontaxable": "20000.00",
            "remaining_taxable": "500.00",
            "remaining_nontaxable": "20000.00",
            "clock_start": "2025-01-01",
            "penalty_free_on": "2030-01-01",
            "penalty_free": False,
            "days_left": 1136,
        },
    ],
    "qualified": [
        {
            "account": "roth-ira",
            "clock_start": "2021-01-01",
            "five_years_on": "2026-01-01",
            "qualified_on": "2044-10-02",
            "met": False,
        }
    ],
}
EVIL = '=HYPERLINK("http://evil.example","click")'


def paychecks():
    rows = []
    for i, d in enumerate(["2025-01-15", "2025-06-30", "2025-12-15"]):
        for src, amt in (("pretax", "7833.33"), ("match", "3333.33"), ("aftertax", "6666.67")):
            a = Decimal(amt)
            if i == 2:  # the last paycheck evens the year out to round totals
                a += Decimal("-0.01") if src == "aftertax" else Decimal("0.01")
            rows.append(
                {
                    "date": d,
                    "tax_year": 2025,
                    "plan": "acme-401k",
                    "plan_kind": "401k",
                    "employer": "Acme Corp",
                    "source": src,
                    "amount": a,
                }
            )
    return rows


def audit(n=50):
    for i in range(n):
        yield {
            "id": i + 1,
            "date": dt.date(2025, 1, 1) + dt.timedelta(days=i % 365),
            "tax_year": 2025,
            "plan": "acme-401k",
            "source": "aftertax",
            "type": "contribution",
            "amount": Decimal("100.00"),
            "fund": "+Fund" if i == 0 else "Target 2055",
            "memo": EVIL if i == 0 else ("-1+2" if i == 1 else "payroll"),
            "status": "posted",
            "file": "@evil.csv" if i == 0 else "acme.csv",
            "file_row": i + 2,
            "import_id": 1,
            "origin": None,
        }


def workbook_data(**over) -> WorkbookData:
    proj = project(
        {2025: Decimal("20500.00")},
        rate=Decimal("7"),
        years=20,
        start_year=2025,
        annual_after_tax=Decimal("36500"),
    )
    base = dict(
        person="ann",
        years=[2025],
        generated_on=dt.date(2026, 11, 22),
        headroom={2025: HEADROOM_2025},
        form_1099r={2025: FORM_1099R_2025},
        received_1099r={2025: RECEIVED_2025},
        form_8606={2025: FORM_8606_2025},
        form_1040={2025: FORM_1040_2025},
        explain={("8606", 2025): {"18": "line 16 7,000.00 - line 17 7,000.00 = 0.00"}},
        clocks=CLOCKS,
        projection=projection_payload(proj, person="ann"),
        conversions=[
            {
                "tax_year": 2025,
                "date": "2025-06-30",
                "plan": "acme-401k",
                "route": "in-plan Roth rollover",
                "destination": "designated Roth (acme-401k)",
                "gross": "20500.00",
                "basis": "20000.00",
                "earnings": "500.00",
                "taxable": "500.00",
                "memo": "\tcmd|calc",
            }
        ],
        paychecks=paychecks(),
        audit=audit(),
    )
    base.update(over)
    return WorkbookData(**base)
