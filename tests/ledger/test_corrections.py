"""Corrections by reversal: direction, shares, signs, and a bad correction that writes nothing."""

from datetime import date

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import corrections
from savings_groups.ledger import entries as ledger
from savings_groups.store.models import Entry
from tests.conftest import buy


def test_correcting_a_welfare_grant_keeps_its_direction(world, admin):
    w = world("NGN")
    grant = w.post(Fund.SOCIAL_FUND, EntryKind.WELFARE_GRANT, -5_000_00, w.members[0])
    reversal, corrected = corrections.correct_entry(admin, grant, "it was 3,000", amount=3_000_50)
    assert reversal.amount == 5_000_00 and corrected.amount == -3_000_50
    assert ledger.balances(w.group, w.cycle)[Fund.SOCIAL_FUND] == -3_000_50


def test_a_share_purchase_is_corrected_by_its_number_of_shares(world, admin):
    w = world()
    ada = w.members[0]
    entry = buy(w, ada, w.meeting(date(2026, 1, 12)), 4)
    _reversal, corrected = corrections.correct_entry(admin, entry, "three, not four", shares=3)
    assert (corrected.amount, corrected.shares) == (3_000, 3)
    assert ledger.member_totals(w.group, w.cycle)[ada.id].savings == 3_000
    with pytest.raises(DomainError) as refused:
        corrections.correct_entry(admin, corrected, "amount", amount=2_000)
    assert refused.value.field == "amount"


def test_opening_savings_keep_their_shares_when_only_the_amount_changes(world, admin):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.OPENING_BALANCE, 10_000, w.members[0], shares=10)
    _r, corrected = corrections.correct_entry(admin, entry, "paper book says 12,000", amount=12_000)
    assert (corrected.amount, corrected.shares) == (12_000, 10)


def test_a_cash_difference_is_corrected_with_its_sign_as_typed(world, admin):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.CASH_DIFFERENCE, -500)
    _r, corrected = corrections.correct_entry(admin, entry, "a coin was found", amount=-250)
    assert corrected.amount == -250
    assert ledger.balances(w.group, w.cycle)[Fund.LOAN_FUND] == -250


def test_no_amount_only_reverses(world, admin):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.FINE, 500, w.members[0])
    reversal, corrected = corrections.correct_entry(admin, entry, "not fined after all")
    assert corrected is None and reversal.amount == -500
    assert ledger.balances(w.group)[Fund.LOAN_FUND] == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [({"amount": -100}, "amount"), ({"shares": 2}, "shares"), ({"reason": " "}, "reason")],
)
def test_a_bad_correction_writes_nothing(world, admin, kwargs, field):
    w = world()
    entry = w.post(Fund.LOAN_FUND, EntryKind.FINE, 500, w.members[0])
    reason = kwargs.pop("reason", "because")
    with pytest.raises(DomainError) as refused:
        corrections.correct_entry(admin, entry, reason, **kwargs)
    assert refused.value.field == field
    assert Entry.select().count() == 1
