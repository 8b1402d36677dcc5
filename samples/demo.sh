#!/bin/sh
# `make demo`: build a ledger from the files in samples/ and print the year's reports.
# Runs with MEGAROTH_DB pointing at a fresh database (see the Makefile).
set -eu
here=$(dirname "$0")

megaroth person add ann --born 1985-04-02
megaroth plan add acme-401k --person ann --employer "Acme Corp" --after-tax --in-plan-conversion --in-service-withdrawal
megaroth wages set --plan acme-401k --year 2025 --compensation 200000 --fica-wages 176100

# Paycheck contributions for 2025 (until statement import lands: one line per paycheck and source).
while IFS=, read -r date source amount; do
  case "$date" in date|'') continue ;; esac
  megaroth contribution add --plan acme-401k --date "$date" --source "$source" --amount "$amount" >/dev/null
done < "$here/paychecks-2025.csv"
echo "recorded $(($(wc -l < "$here/paychecks-2025.csv") - 1)) paycheck contributions from samples/paychecks-2025.csv"

echo
megaroth headroom --person ann --year 2025 --remaining-paychecks 2 --expected-employer 769.24 --expected-deferrals 1807.60
