"""ROSCA rounds in the database: contributions, payouts (fixed, lottery, bidding), positions and
arrears, with exact amounts in XOF and a half hand in NGN kobo; every refusal writes nothing."""

from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core import dates
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.rosca import compute as rosca
from savings_groups.rosca import reports as rosca_reports
from savings_groups.rosca import rotations
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.rosca.rounds import ContributionLine
from savings_groups.store.models import (
    AuditEntry,
    Bid,
    Contribution,
    Entry,
    Hand,
    Rotation,
    Round,
    RoundEntry,
)

START = date(2026, 3, 2)  # a Monday


def set_up_rotation(
    actor,
    group,
    members,
    order="fixed",
    contribution=10_000,
    half=(),
    late_fine=0,
    discount_rule="shared",
    positions=None,
    start=True,
):
    """A rotation of `group`: one whole hand per member, except the pairs in `half`, who share
    a hand; a fixed order follows the hand numbers unless `positions` says otherwise."""
    terms = rotations.RotationTerms(
        contribution, "weekly", START, order, discount_rule, late_fine or None
    )
    rotation = rotations.create_rotation(actor, group, terms)
    partner = {}
    for a, b in half:
        partner[a.id], partner[b.id] = b.id, a.id
    choices = [
        rotations.HandChoice(m.id, 0 if m.id in partner else 1, m.id in partner, partner.get(m.id))
        for m in members
    ]
    hands = rotations.set_hands(actor, rotation, choices)
    if order == "fixed":
        rotations.set_order(actor, rotation, positions or {h.number: h.number for h in hands})
    if start:
        rotations.start_rotation(actor, rotation)
    return Rotation.get_by_id(rotation.id)


def everyone(rotation, overrides=None, status="on_time"):
    """A line per holder of every hand: `status`, or overrides[member id] = (status, payer)."""
    overrides = overrides or {}
    lines = []
    for hand in rotations.hands_of(rotation):
        for holder in hand.holders:
            this, payer = overrides.get(holder.member.id, (status, None))
            lines.append(ContributionLine(hand.number, holder.member.id, this, payer))
    return lines


def run_round(actor, rotation, number, seed="", bids=None, overrides=None):
    return rosca_rounds.save_round(
        actor,
        rotation,
        number,
        everyone(rotation, overrides),
        START,
        pay=True,
        seed=seed,
        bids=bids,
    )


def counts():
    return [m.select().count() for m in (Entry, Contribution, Round, Bid, RoundEntry, AuditEntry)]


@pytest.fixture
def rosca_group(conn, make_group, make_member):
    """A ROSCA in XOF with six members."""

    def make(members=6, currency="XOF", unit=1):
        group = make_group(kind="rosca", currency=currency, rounding_unit=unit)
        return group, [make_member(group) for _ in range(members)]

    return make


def balances_by_member(rotation):
    report = rosca_reports.rotation_report(rotation, START)
    return {p.member.id: p for p in report.positions}


# --- fixed order ------------------------------------------------------------------------------


def test_a_fixed_round_pays_the_hand_at_its_position(admin, rosca_group):
    group, members = rosca_group()
    positions = {1: 3, 2: 1, 3: 2, 4: 4, 5: 5, 6: 6}  # hand 2 first, then 3, then 1
    rotation = set_up_rotation(admin, group, members, positions=positions)
    paid = run_round(admin, rotation, 1)
    assert Hand.get_by_id(paid.recipient_id).number == 2
    assert (paid.pot, paid.discount, paid.paid_out_on) == (60_000, 0, START)
    payouts = Entry.select().where(Entry.kind == EntryKind.POT_PAYOUT)
    assert [(e.member_id, e.amount, e.fund) for e in payouts] == [(members[1].id, -60_000, "pot")]
    assert ledger.balances(group)[Fund.POT] == 0
    report = rosca_reports.rotation_report(rotation, START)
    assert report.current == 2
    assert report.next_hand.number == 3
    by_member = {p.member.id: p for p in report.positions}
    assert (by_member[members[1].id].paid_in, by_member[members[1].id].received) == (10_000, 60_000)
    assert by_member[members[1].id].balance == -50_000  # owes the others five contributions
    assert by_member[members[0].id].balance == 10_000
    assert [line.recipient.number for line in report.rounds] == [2, 3, 1, 4, 5, 6]


