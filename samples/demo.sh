#!/bin/sh
# `make demo`: build a ledger from the files in samples/ and print the year's reports.
# Runs with MEGAROTH_DB pointing at a fresh database (see the Makefile).
set -eu
here=$(dirname "$0")

megaroth person add ann --born 1985-04-02
megaroth plan add acme-401k --person ann --employer "Acme Corp" --after-tax --in-plan-conversion --in-service-withdrawal
megaroth wages set --plan acme-401k --year 2025 --compensation 200000 --fica-wages 176100

# Statement import (issue 5). samples/ holds the same made-up 2025 year of acme-401k in every
# supported format (see samples/make_samples.py). Importing more than one of them into the
# plan would count the same paychecks twice, so the ledger takes ONE: the OFX statement,
# the richest (money source per row, paycheck dates, FITIDs, a reversal, year-end balances).
# Its OTHERVEST source is this plan's in-plan Roth conversion money: --map says so once and
# the plan remembers it. The SGML twin (.qfx) has the same FITIDs: importing it adds nothing.
# Every other format holds the same activity: each is refused (it would count twice).
megaroth import "$here/2025-acme.ofx" --plan acme-401k --map OTHERVEST=roth_irr
megaroth import "$here/2025-acme.qfx" --plan acme-401k
echo
echo "The same year in the other formats (refused as overlaps; nothing written):"
for f in "$here"/2025-acme-*.csv "$here"/2025-acme-*.txt "$here"/2025-acme-*.xlsx; do
  megaroth import "$f" --plan acme-401k --dry-run 2>&1 | sed -n 's/^Error: \(.*another file\).*/  \1/p'
done
echo
megaroth import list

echo
# The imported year is complete (26 paychecks), so no projection of paychecks still to come.
megaroth headroom --person ann --year 2025

echo
# The ledger's checks (balances hold, no statement counted twice, sources known, ...).
megaroth check --person ann --year 2025

echo
# What the plan should report for 2025, and where it lands on the return.
megaroth form 1099-r --person ann --year 2025
megaroth form 1040 --person ann --year 2025

echo
# When each conversion becomes penalty-free (as of the end of the year).
megaroth clocks --person ann --as-of 2025-12-31

echo
# The year-end workbook for a preparer.
megaroth export --person ann --year 2025 -o demo-out/ann-2025.xlsx
echo "next: open demo-out/ann-2025.xlsx, or try: MEGAROTH_DB=demo-out/demo.db .venv/bin/megaroth --help"
