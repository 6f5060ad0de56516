"""A laptop unplugged mid-save (issue 13): a real process killed with SIGKILL in the middle of
closing a meeting, granting a loan, finalising a share-out, settling a leaving member or
paying out a ROSCA round leaves the books without that save or with all of it, never half,
on SQLite (the file stays valid) and on PostgreSQL. See killing.py for how the kills are
aimed and counted; SAVINGS_GROUPS_KILLS=300 makes each test a long run."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from peewee import fn

from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.store.db import db
from savings_groups.store.models import (
    CycleShareOut,
    Entry,
    FineType,
    Member,
    MemberExit,
    Round,
    SavingsGroup,
)
from tests.crash.killing import group_rows, kill_during
from tests.races.racers import EVERY_WARNING
from tests.races.test_races import books_agree
from tests.rosca.test_rounds import START, set_up_rotation

SAVERS = "tests.crash.savers"
KILLS = 25  # per save in the normal suite; SAVINGS_GROUPS_KILLS overrides it
MEMBERS = 25
SAVED = 10_000  # by each member before the meeting
LOAN, SOCIAL = Fund.LOAN_FUND, Fund.SOCIAL_FUND
M1, M2 = date(2026, 3, 2), date(2026, 3, 9)
EXIT_DAY, SHARE_OUT_DAY = date(2026, 11, 13), date(2026, 11, 20)
RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "social_fund_contribution": 200,
    "min_shares": 0,
    "max_shares": 5,
}


@pytest.fixture
def url(app_config):
    return app_config["DATABASE_URL"]


@pytest.fixture
def savings(conn, admin, make_group, make_member, make_cycle):
    """make(): a new group of 25 members (or as many as said) who saved 10,000 each, and a
    loan of 10,000 to the first member a week before the meeting; the same every time."""

    def make(members=MEMBERS):
        with db.atomic():  # one transaction: one wait for the disk, not fifty
            return made(members)

    def made(members):
        group = make_group(name="Crash", rounding_unit=25, meeting_frequency="weekly")
        cycle = make_cycle(group, **RULES)
        FineType.create(cycle=cycle, name="Late", amount=100)
        people = [make_member(group, full_name=f"Member {n}") for n in range(1, members + 1)]
        for member in people:
            ledger.post(
                admin,
                group,
                LOAN,
                EntryKind.SHARE_PURCHASE,
                SAVED,
                cycle=cycle,
                member=member,
                shares=10,
                effective_on=cycle.start_date,
            )
        loan = LoanRequest(people[0], 10_000, 3, "business")
        lending.grant_loan(admin, group, cycle, loan, M1, acknowledged=EVERY_WARNING)
        return group, cycle, people

    return make


def grant(actor, meeting, member, principal):
    request = LoanRequest(member, principal, 3, "business")
    return meetings.grant_loan_at(actor, meeting, request, acknowledged=EVERY_WARNING)


def counted(meeting, sheet) -> dict:
    """The boxes as the books will say once the sheet is posted: no cash difference."""
    boxes = meetings.preview(meeting, sheet)
    return {LOAN.value: boxes[LOAN], SOCIAL.value: boxes[SOCIAL]}


def of_group(kwargs) -> int:
    return kwargs["group"]


def rows(kwargs):
    return group_rows(of_group(kwargs))


def books(kwargs):
    """The books of the group agree whatever the kill left: each closed meeting's count
    equals its entries, each loan has its one disbursement, a closed cycle its share-out and
    the carry-over left in its box."""
    group = SavingsGroup.get_by_id(of_group(kwargs))
    books_agree(group)
    for cycle in group.cycles:
        final = CycleShareOut.get_or_none(CycleShareOut.cycle == cycle)
        paid = Entry.select().where(
            (Entry.cycle == cycle) & (Entry.kind == EntryKind.SHARE_OUT.value)
        )
        assert (final is None) == (cycle.closed_at is None) == (not paid.exists())
        if final is not None:  # what the payouts left in the box is the carry-over, exactly
            assert ledger.balances(group, cycle)[LOAN] == final.carry_over


def kill(url, target, prepare, check=books, name=""):
    """Kill the save KILLS times and check that the kills did land in the write."""
    tally = kill_during(url, target, prepare, rows, check=check, kills=KILLS, name=name)
    assert tally.during >= 1, str(tally)  # some kills found rows written, not committed
    assert sum(tally.outcomes.values()) == tally.kills
    return tally


def test_a_meeting_of_25_members_closed_is_all_there_or_not_at_all(url, admin, savings):
    """Attendance, shares, social fund, fines, a repayment, a loan granted at the meeting,
    the cash counts and the meeting's status: all of it or none of it."""

    def prepare():
        group, cycle, people = savings()
        second = meetings.open_meeting(admin, group, M2)
        grant(admin, second, people[1], 5_000)  # the new loan, an entry of this meeting
        late = FineType.get(FineType.cycle == cycle).id
        lines = [
            MemberLine(
                p.id,
                attendance="absent" if n % 9 == 8 else "late" if n % 5 == 4 else "present",
                shares=0 if n % 9 == 8 else 1 + n % 3,
                social_fund=0 if n % 9 == 8 else 200,
                fines=[late] if n % 5 == 4 else [],
                repayment=4_325 if n == 0 else 0,  # interest 1,000 first, then 3,325
            )
            for n, p in enumerate(people)
        ]
        sheet = MeetingSheet(lines, notes="Crash test")
        return {
            "group": group.id,
            "actor": admin.id,
            "meeting": second.id,
            "sheet": sheet.to_dict(),
            "counted": counted(second, sheet),
            "version": second.version,
        }

    tally = kill(url, f"{SAVERS}:close_meeting", prepare, name="close a meeting of 25")
    added = Counter(table for table, _row in tally.whole[0].elements())
    # 23 present buy shares and pay the social fund, 5 late are fined, 1 repays (interest and
    # principal); 25 attendances; the two boxes counted; the meeting row and its audit.
    assert (added["entry"], added["attendance"], added["cash_count"]) == (23 + 23 + 5 + 2, 25, 2)