def test_a_whole_fixed_rotation_serves_every_hand_once_and_pays_back_what_each_paid(
    admin, rosca_group
):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members)
    for number in range(1, 7):
        run_round(admin, rotation, number)
    served = [r.recipient_id for r in Round.select().order_by(Round.number)]
    assert sorted(served) == sorted(h.id for h in Hand.select())
    assert Rotation.get_by_id(rotation.id).finished_at is not None
    for position in balances_by_member(rotation).values():
        assert position.paid_in == position.received == 60_000
        assert (position.owed, position.flagged) == (0, False)
    assert ledger.balances(group)[Fund.POT] == 0
    with pytest.raises(DomainError, match="already been paid out"):
        run_round(admin, rotation, 6)


# --- lottery ----------------------------------------------------------------------------------


def test_a_lottery_round_draws_among_the_waiting_hands_and_records_the_seed(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, order="lottery")
    before = counts()
    with pytest.raises(DomainError) as caught:
        run_round(admin, rotation, 1, seed="   ")
    assert caught.value.field == "seed"
    assert counts() == before
    first = run_round(admin, rotation, 1, seed="12 7  33")
    assert first.seed == "12 7 33"  # spaces made regular: the seed as it is printed
    assert Hand.get_by_id(first.recipient_id).number == rosca.draw("12 7 33", 1, [1, 2, 3, 4, 5, 6])
    second = run_round(admin, rotation, 2, seed="4 4 19")
    waiting = rosca.unserved(range(1, 7), [Hand.get_by_id(first.recipient_id).number])
    assert Hand.get_by_id(second.recipient_id).number == rosca.draw("4 4 19", 2, waiting)


def test_a_whole_lottery_rotation_serves_every_hand_once(admin, rosca_group):
    group, members = rosca_group(members=5)
    rotation = set_up_rotation(admin, group, members, order="lottery")
    for number in range(1, 6):
        run_round(admin, rotation, number, seed=f"seed {number}")
    served = [r.recipient_id for r in Round.select()]
    assert len(set(served)) == 5
    for position in balances_by_member(rotation).values():
        assert position.paid_in == position.received == 50_000


# --- bidding ----------------------------------------------------------------------------------


def test_a_tied_bid_is_drawn_and_the_discount_shared_by_the_others(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, order="bidding")
    bids = {1: 3_000, 2: 5_000, 3: 5_000}
    before = counts()
    with pytest.raises(DomainError) as caught:
        run_round(admin, rotation, 1, bids=bids)  # a tie and no seed
    assert caught.value.field == "seed"
    assert counts() == before
    paid = run_round(admin, rotation, 1, seed="9 21", bids=bids)
    winner = rosca.draw("9 21", 1, [2, 3])
    assert Hand.get_by_id(paid.recipient_id).number == winner
    assert (paid.discount, paid.seed) == (5_000, "9 21")
    entries = {
        (e.member_id, e.kind): e.amount
        for e in Entry.select().where(Entry.kind != EntryKind.CONTRIBUTION)
    }
    winner_member = members[winner - 1]
    assert entries.pop((winner_member.id, EntryKind.POT_PAYOUT)) == -55_000
    assert entries == {
        (m.id, EntryKind.BID_DISCOUNT): -1_000 for m in members if m != winner_member
    }
    assert {b.discount for b in Bid.select()} == {3_000, 5_000}
    assert ledger.balances(group)[Fund.POT] == 0


def test_a_single_top_bid_wins_without_a_seed_and_a_kept_discount_stays_in_the_pot(
    admin, rosca_group
):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, order="bidding", discount_rule="kept")
    paid = run_round(admin, rotation, 1, bids={4: 2_500, 5: 0})
    assert (Hand.get_by_id(paid.recipient_id).number, paid.discount, paid.seed) == (4, 2_500, "")
    assert not Entry.select().where(Entry.kind == EntryKind.BID_DISCOUNT).exists()
    assert ledger.balances(group)[Fund.POT] == 2_500
    assert rosca_reports.rotation_report(rotation, START).in_pot == 2_500


def test_a_discount_that_does_not_split_leaves_the_carry_in_the_pot(admin, rosca_group):
    group, members = rosca_group(unit=25)
    rotation = set_up_rotation(admin, group, members, order="bidding")
    run_round(admin, rotation, 1, bids={1: 1_010})  # 1 010 among five: 200 each, 10 carried
    shares = [e.amount for e in Entry.select().where(Entry.kind == EntryKind.BID_DISCOUNT)]
    assert shares == [-200] * 5
    assert ledger.balances(group)[Fund.POT] == 10


