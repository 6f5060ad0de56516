"""Lending from the group's fund: granting, repaying, writing off, rescheduling.

The pure arithmetic is in loans.py, a request and its checks in loan_requests.py, what is known
of a loan (due, late) in loan_book.py and the portfolio in loan_portfolio.py; this module writes
loans to the database and money to the ledger. What its writes mean:

- Write-off moves no cash (the money is not in the box): its LOAN_WRITE_OFF entry has amount 0
  and the loan's note of the principal written off is `Loan.written_off`; the loan is closed.
  The fund's balance already went down at the disbursement: a write-off only stops counting
  the principal as owed to the group.
- Rescheduling marks the current installments `replaced_on` (kept as history) and adds a new
  version for the principal outstanding from that date; what was paid until then is kept in
  `baseline_principal` / `baseline_interest`, and interest due and unpaid then is carried
  (`carried_interest`) and falls due with the first new installment.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from savings_groups.core.dates import add_periods
from savings_groups.core.errors import N_, Amount
from savings_groups.core.money import MAX_AMOUNT
from savings_groups.core.numbers import require_int
from savings_groups.core.vocabulary import EntryKind, Fund, LoanMethod, LoanPurpose, LoanStatus
from savings_groups.cycles.operations import MAX_PERIODS, lock_cycle, rate_period_of
from savings_groups.groups.members import is_current
from savings_groups.ledger import entries as ledger
from savings_groups.loans.book import Book, book_of, fix_charges
from savings_groups.loans.compute import (
    Installment,
    LoanError,
    OverpaymentError,
    allocate_repayment,
    period_rate,
)
from savings_groups.loans.requests import (
    NOTHING_PENDING,
    LoanRequest,
    Pending,
    WarningsNotAcknowledged,
    check_open,
    check_request,
    plan,
)
from savings_groups.org import audit
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Cycle,
    Entry,
    Loan,
    LoanFlag,
    LoanGuarantor,
    LoanInstallment,
    Meeting,
    Member,
    SavingsGroup,
    User,
)


def grant_loan(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    request: LoanRequest,
    on: date,
    meeting: Meeting | None = None,
    acknowledged: Iterable[str] = frozenset(),
    pending: Pending = NOTHING_PENDING,
) -> Loan:
    """Grant a loan: checked again, every warning acknowledged (recorded as LoanFlag rows),
    the schedule written, the money paid out of the loan fund, all in one transaction."""
    if meeting is not None and meeting.group_id != group.id:
        raise ValueError("the meeting is not this group's")
    acknowledged = {str(code) for code in acknowledged}
    with db.atomic():
        cycle = lock_cycle(cycle)  # another loan, a closing or a share-out waits (the cash)
        assessment = check_request(group, cycle, request, on, pending)
        missing = assessment.warning_codes - acknowledged
        if missing:
            raise WarningsNotAcknowledged(missing)
        loan = Loan.create(
            group=group,
            cycle=cycle,
            member=request.member,
            meeting=meeting,
            principal=assessment.principal,
            rate=assessment.rate,
            rate_period=assessment.rate_period,
            method=assessment.method,
            periods=assessment.periods,
            unit=assessment.unit,
            frequency=group.meeting_frequency,
            purpose=LoanPurpose(request.purpose).value,
            granted_on=on,
            granted_by=actor,
        )
        _write_schedule(loan, 0, assessment.schedule, on)
        guarantors = sorted(set(request.guarantor_ids))
        for member_id in guarantors:
            LoanGuarantor.create(loan=loan, member=member_id)
        for warning in assessment.warnings:
            LoanFlag.create(
                loan=loan,
                code=warning.code.value,
                details=json.dumps(warning.params, sort_keys=True, default=str),  # ratio: "2"
                acknowledged_by=actor,
            )
        ledger.post(
            actor,
            group,
            Fund.LOAN_FUND,
            EntryKind.LOAN_DISBURSEMENT,
            -assessment.principal,
            cycle=cycle,
            meeting=meeting,
            member=request.member,
            loan=loan,
            effective_on=on if meeting is None else None,
        )
        audit.record(
            actor,
            "loan.grant",
            loan,
            group=group,
            member=request.member.id,
            principal=loan.principal,
            rate=str(loan.rate),
            rate_period=loan.rate_period,
            method=loan.method,
            periods=loan.periods,
            purpose=loan.purpose,
            guarantors=guarantors,
            acknowledged=sorted(assessment.warning_codes),
        )
        return loan


def record_opening_loan(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    member: Member,
    outstanding: int,
    periods: int,
    on: date,
    note: str,
) -> Loan:
    """A loan still being repaid when a group moves from paper books into the app.

    The loan's principal is the principal still owed on the paper books, on the cycle's rate
    (with its period) and usual method, repaid over `periods` periods from `on` (up to
    MAX_PERIODS: the paper loan may be longer than the rules of today). No cash moves: the money
    went out before the app, so instead of a disbursement one OPENING_BALANCE entry of amount 0
    (with `note`) puts the loan in the histories. From then on it is a loan like any other.
    Meant to be called from opening.record_opening, in its transaction; it does not check the
    opening itself.
    """
    outstanding = require_int("outstanding", outstanding)
    periods = require_int("periods", periods)
    if not isinstance(on, date):
        raise TypeError("on must be a date")
    check_open(group, cycle)
    if on < cycle.start_date:
        raise LoanError(N_("The date cannot be before the cycle started."), field="on")
    if member.group_id != group.id or not is_current(member, on):
        raise LoanError(N_("This member is not a current member of the group."), field="member")
    if outstanding <= 0:
        raise LoanError(N_("The loan outstanding must be more than zero."), field="outstanding")
    if outstanding > MAX_AMOUNT:
        raise LoanError(N_("This amount is too large."), field="outstanding")
    if not 1 <= periods <= MAX_PERIODS:
        raise LoanError(
            N_("The periods left must be between 1 and %(count)d."),
            field="periods",
            count=MAX_PERIODS,
        )
    rate, method = Decimal(cycle.loan_rate), cycle.loan_method
    rate_period = rate_period_of(cycle, group.meeting_frequency).value
    exact_rate = period_rate(rate, rate_period, group.meeting_frequency)
    installments = plan(outstanding, exact_rate, periods, method, group.rounding_unit)
    with db.atomic():
        loan = Loan.create(
            group=group,
            cycle=cycle,
            member=member,
            principal=outstanding,
            rate=rate,
            rate_period=rate_period,
            method=method,
            periods=periods,
            unit=group.rounding_unit,
            frequency=group.meeting_frequency,
            purpose=LoanPurpose.OTHER.value,
            granted_on=on,
            granted_by=actor,
        )
        _write_schedule(loan, 0, installments, on)
        ledger.post(
            actor,
            group,
            Fund.LOAN_FUND,
            EntryKind.OPENING_BALANCE,
            0,
            cycle=cycle,
            member=member,
            loan=loan,
            note=note,
            effective_on=on,
        )
        audit.record(
            actor,
            "loan.opening",
            loan,
            group=group,
            member=member.id,
            principal=outstanding,
            rate=str(rate),
            rate_period=rate_period,
            method=method,
            periods=periods,
            on=on,
        )
        return loan


def _write_schedule(loan: Loan, version: int, installments: list[Installment], start: date):
    flexible = loan.method == LoanMethod.FLEXIBLE.value
    LoanInstallment.insert_many(
        [
            {
                "loan": loan.id,
                "version": version,
                "number": i.number,
                "due_on": add_periods(start, i.number, loan.frequency),
                "principal": i.principal,
                "interest": None if flexible else i.interest,
            }
            for i in installments
        ]
    ).execute()


def _fresh(loan: Loan) -> Loan:
    """The loan as it is in the database (another screen may have changed it), held until the
    caller's transaction ends (store.db.lock): two repayments cannot both see the same balance."""
    return lock(Loan, loan.id)


