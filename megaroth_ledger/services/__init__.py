"""Services: assemble rule inputs from the database and turn rule results into payloads.

Rules (``megaroth_ledger.rules``) never touch the database; the CLI never computes tax.
"""