def test_a_whole_bidding_rotation_pays_back_what_each_paid_less_and_plus_the_discounts(
    admin, rosca_group
):
    group, members = rosca_group(members=4)
    rotation = set_up_rotation(admin, group, members, order="bidding")
    # Round 1: hand 1 gives up 4 000 (1 333 each to the three others, the 1 that cannot be
    # shared equally stays in the pot), round 2:
    # hand 2 gives up 1 500 (500 each), round 3: hand 3 gives up 0, round 4: hand 4 alone.
    run_round(admin, rotation, 1, bids={1: 4_000, 2: 1_000})
    run_round(admin, rotation, 2, bids={2: 1_500})
    run_round(admin, rotation, 3, bids={3: 0, 4: 0}, seed="draw it")
    round_3 = Round.get(Round.number == 3)
    run_round(admin, rotation, 4)
    assert Rotation.get_by_id(rotation.id).finished_at is not None
    given = {1: 4_000, 2: 1_500, 3: 0, 4: 0}
    got = {member.id: 0 for member in members}
    for e in Entry.select().where(Entry.kind == EntryKind.BID_DISCOUNT):
        got[e.member_id] -= e.amount
    assert sum(got.values()) == 5_499
    assert got == {
        members[0].id: 500,
        members[1].id: 1_333,
        members[2].id: 1_833,
        members[3].id: 1_833,
    }
    positions = balances_by_member(rotation)
    for number, member in enumerate(members, start=1):
        position = positions[member.id]
        assert position.paid_in == 40_000
        assert position.received - position.paid_in == got[member.id] - given[number]
    assert round_3.seed == "draw it"
    assert ledger.balances(group)[Fund.POT] == 1  # the carry-over, shown on round 1


def test_bids_are_refused_from_a_served_hand_above_the_pot_or_negative(admin, rosca_group):
    group, members = rosca_group()
    rotation = set_up_rotation(admin, group, members, order="bidding")
    run_round(admin, rotation, 1, bids={1: 1_000})
    rosca_rounds.record_contributions(admin, rotation, 2, everyone(rotation))
    before = counts()
    for bids, words, field in [
        ({1: 2_000, 2: 1_000}, "already received the pot", "bid-1"),
        ({2: 60_000}, "not below the pot", "bid-2"),
        ({2: -5}, "negative", "bid-2"),
        ({9: 100}, "no hand 9", "bid-9"),
        ({}, r"No hand has bid for this round: enter an offer \(0 is an offer\)", "bids"),
    ]:
        with pytest.raises(DomainError, match=words) as caught:
            rosca_rounds.pay_out(admin, rotation, 2, START, bids=bids)
        assert caught.value.field == field
        assert counts() == before


# --- half hands, late, covered ----------------------------------------------------------------


def test_a_half_hand_with_an_odd_contribution_in_kobo(admin, rosca_group):
    group, members = rosca_group(members=4, currency="NGN")
    a, b, c, d = members
    rotation = set_up_rotation(admin, group, members, contribution=1_001, half=[(b, c)])
    hands = rotations.hands_of(rotation)
    assert [[(h.member.id, h.part) for h in hand.holders] for hand in hands] == [
        [(a.id, 1_001)],
        [(b.id, 501), (c.id, 500)],
        [(d.id, 1_001)],
    ]
    for number in range(1, 4):
        run_round(admin, rotation, number)
    payouts = {
        e.member_id: e.amount for e in Entry.select().where(Entry.kind == EntryKind.POT_PAYOUT)
    }
    assert payouts == {a.id: -3_003, b.id: -1_503, c.id: -1_500, d.id: -3_003}
    positions = balances_by_member(rotation)
    assert [(positions[m.id].paid_in, positions[m.id].received) for m in members] == [
        (3_003, 3_003),
        (1_503, 1_503),
        (1_500, 1_500),
        (3_003, 3_003),
    ]
    assert ledger.balances(group)[Fund.POT] == 0