def test_a_loan_granted_has_its_schedule_and_disbursement_or_nothing(url, admin, savings):
    def prepare():
        group, _cycle, people = savings(members=5)
        second = meetings.open_meeting(admin, group, M2)
        return {
            "group": group.id,
            "actor": admin.id,
            "meeting": second.id,
            "member": people[1].id,
            "principal": 5_000,
        }

    kill(url, f"{SAVERS}:grant_at", prepare, name="grant a loan")


def test_a_share_out_pays_everyone_and_closes_the_cycle_or_nothing(url, admin, savings):
    """25 payouts, the first member's loan cleared from them, the cycle closed."""

    def prepare():
        group, cycle, _people = savings()
        return {"group": group.id, "actor": admin.id, "cycle": cycle.id, "on": SHARE_OUT_DAY}

    kill(url, f"{SAVERS}:finalise", prepare, name="finalise a share-out")


def test_a_member_leaving_is_settled_whole_or_not_at_all(url, admin, savings):
    """The member with a loan leaves: the loan repaid from the settlement, the payout, the
    departure recorded."""

    def prepare():
        group, _cycle, people = savings(members=5)
        return {"group": group.id, "actor": admin.id, "member": people[0].id, "on": EXIT_DAY}

    def settled(kwargs):
        books(kwargs)
        member = Member.get_by_id(kwargs["member"])
        exits = MemberExit.select().where(MemberExit.member == member).count()
        assert exits == (0 if member.left_on is None else 1)

    kill(url, f"{SAVERS}:settle", prepare, check=settled, name="settle an exit")


def test_a_rosca_round_paid_out_whole_or_not_at_all(url, conn, admin, make_group, make_member):
    """Eight contributions and the pot paid to the first hand, in one save."""

    def prepare():
        with db.atomic():
            return prepared()

    def prepared():
        group = make_group(name="Crash tontine", kind="rosca")
        people = [make_member(group, full_name=f"Member {n}") for n in range(1, 9)]
        rotation = set_up_rotation(admin, group, people)
        return {
            "group": group.id,
            "actor": admin.id,
            "rotation": rotation.id,
            "number": 1,
            "on": START,
        }

    def paid(kwargs):
        payouts = Entry.select(fn.COUNT(Entry.id), fn.SUM(Entry.amount)).where(
            (Entry.group == kwargs["group"]) & (Entry.kind == EntryKind.POT_PAYOUT.value)
        )
        count, total = payouts.tuples().get()
        first = Round.get_or_none(Round.rotation == kwargs["rotation"], Round.number == 1)
        paid_out = first is not None and first.paid_out_on is not None
        assert (count, total) == ((1, -80_000) if paid_out else (0, None))
        pot = ledger.balances(SavingsGroup.get_by_id(kwargs["group"])).get(Fund.POT, 0)
        assert pot == 0  # what came in went out to the first hand, or nothing came in

    kill(url, f"{SAVERS}:pay_round", prepare, check=paid, name="pay out a round")
