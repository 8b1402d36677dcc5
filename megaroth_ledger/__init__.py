"""megaroth-ledger: a tax-reporting ledger for the Mega Backdoor Roth."""

__version__ = "0.1.0"
