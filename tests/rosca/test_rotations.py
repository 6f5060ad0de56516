"""Setting a ROSCA's rotation up through the domain: terms, hands, a fixed order, the start;
every refusal writes nothing."""

from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from savings_groups.core.errors import DomainError
from savings_groups.rosca import rotations
from savings_groups.rosca.rotations import HandChoice, RotationTerms
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Hand, HandHolder, Rotation

TERMS = RotationTerms("10,000", "weekly", "2026-03-02", "fixed")


@pytest.fixture
def tontine(conn, make_group, make_member):
    """A ROSCA of six members (XOF)."""
    group = make_group("Tontine des femmes", kind="rosca")
    return group, [make_member(group, f"Member {n}") for n in range(1, 7)]


@pytest.fixture
def rotation(admin, tontine):
    return rotations.create_rotation(admin, tontine[0], TERMS)


def writes() -> tuple[int, int, int, int]:
    """Rows of the tables a setup writes: a refusal must leave them as they were."""
    return (
        Rotation.select().count(),
        Hand.select().count(),
        HandHolder.select().count(),
        AuditEntry.select().count(),
    )


def refused(call, field=None, words=""):
    before = writes()
    with pytest.raises(DomainError) as caught:
        call()
    assert writes() == before
    assert caught.value.field == field
    assert words in str(caught.value)
    return caught.value


def one_each(members):
    return [HandChoice(m.id, 1) for m in members]


# --- terms -----------------------------------------------------------------------------------


def test_a_rotation_is_created_with_its_terms_and_audited(admin, tontine):
    group, _members = tontine
    terms = RotationTerms(
        "10,000", "monthly", date(2026, 3, 31), "bidding", "kept", "500", "  Agreed in March  "
    )
    rotation = rotations.create_rotation(admin, group, terms)
    assert (rotation.number, rotation.contribution, rotation.frequency) == (1, 10_000, "monthly")
    assert (rotation.order, rotation.discount_rule, rotation.late_fine) == ("bidding", "kept", 500)
    assert rotation.start_date == date(2026, 3, 31)
    assert rotation.notes == "Agreed in March"
    assert rotation.started_at is None
    assert AuditEntry.get(AuditEntry.action == "rotation.create").object_id == rotation.id
    assert rotations.create_rotation(admin, group, TERMS).number == 2


def test_amounts_are_read_in_the_currency_of_the_group(admin, make_group):
    group = make_group(kind="rosca", currency="NGN")
    rotation = rotations.create_rotation(
        admin, group, RotationTerms("1,000.50", "weekly", "2026-03-02", "lottery")
    )
    assert rotation.contribution == 100_050
    assert rotation.late_fine == 0
    assert rotation.discount_rule == "shared"  # the rule matters for bidding only


@pytest.mark.parametrize(
    "terms, field, words",
    [
        (RotationTerms("", "weekly", "2026-03-02", "fixed"), "contribution", "Enter an amount"),
        (RotationTerms("0", "weekly", "2026-03-02", "fixed"), "contribution", "more than zero"),
        (RotationTerms("-5", "weekly", "2026-03-02", "fixed"), "contribution", "negative"),
        (RotationTerms(1000, "daily", "2026-03-02", "fixed"), "frequency", "how often"),
        (RotationTerms(1000, "weekly", "", "fixed"), "start_date", "Enter a date"),
        (RotationTerms(1000, "weekly", "2026-02-30", "fixed"), "start_date", "not a date"),
        (RotationTerms(1000, "weekly", "2026-03-02", "auction"), "order", "order"),
        (RotationTerms(1000, "weekly", "2026-03-02", "bidding", "burnt"), "discount_rule", ""),
        (RotationTerms(1000, "weekly", "2026-03-02", "fixed", late_fine="x"), "late_fine", ""),
        (RotationTerms(1000, "weekly", "2026-03-02", "fixed", notes="n" * 2001), "notes", ""),
    ],
)
def test_bad_terms_are_refused(admin, tontine, terms, field, words):
    refused(lambda: rotations.create_rotation(admin, tontine[0], terms), field, words)


def test_a_savings_group_has_no_rotation(admin, make_group):
    group = make_group(kind="savings")
    refused(lambda: rotations.create_rotation(admin, group, TERMS), None, "savings group")


def test_an_archived_group_takes_no_rotation(admin, tontine):
    from savings_groups.groups import operations as groups

    group = tontine[0]
    groups.archive_group(admin, group, True)
    refused(lambda: rotations.create_rotation(admin, group, TERMS), None, "archived")


# --- hands -----------------------------------------------------------------------------------


