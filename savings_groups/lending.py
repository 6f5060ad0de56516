"""Lending from the group's fund: asking for a loan, granting, repaying, writing off, rescheduling.

The pure arithmetic is in loans.py, what is known of a loan (due, late) in loan_book.py and the
portfolio in loan_portfolio.py; this module writes loans to the database and money to the
ledger. What its writes mean:

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
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from . import audit, ledger
from .cycles import MAX_PERIODS, LoanMethod
from .db import db
from .errors import N_, Amount
from .loan_book import Book, add_periods, book_of, books_of, fix_charges
from .loans import (
    Installment,
    LoanError,
    OverpaymentError,
    allocate_repayment,
    flexible_interest_due,
    schedule,
)
from .models import (
    Choice,
    Cycle,
    Entry,
    EntryKind,
    Fund,
    GroupKind,
    Loan,
    LoanFlag,
    LoanGuarantor,
    LoanInstallment,
    LoanPurpose,
    LoanStatus,
    Meeting,
    Member,
    SavingsGroup,
    User,
    labelled,
)
from .money import MAX_AMOUNT

RATIO_PLACES = Decimal("0.01")


class LoanWarning(Choice):
    """Safeguards: shown before a loan is granted, not blocking, recorded when acknowledged."""

    ARREARS = "arrears"
    REPAY_DEBT = "repay_debt"
    DEBT_RATIO = "debt_ratio"
    THIRD_CONSECUTIVE = "third_consecutive"


labelled(
    LoanWarning,
    {
        LoanWarning.ARREARS: N_("The member is late repaying a loan"),
        LoanWarning.REPAY_DEBT: N_("The loan is to repay another debt"),
        LoanWarning.DEBT_RATIO: N_("Debt high compared with savings"),
        LoanWarning.THIRD_CONSECUTIVE: N_("Third loan in a row without a break"),
    },
)


class WarningsNotAcknowledged(LoanError):
    """The loan has warnings the recorder has not acknowledged; `codes` lists them."""

    def __init__(self, codes: Iterable[str]):
        self.codes = sorted(codes)
        super().__init__(
            N_("Read the warnings and tick each one before granting the loan (%(count)d left)."),
            field="acknowledged",
            count=len(self.codes),
        )


# --- asking for a loan -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanRequest:
    """A member's request as the recorder enters it; amounts in minor units."""

    member: Member
    principal: int
    periods: int
    purpose: LoanPurpose | str
    guarantor_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Safeguard:
    """A safeguard raised by a request: its code, a message (msgid) and the message's values
    (amounts as ints of minor units, for the view to format)."""

    code: LoanWarning
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """What the recorder sees before granting: the terms, the schedule, the member's position.

    `debt` is the principal the member owes on loans being repaid plus the interest due and
    unpaid; the ratios are debt / savings (None when the member has no savings).
    """

    principal: int
    periods: int
    rate: Decimal
    method: str
    unit: int
    schedule: list[Installment]
    savings: int
    debt: int
    ratio_before: Decimal | None
    ratio_after: Decimal | None
    max_principal: int
    cash: int
    warnings: tuple[Safeguard, ...] = ()

    @property
    def total_interest(self) -> int:
        return sum(i.interest for i in self.schedule)

    @property
    def warning_codes(self) -> set[str]:
        return {w.code.value for w in self.warnings}


def plan(principal: int, rate: Decimal, periods: int, method: str, unit: int) -> list[Installment]:
    """The schedule of a loan; for a flexible loan, what is due if the principal is all repaid
    at the end of the term (each period's charge on the whole principal)."""
    if method != LoanMethod.FLEXIBLE.value:
        return schedule(principal, rate, periods, method, unit)
    schedule(principal, rate, periods, LoanMethod.FLAT.value, unit)  # the same checks
    charge = flexible_interest_due(principal, rate, unit)
    return [Installment(n, 0, charge, charge, principal) for n in range(1, periods)] + [
        Installment(periods, principal, charge, principal + charge, 0)
    ]


