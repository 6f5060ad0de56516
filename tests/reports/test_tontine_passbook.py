"""A tontine member's passbook: per rotation, their hands and turns, round by round what they
owed, paid in (for themselves and for others), fines, what they received and their balance,
and their share of what stayed in the pot at the end; exact figures in XOF and NGN kobo."""

from datetime import date

from playhouse.test_utils import count_queries

from savings_groups.core.vocabulary import ContributionStatus
from savings_groups.reports import passbook as passbooks
from savings_groups.rosca import ending
from tests.rosca.test_ending import END, run_all
from tests.rosca.test_rounds import run_round, set_up_rotation

NAMES = ("Awa", "Binta", "Coumba", "Djeneba")


def test_a_tontine_members_passbook_round_by_round(conn, admin, make_group, make_member):
    group = make_group(kind="rosca", currency="XOF")
    awa, binta, coumba, djeneba = (make_member(group, full_name=n) for n in NAMES)
    rotation = set_up_rotation(admin, group, [awa, binta, coumba, djeneba], late_fine=500)
    run_round(admin, rotation, 1, overrides={binta.id: ("late", None)})  # Binta fined 500
    run_round(admin, rotation, 2, overrides={coumba.id: ("covered", binta.id)})  # Binta's pot
    run_round(admin, rotation, 3, overrides={binta.id: ("covered", awa.id)})
    run_round(admin, rotation, 4)
    ending.end_rotation(admin, rotation, END, seen=500)  # 500 among four hands: 125 each

    [book] = passbooks.tontine_passbook(group, binta)
    assert book.rotation.id == rotation.id
    [hand] = book.hands
    assert (hand.number, hand.position, hand.part, hand.served_in) == (2, 2, 10_000, 2)
    rows = [
        (line.number, line.due, line.paid, line.paid_by_others, line.fines, line.received)
        for line in book.lines
    ]
    assert rows == [
        (1, 10_000, 10_000, 0, 500, 0),
        (2, 10_000, 20_000, 0, 0, 40_000),
        (3, 10_000, 0, 10_000, 0, 0),
        (4, 10_000, 10_000, 0, 0, 0),
    ]
    assert [line.balance for line in book.lines] == [10_000, -10_000, -10_000, 0]
    assert [line.takes_pot for line in book.lines] == [False, True, False, False]
    assert book.lines[1].paid_for == ("Coumba",)
    assert book.lines[0].statuses == (ContributionStatus.LATE,)
    assert book.lines[2].statuses == (ContributionStatus.COVERED,)
    assert (book.paid, book.received, book.fines, book.balance) == (40_000, 40_000, 500, 0)
    assert book.end_share == 125
    # Awa paid her own four parts and Binta's third: 50 000 in, 40 000 received
    [awa_book] = passbooks.tontine_passbook(group, awa)
    assert (awa_book.paid, awa_book.received, awa_book.balance) == (50_000, 40_000, 10_000)


def test_a_half_hand_in_naira_and_every_rotation_the_latest_first(
    conn, admin, make_group, make_member
):
    group = make_group(kind="rosca", currency="NGN")
    ade, bola, chidi = (make_member(group, full_name=n) for n in ("Ade", "Bola", "Chidi"))
    # Ade a whole hand, Bola and Chidi half a hand; ₦2,501.51 a hand: Bola pays 125 076 kobo
    first = set_up_rotation(
        admin, group, [ade, bola, chidi], contribution=250_151, half=[(bola, chidi)]
    )
    run_all(admin, first)
    second = set_up_rotation(admin, group, [ade, bola, chidi], contribution=100_000)
    run_round(admin, second, 1)
    books = passbooks.tontine_passbook(group, bola)
    assert [b.rotation.number for b in books] == [2, 1]
    latest, earlier = books
    [hand] = earlier.hands
    assert (hand.number, hand.half, hand.part, hand.served_in) == (2, True, 125_076, 2)
    assert [line.paid for line in earlier.lines] == [125_076, 125_076]
    # the pot of two hands (500 302 kobo) split by what each half pays: Bola 250 152
    assert [line.received for line in earlier.lines] == [0, 250_152]
    assert earlier.balance == 0
    assert earlier.stake == 1
    assert [line.paid for line in latest.lines] == [100_000, 0, 0]
    assert latest.lines[0].received == 0  # Ade took round 1
    assert latest.lines[1].due_on == date(2026, 3, 9)
    assert (latest.paid, latest.balance) == (100_000, 100_000)


def test_the_passbook_reads_a_fixed_number_of_queries(conn, admin, make_group, make_member):
    def queries(rotations):
        group = make_group(kind="rosca")
        people = [make_member(group) for _ in range(4)]
        for _ in range(rotations):
            run_round(admin, set_up_rotation(admin, group, people), 1)
        with count_queries() as counter:
            passbooks.tontine_passbook(group, people[1])
        return counter.count

    assert queries(1) == queries(4)


def test_the_passbook_counts_repayments_between_members_as_the_rotation_page_does(
    conn, admin, make_group, make_member
):
    """Awa paid Binta's third part; Binta repays her: both passbooks agree with the rotation
    page's positions, and again once the repayment is undone."""
    from savings_groups.rosca import debts
    from savings_groups.rosca.reports import rotation_report
    from savings_groups.store.models import DebtRepayment

    group = make_group(kind="rosca", currency="XOF")
    awa, binta, coumba, djeneba = (make_member(group, full_name=n) for n in NAMES)
    rotation = set_up_rotation(admin, group, [awa, binta, coumba, djeneba])
    for number in (1, 2):
        run_round(admin, rotation, number)
    run_round(admin, rotation, 3, overrides={binta.id: ("covered", awa.id)})
    debts.repay_debt(admin, rotation, binta.id, awa.id, 10_000, END)

    def figures(member):
        [book] = passbooks.tontine_passbook(group, member)
        return book.paid, book.received, book.balance

    def position(member):
        report = rotation_report(rotation, END)
        [row] = [p for p in report.positions if p.member.id == member.id]
        return row.paid_in, row.received, row.balance

    # Binta: her two parts, then 10 000 back to Awa; Awa: her three parts and Binta's, less
    # the 10 000 Binta gave back. Each took a pot of 40 000.
    assert figures(binta) == position(binta) == (30_000, 40_000, -10_000)
    assert figures(awa) == position(awa) == (30_000, 40_000, -10_000)
    [awa_book] = passbooks.tontine_passbook(group, awa)
    assert (awa_book.repaid_to_others, awa_book.repaid_by_others) == (0, 10_000)

    debts.undo_repayment(admin, DebtRepayment.get(), "Typed twice")
    assert figures(binta) == position(binta) == (20_000, 40_000, -20_000)
    assert figures(awa) == position(awa) == (40_000, 40_000, 0)
