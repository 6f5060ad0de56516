"""The books the page-by-page browser tests walk through: a practice group (six members, two
closed meetings) with a loan and a meeting being recorded today, and a tontine that has run a
round, for a facilitator who reads `locale`."""

from datetime import timedelta

from savings_groups.core import dates
from savings_groups.core.vocabulary import Role
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.practice import operations as practice
from savings_groups.store.db import db
from savings_groups.store.models import Meeting, Member
from tests.rosca.test_rounds import run_round, set_up_rotation


def practice_pages(
    admin, make_user, make_group, make_member, *, names, currency, username, locale
) -> dict[str, str]:
    """Make the books (`names`: the practice group, the tontine and its four members) and the
    facilitator `username`; return the main pages' paths by name."""
    group_name, tontine_name, *people_names = names
    today = dates.today()
    with db.connection_context():
        group = practice.create_practice_group(admin, group_name, on=today)
        first = Member.get((Member.group == group) & (Member.number == 1))
        cycle = group.cycles.get()
        closed = Meeting.select().where(Meeting.group == group).order_by(Meeting.held_on).first()
        loan = lending.grant_loan(
            admin, group, cycle, LoanRequest(first, 2_000, 3, "business"), today - timedelta(days=7)
        )
        draft = meetings.open_meeting(admin, group, today)
    tontine = make_group(tontine_name, kind="rosca", currency=currency)
    people = [make_member(tontine, full_name=name) for name in people_names]
    with db.connection_context():
        rotation = set_up_rotation(admin, tontine, people)
        run_round(admin, rotation, 1)
    make_user(username, role=Role.FACILITATOR, groups=[group, tontine], locale=locale)
    g = f"/groups/{group.id}"
    return {
        "group": g,
        "meeting-grid": f"{g}/meetings/{draft.id}",
        "meeting-summary": f"{g}/meetings/{closed.id}/summary",
        "passbook": f"{g}/members/{first.id}/passbook",
        "loans": f"{g}/loans",
        "loan": f"{g}/loans/{loan.id}",
        "share-out-preview": f"{g}/share-out",
        "rosca-round": f"/groups/{tontine.id}/rotations/{rotation.id}",
    }