def _sync(stale: Loan, fresh: Loan) -> None:
    """Give the caller's instance the loan's new state."""
    stale.__data__.update(fresh.__data__)


def _check_date(loan: Loan, on: date) -> None:
    if not isinstance(on, date):
        raise TypeError("on must be a date")
    if on < (loan.rescheduled_on or loan.granted_on):
        raise LoanError(N_("The date cannot be before the loan was granted."), field="on")


def _open_book(loan: Loan, on: date) -> tuple[Loan, Book]:
    """The loan as it is in the database, checked open on that day, and its book."""
    fresh = _fresh(loan)
    _check_active(fresh)
    _check_date(fresh, on)
    return fresh, book_of(fresh)


def _check_active(loan: Loan) -> None:
    if loan.status != LoanStatus.ACTIVE.value:
        raise LoanError(
            N_("This loan is closed: nothing more can be paid or changed on it."),
            field="amount",
        )


@dataclass(frozen=True)
class Repayment:
    interest: int
    principal: int
    repaid: bool  # the loan is now repaid in full


def record_repayment(
    actor: User,
    loan: Loan,
    amount: int,
    on: date,
    meeting: Meeting | None = None,
    note: str = "",
) -> Repayment:
    """Record a repayment: interest due first, then principal (up to all of it). More than
    the interest due and the principal outstanding is refused (OverpaymentError with the
    maximum); a closed loan takes no repayment. A loan paid off becomes repaid. `note` goes on
    the entries (e.g. why it was repaid outside a meeting: a share-out, a settlement)."""
    amount = require_int("amount", amount)
    if amount <= 0:
        raise LoanError(N_("Enter an amount more than zero."), field="amount")
    if meeting is not None and meeting.group_id != loan.group_id:
        raise ValueError("the meeting is not this loan's group's")
    with db.atomic():
        given, (loan, book) = loan, _open_book(loan, on)
        fix_charges(book, on)
        interest_due, _principal_due = book.due(on)
        try:
            interest, principal = allocate_repayment(amount, interest_due, book.outstanding)
        except OverpaymentError as error:  # the same error, its maximum shown as money
            raise OverpaymentError(Amount(error.maximum, loan.group.currency)) from None
        cycle = meeting.cycle_id if meeting is not None else loan.cycle_id
        for kind, part in (
            (EntryKind.LOAN_INTEREST, interest),
            (EntryKind.LOAN_PRINCIPAL, principal),
        ):
            if part:
                ledger.post(
                    actor,
                    loan.group,
                    Fund.LOAN_FUND,
                    kind,
                    part,
                    cycle=cycle,
                    meeting=meeting,
                    member=loan.member,
                    loan=loan,
                    note=note,
                    effective_on=on if meeting is None else None,  # a meeting's entries: its day
                )
        repaid = principal == book.outstanding and interest == interest_due
        if repaid:
            loan.status, loan.closed_on = LoanStatus.REPAID.value, on
            loan.save(only=[Loan.status, Loan.closed_on])
        _sync(given, loan)
        audit.record(
            actor,
            "loan.repay",
            loan,
            group=loan.group_id,
            amount=amount,
            interest=interest,
            principal=principal,
            on=on,
            repaid=repaid,
        )
        return Repayment(interest, principal, repaid)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LoanError(N_("Say why: the group's decision is recorded."), field="reason")
    return reason


