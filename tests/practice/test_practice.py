"""Practice groups: made in one step with real-looking books, marked on every page, reset to
their starting state (twice in a row, never over someone's fresh work), never counted."""

import re
from datetime import date, timedelta

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import Fund, Role
from savings_groups.cycles.operations import current_cycle
from savings_groups.groups import operations as groups
from savings_groups.groups.operations import GroupDetails, real_groups
from savings_groups.ledger import entries as ledger
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.practice import operations as practice
from savings_groups.reports import integrity
from savings_groups.store.models import AuditEntry, Entry, Meeting, Member, SavingsGroup

ON = date(2026, 6, 15)
SHARES = 11 * 500 + 12 * 500  # the two meetings' share purchases, XOF
SOCIAL = 2 * 6 * 100


def books(group):
    cycle = current_cycle(group)
    balances = ledger.balances(group, cycle)
    return (
        Member.select().where(Member.group == group).count(),
        Meeting.select().where(Meeting.group == group, Meeting.status == "closed").count(),
        balances[Fund.LOAN_FUND],
        balances[Fund.SOCIAL_FUND],
    )


@pytest.fixture
def made(conn, admin):
    return practice.create_practice_group(admin, "Practice group", on=ON)


def test_created_in_one_step_with_members_a_cycle_and_two_closed_meetings(made):
    group = SavingsGroup.get_by_id(made.id)
    assert group.is_practice
    assert books(group) == (6, 2, SHARES, SOCIAL)
    cycle = current_cycle(group)
    assert cycle.start_date == ON - timedelta(weeks=3) and cycle.share_value == 500
    actions = [a.action for a in AuditEntry.select().where(AuditEntry.group == group)]
    assert actions[0] == "group.create" and actions[-1] == "practice.create"
    assert integrity.check() == []  # the books are consistent, and still checked


def test_reset_twice_in_a_row_gives_the_starting_state(made, admin):
    group = SavingsGroup.get_by_id(made.id)
    meeting = meetings.open_meeting(admin, group, ON)
    people = Member.select().where(Member.group == group).order_by(Member.number)
    sheet = MeetingSheet([MemberLine(person.id, shares=1, social_fund=100) for person in people])
    counted = {box: amount for box, amount in meetings.preview(meeting, sheet).items()}
    meetings.close_meeting(
        admin,
        meeting,
        sheet,
        {b: counted[b] for b in (Fund.LOAN_FUND, Fund.SOCIAL_FUND)},
        "",
        meeting.version,
    )
    assert books(group) == (6, 3, SHARES + 6 * 500, SOCIAL + 6 * 100)
    for _ in range(2):
        practice.reset_practice_group(admin, group, practice.reset_token(group), on=ON)
        assert books(SavingsGroup.get_by_id(group.id)) == (6, 2, SHARES, SOCIAL)
    assert Entry.select().where(Entry.group == group).count() == 2 * 6 * 2
    resets = AuditEntry.select().where(AuditEntry.action == "practice.reset").count()
    assert resets == 2
    assert integrity.check() == []


def test_a_reset_after_someone_wrote_is_refused_and_changes_nothing(made, admin, make_user):
    group = SavingsGroup.get_by_id(made.id)
    token = practice.reset_token(group)  # the confirmation page is shown
    recorder = make_user("rec", Role.RECORDER, groups=[group])
    meetings.open_meeting(recorder, group, ON)  # meanwhile the recorder starts a meeting
    with pytest.raises(DomainError, match="Someone has written"):
        practice.reset_practice_group(admin, group, token, on=ON)
    assert Meeting.select().where(Meeting.group == group).count() == 3


def test_only_practice_groups_are_reset(conn, admin):
    real = groups.create_group(admin, GroupDetails("Kankan", "savings", "XOF"))
    with pytest.raises(DomainError, match="Only a practice group"):
        practice.reset_practice_group(admin, real, practice.reset_token(real))


def test_a_recorder_cannot_reset_nor_a_facilitator_of_another_group(made, admin, make_user):
    group = SavingsGroup.get_by_id(made.id)
    recorder = make_user("rec", Role.RECORDER, groups=[group])
    stranger = make_user("fac", Role.FACILITATOR)
    with pytest.raises(DomainError, match="administrator or a facilitator"):
        practice.reset_practice_group(recorder, group, practice.reset_token(group), on=ON)
    with pytest.raises(DomainError, match="facilitator of this practice group"):
        practice.reset_practice_group(stranger, group, practice.reset_token(group), on=ON)
    with pytest.raises(DomainError):
        practice.create_practice_group(recorder, "Mine", on=ON)


def test_real_groups_leaves_practice_groups_out(made, admin):
    real = groups.create_group(admin, GroupDetails("Kankan", "savings", "XOF"))
    assert [g.id for g in real_groups()] == [real.id]
    assert [g.id for g in real_groups(SavingsGroup.select().order_by(SavingsGroup.id))] == [real.id]
    assert SavingsGroup.select().count() == 2


# --- pages ------------------------------------------------------------------------------------

BANNER = "Practice group — nothing here counts"


def test_pages_create_mark_and_reset_a_practice_group(web, admin, make_user):
    web.login("admin")
    created = web.post("/practice-groups/new", form_path="/")
    assert created.status_code == 302
    group_id = int(re.search(r"/groups/(\d+)", created.headers["Location"]).group(1))
    page = web.client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert BANNER in page and "<title>Practice · Practice group" in page
    meeting = Meeting.select().where(Meeting.group == group_id).first()
    shown = web.client.get(f"/groups/{group_id}/meetings/{meeting.id}")
    assert shown.status_code == 200 and BANNER in shown.get_data(as_text=True)
    person = Member.select().where(Member.group == group_id).first()
    passbook = web.client.get(f"/groups/{group_id}/members/{person.id}/passbook")
    assert BANNER in passbook.get_data(as_text=True)
    assert BANNER not in web.client.get("/").get_data(as_text=True)
    reset_page = f"/groups/{group_id}/practice/reset"
    token = re.search(r'name="token" value="(\d+)"', web.client.get(reset_page).get_data(True))
    answer = web.post(reset_page, {"token": token.group(1)}, form_path=reset_page)
    assert answer.status_code == 302
    assert AuditEntry.select().where(AuditEntry.action == "practice.reset").count() == 1
    stale = web.post(reset_page, {"token": token.group(1)}, form_path=reset_page)
    assert stale.status_code == 302 and stale.headers["Location"].endswith(reset_page)
    assert AuditEntry.select().where(AuditEntry.action == "practice.reset").count() == 1
    bad = web.post(reset_page, {"token": "x"}, form_path=reset_page, follow_redirects=True)
    assert "Someone has written" in bad.get_data(as_text=True)


def test_a_recorder_sees_the_banner_but_cannot_reset(web, admin, make_user, conn):
    group = practice.create_practice_group(admin, "Practice group", on=ON)
    make_user("rec", Role.RECORDER, groups=[group])
    web.login("rec")
    page = web.client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert BANNER in page and "/practice/reset" not in page
    assert web.client.get(f"/groups/{group.id}/practice/reset").status_code == 403


def test_the_banner_is_in_french(web, admin, make_user, conn):
    group = practice.create_practice_group(admin, "Groupe d'entraînement", on=ON)
    make_user("fr", Role.FACILITATOR, groups=[group], locale="fr")
    web.login("fr")
    page = web.client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Groupe d’entraînement — rien n’y compte" in page