def _ratio(debt: int, savings: int) -> Decimal | None:
    if savings <= 0:
        return None
    return (Decimal(debt) / Decimal(savings)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def _int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _check_open(group: SavingsGroup, cycle: Cycle) -> None:
    if cycle.group_id != group.id:
        raise ValueError("the cycle is not this group's")
    if group.kind != GroupKind.SAVINGS.value:
        raise LoanError(N_("Only savings groups lend from their fund."))
    if group.archived_at is not None:
        raise LoanError(N_("This group is archived: take it out of the archive first."))
    if cycle.closed_at is not None:
        raise LoanError(N_("This cycle is closed: no more loans can be granted in it."))


def _is_current(member: Member, on: date) -> bool:
    return member.left_on is None or member.left_on > on


def _no_break(previous: Loan, granted_on: date, frequency: str) -> bool:
    """A loan follows `previous` without a break if it was granted while `previous` was still
    being repaid, or no later than one meeting period after it was closed (repaid or written
    off): the member never went through a whole period without a loan."""
    if previous.closed_on is None:
        return True
    return granted_on <= add_periods(previous.closed_on, 1, frequency)


def check_request(group: SavingsGroup, cycle: Cycle, request: LoanRequest, on: date) -> Assessment:
    """Check a request against the cycle's rules; raise a LoanError (with its field) for the
    first rule broken, else return the assessment with the schedule and the warnings.

    Rules (blocking): an amount and a term more than zero; a member of the group who has not
    left; the term at most loan_max_periods; the amount at most loan_max_multiple times the
    member's savings in the cycle and at most the cash in the loan fund; no other loan being
    repaid when one_loan_at_a_time; above guarantor_threshold, at least one guarantor; each
    guarantor a current member of the group other than the borrower.

    Warnings (not blocking): the member is late on a loan; the purpose is repaying another
    debt; debt / savings after the loan above debt_warning_ratio; a third consecutive loan
    (see _no_break: the two loans before this one and this one follow each other without a
    break).
    """
    _check_open(group, cycle)
    member = request.member
    principal = _int(request.principal, "principal")
    periods = _int(request.periods, "periods")
    if member.group_id != group.id:
        raise LoanError(N_("This person is not a member of the group."), field="member")
    if principal <= 0:
        raise LoanError(N_("The amount lent must be more than zero."), field="principal")
    if periods <= 0:
        raise LoanError(N_("The loan must last at least one period."), field="periods")
    try:
        purpose = LoanPurpose(request.purpose)
    except ValueError:
        raise LoanError(N_("Choose what the loan is for."), field="purpose") from None
    if not _is_current(member, on):
        raise LoanError(N_("This member has left the group: no new loan."), field="member")
    if periods > cycle.loan_max_periods:
        raise LoanError(
            N_("The rules allow a loan over %(count)d periods at most."),
            field="periods",
            count=cycle.loan_max_periods,
        )
    rate = Decimal(cycle.loan_rate)
    installments = plan(principal, rate, periods, cycle.loan_method, group.rounding_unit)

    savings_of = ledger.member_totals(group, cycle).get(member.id)
    savings = savings_of.savings if savings_of else 0
    multiple = Decimal(cycle.loan_max_multiple)
    max_principal = int(multiple * max(savings, 0))  # floor: both are >= 0
    if principal > max_principal:
        raise LoanError(
            N_(
                "The rules lend at most %(multiple)s times the member's savings: "
                "%(maximum)s at most."
            ),
            field="principal",
            multiple=str(multiple),
            maximum=Amount(max_principal, group.currency),
        )
    cash = ledger.balances(group)[Fund.LOAN_FUND]
    if principal > cash:
        raise LoanError(
            N_("There is not enough cash in the loan fund: %(cash)s at most."),
            field="principal",
            cash=Amount(max(cash, 0), group.currency),
        )
    active = list(
        Loan.select().where((Loan.member == member) & (Loan.status == LoanStatus.ACTIVE.value))
    )
    if active and cycle.one_loan_at_a_time:
        raise LoanError(
            N_("The rules allow one loan at a time: this member is still repaying one."),
            field="member",
        )
    guarantor_ids = sorted({_int(g, "guarantor_ids") for g in request.guarantor_ids})
    threshold = cycle.guarantor_threshold
    if threshold is not None and principal > threshold and not guarantor_ids:
        raise LoanError(
            N_("Above %(threshold)s the rules ask for a guarantor."),
            field="guarantor_ids",
            threshold=Amount(threshold, group.currency),
        )
    if member.id in guarantor_ids:
        raise LoanError(N_("The borrower cannot be their own guarantor."), field="guarantor_ids")
    if guarantor_ids:
        found = Member.select().where(Member.id.in_(guarantor_ids) & (Member.group == group))
        if len([g for g in found if _is_current(g, on)]) != len(guarantor_ids):
            raise LoanError(
                N_("A guarantor must be a member of the group who has not left."),
                field="guarantor_ids",
            )

    books = books_of(active)
    debt = late = late_days = 0
    for book in books.values():
        interest, _principal = book.due(on)
        debt += book.outstanding + interest
        overdue = book.arrears(on)
        late += overdue.amount
        late_days = max(late_days, overdue.days_overdue)
    warnings = []
    if late:
        warnings.append(
            Safeguard(
                LoanWarning.ARREARS,
                N_("This member is late repaying a loan: %(amount)s overdue for %(days)d days."),
                {"amount": Amount(late, group.currency), "days": late_days},
            )
        )
    if purpose == LoanPurpose.REPAY_DEBT:
        warnings.append(
            Safeguard(
                LoanWarning.REPAY_DEBT,
                N_("This loan is to repay another debt: check it will not make the debt worse."),
            )
        )
    ratio = Decimal(cycle.debt_warning_ratio)  # a fresh Cycle holds its default as text
    if debt + principal > ratio * savings:
        warnings.append(
            Safeguard(
                LoanWarning.DEBT_RATIO,
                N_("After this loan the member would owe more than %(ratio)s times their savings."),
                {"ratio": str(ratio), "debt": debt + principal, "savings": savings},
            )
        )
    last_two = list(
        Loan.select()
        .where((Loan.member == member) & (Loan.group == group))
        .order_by(Loan.granted_on.desc(), Loan.id.desc())
        .limit(2)
    )
    if (
        len(last_two) == 2
        and _no_break(last_two[0], on, group.meeting_frequency)
        and _no_break(last_two[1], last_two[0].granted_on, group.meeting_frequency)
    ):
        warnings.append(
            Safeguard(
                LoanWarning.THIRD_CONSECUTIVE,
                N_("This would be the member's third loan in a row without a break."),
            )
        )
    return Assessment(
        principal=principal,
        periods=periods,
        rate=rate,
        method=cycle.loan_method,
        unit=group.rounding_unit,
        schedule=installments,
        savings=savings,
        debt=debt,
        ratio_before=_ratio(debt, savings),
        ratio_after=_ratio(debt + principal, savings),
        max_principal=max_principal,
        cash=cash,
        warnings=tuple(warnings),
    )


def grant_loan(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    request: LoanRequest,
    on: date,
    meeting: Meeting | None = None,
    acknowledged: Iterable[str] = frozenset(),
) -> Loan:
    """Grant a loan: checked again, every warning acknowledged (recorded as LoanFlag rows),
    the schedule written, the money paid out of the loan fund, all in one transaction."""
    if meeting is not None and meeting.group_id != group.id:
        raise ValueError("the meeting is not this group's")
    acknowledged = {str(code) for code in acknowledged}
    with db.atomic():
        assessment = check_request(group, cycle, request, on)
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
                details=json.dumps(warning.params, sort_keys=True),
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
        )
        audit.record(
            actor,
            "loan.grant",
            loan,
            group=group,
            member=request.member.id,
            principal=loan.principal,
            rate=str(loan.rate),
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

    The loan's principal is the principal still owed on the paper books, on the cycle's rate and
    method, repaid over `periods` periods from `on` (up to MAX_PERIODS: the paper loan may be
    longer than the rules of today). No cash moves: the money went out before the app, so
    instead of a disbursement one OPENING_BALANCE entry of amount 0 (with `note`) puts the loan
    in the histories. From then on it is a loan like any other. Meant to be called from
    opening.record_opening, in its transaction; it does not check the opening itself.
    """
    outstanding = _int(outstanding, "outstanding")
    periods = _int(periods, "periods")
    if not isinstance(on, date):
        raise TypeError("on must be a date")
    _check_open(group, cycle)
    if member.group_id != group.id or not _is_current(member, on):
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
    if on < cycle.start_date:
        raise LoanError(N_("The date cannot be before the cycle started."), field="on")
    rate, method = Decimal(cycle.loan_rate), cycle.loan_method
    installments = plan(outstanding, rate, periods, method, group.rounding_unit)
    with db.atomic():
        loan = Loan.create(
            group=group,
            cycle=cycle,
            member=member,
            principal=outstanding,
            rate=rate,
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
        )
        audit.record(
            actor,
            "loan.opening",
            loan,
            group=group,
            member=member.id,
            principal=outstanding,
            rate=str(rate),
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
    """The loan as it is in the database (another screen may have changed it)."""
    return Loan.get_by_id(loan.id)


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
    actor: User, loan: Loan, amount: int, on: date, meeting: Meeting | None = None
) -> Repayment:
    """Record a repayment: interest due first, then principal (up to all of it). More than
    the interest due and the principal outstanding is refused (OverpaymentError with the
    maximum); a closed loan takes no repayment. A loan paid off becomes repaid."""
    amount = _int(amount, "amount")
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
    periods = _int(periods, "periods")
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
        installments = plan(outstanding, loan.rate, periods, loan.method, loan.unit)
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