def test_whole_and_half_hands_are_numbered_by_member(admin, tontine, rotation):
    _group, (m1, m2, m3, m4, m5, m6) = tontine
    rotations.set_hands(
        admin,
        rotation,
        [
            HandChoice(m1.id, "2"),
            HandChoice(m2.id, 0, True, m3.id),  # m3 gets the other half
            HandChoice(m3.id, 1),
            HandChoice(m4.id, ""),
            HandChoice(m5.id, 1, True, m6.id),
            HandChoice(m6.id, 0, True, m5.id),  # the same pair, named from both sides
        ],
    )
    hands = rotations.hands_of(rotation)
    held = [[(h.member.number, h.half, h.part) for h in hand.holders] for hand in hands]
    assert held == [
        [(1, False, 10_000)],
        [(1, False, 10_000)],
        [(2, True, 5_000), (3, True, 5_000)],
        [(3, False, 10_000)],
        [(5, False, 10_000)],
        [(5, True, 5_000), (6, True, 5_000)],
    ]
    assert [hand.number for hand in hands] == [1, 2, 3, 4, 5, 6]
    assert rotations.rounds_count(rotation) == 6
    assert rotations.pot_of(rotation) == 60_000
    assert rotations.due_date(rotation, 1) == date(2026, 3, 2)
    assert rotations.due_date(rotation, 6) == date(2026, 4, 6)
    # Discount weights: every hand but the winner's, a whole hand 2, a half 1.
    assert rotations.stakes_of(hands, excluding=6) == {m1.id: 4, m2.id: 1, m3.id: 3, m5.id: 2}
    audit = AuditEntry.get(AuditEntry.action == "rotation.hands")
    assert '"pot": 60000' in audit.details


def test_an_odd_contribution_the_first_holder_pays_the_extra_unit(admin, make_group, make_member):
    group = make_group(kind="rosca", currency="NGN")
    a, b = make_member(group), make_member(group)
    rotation = rotations.create_rotation(
        admin, group, RotationTerms(1_001, "weekly", "2026-03-02", "lottery")
    )
    rotations.set_hands(admin, rotation, [HandChoice(b.id, 1, True, a.id), HandChoice(a.id, 1)])
    holders = rotations.hands_of(rotation)[1].holders
    assert [(h.member.id, h.part) for h in holders] == [(a.id, 501), (b.id, 500)]


def test_hands_given_again_replace_the_old_ones_and_clear_the_order(admin, tontine, rotation):
    members = tontine[1]
    rotations.set_hands(admin, rotation, one_each(members))
    rotations.set_order(admin, rotation, {n: 7 - n for n in range(1, 7)})
    rotations.set_hands(admin, rotation, one_each(members[:3]))
    hands = rotations.hands_of(rotation)
    assert [(h.number, h.position) for h in hands] == [(1, None), (2, None), (3, None)]
    assert HandHolder.select().count() == 3


def test_the_form_rows_come_back_from_the_hands(admin, tontine, rotation):
    _group, (m1, m2, m3, *_rest) = tontine
    rotations.set_hands(admin, rotation, [HandChoice(m1.id, 2, True, m2.id), HandChoice(m3.id, 1)])
    rows = rotations.choices_of(rotations.hands_of(rotation))
    assert rows == {
        m1.id: HandChoice(m1.id, 2, True, m2.id),
        m2.id: HandChoice(m2.id, 0, True, m1.id),
        m3.id: HandChoice(m3.id, 1),
    }


def test_bad_hands_are_refused(admin, tontine, rotation, make_group, make_member):
    group, (m1, m2, m3, m4, *_rest) = tontine
    outsider = make_member(make_group(kind="rosca"), "Outsider")
    with db.atomic():
        m4.left_on = date(2026, 2, 1)
        m4.save()
    rotations.set_hands(admin, rotation, one_each([m1, m2]))

    def bad(choices, field, words):
        refused(lambda: rotations.set_hands(admin, rotation, choices), field, words)

    bad([HandChoice(m1.id, 1, True)], f"partner-{m1.id}", "needs its partner")
    bad([HandChoice(m1.id, 1, False, m2.id)], f"partner-{m1.id}", "Tick “half hand”")
    bad([HandChoice(m1.id, 0, True, m4.id)], f"partner-{m1.id}", "current member")
    bad([HandChoice(m1.id, 0, True, outsider.id)], f"partner-{m1.id}", "current member")
    bad([HandChoice(m1.id, 0, True, m1.id)], f"partner-{m1.id}", "themselves")
    bad(
        [HandChoice(m1.id, 0, True, m2.id), HandChoice(m3.id, 0, True, m2.id)],
        f"partner-{m3.id}",
        "Member 2 already shares a half hand with Member 1",
    )
    bad([HandChoice(outsider.id, 1)], f"whole-{outsider.id}", "not a current member")
    bad([HandChoice(m4.id, 1)], f"whole-{m4.id}", "not a current member")
    bad([HandChoice(m1.id, "two")], f"whole-{m1.id}", "whole number")
    bad([HandChoice(m1.id, "-1")], f"whole-{m1.id}", "Enter 0 or more.")
    bad([HandChoice(m1.id, 11)], f"whole-{m1.id}", "Enter 10 or less.")
    assert [len(h.holders) for h in rotations.hands_of(rotation)] == [1, 1]


def test_a_rotation_has_at_most_200_hands(admin, make_group, make_member):
    group = make_group(kind="rosca")
    members = [make_member(group) for _ in range(21)]
    rotation = rotations.create_rotation(admin, group, TERMS)
    choices = [HandChoice(m.id, 10) for m in members]
    refused(lambda: rotations.set_hands(admin, rotation, choices), "hands", "at most 200")


