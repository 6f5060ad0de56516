"""ROSCA rounds at their edges (issue 11): a discount split between equal hands, the last lottery
hand, entries dated by their round, arrears against the calendar, parts paid, who owes whom and
repayments, undoing a payout, the organiser's commission, a stale page; exact amounts in XOF,
EUR and NGN with a rounding unit above the smallest coin; every refusal writes nothing."""

from datetime import timedelta

import pytest

from savings_groups.core import dates
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.rosca import commission as rosca_commission
from savings_groups.rosca import compute as rosca
from savings_groups.rosca import debts as rosca_debts
from savings_groups.rosca import reports as rosca_reports
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.rosca.rounds import ContributionLine
from savings_groups.store.models import AuditEntry, Bid, Entry, Hand, Rotation, Round
from tests.rosca.test_rounds import START, counts, everyone, run_round, set_up_rotation


@pytest.fixture
def rosca_group(conn, make_group, make_member):
    def make(members=3, currency="XOF", unit=1):
        group = make_group(kind="rosca", currency=currency, rounding_unit=unit)
        return group, [make_member(group) for _ in range(members)]

    return make


def kinds(kind):
    return {e.member_id: e.amount for e in Entry.select().where(Entry.kind == kind)}


def positions(rotation, on=START):
    return {p.member.id: p for p in rosca_reports.rotation_report(rotation, on).positions}


# --- defect 6: a discount between equal hands -------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "unit", "contribution", "discount", "each", "kept"),
    [
        ("EUR", 100, 10_000, 500, 200, 100),  # 5,00 EUR in whole euros: 2,00 each, 1,00 kept
        ("NGN", 500, 100_000, 2_500, 1_000, 500),  # 25 NGN in 5 NGN: 10 each, 5 kept
        ("XOF", 25, 10_000, 1_025, 500, 25),  # 1 025 XOF in 25s: 500 each, 25 kept
    ],
)
def test_a_discount_is_never_split_unequally_between_equal_hands(
    admin, rosca_group, currency, unit, contribution, discount, each, kept
):
    group, members = rosca_group(currency=currency, unit=unit)
    rotation = set_up_rotation(admin, group, members, order="bidding", contribution=contribution)
    paid = run_round(admin, rotation, 1, bids={1: discount})
    shares = kinds(EntryKind.BID_DISCOUNT)
    assert shares == {members[1].id: -each, members[2].id: -each}
    assert paid.discount == discount
    assert ledger.balances(group)[Fund.POT] == kept  # the unit left stays in the pot
    sheet = rosca_reports.round_sheet(rotation, 1)
    assert (sheet.shared, sheet.kept) == (2 * each, kept)
    audit = AuditEntry.select().where(AuditEntry.action == "round.pay_out").get()
    assert f'"kept_in_pot": {kept}' in audit.details


def test_the_split_gives_equal_stakes_equal_parts_and_still_uses_largest_remainders():
    shares, carry = rosca.split_discount(500, {"Awa": 2, "Bintou": 2}, unit=100)
    assert (shares, carry) == ({"Awa": 200, "Bintou": 200}, 100)
    # Unequal remainders are still served largest first: 700 in 100s over 2, 2 and a half.
    shares, carry = rosca.split_discount(700, {"Awa": 2, "Bintou": 2, "Coumba": 1}, unit=100)
    assert (shares, carry) == ({"Awa": 300, "Bintou": 300, "Coumba": 100}, 0)
    # 5 units over three equal stakes: one each, the two left stay.
    shares, carry = rosca.split_discount(500, {"A": 2, "B": 2, "C": 2}, unit=100)
    assert (shares, carry) == ({"A": 100, "B": 100, "C": 100}, 200)


# --- defect 7: the last lottery hand ----------------------------------------------------------


def test_the_last_lottery_round_needs_no_seed(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, order="lottery")
    run_round(admin, rotation, 1, seed="1 2")
    run_round(admin, rotation, 2, seed="3 4")
    last = run_round(admin, rotation, 3)  # one hand waiting: nothing to draw
    served = {Hand.get_by_id(r.recipient_id).number for r in Round.select()}
    assert served == {1, 2, 3}
    assert last.seed == ""
    assert rosca_reports.round_sheet(rotation, 3).seed_needed is False


