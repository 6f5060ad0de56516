"""Properties of whole rotations in the database, whatever the order, hands, bids, late and
covered contributions: every hand is served once, and the pot is its entries exactly."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.core.vocabulary import DiscountRule, EntryKind, Fund, RotationOrder
from savings_groups.ledger import entries as ledger
from savings_groups.rosca import reports as rosca_reports
from savings_groups.rosca import rotations
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.rosca.rounds import ContributionLine
from savings_groups.store.models import Entry, Hand, Rotation, Round
from tests.rosca.test_rounds import START, set_up_rotation

SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_a_whole_rotation_serves_each_hand_once_and_balances_to_the_coin(
    data, conn, admin, make_group, make_member
):
    count = data.draw(st.integers(2, 5), label="members")
    order = data.draw(st.sampled_from([o.value for o in RotationOrder]), label="order")
    rule = data.draw(st.sampled_from([r.value for r in DiscountRule]), label="rule")
    contribution = data.draw(st.integers(1, 20_000), label="contribution")
    unit = data.draw(st.sampled_from([1, 5, 25]), label="unit")
    late_fine = data.draw(st.sampled_from([0, 100]), label="late fine")
    group = make_group(kind="rosca", currency="XOF", rounding_unit=unit)
    people = [make_member(group) for _ in range(count)]
    half = [(people[0], people[1])] if count > 2 and data.draw(st.booleans(), "half") else []
    rotation = set_up_rotation(
        admin,
        group,
        people,
        order=order,
        contribution=contribution,
        half=half,
        late_fine=late_fine,
        discount_rule=rule,
    )
    hands = rotations.hands_of(rotation)
    fines = 0
    covered = False
    for number in range(1, len(hands) + 1):
        lines = []
        for hand in hands:
            for holder in hand.holders:
                status = data.draw(st.sampled_from(["on_time", "late", "covered"]))
                payer = None
                if status == "covered":
                    covered = True
                    payer = data.draw(
                        st.sampled_from([m.id for m in people if m.id != holder.member.id])
                    )
                elif status == "late":
                    fines += late_fine
                lines.append(ContributionLine(hand.number, holder.member.id, status, payer))
        waiting = rosca_reports.round_sheet(rotation, number).waiting
        bids = {}
        if order == RotationOrder.BIDDING.value and len(waiting) > 1:
            pot = contribution * len(hands)
            bidders = data.draw(
                st.lists(st.sampled_from([h.number for h in waiting]), min_size=1, unique=True)
            )
            bids = {hand: data.draw(st.integers(0, pot - 1)) for hand in bidders}
        rosca_rounds.save_round(
            admin, rotation, number, lines, START, pay=True, seed=f"s{number}", bids=bids
        )
    rounds = list(Round.select().where(Round.rotation == rotation))
    assert sorted(r.recipient_id for r in rounds) == sorted(
        h.id for h in Hand.select().where(Hand.rotation == rotation)
    )
    assert Rotation.get_by_id(rotation.id).finished_at is not None
    kinds = {}
    for entry in Entry.select().where(Entry.group == group):
        kinds[entry.kind] = kinds.get(entry.kind, 0) + entry.amount
    discounts = sum(r.discount for r in rounds)
    shared = -kinds.get(EntryKind.BID_DISCOUNT.value, 0)
    assert kinds[EntryKind.CONTRIBUTION.value] == contribution * len(hands) ** 2
    assert -kinds[EntryKind.POT_PAYOUT.value] == contribution * len(hands) ** 2 - discounts
    assert kinds.get(EntryKind.LATE_FINE.value, 0) == fines
    assert shared <= discounts
    if rule == DiscountRule.KEPT.value:
        assert shared == 0
    # The pot holds the fines and what of the discounts was kept or could not be split.
    assert ledger.balances(group)[Fund.POT] == fines + discounts - shared
    report = rosca_reports.rotation_report(rotation, START)
    assert sum(p.paid_in for p in report.positions) == contribution * len(hands) ** 2
    assert sum(p.received for p in report.positions) == contribution * len(hands) ** 2 - (
        discounts - shared
    )
    assert sum(p.owed for p in report.positions) == sum(p.covered for p in report.positions)
    if order != RotationOrder.BIDDING.value and not covered:
        assert all(p.paid_in == p.received for p in report.positions)