def test_a_late_contribution_pays_the_fine_and_a_covered_one_is_owed_to_the_payer(
    admin, rosca_group
):
    group, members = rosca_group(members=3)
    a, b, c = members
    rotation = set_up_rotation(admin, group, members, late_fine=500)
    # Round 1 to a; round 2: b (served at round 2) late, then round 3: b misses and c covers.
    run_round(admin, rotation, 1)
    rosca_rounds.save_round(
        admin, rotation, 2, everyone(rotation, {b.id: ("late", None)}), START, pay=True
    )
    fines = list(Entry.select().where(Entry.kind == EntryKind.LATE_FINE))
    assert [(e.member_id, e.amount) for e in fines] == [(b.id, 500)]
    rosca_rounds.record_contributions(
        admin, rotation, 3, everyone(rotation, {b.id: ("missing", None)})
    )
    report = rosca_reports.rotation_report(rotation, date(2026, 3, 16))
    assert [p.member.id for p in report.flagged] == [b.id]  # served, then missed
    assert report.positions[0].member == b  # flagged first
    assert (report.positions[0].owed, report.positions[0].covered) == (10_000, 0)
    before = counts()
    with pytest.raises(DomainError, match="not complete") as caught:
        rosca_rounds.pay_out(admin, rotation, 3, START)
    assert caught.value.field == f"status-2-{b.id}"  # next to b's line
    assert counts() == before
    rosca_rounds.save_round(
        admin,
        rotation,
        3,
        everyone(rotation, {b.id: ("covered", c.id)}),
        START,
        pay=True,
    )
    covered = Contribution.get(Contribution.status == "covered")
    assert (covered.member_id, covered.paid_by_id, covered.amount) == (b.id, c.id, 10_000)
    assert Entry.get_by_id(covered.entry_id).member_id == c.id
    positions = balances_by_member(rotation)
    assert (positions[b.id].paid_in, positions[b.id].received, positions[b.id].fines) == (
        20_000,
        30_000,
        500,
    )
    assert positions[b.id].balance == -10_000  # owes c
    assert (positions[c.id].paid_in, positions[c.id].balance) == (40_000, 10_000)
    assert (positions[b.id].owed, positions[b.id].covered, positions[b.id].flagged) == (
        10_000,
        10_000,
        True,
    )
    assert ledger.balances(group)[Fund.POT] == 500  # the fine


def test_a_holder_who_repays_the_member_who_covered_them(admin, rosca_group):
    group, members = rosca_group(members=3)
    a, b, c = members
    rotation = set_up_rotation(admin, group, members)
    run_round(admin, rotation, 1, overrides={b.id: ("covered", c.id)})
    before = counts()
    with pytest.raises(DomainError) as caught:  # a change needs its reason
        rosca_rounds.record_contributions(
            admin, rotation, 1, everyone(rotation, {b.id: ("late", None)})
        )
    assert caught.value.field == "reason"
    assert counts() == before
    rows = rosca_rounds.record_contributions(
        admin, rotation, 1, everyone(rotation, {b.id: ("late", None)}), "b paid c back"
    )
    assert [(r.member_id, r.status) for r in rows] == [(b.id, "late")]
    old = Contribution.get_by_id(rows[0].replaces_id)
    assert old.status == "covered"
    reversal = Entry.get(Entry.reverses == old.entry_id)
    assert (reversal.amount, reversal.member_id, reversal.note) == (-10_000, c.id, "b paid c back")
    positions = balances_by_member(rotation)
    assert [positions[m.id].paid_in for m in members] == [10_000, 10_000, 10_000]
    assert positions[b.id].owed == 0
    assert ledger.balances(group)[Fund.POT] == 0
    assert [c.status for c in rosca_rounds.current_contributions(rotation)] == [
        "on_time",
        "on_time",
        "late",
    ]


def test_a_contribution_recorded_twice_the_same_writes_nothing(admin, rosca_group):
    group, members = rosca_group(members=3)
    rotation = set_up_rotation(admin, group, members)
    rosca_rounds.record_contributions(admin, rotation, 1, everyone(rotation))
    before = counts()
    assert rosca_rounds.record_contributions(admin, rotation, 1, everyone(rotation)) == []
    assert counts() == before


# --- refusals ---------------------------------------------------------------------------------


