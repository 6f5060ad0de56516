"""What each of a list of loans has in arrears on a day, for the pages that list loans (the
passbook): two queries whatever the number of loans."""

from datetime import date

from savings_groups.core.vocabulary import LoanStatus
from savings_groups.loans.book import Arrears, books_of
from savings_groups.store.models import Loan


def arrears_of(loans: list[Loan], on: date) -> dict[int, Arrears]:
    """Per loan id, the arrears of each active loan on `on` (closed loans have none)."""
    active = [loan for loan in loans if loan.status == LoanStatus.ACTIVE.value]
    return {loan_id: book.arrears(on) for loan_id, book in books_of(active).items()}
