"""Two people recording in one group at the same moment (issue 13): the treasurer closes
meeting after meeting while the facilitator grants loans at whichever meeting is open, in two
real processes for a few seconds, on SQLite and PostgreSQL. No write is lost: every save that
was kept is in the books afterwards, exactly once; every refusal is a clear message (the other
tab saved first, the meeting was closed meanwhile, someone else was recording); nothing
crashed; and the books agree (each closed meeting's count includes the loans granted at it)."""

import os
from collections import Counter
from datetime import date
from decimal import Decimal

from savings_groups.core.vocabulary import EntryKind, Fund, MeetingStatus
from savings_groups.ledger import entries as ledger
from savings_groups.meetings.operations import CLOSED, CONFLICT
from savings_groups.store.db import BUSY, db
from savings_groups.store.models import Entry, Loan, Meeting
from tests.crash.writers import LOAN, SHARES, write_together
from tests.races.test_races import books_agree

SECONDS = float(os.environ.get("SAVINGS_GROUPS_WRITING_SECONDS") or 4)
MEMBERS = 10
FIRST = date(2026, 1, 12)
# The refusals a person may see here, and the start of their English text.
CLEAR = {"Conflict": CONFLICT, "MeetingClosed": CLOSED, "Busy": BUSY}


def test_two_people_writing_at_once_lose_nothing(
    app_config, conn, admin, make_group, make_member, make_cycle
):
    with db.atomic():
        group = make_group(rounding_unit=25, meeting_frequency="weekly")
        cycle = make_cycle(
            group,
            loan_rate=Decimal("0.10"),
            loan_method="flat",
            loan_max_multiple=Decimal(3),
            loan_max_periods=4,
            one_loan_at_a_time=False,
            min_shares=0,
        )
        for n in range(1, MEMBERS + 1):
            member = make_member(group, full_name=f"Member {n}")
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                100_000,
                cycle=cycle,
                member=member,
                shares=100,
                effective_on=cycle.start_date,
            )

    reports = write_together(app_config["DATABASE_URL"], group.id, admin.id, FIRST, SECONDS)

    tried = {
        which: Counter((a, e or "kept") for a, e, _m, _i in done) for which, done in reports.items()
    }
    print(f"two writers for {SECONDS} s: {tried}")
    for done in reports.values():
        for action, error, message, _ids in done:
            assert action != "crash", message
            if error:  # refused: with a clear message, nothing else
                assert error in CLEAR and message == CLEAR[error], (action, error, message)
    closed = [
        ids for action, error, _m, ids in reports["meetings"] if action == "close" and not error
    ]
    granted = [
        ids for action, error, _m, ids in reports["loans"] if action == "grant" and not error
    ]
    assert closed and granted, tried  # both wrote, again and again

    for meeting in closed:  # every closing kept is there, once
        assert Meeting.get_by_id(meeting).status == MeetingStatus.CLOSED.value
        bought = Entry.select().where(
            (Entry.meeting == meeting) & (Entry.kind == EntryKind.SHARE_PURCHASE.value)
        )
        assert sorted(e.amount for e in bought) == [SHARES * 1_000] * MEMBERS
    for loan, meeting in granted:  # every loan kept is there, at its meeting, paid out once
        stored = Loan.get_by_id(loan)
        assert (stored.meeting_id, stored.principal) == (meeting, LOAN)
    assert Loan.select().where(Loan.group == group).count() == len(granted)
    opened = Meeting.select().where(Meeting.group == group)
    assert opened.where(Meeting.status == MeetingStatus.CLOSED.value).count() == len(closed)
    books_agree(group)
