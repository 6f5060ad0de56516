"""Internal loans: pure schedules, the loan book, requests and their rules, the portfolio.

`savings_groups.loans.schedule` is a public name (see DESIGN.md): it stays importable here.
"""

from savings_groups.loans.compute import Installment, schedule

__all__ = ["Installment", "schedule"]
