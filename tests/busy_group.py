"""A savings group with a cycle of weekly meetings, loans and repayments, built through the domain
functions, for the tests that count a page's queries or read its query plans."""

from dataclasses import dataclass
from datetime import timedelta

from savings_groups.core import dates
from savings_groups.core.vocabulary import LoanWarning
from savings_groups.groups import operations as groups
from savings_groups.loans import operations as lending
from savings_groups.loans import requests as loan_requests
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine, loan_positions
from savings_groups.store.models import Cycle, Meeting, Member, SavingsGroup

REPAYMENT = 80  # what each borrower pays at each meeting: a loan of 1,000 is still being repaid
# after twelve meetings, so the passbook of the first member (a borrower) shows an active loan


@dataclass
class BusyGroup:
    group: SavingsGroup
    cycle: Cycle
    members: list[Member]
    draft: Meeting  # today's meeting, not closed yet, with loans granted at it


def build(admin, name: str, members: int, meetings_held: int) -> BusyGroup:
    """`members` members; `meetings_held` closed weekly meetings before today's draft one.
    Every other member borrows at the second meeting and repays at each later one; at the draft
    meeting every fourth of the others borrows."""
    group = groups.create_group(admin, groups.GroupDetails(name, "savings", "XOF"))
    start = dates.today() - timedelta(days=7 * meetings_held)
    cycle = Cycle.create(
        group=group,
        number=1,
        start_date=start,
        planned_end=start + timedelta(days=7 * (meetings_held + 20)),
        share_value=500,
        social_fund_contribution=100,
        loan_max_periods=12,
    )
    people = [
        Member.create(
            group=group,
            number=n,
            full_name=f"Member {n}",
            member_type="returnee" if n % 2 else "community",
            joined_on=start,
        )
        for n in range(1, members + 1)
    ]
    for week in range(meetings_held):
        meeting = meetings.open_meeting(admin, group, start + timedelta(days=7 * week))
        if week == 1:
            _lend(admin, group, cycle, meeting, people[::2])
        close(admin, meeting, people, week)
    draft = meetings.open_meeting(admin, group, start + timedelta(days=7 * meetings_held))
    _lend(admin, group, cycle, draft, people[1::4])
    return BusyGroup(group, cycle, people, draft)


def _lend(admin, group, cycle, meeting, borrowers) -> None:
    warnings = {code.value for code in LoanWarning}
    for person in borrowers:
        request = loan_requests.LoanRequest(person, 1000, 8, "business")
        lending.grant_loan(admin, group, cycle, request, meeting.held_on, meeting, warnings)


def close(admin, meeting, people, week: int) -> None:
    """Close `meeting` with a realistic sheet: everyone buys shares and pays the social fund,
    borrowers repay (from the third meeting)."""
    positions = loan_positions(meeting, meeting.group)
    lines = []
    for person in people:
        position = positions.get(person.id)
        most = sum(line.standing.most_payable for line in position.lines) if position else 0
        lines.append(
            MemberLine(
                person.id,
                shares=1 + (person.number + week) % 4,
                social_fund=100,
                repayment=min(REPAYMENT, most) if week > 1 else 0,
            )
        )
    sheet = MeetingSheet(lines)
    counted = dict(meetings.preview(meeting, sheet))
    meetings.close_meeting(admin, meeting, sheet, counted, "", meeting.version)


def pages(busy: BusyGroup) -> dict[str, str]:
    """The key pages of the group, by name."""
    base = f"/groups/{busy.group.id}"
    member = busy.members[0]  # a borrower
    return {
        "group page": base,
        "passbook": f"{base}/members/{member.id}/passbook",
        "loan portfolio": f"{base}/loans",
        "meeting page": f"{base}/meetings/{busy.draft.id}",
        "share-out preview": f"{base}/share-out",
        "members list": f"{base}/members",
        "money history": f"{base}/ledger",
    }
