"""Correcting an entry: which ones may be corrected here, and the reversal and new entry."""

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import (
    EntryKind,
    Fund,
)
from savings_groups.ledger import entries as ledger
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Cycle,
    Entry,
    User,
)

# Kinds whose corrected amount may take either sign as typed; others keep the original's direction.
SIGNED_KINDS = (EntryKind.CASH_DIFFERENCE,)


def takes_shares(entry: Entry) -> bool:
    """A share purchase, or a member's opening savings: its correction says how many shares."""
    return entry.kind in ledger.SAVINGS_KINDS and entry.fund == Fund.LOAN_FUND


# Some entries carry a state kept elsewhere (a loan's repayments, a round's contributions, a
# signed share-out or settlement, a closed cycle's books): a reversal here would leave that
# state out of step with its money, so they are not corrected on this screen.
LOAN_ENTRY = N_(
    "This entry belongs to a loan: it cannot be corrected here, or the loan would no longer "
    "match its money. Ask a facilitator to write off or reschedule the loan instead."
)
ROUND_ENTRY = N_(
    "This entry belongs to a round of a rotation: correct it on the round's page, where "
    "recording a contribution again reverses the old one with a reason."
)
PAYOUT_ENTRY = N_(
    "This entry belongs to a round's payout (the pot handed over, a share of the winning bid "
    "or the organiser's commission): a facilitator undoes the payout on the round's page, "
    "which reverses its entries with a reason."
)
PAYOUT_KINDS = frozenset({EntryKind.POT_PAYOUT, EntryKind.BID_DISCOUNT, EntryKind.COMMISSION})
ROTATION_END_ENTRY = N_(
    "This entry belongs to the end of a rotation: what stayed in its pot, shared among the "
    "members or carried over to the next rotation. It is final and cannot be corrected."
)
DEBT_REPAYMENT_ENTRY = N_(
    "This entry is one half of a repayment between two members of a rotation: undo the "
    "repayment on the rotation's page, so that both halves are reversed together."
)
ROTATION_END_KINDS = frozenset({EntryKind.ROTATION_SHARE, EntryKind.POT_CARRY_OVER})
SETTLEMENT_ENTRY = N_(
    "This entry belongs to a share-out, a member's settlement or a carry-over to the next "
    "cycle: it is final and cannot be corrected."
)
CLOSED_CYCLE = N_(
    "This entry belongs to a cycle that is shared out and closed: its books are final and "
    "cannot be corrected."
)
TRANSFER_ENTRY = N_(
    "This entry is one half of money moved between the box and the account: reopen its "
    "meeting and correct the transfer there, so that both halves change together."
)
TRANSFER_KINDS = frozenset({EntryKind.ACCOUNT_DEPOSIT, EntryKind.ACCOUNT_WITHDRAWAL})
SETTLEMENT_KINDS = frozenset(
    {
        EntryKind.SHARE_OUT,
        EntryKind.SOCIAL_FUND_SHARE_OUT,
        EntryKind.EXIT_SETTLEMENT,
        EntryKind.CARRY_OVER,
    }
)

# Kinds of entry that are final, or corrected on another page, and why.
CORRECTED_ELSEWHERE = {
    **dict.fromkeys(ROTATION_END_KINDS, ROTATION_END_ENTRY),
    EntryKind.DEBT_REPAYMENT: DEBT_REPAYMENT_ENTRY,
    **dict.fromkeys(PAYOUT_KINDS, PAYOUT_ENTRY),
    **dict.fromkeys(SETTLEMENT_KINDS, SETTLEMENT_ENTRY),
    **dict.fromkeys(TRANSFER_KINDS, TRANSFER_ENTRY),
}


def why_not_correctable(entry: Entry, closed_cycles: set[int] | None = None) -> str | None:
    """Why this entry may not be corrected on the correction screen (a msgid), or None.

    `closed_cycles`, the ids of the group's closed cycles, spares a query per entry in a list.
    """
    if entry.loan_id is not None:
        return LOAN_ENTRY
    if entry.kind in CORRECTED_ELSEWHERE:
        return CORRECTED_ELSEWHERE[entry.kind]
    if entry.fund == Fund.POT:
        return ROUND_ENTRY
    if entry.cycle_id is not None:
        if closed_cycles is None:
            closed = entry.cycle.closed_at is not None
        else:
            closed = entry.cycle_id in closed_cycles
        if closed:
            return CLOSED_CYCLE
    return None


def correct_entry(
    actor: User,
    entry: Entry,
    reason: str,
    amount: int | None = None,
    shares: int | None = None,
) -> tuple[Entry, Entry | None]:
    """See _correct; checked and written in one transaction, the entry's cycle locked first
    (store.db.lock): a share-out, or the same correction on another screen, waits."""
    with db.atomic():
        if entry.cycle_id is not None:
            lock(Cycle, entry.cycle_id)
        return _correct(actor, Entry.get_by_id(entry.id), reason, amount, shares)


def _correct(
    actor: User,
    entry: Entry,
    reason: str,
    amount: int | None = None,
    shares: int | None = None,
) -> tuple[Entry, Entry | None]:
    """Reverse an entry and, when the right amount or number of shares is given, post it instead.

    `amount` is what the treasurer reads (a welfare grant of 5,000 is typed 5000): it takes the
    direction of the original entry, except a cash difference, whose sign is as typed. A share
    purchase is corrected by its number of shares: the amount is shares x the cycle's share value.
    A member's opening savings may be corrected in amount, in shares or both. Nothing given, or
    zero: the entry is only reversed. Returns (reversal, corrected entry or None).
    """
    refusal = why_not_correctable(entry)
    if refusal is not None:
        raise DomainError(refusal)
    if shares is not None:
        if not takes_shares(entry):
            raise DomainError(N_("This entry carries no shares."), field="shares")
        if shares < 0:
            raise DomainError(N_("The number of shares cannot be negative."), field="shares")
    if amount is not None and amount < 0 and entry.kind not in SIGNED_KINDS:
        raise DomainError(N_("The amount cannot be negative."), field="amount")
    if entry.kind == EntryKind.SHARE_PURCHASE:
        if amount is not None:
            raise DomainError(
                N_("Give the number of shares: the amount follows from the share value."),
                field="amount",
            )
        if shares is not None and entry.cycle_id is None:
            raise DomainError(N_("This entry has no cycle, so no share value."), field="shares")
        if shares is not None:
            amount = shares * entry.cycle.share_value
    elif amount is not None and entry.kind not in SIGNED_KINDS and entry.amount < 0:
        amount = -amount
    if takes_shares(entry) and entry.kind != EntryKind.SHARE_PURCHASE:
        if amount is None and shares is not None:
            amount = entry.amount
        elif amount is not None and shares is None:
            shares = entry.shares
    if not amount and not shares:
        return ledger.reverse(actor, entry, reason), None
    return ledger.correct(actor, entry, amount or 0, shares or 0, reason)
