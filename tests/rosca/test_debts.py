"""Undoing a repayment between members recorded by mistake: both entries reversed with the
reason, the debt owed again, audited; refused (nothing written) without a reason or twice."""

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import corrections
from savings_groups.ledger import entries as ledger
from savings_groups.rosca import debts as rosca_debts
from savings_groups.store.models import AuditEntry, Entry
from tests.rosca.test_rounds import START, counts, run_round, set_up_rotation


@pytest.fixture
def owed(conn, admin, make_group, make_member):
    """Bintou owes Awa 10 000 XOF (Awa paid round 1 for her) and repaid 4 000 of it."""
    group = make_group(kind="rosca", currency="XOF")
    awa, bintou, coumba = (make_member(group) for _ in range(3))
    rotation = set_up_rotation(admin, group, [awa, bintou, coumba])
    run_round(admin, rotation, 1, overrides={bintou.id: ("covered", awa.id)})
    repayment = rosca_debts.repay_debt(admin, rotation, bintou.id, awa.id, 4_000, START)
    return group, rotation, awa, bintou, repayment


def outstanding(rotation) -> list[int]:
    return [debt.outstanding for debt in rosca_debts.debts_of(rotation)]


def test_a_repayment_undone_reverses_both_entries_and_the_debt_is_owed_again(admin, owed):
    group, rotation, awa, bintou, repayment = owed
    assert outstanding(rotation) == [6_000]
    assert rosca_debts.live_repayments(rotation) == [repayment]
    rosca_debts.undo_repayment(admin, repayment, "  typed for the wrong member ")
    reversals = Entry.select().where(Entry.reverses.is_null(False)).order_by(Entry.id)
    assert [(e.reverses_id, e.member_id, e.amount, e.note, e.effective_on) for e in reversals] == [
        (repayment.debtor_entry_id, bintou.id, -4_000, "typed for the wrong member", START),
        (repayment.creditor_entry_id, awa.id, 4_000, "typed for the wrong member", START),
    ]
    assert outstanding(rotation) == [10_000]
    assert rosca_debts.live_repayments(rotation) == []
    assert ledger.balances(group)[Fund.POT] == 0
    audit = AuditEntry.select().where(AuditEntry.action == "rotation.undo_repayment").get()
    assert "typed for the wrong member" in audit.details
    # the debt may be repaid again, in full
    rosca_debts.repay_debt(admin, rotation, bintou.id, awa.id, 10_000, START)
    assert outstanding(rotation) == [0]


def test_an_undo_without_a_reason_or_a_second_time_is_refused(admin, owed):
    group, rotation, awa, bintou, repayment = owed
    before = counts()
    with pytest.raises(DomainError) as caught:
        rosca_debts.undo_repayment(admin, repayment, "  ")
    assert caught.value.field == "repayment_reason"
    assert counts() == before
    rosca_debts.undo_repayment(admin, repayment, "mistake")
    before = counts()
    with pytest.raises(DomainError, match="already been undone") as caught:
        rosca_debts.undo_repayment(admin, repayment, "mistake again")
    assert caught.value.field == "repayment"
    assert counts() == before


def test_the_correction_screen_names_where_each_rosca_entry_is_corrected(admin, owed):
    group, rotation, awa, bintou, repayment = owed
    assert corrections.why_not_correctable(repayment.debtor_entry) == (
        corrections.DEBT_REPAYMENT_ENTRY
    )
    for kind in (EntryKind.ROTATION_SHARE, EntryKind.POT_CARRY_OVER):
        entry = ledger.post(admin, group, Fund.POT, kind, -500, member=awa)
        assert corrections.why_not_correctable(entry) == corrections.ROTATION_END_ENTRY
    contribution = Entry.get(Entry.kind == EntryKind.CONTRIBUTION.value)
    assert corrections.why_not_correctable(contribution) == corrections.ROUND_ENTRY
    payout = Entry.get(Entry.kind == EntryKind.POT_PAYOUT.value)
    assert corrections.why_not_correctable(payout) == corrections.PAYOUT_ENTRY