# --- entries dated by their round -------------------------------------------------------------


def test_round_entries_carry_the_round_date_and_the_payout_date(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, late_fine=500)
    second = START + timedelta(weeks=1)
    run_round(admin, rotation, 1)
    rosca_rounds.save_round(
        admin,
        rotation,
        2,
        everyone(rotation, {members[0].id: ("late", None)}),
        second + timedelta(days=3),
        pay=True,
    )
    by_kind = {}
    for entry in Entry.select().order_by(Entry.id):
        by_kind.setdefault(entry.kind, set()).add(entry.effective_on)
    assert by_kind[EntryKind.CONTRIBUTION.value] == {START, second}
    assert by_kind[EntryKind.LATE_FINE.value] == {second}
    assert by_kind[EntryKind.POT_PAYOUT.value] == {START, second + timedelta(days=3)}


# --- arrears against the calendar -------------------------------------------------------------


def test_a_blocked_round_does_not_hide_the_rounds_due_behind_it(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    rosca_rounds.record_contributions(
        admin, rotation, 1, everyone(rotation, {members[2].id: ("missing", None)})
    )
    # Two weeks after the start: rounds 1, 2 and 3 are all due; round 1 is held up.
    report = rosca_reports.rotation_report(rotation, START + timedelta(weeks=2))
    owed = {p.member.id: p.owed for p in report.positions}
    assert owed == {members[0].id: 20_000, members[1].id: 20_000, members[2].id: 30_000}
    assert report.arrears == 70_000
    # A week after the start, round 3 is not due yet.
    report = rosca_reports.rotation_report(rotation, START + timedelta(weeks=1))
    assert report.arrears == 10_000 + 30_000


# --- parts paid -------------------------------------------------------------------------------


def test_a_part_paid_now_and_the_rest_later_completes_the_pot(admin, rosca_group):
    group, members = rosca_group(currency="EUR", unit=100)
    rotation = set_up_rotation(admin, group, members, contribution=5_000, late_fine=200)
    awa = members[0]
    lines = everyone(rotation)
    lines[0] = ContributionLine(1, awa.id, "partial", None, 2_000)
    rosca_rounds.record_contributions(admin, rotation, 1, lines)
    sheet = rosca_reports.round_sheet(rotation, 1)
    assert (sheet.collected, sheet.complete) == (12_000, False)
    before = counts()
    with pytest.raises(DomainError, match="has paid 2000 of 5000") as caught:
        rosca_rounds.pay_out(admin, rotation, 1, START)
    assert caught.value.params["paid"].currency == "EUR"
    assert caught.value.field == rosca_rounds.line_field("status", 1, awa.id)
    assert counts() == before
    assert positions(rotation)[awa.id].owed == 3_000
    # More of it, then the rest, late: no reason needed, nothing reversed.
    more = ContributionLine(1, awa.id, "partial", None, 3_500)
    rosca_rounds.record_contributions(admin, rotation, 1, [more], parts_on=START)
    rosca_rounds.save_round(
        admin, rotation, 1, [ContributionLine(1, awa.id, "late")], START, pay=True
    )
    paid_in = [
        e.amount
        for e in Entry.select().where(
            (Entry.member == awa) & (Entry.kind == EntryKind.CONTRIBUTION)
        )
    ]
    assert paid_in == [2_000, 1_500, 1_500]
    assert kinds(EntryKind.LATE_FINE) == {awa.id: 200}
    assert not Entry.select().where(Entry.reverses.is_null(False)).exists()
    assert positions(rotation)[awa.id].paid_in == 5_000
    assert ledger.balances(group)[Fund.POT] == 200  # the fine


def test_a_part_paid_must_be_more_than_zero_and_less_than_due(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    before = counts()
    for paid in (None, 0, 10_000, 12_000):
        with pytest.raises(DomainError, match="has paid so far") as caught:
            rosca_rounds.record_contributions(
                admin, rotation, 1, [ContributionLine(1, members[0].id, "partial", None, paid)]
            )
        assert caught.value.field == rosca_rounds.line_field("paid", 1, members[0].id)
        assert counts() == before


def test_a_part_lowered_is_a_correction_with_a_reason(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    awa = members[0]
    rosca_rounds.record_contributions(
        admin, rotation, 1, [ContributionLine(1, awa.id, "partial", None, 6_000)]
    )
    rosca_rounds.record_contributions(
        admin, rotation, 1, [ContributionLine(1, awa.id, "partial", None, 8_000)]
    )
    lower = [ContributionLine(1, awa.id, "partial", None, 5_000)]
    with pytest.raises(DomainError) as caught:
        rosca_rounds.record_contributions(admin, rotation, 1, lower)
    assert caught.value.field == "reason"
    rosca_rounds.record_contributions(admin, rotation, 1, lower, reason="counted twice")
    assert positions(rotation)[awa.id].paid_in == 5_000
    reversed_ = Entry.select().where(Entry.reverses.is_null(False))
    assert sorted(e.amount for e in reversed_) == [-6_000, -2_000]  # both parts, then 5 000


# --- who owes whom ----------------------------------------------------------------------------


def test_a_covered_contribution_is_a_debt_until_repaid(admin, rosca_group):
    group, members = rosca_group()
    awa, bintou, coumba = members
    rotation = set_up_rotation(admin, group, members)
    run_round(admin, rotation, 1, overrides={bintou.id: ("covered", awa.id)})
    by_member = positions(rotation)
    assert [(d.creditor.id, d.outstanding) for d in by_member[bintou.id].owes] == [(awa.id, 10_000)]
    assert [(d.debtor.id, d.outstanding) for d in by_member[awa.id].owed_by] == [
        (bintou.id, 10_000)
    ]
    assert (by_member[bintou.id].owed, by_member[bintou.id].covered) == (10_000, 10_000)
    assert by_member[awa.id].paid_in == 20_000
    before = counts()
    for debtor, creditor, amount, on, field in [
        (awa.id, bintou.id, 1_000, START, "debt"),  # the other way round
        (bintou.id, coumba.id, 1_000, START, "debt"),
        (bintou.id, awa.id, 0, START, "amount"),
        (bintou.id, awa.id, 10_001, START, "amount"),
        (bintou.id, awa.id, 1_000, START - timedelta(days=1), "on"),
        (bintou.id, awa.id, 1_000, dates.today() + timedelta(days=2), "on"),
    ]:
        with pytest.raises(DomainError) as caught:
            rosca_debts.repay_debt(admin, rotation, debtor, creditor, amount, on)
        assert caught.value.field == field
        assert counts() == before
    rosca_debts.repay_debt(admin, rotation, bintou.id, awa.id, 4_000, START)
    assert positions(rotation)[bintou.id].owes[0].outstanding == 6_000
    rosca_debts.repay_debt(admin, rotation, bintou.id, awa.id, 6_000, START)
    by_member = positions(rotation)
    assert (by_member[bintou.id].owes, by_member[awa.id].owed_by) == ((), ())
    assert (by_member[bintou.id].owed, by_member[bintou.id].covered) == (0, 0)
    assert by_member[bintou.id].paid_in == by_member[awa.id].paid_in == 10_000
    repaid = Entry.select().where(Entry.kind == EntryKind.DEBT_REPAYMENT).order_by(Entry.id)
    assert [(e.member_id, e.amount, e.effective_on) for e in repaid] == [
        (bintou.id, 4_000, START),
        (awa.id, -4_000, START),
        (bintou.id, 6_000, START),
        (awa.id, -6_000, START),
    ]
    assert ledger.balances(group)[Fund.POT] == 0
    assert all(d.outstanding == 0 for d in rosca_debts.debts_of(rotation))


# --- undoing a payout -------------------------------------------------------------------------


def test_a_wrong_payout_is_undone_by_reversal_and_paid_again(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, order="bidding")
    run_round(admin, rotation, 1, bids={1: 3_000, 2: 1_000})
    before = counts()
    with pytest.raises(DomainError) as caught:
        rosca_rounds.undo_payout(admin, rotation, 1, "  ")
    assert caught.value.field == "undo_reason"
    assert counts() == before
    undone = rosca_rounds.undo_payout(admin, rotation, 1, "the bids were typed wrong")
    assert (undone.recipient_id, undone.paid_out_on, undone.discount) == (None, None, 0)
    assert Bid.select().count() == 0
    reversals = Entry.select().where(Entry.reverses.is_null(False))
    assert {e.note for e in reversals} == {"the bids were typed wrong"}
    assert sorted(e.amount for e in reversals) == [1_500, 1_500, 27_000]
    assert ledger.balances(group)[Fund.POT] == 30_000  # the contributions are back in
    sheet = rosca_reports.round_sheet(rotation, 1)
    assert (sheet.paid_out, len(sheet.waiting), sheet.current) == (False, 3, 1)
    audit = AuditEntry.select().where(AuditEntry.action == "round.undo_payout").get()
    assert "the bids were typed wrong" in audit.details
    paid = rosca_rounds.pay_out(admin, rotation, 1, START, bids={2: 1_000})
    assert Hand.get_by_id(paid.recipient_id).number == 2
    assert ledger.balances(group)[Fund.POT] == 0
    with pytest.raises(DomainError, match="not paid out"):
        rosca_rounds.undo_payout(admin, rotation, 2, "no")
    run_round(admin, rotation, 2, bids={1: 0})
    with pytest.raises(DomainError, match="undo round 2 first"):
        rosca_rounds.undo_payout(admin, rotation, 1, "late")


def test_undoing_the_last_round_reopens_the_rotation(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    for number in (1, 2, 3):
        run_round(admin, rotation, number)
    assert Rotation.get_by_id(rotation.id).finished_at is not None
    rosca_rounds.undo_payout(admin, rotation, 3, "paid to the wrong person")
    assert Rotation.get_by_id(rotation.id).finished_at is None
    run_round(admin, rotation, 3)
    assert ledger.balances(group)[Fund.POT] == 0


# --- the organiser's commission ---------------------------------------------------------------


def test_a_commission_amount_is_taken_from_each_pot_and_paid_to_the_organiser(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    rosca_commission.set_commission(admin, rotation, "1000", "", members[2].id)
    for number in (1, 2, 3):
        run_round(admin, rotation, number)
    commissions = Entry.select().where(Entry.kind == EntryKind.COMMISSION)
    assert [(e.member_id, e.amount) for e in commissions] == [(members[2].id, -1_000)] * 3
    assert kinds(EntryKind.POT_PAYOUT)[members[0].id] == -29_000
    report = rosca_reports.rotation_report(rotation, START)
    assert report.commissions == 3_000
    by_member = {p.member.id: p for p in report.positions}
    assert by_member[members[2].id].commission == 3_000
    assert by_member[members[0].id].received == 29_000
    assert rosca_reports.round_sheet(rotation, 1).payout == 29_000
    assert ledger.balances(group)[Fund.POT] == 0
    with pytest.raises(DomainError, match="paid out already"):
        rosca_commission.set_commission(admin, rotation, "500", "", None)


def test_a_commission_share_is_rounded_to_the_unit_and_limits_the_bids(admin, rosca_group):
    group, members = rosca_group(currency="NGN", unit=500)
    rotation = set_up_rotation(admin, group, members, order="bidding", contribution=100_000)
    before = counts()
    for amount, share, field in [
        ("1000", "2", "commission_share"),  # both
        ("", "2,555", "commission_share"),
        ("", "25", "commission_share"),
        ("3000", "", "commission_amount"),  # the whole pot
    ]:
        with pytest.raises(DomainError) as caught:
            rosca_commission.set_commission(admin, rotation, amount, share, None, "fr")
        assert caught.value.field == field
    assert counts() == before
    rosca_commission.set_commission(admin, rotation, "", "2,5", None, "fr")
    assert Rotation.get_by_id(rotation.id).commission_share == 250
    # 2.5 % of 3 000 NGN = 75 NGN, a multiple of 5 NGN: 7 500 kobo
    with pytest.raises(DomainError) as caught:
        rosca_rounds.save_round(
            admin, rotation, 1, everyone(rotation), START, pay=True, bids={1: 292_500}
        )
    assert caught.value.field == "bid-1"
    run_round(admin, rotation, 1, bids={1: 2_500})
    assert kinds(EntryKind.COMMISSION) == {None: -7_500}
    assert kinds(EntryKind.POT_PAYOUT) == {members[0].id: -(300_000 - 7_500 - 2_500)}
    assert ledger.balances(group)[Fund.POT] == 500  # 2 500 over two equal hands in 500s


# --- a stale page -----------------------------------------------------------------------------


def test_a_save_from_a_page_drawn_before_another_save_is_refused(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    seen = rosca_rounds.round_version(rotation, 1)
    rosca_rounds.record_contributions(admin, rotation, 1, everyone(rotation))
    before = counts()
    with pytest.raises(DomainError, match="Someone else has just recorded"):
        rosca_rounds.save_round(admin, rotation, 1, everyone(rotation), START, pay=True, seen=seen)
    assert counts() == before
    fresh = rosca_rounds.round_version(rotation, 1)
    rosca_rounds.save_round(admin, rotation, 1, [], START, pay=True, seen=fresh)
    assert rosca_rounds.round_version(rotation, 1) != fresh


def test_the_rest_of_a_part_is_dated_the_day_it_is_paid(admin, rosca_group):
    """Awa pays 4 000 of her 10 000 on round 1's date and the rest nine days later, recorded
    later still: the rest (and its fine) carry the day it was paid, her passbook says so."""
    from savings_groups.reports.passbook import tontine_passbook

    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, late_fine=500)
    awa = members[0]
    lines = everyone(rotation)
    lines[0] = ContributionLine(1, awa.id, "partial", None, 4_000)
    rosca_rounds.record_contributions(admin, rotation, 1, lines)
    rest = [ContributionLine(1, awa.id, "late")]
    before = counts()
    for wrong in (dates.today() + timedelta(days=1), START - timedelta(days=1)):
        with pytest.raises(DomainError) as caught:
            rosca_rounds.save_round(admin, rotation, 1, rest, None, parts_on=wrong)
        assert caught.value.field == "parts_on"
        assert counts() == before
    paid_on = START + timedelta(days=9)
    with pytest.raises(DomainError) as caught:  # the pot handed over before the rest came in
        rosca_rounds.save_round(
            admin, rotation, 1, rest, START + timedelta(days=8), pay=True, parts_on=paid_on
        )
    assert caught.value.field == "parts_on"
    assert counts() == before
    rosca_rounds.save_round(admin, rotation, 1, rest, paid_on, pay=True, parts_on=paid_on)
    mine = Entry.select().where(Entry.member == awa).order_by(Entry.id)
    assert [(e.kind, e.amount, e.effective_on) for e in mine if e.kind != "pot_payout"] == [
        (EntryKind.CONTRIBUTION.value, 4_000, START),
        (EntryKind.CONTRIBUTION.value, 6_000, paid_on),
        (EntryKind.LATE_FINE.value, 500, paid_on),
    ]
    others = Entry.select().where(
        (Entry.member != awa) & (Entry.kind == EntryKind.CONTRIBUTION.value)
    )
    assert {e.effective_on for e in others} == {START}
    (book,) = tontine_passbook(group, awa)
    assert (book.lines[0].paid, book.lines[0].paid_on) == (10_000, paid_on)
    (other,) = tontine_passbook(group, members[1])
    assert other.lines[0].paid_on == START


def test_the_rest_of_a_part_recorded_without_a_date_is_dated_today(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    awa = members[0]
    rosca_rounds.record_contributions(
        admin, rotation, 1, [ContributionLine(1, awa.id, "partial", None, 4_000)]
    )
    rosca_rounds.record_contributions(admin, rotation, 1, [ContributionLine(1, awa.id, "on_time")])
    dated = [e.effective_on for e in Entry.select().where(Entry.member == awa).order_by(Entry.id)]
    assert dated == [START, dates.today()]