def test_refusals_write_nothing(admin, rosca_group, make_member, make_group):
    group, members = rosca_group(members=3)
    a, b, c = members
    outsider = make_member(group)  # in the group, holding no hand
    rotation = set_up_rotation(admin, group, members)
    run_round(admin, rotation, 1)
    before = counts()
    cases = [
        # a contribution from a member who does not hold the hand
        (
            lambda: rosca_rounds.record_contributions(
                admin, rotation, 2, [ContributionLine(1, b.id, "on_time")]
            ),
            f"status-1-{b.id}",
        ),
        (
            lambda: rosca_rounds.record_contributions(
                admin, rotation, 2, [ContributionLine(1, outsider.id, "on_time")]
            ),
            f"status-1-{outsider.id}",
        ),
        # paid for by someone outside the rotation
        (
            lambda: rosca_rounds.record_contributions(
                admin, rotation, 2, [ContributionLine(2, b.id, "covered", outsider.id)]
            ),
            f"paid_by-2-{b.id}",
        ),
        (
            lambda: rosca_rounds.record_contributions(
                admin, rotation, 2, [ContributionLine(2, b.id, "covered", b.id)]
            ),
            f"paid_by-2-{b.id}",
        ),
        (
            lambda: rosca_rounds.record_contributions(
                admin, rotation, 2, [ContributionLine(2, b.id, "forgot")]
            ),
            f"status-2-{b.id}",
        ),
        # rounds out of order
        (
            lambda: rosca_rounds.record_contributions(admin, rotation, 3, everyone(rotation)),
            "round",
        ),
        (lambda: rosca_rounds.pay_out(admin, rotation, 3, START), "round"),
        (
            lambda: rosca_rounds.record_contributions(admin, rotation, 4, everyone(rotation)),
            "round",
        ),
        # a second payout in one round
        (lambda: rosca_rounds.pay_out(admin, rotation, 1, START), None),
        # "not paid" in a round already paid out
        (
            lambda: rosca_rounds.record_contributions(
                admin, rotation, 1, [ContributionLine(1, a.id, "missing")], "wrong"
            ),
            f"status-1-{a.id}",
        ),
        # the pot not complete (all three holders: several errors at once)
        (lambda: rosca_rounds.pay_out(admin, rotation, 2, START), None),
        # a payout dated before the start
        (
            lambda: rosca_rounds.save_round(
                admin, rotation, 2, everyone(rotation), date(2026, 1, 1), pay=True
            ),
            "on",
        ),
    ]
    for call, field in cases:
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.field == field, caught.value
        assert counts() == before, caught.value


def test_nothing_is_recorded_before_the_rotation_starts(admin, rosca_group):
    group, members = rosca_group(members=3)
    rotation = set_up_rotation(admin, group, members, start=False)
    before = counts()
    with pytest.raises(DomainError, match="not started"):
        rosca_rounds.record_contributions(admin, rotation, 1, everyone(rotation))
    with pytest.raises(DomainError, match="not started"):
        run_round(admin, rotation, 1)
    assert counts() == before


def test_the_audit_log_says_who_recorded_and_paid_out(admin, rosca_group):
    group, members = rosca_group(members=3)
    rotation = set_up_rotation(admin, group, members)
    run_round(admin, rotation, 1)
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("round."))]
    assert actions == ["round.contributions", "round.pay_out"]


def test_the_round_sheet_and_the_report_issue_a_fixed_number_of_queries(admin, rosca_group):
    def queries(members):
        group, people = rosca_group(members=members)
        rotation = set_up_rotation(admin, group, people, late_fine=100)
        run_round(admin, rotation, 1)
        run_round(admin, rotation, 2, overrides={people[0].id: ("late", None)})
        with count_queries() as report:
            rosca_reports.rotation_report(rotation, START)
        with count_queries() as sheet:
            rosca_reports.round_sheet(rotation, 2)
        return report.count, sheet.count

    assert queries(6) == queries(30)


def test_a_payout_made_meanwhile_by_someone_else_is_not_made_twice(admin, rosca_group, monkeypatch):
    group, members = rosca_group(members=3)
    rotation = set_up_rotation(admin, group, members)
    run_round(admin, rotation, 1)
    stale = {1: Round.get(Round.number == 1)}
    stale[1].paid_out_on = stale[1].recipient = None  # as read before the payout
    monkeypatch.setattr(rosca_rounds, "rounds_of", lambda rotation: dict(stale))
    before = counts()
    with pytest.raises(DomainError, match="Someone else has just recorded this round"):
        rosca_rounds.pay_out(admin, rotation, 1, START)
    assert counts() == before


def test_a_payout_in_the_future_or_before_the_previous_payout_is_refused(admin, rosca_group):
    group, members = rosca_group(members=3)
    rotation = set_up_rotation(admin, group, members)
    today = dates.today()
    rosca_rounds.save_round(admin, rotation, 1, everyone(rotation), date(2026, 3, 9), pay=True)
    before = counts()
    for on in (today + timedelta(days=1), date(2030, 1, 1), date(2026, 3, 8)):
        with pytest.raises(DomainError) as caught:
            rosca_rounds.save_round(admin, rotation, 2, everyone(rotation), on, pay=True)
        assert caught.value.field == "on"
        assert counts() == before
    # contributions saved with a date in the future are refused too; today is fine
    with pytest.raises(DomainError, match="in the future"):
        rosca_rounds.save_round(admin, rotation, 2, everyone(rotation), today + timedelta(days=1))
    assert counts() == before
    # the same day as the previous payout, and today, are fine
    rosca_rounds.save_round(admin, rotation, 2, everyone(rotation), date(2026, 3, 9), pay=True)
    rosca_rounds.save_round(admin, rotation, 3, everyone(rotation), today, pay=True)
    assert [r.paid_out_on for r in Round.select().order_by(Round.number)] == [
        date(2026, 3, 9),
        date(2026, 3, 9),
        today,
    ]


