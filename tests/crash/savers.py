"""What a killed child process saves (see killing.py): read the rows, return the write.

Each function takes plain values (ids, dates, amounts, a sheet as a dict) and returns a
callable without arguments that calls the same domain function as the page. Each takes the
`group` too (the parent checks that group's rows) and leaves it aside. The saves the races
already run (a loan granted at a meeting, a share-out, a member's exit) are
tests/races/racers.py's.
"""

import time
from datetime import date

from savings_groups.core.vocabulary import Fund
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet
from savings_groups.rosca import rotations
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.store.models import Meeting, Rotation, User
from tests.races import racers


def grant_at(group: int, **kwargs):
    return racers.grant_at(**kwargs)


def finalise(group: int, **kwargs):
    return racers.finalise(**kwargs)


def settle(group: int, **kwargs):
    return racers.settle(**kwargs)


def close_meeting(group: int, actor: int, meeting: int, sheet: dict, counted: dict, version: int):
    """The meeting page's "Close": the whole sheet, the counted boxes."""
    user, found = User.get_by_id(actor), Meeting.get_by_id(meeting)
    typed = MeetingSheet.from_dict(sheet)
    counts = {Fund(fund): amount for fund, amount in counted.items()}
    return lambda: meetings.close_meeting(user, found, typed, counts, "", version)


def pay_round(group: int, actor: int, rotation: int, number: int, on: date):
    """The round page's "Save and pay out": every holder paid on time, then the payout."""
    user, found = User.get_by_id(actor), Rotation.get_by_id(rotation)
    lines = [
        rosca_rounds.ContributionLine(hand.number, holder.member.id, "on_time")
        for hand in rotations.hands_of(found)
        for holder in hand.holders
    ]
    return lambda: rosca_rounds.save_round(user, found, number, lines, on, pay=True, seed="crash")


def in_two_transactions(group: int, actor: int, cycle: int):
    """A save that is NOT all or nothing (two member's shares, each its own transaction, a
    moment apart): the harness must catch a kill between the two (test_harness.py)."""
    from savings_groups.core.vocabulary import EntryKind
    from savings_groups.ledger import entries as ledger
    from savings_groups.store.models import Cycle, Member, SavingsGroup

    user, found, period = (
        User.get_by_id(actor),
        SavingsGroup.get_by_id(group),
        Cycle.get_by_id(cycle),
    )
    first, second = Member.select().where(Member.group == group).order_by(Member.number)[:2]

    def buy(member):
        ledger.post(
            user,
            found,
            Fund.LOAN_FUND,
            EntryKind.SHARE_PURCHASE,
            1_000,
            cycle=period,
            member=member,
            shares=1,
            effective_on=period.start_date,
        )

    def write():
        buy(first)
        time.sleep(0.05)
        buy(second)

    return write


def file_written_whole(path: str, size: int):
    """A save that is not a database write: a file written aside, then renamed into place,
    as a backup should be (test_harness.py kills it)."""
    import os

    from tests.crash.killing import writing

    def write():
        writing()
        with open(f"{path}.part", "wb") as part:
            for _ in range(size // 65_536):
                part.write(b"x" * 65_536)
            part.flush()
            os.fsync(part.fileno())
        os.replace(f"{path}.part", path)

    return write
