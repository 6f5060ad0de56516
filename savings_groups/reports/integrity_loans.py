"""The integrity check's rules of debts: loans against their entries, and repayments between
members of a tontine (see integrity)."""

from typing import TYPE_CHECKING

from peewee import JOIN, Case, fn

from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import EntryKind, LoanStatus
from savings_groups.store.models import DebtRepayment, Entry, Loan

if TYPE_CHECKING:
    from savings_groups.reports.integrity import Found


# --- ROSCAs: repayments between members ---------------------------------------------------------

DEBTOR_ENTRY = N_(
    "Repayment %(repayment)s between members: the debtor's entry is %(found)s, but the repayment "
    "is of %(expected)s."
)
CREDITOR_ENTRY = N_(
    "Repayment %(repayment)s between members: the creditor's entry is %(found)s, but the "
    "repayment is of %(expected)s."
)
HALF_UNDONE = N_(
    "Repayment %(repayment)s between members is undone on one side only: both of its entries "
    "are reversed together."
)


def check_debt_repayments(found: "Found") -> "Found":
    """Each repayment between members of a rotation is its two entries in the pot, + from the
    debtor and - to the creditor, both reversed when it is undone, or neither (one query)."""
    debtor, creditor = Entry.alias(), Entry.alias()
    debtor_undone, creditor_undone = Entry.alias(), Entry.alias()
    query = (
        DebtRepayment.select(
            DebtRepayment.id,
            DebtRepayment.amount,
            debtor.group.alias("group_id"),
            debtor.amount.alias("debtor_amount"),
            creditor.amount.alias("creditor_amount"),
            debtor_undone.id.alias("debtor_undone"),
            creditor_undone.id.alias("creditor_undone"),
        )
        .join(debtor, on=(DebtRepayment.debtor_entry == debtor.id))
        .switch(DebtRepayment)
        .join(creditor, on=(DebtRepayment.creditor_entry == creditor.id))
        .switch(DebtRepayment)
        .join(debtor_undone, JOIN.LEFT_OUTER, on=(debtor_undone.reverses == debtor.id))
        .switch(DebtRepayment)
        .join(creditor_undone, JOIN.LEFT_OUTER, on=(creditor_undone.reverses == creditor.id))
        .where(
            (debtor.amount != DebtRepayment.amount)
            | ((creditor.amount + DebtRepayment.amount) != 0)
            | (debtor_undone.id.is_null() != creditor_undone.id.is_null())
        )
        .order_by(DebtRepayment.id)
        .dicts()
    )
    for row in query:
        group_id, amount = row["group_id"], row["amount"]
        sides = (
            (DEBTOR_ENTRY, amount, row["debtor_amount"]),
            (CREDITOR_ENTRY, -amount, row["creditor_amount"]),
        )
        for message, expected, got in sides:
            if expected != got:
                found.add(
                    "debt_repayment_entry",
                    message,
                    "debt_repayment",
                    row["id"],
                    group_id,
                    found.money(expected, group_id),
                    found.money(got, group_id),
                    repayment=row["id"],
                )
        if (row["debtor_undone"] is None) != (row["creditor_undone"] is None):
            found.add(
                "debt_repayment_half_undone",
                HALF_UNDONE,
                "debt_repayment",
                row["id"],
                group_id,
                2,
                1,
                repayment=row["id"],
            )
    return found


# --- loans ------------------------------------------------------------------------------------

LOAN_OVERPAID = N_(
    "Loan %(loan)s: %(found)s of principal repaid in the ledger, more than the %(expected)s "
    "lent and not written off."
)
LOAN_CLOSED_OWING = N_(
    "Loan %(loan)s is marked %(status)s, but the ledger says %(found)s of its principal is "
    "still owed."
)
LOAN_DISBURSED = N_(
    "Loan %(loan)s: %(found)s was paid out to the member in the ledger, but the loan is of "
    "%(expected)s."
)


def check_loans(found: "Found") -> "Found":
    """Each loan's state agrees with its entries: what was repaid of the principal is no more than
    what was lent and not written off; a repaid or written-off loan has no principal left; the
    disbursement is the principal (or nothing, a loan from the paper books) (one query)."""

    def total_of(kind: EntryKind):
        return fn.COALESCE(
            fn.SUM(Case(None, [(Entry.kind == kind.value, Entry.amount)], 0)), 0
        ).alias(kind.value)

    query = (
        Loan.select(
            Loan.id,
            Loan.group,
            Loan.principal,
            Loan.written_off,
            Loan.status,
            total_of(EntryKind.LOAN_PRINCIPAL),
            total_of(EntryKind.LOAN_DISBURSEMENT),
        )
        .join(Entry, JOIN.LEFT_OUTER, on=(Entry.loan == Loan.id))
        .group_by(Loan.id, Loan.group, Loan.principal, Loan.written_off, Loan.status)
        .order_by(Loan.id)
        .dicts()
    )
    for row in query:
        group_id = row["group"]

        def add(code, message, expected, got, row=row, group_id=group_id, **params):
            found.add(
                code,
                message,
                "loan",
                row["id"],
                group_id,
                found.money(expected, group_id),
                found.money(got, group_id),
                loan=row["id"],
                **params,
            )

        repaid = int(row[EntryKind.LOAN_PRINCIPAL.value])
        disbursed = -int(row[EntryKind.LOAN_DISBURSEMENT.value])
        owed = row["principal"] - row["written_off"] - repaid
        if owed < 0:
            add("loan_overpaid", LOAN_OVERPAID, row["principal"] - row["written_off"], repaid)
        elif owed and row["status"] != LoanStatus.ACTIVE.value:
            add("loan_closed_owing", LOAN_CLOSED_OWING, 0, owed, status=LoanStatus(row["status"]))
        if disbursed not in (row["principal"], 0):
            add("loan_disbursed", LOAN_DISBURSED, row["principal"], disbursed)
    return found
