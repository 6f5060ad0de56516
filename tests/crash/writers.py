"""Two people writing in one group at once, for a few seconds, in two real processes.

The treasurer's tab records meeting after meeting (open, fill the sheet, count, close); the
facilitator's tab grants loans at whatever meeting is open meanwhile. Each process reports
every save it tried: kept (with the ids to look for afterwards), refused (the DomainError's
class and English text) or crashed (a traceback). Started like killing.py's children: forked
from the clean forkserver, each opening the test's DATABASE_URL itself.
"""

import time
import traceback
from datetime import date, timedelta

from tests.crash.killing import FORKS, TIMEOUT

SHARES, SOCIAL_FUND, LOAN = 1, 200, 1_000  # what each member buys and pays; each loan
PAUSE = 0.05  # seconds of typing between two saves: people, not loops starving the other tab


def _meetings(group: int, actor: int, first: date, until: float, report) -> None:
    """Open the next meeting a day after the last, close it as counted; when refused as
    stale or busy, reload and close again, as a treasurer would."""
    from savings_groups.core.dates import today
    from savings_groups.core.errors import DomainError
    from savings_groups.core.vocabulary import Fund
    from savings_groups.meetings import operations as meetings
    from savings_groups.meetings.sheet import MeetingSheet, MemberLine
    from savings_groups.store.db import Busy
    from savings_groups.store.models import Meeting, Member, SavingsGroup, User

    user, found = User.get_by_id(actor), SavingsGroup.get_by_id(group)
    people = list(Member.select().where(Member.group == group).order_by(Member.number))
    sheet = MeetingSheet([MemberLine(p.id, shares=SHARES, social_fund=SOCIAL_FUND) for p in people])
    day = first
    while time.monotonic() < until and day <= today():
        try:
            meeting = meetings.open_meeting(user, found, day)
        except DomainError as error:
            report(("open", type(error).__name__, str(error), day))
            if isinstance(error, Busy):
                continue  # the same day again
            return  # anything else fails the test (the cycle's last day passed, say)
        report(("open", None, None, meeting.id))
        time.sleep(PAUSE)  # filling the sheet in, while loans may be granted at the meeting
        while True:
            fresh = Meeting.get_by_id(meeting.id)
            boxes = meetings.preview(fresh, sheet)
            counted = {
                Fund.LOAN_FUND: boxes[Fund.LOAN_FUND],
                Fund.SOCIAL_FUND: boxes[Fund.SOCIAL_FUND],
            }
            try:
                meetings.close_meeting(user, fresh, sheet, counted, "", fresh.version)
            except DomainError as error:
                report(("close", type(error).__name__, str(error), meeting.id))
                if isinstance(error, meetings.Conflict | Busy):
                    continue
                return  # anything else fails the test
            report(("close", None, None, meeting.id))
            break
        day += timedelta(days=1)  # a meeting a day: enough days for a fast machine


def _loans(group: int, actor: int, first: date, until: float, report) -> None:
    """Grant a loan to the next member at the meeting open now, if one is."""
    from savings_groups.core.errors import DomainError
    from savings_groups.core.vocabulary import LoanWarning, MeetingStatus
    from savings_groups.loans.requests import LoanRequest
    from savings_groups.meetings import operations as meetings
    from savings_groups.store.models import Meeting, Member, User

    user = User.get_by_id(actor)
    people = list(Member.select().where(Member.group == group).order_by(Member.number))
    every = tuple(w.value for w in LoanWarning)
    turn = 0
    while time.monotonic() < until:
        draft = (
            Meeting.select()
            .where((Meeting.group == group) & (Meeting.status == MeetingStatus.DRAFT.value))
            .first()
        )
        if draft is None:
            time.sleep(0.002)
            continue
        member = people[turn % len(people)]
        turn += 1
        request = LoanRequest(member, LOAN, 3, "business")
        try:
            loan = meetings.grant_loan_at(user, draft, request, acknowledged=every)
        except DomainError as error:
            report(("grant", type(error).__name__, str(error), draft.id))
            continue
        report(("grant", None, None, (loan.id, draft.id)))
        time.sleep(PAUSE)


def _writer(url, which, group, actor, first, seconds, start, results) -> None:
    from savings_groups.store import db as store

    done = []
    try:
        store.initialize(url)
        store.db.connect()
        start.wait(TIMEOUT)
        until = time.monotonic() + seconds
        {"meetings": _meetings, "loans": _loans}[which](group, actor, first, until, done.append)
    except Exception:
        done.append(("crash", "crash", traceback.format_exc(), None))
    results.put((which, done))


def write_together(url: str, group: int, actor: int, first: date, seconds: float) -> dict:
    """Run the two writers at the same moment for `seconds`; what each tried and how it ended:
    {"meetings": [(action, error class or None, message, ids)], "loans": [...]}."""
    start, results = FORKS.Event(), FORKS.Queue()
    workers = [
        FORKS.Process(
            target=_writer, args=(url, which, group, actor, first, seconds, start, results)
        )
        for which in ("meetings", "loans")
    ]
    for worker in workers:
        worker.start()
    start.set()
    reports = dict(results.get(timeout=TIMEOUT + seconds) for _ in workers)
    for worker in workers:
        worker.join(TIMEOUT)
    return reports
