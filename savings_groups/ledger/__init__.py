"""The ledger: the one writer of money entries, and their corrections by reversal."""