def write_off(actor: User, loan: Loan, reason: str, on: date) -> Entry:
    """Write off what remains of a loan, by the group's explicit decision with a reason.

    No cash moves: the LOAN_WRITE_OFF entry has amount 0 (it puts the decision in the loan's
    history) and the principal written off is kept in Loan.written_off; the loan is closed and
    its interest no longer owed."""
    reason = _reason(reason)
    with db.atomic():
        given, (loan, book) = loan, _open_book(loan, on)
        outstanding = book.outstanding
        interest_due, _p = book.due(on)
        loan.written_off += outstanding
        loan.status, loan.closed_on = LoanStatus.WRITTEN_OFF.value, on
        loan.save(only=[Loan.written_off, Loan.status, Loan.closed_on])
        entry = ledger.post(
            actor,
            loan.group,
            Fund.LOAN_FUND,
            EntryKind.LOAN_WRITE_OFF,
            0,
            cycle=loan.cycle_id,
            member=loan.member,
            loan=loan,
            note=reason,
            effective_on=on,
        )
        _sync(given, loan)
        audit.record(
            actor,
            "loan.write_off",
            loan,
            group=loan.group_id,
            principal=outstanding,
            interest_forgone=interest_due,
            on=on,
            reason=reason,
        )
        return entry


def reschedule(
    actor: User, loan: Loan, periods: int, reason: str, on: date
) -> list[LoanInstallment]:
    """Give a loan a new schedule for the principal outstanding, over `periods` from `on`,
    on the loan's terms (rate, method). The installments not yet replaced are kept, marked
    `replaced_on`; interest due and unpaid on `on` is carried into the first new installment;
    the part of a period not yet due is not charged."""
    periods = require_int("periods", periods)
    reason = _reason(reason)
    if not 1 <= periods <= MAX_PERIODS:
        raise LoanError(
            N_("The new term must be between 1 and %(count)d periods."),
            field="periods",
            count=MAX_PERIODS,
        )
    with db.atomic():
        given, (loan, book) = loan, _open_book(loan, on)
        fix_charges(book, on)
        interest_due, _p = book.due(on)
        outstanding = book.outstanding
        if outstanding <= 0:
            raise LoanError(N_("No principal is left to reschedule."), field="periods")
        exact_rate = period_rate(Decimal(loan.rate), loan.rate_period, loan.frequency)
        installments = plan(outstanding, exact_rate, periods, loan.method, loan.unit)
        version = book.installments[0].version + 1
        LoanInstallment.update(replaced_on=on).where(
            (LoanInstallment.loan == loan) & LoanInstallment.replaced_on.is_null()
        ).execute()
        loan.baseline_principal = book.principal_paid
        loan.baseline_interest = book.interest_paid
        loan.carried_interest = interest_due
        loan.rescheduled_on = on
        loan.save(
            only=[
                Loan.baseline_principal,
                Loan.baseline_interest,
                Loan.carried_interest,
                Loan.rescheduled_on,
            ]
        )
        _write_schedule(loan, version, installments, on)
        _sync(given, loan)
        audit.record(
            actor,
            "loan.reschedule",
            loan,
            group=loan.group_id,
            principal=outstanding,
            carried_interest=interest_due,
            periods=periods,
            version=version,
            on=on,
            reason=reason,
        )
        return list(
            LoanInstallment.select()
            .where((LoanInstallment.loan == loan) & (LoanInstallment.version == version))
            .order_by(LoanInstallment.number)
        )
