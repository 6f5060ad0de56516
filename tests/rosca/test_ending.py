"""What stayed in a rotation's pot at the end (kept discounts, late fines, leftovers): shared
among the members by hands through the ledger, or carried over to the next rotation, by the
rotation's rule; exact amounts in XOF and NGN kobo; every refusal writes nothing."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.rosca import ending, rotations
from savings_groups.rosca import reports as rosca_reports
from savings_groups.store.models import AuditEntry, Entry, Rotation, RotationEnd, RotationEntry
from tests.rosca.test_rounds import START, run_round, set_up_rotation
from tests.rosca.test_rounds_properties import SETTINGS

END = date(2026, 4, 6)


@pytest.fixture
def tontine(conn, make_group, make_member):
    def make(currency="XOF", unit=1, count=4):
        group = make_group(kind="rosca", currency=currency, rounding_unit=unit)
        return group, [make_member(group) for _ in range(count)]

    return make


def run_all(admin, rotation, bids=None, late=None):
    """Every round; `bids`[round] the offers, `late`[round] the members paying late."""
    count = rotations.rounds_count(rotation)
    for number in range(1, count + 1):
        overrides = {m.id: ("late", None) for m in (late or {}).get(number, ())}
        run_round(admin, rotation, number, bids=(bids or {}).get(number), overrides=overrides)
    return Rotation.get_by_id(rotation.id)


def shares_paid(rotation) -> dict[int, int]:
    rows = (
        Entry.select(Entry.member, Entry.amount)
        .join(RotationEntry)
        .where(
            (RotationEntry.rotation == rotation) & (Entry.kind == EntryKind.ROTATION_SHARE.value)
        )
    )
    return {row.member_id: -row.amount for row in rows}


def test_kept_discounts_and_fines_are_shared_by_hands_with_the_leftover_shown(admin, tontine):
    group, people = tontine(unit=100)
    rotation = set_up_rotation(
        admin, group, people, order="bidding", discount_rule="kept", late_fine=250
    )
    # round 1: hand 2 bids 3 000 (kept); round 2: member 3 pays late (250), hand 1 bids 1 000;
    # round 3: hand 3 bids 0
    bids = {1: {2: 3_000}, 2: {1: 1_000}, 3: {3: 0}}
    rotation = run_all(admin, rotation, bids=bids, late={2: [people[2]]})
    assert rosca_reports.pot_held(rotation) == 4_250
    view = ending.end_view(rotation)
    # 42 units of 100 among four equal hands: 1 100, 1 100, 1 000, 1 000; 50 too small to split
    assert [view.plan.shares[m.id] for m in people] == [1_100, 1_100, 1_000, 1_000]
    assert (view.plan.shared, view.plan.carried, view.plan.left) == (4_200, 0, 50)
    done = ending.end_rotation(admin, rotation, END, seen=4_250)
    assert (done.remainder, done.shared, done.carried, done.left) == (4_250, 4_200, 0, 50)
    assert shares_paid(rotation) == {
        people[0].id: 1_100,
        people[1].id: 1_100,
        people[2].id: 1_000,
        people[3].id: 1_000,
    }
    assert rosca_reports.pot_held(rotation) == 50
    assert rosca_reports.rotation_report(rotation, END).in_pot == 50
    assert ledger.balances(group)[Fund.POT] == 50
    assert {e.effective_on for e in Entry.select().where(Entry.kind == "rotation_share")} == {END}
    assert AuditEntry.select().where(AuditEntry.action == "rotation.end").count() == 1


def test_half_hands_share_in_naira_kobo(admin, tontine):
    group, people = tontine(currency="NGN", count=3)
    # Ade a whole hand, Bola and Chidi half a hand each: stakes 2, 1, 1 (half hands)
    rotation = set_up_rotation(
        admin, group, people, contribution=250_151, half=[people[1:3]], late_fine=1_001
    )
    # two fines of ₦10.01 in round 1 (Ade and Chidi late): 2 002 kobo
    rotation = run_all(admin, rotation, late={1: [people[0], people[2]]})
    view = ending.end_view(rotation)
    assert view.plan.remainder == 2_002
    assert [view.plan.shares[m.id] for m in people] == [1_001, 501, 500]
    ending.end_rotation(admin, rotation, END, seen=2_002)
    assert shares_paid(rotation) == {people[0].id: 1_001, people[1].id: 501, people[2].id: 500}
    assert rosca_reports.pot_held(rotation) == 0


def test_the_rule_carries_it_all_over_to_the_next_rotation(admin, tontine):
    group, people = tontine()
    rotation = set_up_rotation(admin, group, people, late_fine=500, start=False)
    rotations.set_end_rule(admin, rotation, "carried")
    rotation = rotations.start_rotation(admin, Rotation.get_by_id(rotation.id))
    assert rotation.end_rule == "carried"
    rotation = run_all(admin, rotation, late={3: people[:3]})
    following = rotations.create_rotation(
        admin, group, rotations.RotationTerms(5_000, "weekly", "2026-05-04", "fixed")
    )
    done = ending.end_rotation(admin, rotation, END, carried_to_id=following.id, seen=1_500)
    assert (done.carried, done.shared, done.left, done.carried_to_id) == (1_500, 0, 0, following.id)
    assert rosca_reports.pot_held(rotation) == 0
    assert rosca_reports.pot_held(following) == 1_500
    assert ledger.balances(group)[Fund.POT] == 1_500
    carried = Entry.select().where(Entry.kind == EntryKind.POT_CARRY_OVER.value).order_by(Entry.id)
    assert [(e.amount, e.note) for e in carried] == [
        (-1_500, "End of rotation 1: carried over to rotation 2"),
        (1_500, "Carried over from rotation 1"),
    ]


def test_the_rule_is_chosen_at_setup_and_fixed_from_the_start(admin, tontine):
    group, people = tontine()
    terms = rotations.RotationTerms(
        1_000, "weekly", START, "fixed", end_rule="carried", late_fine=None
    )
    assert rotations.create_rotation(admin, group, terms).end_rule == "carried"
    with pytest.raises(DomainError) as refused:
        rotations.create_rotation(
            admin, group, rotations.RotationTerms(1_000, "weekly", START, "fixed", end_rule="x")
        )
    assert refused.value.field == "end_rule"
    started = set_up_rotation(admin, group, people)
    with pytest.raises(DomainError, match="has started"):
        rotations.set_end_rule(admin, started, "carried")
    assert Rotation.get_by_id(started.id).end_rule == "shared"


@pytest.mark.parametrize(
    "case", ["running", "twice", "stale", "future", "before_last", "no_target", "bad_target"]
)
def test_the_end_is_refused_and_writes_nothing(admin, tontine, case):
    group, people = tontine()
    rotation = set_up_rotation(admin, group, people, late_fine=500)
    rule = "carried" if case in ("no_target", "bad_target") else "shared"
    Rotation.update(end_rule=rule).where(Rotation.id == rotation.id).execute()
    rotation = Rotation.get_by_id(rotation.id)
    if case == "running":
        run_round(admin, rotation, 1, overrides={people[0].id: ("late", None)})
    else:
        rotation = run_all(admin, rotation, late={1: [people[0]]})
    on, seen, target, field = END, 500, None, None
    if case == "twice":
        ending.end_rotation(admin, rotation, END, seen=500)
    elif case == "stale":
        seen = 400
    elif case == "future":
        on, field = date(2099, 1, 1), "on"
    elif case == "before_last":
        on, field = date(2026, 3, 1), "on"
    elif case == "no_target":
        field = "carried_to"
    elif case == "bad_target":
        earlier = set_up_rotation(admin, group, people)  # rotation 2, started
        run_all(admin, earlier)  # finished: not a rotation to carry to
        target, field = earlier.id, "carried_to"
    before = [m.select().count() for m in (Entry, RotationEntry, RotationEnd, AuditEntry)]
    with pytest.raises(DomainError) as refused:
        ending.end_rotation(admin, rotation, on, carried_to_id=target, seen=seen)
    assert refused.value.field == field
    assert [m.select().count() for m in (Entry, RotationEntry, RotationEnd, AuditEntry)] == before


@SETTINGS
@given(
    remainder=st.integers(0, 10**9),
    stakes=st.lists(st.integers(0, 20), min_size=0, max_size=12),
    unit=st.sampled_from([1, 5, 25, 100, 500]),
    rule=st.sampled_from(["shared", "carried"]),
)
def test_the_shared_parts_and_the_carry_add_up_to_the_pot_remainder(remainder, stakes, unit, rule):
    plan = ending.plan_end(remainder, dict(enumerate(stakes)), unit, rule)
    assert plan.shared + plan.carried + plan.left == remainder
    assert all(part >= 0 and part % unit == 0 for part in plan.shares.values())
    if rule == "carried":
        assert (plan.shares, plan.carried) == ({}, remainder)
    elif any(stakes):
        assert 0 <= plan.left < unit
        # by hands: a bigger stake never gets less
        ordered = sorted((stakes[k], part) for k, part in plan.shares.items())
        assert all(a[1] <= b[1] for a, b in zip(ordered, ordered[1:], strict=False) if a[0] < b[0])


@SETTINGS
@given(data=st.data())
def test_a_whole_bidding_rotation_ends_with_its_pot_shared_to_the_coin(
    data, conn, admin, make_group, make_member
):
    """Whatever the bids, the late fines, the half hands and the rounding unit: the shares
    posted plus what stays (too small to split) are what the pot held, and the pot keeps
    exactly that leftover."""
    count = data.draw(st.integers(2, 5), label="members")
    unit = data.draw(st.sampled_from([1, 25, 100]), label="unit")
    group = make_group(kind="rosca", currency="XOF", rounding_unit=unit)
    people = [make_member(group) for _ in range(count)]
    half = [(people[0], people[1])] if count > 2 and data.draw(st.booleans(), "half") else []
    rotation = set_up_rotation(
        admin, group, people, order="bidding", discount_rule="kept", late_fine=135, half=half
    )
    hands = rotations.hands_of(rotation)
    pot = 10_000 * len(hands)
    bids, late = {}, {}
    for number in range(1, len(hands)):  # the last round has one hand left: no bid
        bidder = data.draw(st.integers(1, len(hands)), label="bidder")
        bids[number] = {bidder: data.draw(st.integers(0, pot - 1), label="bid")}
        late[number] = data.draw(st.lists(st.sampled_from(people), unique=True), label="late")
    waiting = set(range(1, len(hands) + 1))
    for number in range(1, len(hands) + 1):  # keep only bids by hands still waiting
        offer = {h: d for h, d in bids.get(number, {}).items() if h in waiting}
        if not offer and len(waiting) > 1:
            offer = {min(waiting): 0}
        overrides = {m.id: ("late", None) for m in late.get(number, ())}
        paid = run_round(admin, rotation, number, bids=offer, overrides=overrides)
        waiting.discard(next(h.number for h in hands if h.id == paid.recipient_id))
    rotation = Rotation.get_by_id(rotation.id)
    held = rosca_reports.pot_held(rotation)
    done = ending.end_rotation(admin, rotation, END, seen=held)
    assert sum(shares_paid(rotation).values()) + done.left == held
    assert done.shared + done.carried + done.left == held
    assert 0 <= done.left < unit
    assert rosca_reports.pot_held(rotation) == done.left == ledger.balances(group)[Fund.POT]