# --- order and start ------------------------------------------------------------------------


def test_a_fixed_order_is_set_and_the_rotation_started(admin, tontine, rotation):
    rotations.set_hands(admin, rotation, one_each(tontine[1]))
    order = rotations.set_order(admin, rotation, {1: "3", 2: "1", 3: 2, 4: "6", 5: "5", 6: "4"})
    assert order == [2, 3, 1, 6, 5, 4]
    assert [h.position for h in rotations.hands_of(rotation)] == [3, 1, 2, 6, 5, 4]
    rotations.start_rotation(admin, rotation)
    assert Rotation.get_by_id(rotation.id).started_at is not None
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-4:] == ["rotation.create", "rotation.hands", "rotation.order", "rotation.start"]


def test_bad_orders_are_refused(admin, tontine, rotation):
    refused(lambda: rotations.set_order(admin, rotation, {}), None, "hands first")
    rotations.set_hands(admin, rotation, one_each(tontine[1][:3]))

    def bad(positions, field, words):
        refused(lambda: rotations.set_order(admin, rotation, positions), field, words)

    bad({1: 1, 2: 1, 3: 2}, "position-2", "given to two hands")
    bad({1: 1, 2: 4, 3: 2}, "position-2", "outside 1 to 3")
    bad({1: 1, 2: "", 3: 2}, "position-2", "Give every hand a position")
    bad({1: 1, 2: "x", 3: 2}, "position-2", "x is not a whole number")
    bad({1: 1, 2: "-3", 3: 2}, "position-2", "Enter 1 or more.")
    bad({1: 1, 3: 2}, "position-2", "Give every hand a position")


def test_only_a_fixed_rotation_has_an_order(admin, tontine):
    rotation = rotations.create_rotation(
        admin, tontine[0], RotationTerms(1000, "weekly", "2026-03-02", "lottery")
    )
    rotations.set_hands(admin, rotation, one_each(tontine[1]))
    refused(lambda: rotations.set_order(admin, rotation, {1: 1}), None, "fixed order")
    rotations.start_rotation(admin, rotation)  # no order needed


def test_a_start_is_refused_until_the_setup_is_complete(admin, tontine, rotation):
    members = tontine[1]
    start = lambda: rotations.start_rotation(admin, rotation)  # noqa: E731
    refused(start, None, "at least 2 hands")
    rotations.set_hands(admin, rotation, one_each(members[:1]))
    refused(start, None, "at least 2 hands")
    rotations.set_hands(admin, rotation, [HandChoice(members[0].id, 0, True, members[1].id)])
    refused(start, None, "at least 2 hands")  # one half hand shared by two is one hand
    rotations.set_hands(admin, rotation, one_each(members[:2]))
    refused(start, None, "Set the order")
    rotations.set_order(admin, rotation, {1: 2, 2: 1})
    with db.atomic():
        members[1].left_on = date(2026, 2, 1)
        members[1].save()
    refused(start, None, "Member 2 has left the group")


def test_after_the_start_hands_and_order_are_frozen(admin, tontine, rotation):
    members = tontine[1]
    rotations.set_hands(admin, rotation, one_each(members[:2]))
    rotations.set_order(admin, rotation, {1: 2, 2: 1})
    stale = Rotation.get_by_id(rotation.id)  # loaded before the start, by another user
    rotations.start_rotation(admin, rotation)
    refused(lambda: rotations.set_hands(admin, stale, one_each(members)), None, "has started")
    refused(lambda: rotations.set_order(admin, stale, {1: 1, 2: 2}), None, "has started")
    refused(lambda: rotations.start_rotation(admin, stale), None, "has started")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=12), st.randoms(), st.booleans())
def test_planned_hands_hold_exactly_what_the_rows_say(wholes, rnd, both_sides):
    people = [SimpleNamespace(id=100 + n, number=n, full_name=f"M{n}") for n in range(1, 13)]
    people = people[: len(wholes)]
    shuffled = list(people)
    rnd.shuffle(shuffled)
    pairs = [(shuffled[i], shuffled[i + 1]) for i in range(0, len(shuffled) - 1, 3)]
    partner = {a.id: b.id for a, b in pairs}
    if both_sides:
        partner |= {b.id: a.id for a, b in pairs}
    choices = [
        HandChoice(p.id, str(w), p.id in partner, partner.get(p.id))
        for p, w in zip(people, wholes, strict=True)
    ]
    rnd.shuffle(choices)
    planned = rotations.plan_hands(choices, people)
    assert len(planned) == sum(wholes) + len(pairs)
    for person, whole in zip(people, wholes, strict=True):
        held = [hand for hand in planned if any(m is person for m, _half in hand)]
        assert sum(len(hand) == 1 for hand in held) == whole
        assert sum(len(hand) == 2 for hand in held) == int(any(person in p for p in pairs))
    for hand in planned:
        assert all(half == (len(hand) == 2) for _m, half in hand)
        assert [m.number for m, _half in hand] == sorted(m.number for m, _half in hand)
    firsts = [hand[0][0].number for hand in planned]
    assert firsts == sorted(firsts)  # numbered by member
