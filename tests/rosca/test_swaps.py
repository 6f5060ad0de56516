"""Two hands of a started fixed rotation swap their turns: the order, the schedule and the
positions follow, the audit log names both sides; every refusal writes nothing."""

import json
from datetime import date

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.groups import members as group_members
from savings_groups.rosca import reports as rosca_reports
from savings_groups.rosca import rotations
from savings_groups.store.models import AuditEntry, Hand, Rotation, TurnSwap
from tests.rosca.test_rounds import START, run_round, set_up_rotation


@pytest.fixture
def tontine(conn, admin, make_group, make_member):
    """Six members in XOF, one hand each, a fixed order by member number, started."""
    group = make_group(kind="rosca", currency="XOF")
    people = [make_member(group, full_name=name) for name in NAMES]
    return group, people, set_up_rotation(admin, group, people)


NAMES = ("Awa", "Binta", "Coumba", "Djeneba", "Fanta", "Hawa")


def hand_ids(rotation) -> dict[int, int]:
    """Hand number -> Hand id."""
    return {h.number: h.id for h in Hand.select().where(Hand.rotation == rotation)}


def order(rotation) -> list[str]:
    report = rosca_reports.rotation_report(rotation, START)
    return [line.recipient.holders[0].member.full_name for line in report.rounds]


def written():
    return (TurnSwap.select().count(), AuditEntry.select().count(), order_positions())


def order_positions():
    return sorted(Hand.select(Hand.id, Hand.position).tuples())


def test_two_waiting_hands_swap_their_turns_and_the_order_follows(admin, tontine):
    group, people, rotation = tontine
    run_round(admin, rotation, 1)  # Awa takes the first pot
    ids = hand_ids(rotation)
    seen = rotations.order_stamp(rotation)
    swap = rotations.swap_turns(admin, rotation, ids[2], ids[5], True, "Fanta's wedding", seen)
    assert (swap.first_position, swap.second_position) == (2, 5)
    assert order(rotation) == ["Awa", "Fanta", "Coumba", "Djeneba", "Binta", "Hawa"]
    report = rosca_reports.rotation_report(rotation, START)
    assert report.next_hand.holders[0].member.full_name == "Fanta"
    # the next round pays Fanta the whole pot of 60 000
    paid = run_round(admin, rotation, 2)
    assert Hand.get_by_id(paid.recipient_id).number == 5
    fanta = {
        p.member.full_name: p for p in rosca_reports.rotation_report(rotation, START).positions
    }
    assert (fanta["Fanta"].paid_in, fanta["Fanta"].received) == (20_000, 60_000)
    assert fanta["Binta"].received == 0
    logged = AuditEntry.get(AuditEntry.action == "rotation.swap")
    details = json.loads(logged.details)
    assert (details["first_members"], details["second_members"]) == ("Binta", "Fanta")
    assert (details["first_position"], details["second_position"]) == ([2, 5], [5, 2])
    assert details["note"] == "Fanta's wedding"
    assert [(s.first_hand.number, s.second_hand.number) for s in rotations.swaps_of(rotation)] == [
        (2, 5)
    ]


def test_half_hands_swap_in_naira_and_the_payout_keeps_the_kobo(
    admin, conn, make_group, make_member
):
    group = make_group(kind="rosca", currency="NGN")
    people = [make_member(group, full_name=n) for n in ("Ade", "Bola", "Chidi", "Dayo")]
    # hands: Ade 1, Bola 2, Chidi and Dayo share hand 3; contribution ₦2,501.51
    rotation = set_up_rotation(admin, group, people, contribution=250_151, half=[people[2:4]])
    ids = hand_ids(rotation)
    rotations.swap_turns(admin, rotation, ids[3], ids[1], True)
    paid = run_round(admin, rotation, 1)
    assert Hand.get_by_id(paid.recipient_id).number == 3
    by_name = {
        p.member.full_name: p for p in rosca_reports.rotation_report(rotation, START).positions
    }
    # the pot of 3 hands, 750 453 kobo, split by what each half pays (125 076 and 125 075)
    assert by_name["Chidi"].received == 375_228
    assert by_name["Dayo"].received == 375_225
    assert by_name["Chidi"].paid_in == 125_076
    assert by_name["Ade"].received == 0


@pytest.mark.parametrize(
    "case",
    ["served", "other_rotation", "left", "finished", "same", "not_agreed", "stale"],
)
def test_a_swap_is_refused_next_to_its_field_and_writes_nothing(admin, tontine, make_group, case):
    group, people, rotation = tontine
    run_round(admin, rotation, 1)
    ids = hand_ids(rotation)
    first, second, agreed, seen = ids[3], ids[4], True, rotations.order_stamp(rotation)
    field = None
    if case == "served":
        first, field = ids[1], "first"
    elif case == "other_rotation":
        other = set_up_rotation(admin, group, people)
        second, field = hand_ids(other)[4], "second"
    elif case == "left":
        group_members.record_departure(admin, people[3], date(2026, 3, 3), "moved away")
        second, field = ids[4], "second"
    elif case == "finished":
        for number in range(2, 7):
            run_round(admin, rotation, number)
        seen = rotations.order_stamp(Rotation.get_by_id(rotation.id))
    elif case == "same":
        second, field = first, "second"
    elif case == "not_agreed":
        agreed, field = False, "agreed"
    elif case == "stale":
        run_round(admin, rotation, 2)  # paid out in another tab after this one was opened
    before = written()
    with pytest.raises(DomainError) as refused:
        rotations.swap_turns(admin, rotation, first, second, agreed, "", seen)
    assert refused.value.field == field
    assert written() == before
    if case == "served":
        assert "round 1" in str(refused.value)


def test_only_a_fixed_order_has_turns_to_swap(admin, conn, make_group, make_member):
    group = make_group(kind="rosca")
    people = [make_member(group) for _ in range(3)]
    for kind in ("lottery", "bidding"):
        rotation = set_up_rotation(admin, group, people, order=kind)
        ids = hand_ids(rotation)
        with pytest.raises(DomainError) as refused:
            rotations.swap_turns(admin, rotation, ids[1], ids[2], True)
        assert "fixed order" in str(refused.value)
    waiting = set_up_rotation(admin, group, people, start=False)
    ids = hand_ids(waiting)
    with pytest.raises(DomainError, match="order page"):
        rotations.swap_turns(admin, waiting, ids[1], ids[2], True)
    assert TurnSwap.select().count() == 0
