"""Properties of whole rotations with parts paid, contributions paid by other members and their
repayments, bids and the organiser's commission, in XOF, EUR and NGN with a rounding unit above
the smallest coin: each hand is served once, the pot is never negative, equal stakes get equal
shares of a discount, what members received is what they paid in less the commissions and
plus or minus the discounts, and the debts between members settle to zero."""

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.core.vocabulary import DiscountRule, EntryKind, Fund, RotationOrder
from savings_groups.ledger import entries as ledger
from savings_groups.rosca import commission as rosca_commission
from savings_groups.rosca import compute as rosca
from savings_groups.rosca import debts as rosca_debts
from savings_groups.rosca import reports as rosca_reports
from savings_groups.rosca import rotations
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.rosca.rounds import ContributionLine
from savings_groups.store.models import Entry, Hand, Round, RoundEntry
from tests.rosca.test_rounds import START, set_up_rotation

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MONEY = [("XOF", 25, 1_000), ("EUR", 100, 1_000), ("NGN", 500, 10_000)]  # currency, unit, step


def pot_balance(group) -> int:
    return ledger.balances(group)[Fund.POT]


@SETTINGS
@given(data=st.data())
def test_whole_rotations_with_parts_covers_repayments_and_commissions_balance(
    data, conn, admin, make_group, make_member
):
    currency, unit, step = data.draw(st.sampled_from(MONEY), label="money")
    count = data.draw(st.integers(2, 4), label="members")
    order = data.draw(st.sampled_from([o.value for o in RotationOrder]), label="order")
    rule = data.draw(st.sampled_from([r.value for r in DiscountRule]), label="rule")
    contribution = step * data.draw(st.integers(1, 9), label="contribution") + data.draw(
        st.sampled_from([0, 1, unit // 2]), label="odd"
    )
    group = make_group(kind="rosca", currency=currency, rounding_unit=unit)
    people = [make_member(group) for _ in range(count)]
    half = [(people[0], people[1])] if count > 2 and data.draw(st.booleans(), "half") else []
    rotation = set_up_rotation(
        admin, group, people, order=order, contribution=contribution, half=half, discount_rule=rule
    )
    hands = rotations.hands_of(rotation)
    pot = contribution * len(hands)
    kind = data.draw(st.sampled_from(["none", "amount", "share"]), label="commission")
    if kind == "amount":
        amount = data.draw(st.integers(1, pot // 4), label="commission amount")
        rosca_commission.set_commission(admin, rotation, amount, None, people[-1].id)
    elif kind == "share":
        share = data.draw(st.sampled_from([50, 250, 1_000]), label="share")
        rosca_commission.set_commission(admin, rotation, None, share, None)
    rotation = rotation.__class__.get_by_id(rotation.id)
    commission = rosca_commission.commission_for(rotation, pot)
    stakes = rotations.stakes_of(hands)

    def repay_some() -> None:
        for debt in rosca_debts.debts_of(rotation):
            if debt.outstanding > 0 and data.draw(st.booleans(), label="repay now"):
                amount = data.draw(st.integers(1, debt.outstanding), label="repaid")
                rosca_debts.repay_debt(
                    admin, rotation, debt.debtor.id, debt.creditor.id, amount, START
                )
                assert pot_balance(group) >= 0

    for number in range(1, len(hands) + 1):
        lines = []
        for hand in hands:
            for holder in hand.holders:
                status = data.draw(st.sampled_from(["on_time", "late", "covered", "partial"]))
                payer = None
                if status == "partial" and holder.part > 1:
                    first = data.draw(st.integers(1, holder.part - 1), label="part paid")
                    rosca_rounds.record_contributions(
                        admin,
                        rotation,
                        number,
                        [ContributionLine(hand.number, holder.member.id, "partial", None, first)],
                    )
                    assert pot_balance(group) >= 0
                    status = data.draw(st.sampled_from(["on_time", "late"]), label="the rest")
                elif status == "partial":
                    status = "on_time"
                if status == "covered":
                    others = [m.id for m in people if m.id != holder.member.id]
                    payer = data.draw(st.sampled_from(others), label="payer")
                lines.append(ContributionLine(hand.number, holder.member.id, status, payer))
        waiting = rosca_reports.round_sheet(rotation, number).waiting
        bids = {}
        if order == RotationOrder.BIDDING.value and len(waiting) > 1:
            bidders = data.draw(
                st.lists(st.sampled_from([h.number for h in waiting]), min_size=1, unique=True)
            )
            bids = {hand: data.draw(st.integers(0, pot - commission - 1)) for hand in bidders}
        rosca_rounds.save_round(
            admin, rotation, number, lines, START, pay=True, seed=f"s{number}", bids=bids
        )
        assert pot_balance(group) >= 0
        # Equal stakes get equal shares of this round's discount.
        shares = defaultdict(set)
        for entry in (
            Entry.select()
            .join(RoundEntry, on=(RoundEntry.entry == Entry.id))
            .join(Round)
            .where(
                (Round.rotation == rotation)
                & (Round.number == number)
                & (Entry.kind == EntryKind.BID_DISCOUNT.value)
            )
        ):
            shares[stakes[entry.member_id]].add(entry.amount)
        assert all(len(amounts) == 1 for amounts in shares.values())
        repay_some()

    # Each hand served once.
    rounds = list(Round.select().where(Round.rotation == rotation))
    assert sorted(r.recipient_id for r in rounds) == sorted(
        h.id for h in Hand.select().where(Hand.rotation == rotation)
    )
    # Every debt repaid in the end settles to zero.
    for debt in rosca_debts.debts_of(rotation):
        if debt.outstanding:
            rosca_debts.repay_debt(
                admin, rotation, debt.debtor.id, debt.creditor.id, debt.outstanding, START
            )
    assert all(d.outstanding == 0 for d in rosca_debts.debts_of(rotation))
    report = rosca_reports.rotation_report(rotation, START)
    assert all((p.owes, p.owed_by, p.owed, p.covered) == ((), (), 0, 0) for p in report.positions)
    # What each member paid in is their own parts, whoever paid them first.
    parts = defaultdict(int)
    full = defaultdict(int)  # their share of the whole pots of the hands they hold and won
    served = {r.recipient_id for r in rounds}
    for hand in hands:
        pot_parts = rosca.holder_parts(pot, contribution, len(hand.holders))
        for holder, whole in zip(hand.holders, pot_parts, strict=True):
            parts[holder.member.id] += holder.part * len(hands)
            if hand.id in served:
                full[holder.member.id] += whole
    by_member = {p.member.id: p for p in report.positions}
    for member_id, expected in parts.items():
        assert by_member[member_id].paid_in == expected == full[member_id]
    discounts = sum(r.discount for r in rounds)
    commissions = commission * len(hands)
    totals = defaultdict(int)
    for entry in Entry.select().where(Entry.group == group):
        totals[entry.kind] += entry.amount
    shared = -totals[EntryKind.BID_DISCOUNT.value]
    assert report.commissions == -totals[EntryKind.COMMISSION.value] == commissions
    paid_in = sum(p.paid_in for p in report.positions)
    received = sum(p.received for p in report.positions)
    # Received = paid in - commissions - discounts + the discounts shared back.
    assert received == paid_in - commissions - discounts + shared
    if rule == DiscountRule.KEPT.value:
        assert shared == 0
    # Per member: what they lost to the commission and their discount, what they got shared.
    for member_id, position in by_member.items():
        payout = position.received - (
            -sum(
                e.amount
                for e in Entry.select().where(
                    (Entry.member == member_id) & (Entry.kind == EntryKind.BID_DISCOUNT.value)
                )
            )
        )
        assert 0 <= full[member_id] - payout <= full[member_id]
    assert totals[EntryKind.DEBT_REPAYMENT.value] == 0
    assert pot_balance(group) == totals[EntryKind.LATE_FINE.value] + discounts - shared