def notes_of(kind):
    return [
        (e.member_id, e.note)
        for e in Entry.select()
        .where(Entry.kind == kind, Entry.reverses.is_null())
        .order_by(Entry.id)
    ]


def test_each_entry_of_a_round_says_its_round_and_for_whom_it_was_paid(admin, rosca_group):
    group, members = rosca_group(members=3)
    a, b, c = members
    rotation = set_up_rotation(admin, group, members, order="bidding", late_fine=500)
    run_round(admin, rotation, 1, bids={1: 3_000})
    rosca_rounds.save_round(
        admin,
        rotation,
        2,
        everyone(rotation, {b.id: ("covered", a.id), c.id: ("late", None)}),
        START,
        pay=True,
        bids={2: 0},
    )
    assert notes_of(EntryKind.CONTRIBUTION) == [
        (a.id, "Round 1"),
        (b.id, "Round 1"),
        (c.id, "Round 1"),
        (a.id, "Round 2"),
        (a.id, f"Round 2, for {b.full_name}"),
        (c.id, "Round 2"),
    ]
    assert notes_of(EntryKind.LATE_FINE) == [(c.id, "Round 2, late fine")]
    assert [note for _id, note in notes_of(EntryKind.POT_PAYOUT)] == [
        "Round 1, pot",
        "Round 2, pot",
    ]
    assert notes_of(EntryKind.BID_DISCOUNT) == [
        (b.id, "Round 1, share of the winning bid"),
        (c.id, "Round 1, share of the winning bid"),
    ]


def test_the_notes_come_in_the_words_the_view_gives(admin, rosca_group):
    group, members = rosca_group(members=2)
    a, b = members
    rotation = set_up_rotation(admin, group, members)
    notes = rosca_rounds.RoundNotes(
        contribution="Tour %(number)d",
        covered="Tour %(number)d, pour %(name)s",
        late_fine="Tour %(number)d, amende de retard",
        payout="Tour %(number)d, cagnotte",
        discount="Tour %(number)d, part de l’enchère",
    )
    rosca_rounds.save_round(
        admin,
        rotation,
        1,
        everyone(rotation, {b.id: ("covered", a.id)}),
        START,
        pay=True,
        notes=notes,
    )
    assert [e.note for e in Entry.select().order_by(Entry.id)] == [
        "Tour 1",
        f"Tour 1, pour {b.full_name}",
        "Tour 1, cagnotte",
    ]


def test_a_save_reports_every_wrong_field_at_once_and_writes_nothing(admin, rosca_group):
    group, members = rosca_group(members=3)
    a, b, c = members
    rotation = set_up_rotation(admin, group, members, order="bidding")
    before = counts()
    lines = everyone(rotation, {b.id: ("covered", None), c.id: ("missing", None)})
    unread = [DomainError("Enter an amount.", field="bid-3")]
    with pytest.raises(rosca_rounds.RoundInvalid) as caught:
        rosca_rounds.save_round(
            admin, rotation, 1, lines, None, pay=True, bids={1: 5_000_000}, unread=unread
        )
    fields = [error.field for error in caught.value.errors]
    assert fields == ["bid-3", f"paid_by-2-{b.id}", "on", "bid-1", f"status-3-{c.id}"]
    assert "not below the pot" in str(caught.value.errors[3])
    assert counts() == before
    # no offer at all: said how to bid, next to the offers
    with pytest.raises(rosca_rounds.RoundInvalid) as caught:
        rosca_rounds.save_round(admin, rotation, 1, [], START, pay=True)
    fields = [error.field for error in caught.value.errors]
    assert fields == ["bids", *(f"status-{n}-{m.id}" for n, m in enumerate(members, start=1))]
    assert "0 is an offer" in str(caught.value.errors[0])
    assert counts() == before
    rosca_rounds.save_round(admin, rotation, 1, everyone(rotation), START, pay=True, bids={2: 0})
    assert Round.get().discount == 0
