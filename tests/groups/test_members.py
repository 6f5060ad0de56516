"""Members: checked details, unique numbers, audited edits, departures kept in history, pages."""

import json
import re
from datetime import date

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core import dates
from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import Role
from savings_groups.groups import members
from savings_groups.groups.members import MemberDetails
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Member, SavingsGroup


def details(number=1, full_name="Aïssata Diallo", member_type="returnee", **fields):
    return MemberDetails(
        number, full_name, member_type, **{"joined_on": date(2026, 2, 1), **fields}
    )


def test_a_member_is_added_with_a_name_in_any_script_and_the_addition_is_audited(
    conn, admin, make_group
):
    group = make_group(currency="GNF")
    nko = "ߞߊ߬ߙߊ߲߬ߕߊ ߞߐ߬ߣߍ"  # N'Ko
    member = members.add_member(
        admin,
        group,
        details(
            "٧",  # Arabic-Indic seven
            f"  {nko} ",
            "community",
            gender="male",
            birth_year="1988",
            phone=" +224  620 12 34 56 ",
            group_role="treasurer",
        ),
    )
    member = Member.get_by_id(member.id)
    assert (member.number, member.full_name, member.member_type, member.gender) == (
        7,
        nko,
        "community",
        "male",
    )
    assert (member.birth_year, member.phone, member.group_role, member.joined_on) == (
        1988,
        "+224 620 12 34 56",
        "treasurer",
        date(2026, 2, 1),
    )
    assert member.left_on is None
    entry = AuditEntry.get(AuditEntry.action == "member.create")
    assert (entry.object_id, entry.group_id, entry.actor_id) == (member.id, group.id, admin.id)
    assert json.loads(entry.details)["full_name"] == nko


def test_arabic_and_accented_names_are_kept_as_typed(conn, admin, make_group):
    group = make_group()
    for number, name in enumerate(["عائشة بنت محمد", "Chérifa N'Diaye-Bâ"], start=1):
        assert members.add_member(admin, group, details(number, name)).full_name == name


@pytest.mark.parametrize(
    "bad, field",
    [
        (details(member_type=None), "member_type"),
        (details(member_type=""), "member_type"),
        (details(member_type="refugee"), "member_type"),
        (details(full_name="   "), "full_name"),
        (details(full_name="x" * 201), "full_name"),
        (details(number=""), "number"),
        (details(number="12a"), "number"),
        (details(number=0), "number"),
        (details(number="-3"), "number"),
        (details(birth_year="1899"), "birth_year"),
        (details(birth_year=str(dates.today().year + 1)), "birth_year"),
        (details(birth_year="nineteen"), "birth_year"),
        (details(phone="call me"), "phone"),
        (details(gender="unknown"), "gender"),
        (details(group_role="king"), "group_role"),
        (details(joined_on=None), "joined_on"),
    ],
)
def test_bad_member_details_are_refused_next_to_their_field_and_nothing_is_written(
    conn, admin, make_group, bad, field
):
    group = make_group()
    with pytest.raises(DomainError) as refused:
        members.add_member(admin, group, bad)
    assert refused.value.field == field
    assert Member.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.action.startswith("member.")).count() == 0


@pytest.mark.parametrize(
    ("locale", "bad", "field", "message"),
    [
        ("en", details(number="-3"), "number", "Enter 1 or more."),
        (
            "en",
            details(number="1 2"),
            "number",
            "1 2 is not a whole number: write it in figures only.",
        ),
        ("fr", details(number="100 001"), "number", "Enter 100000 or less."),
        ("fr", details(birth_year="1 985,5"), "birth_year", "not a whole number"),
        ("en", details(birth_year="-3"), "birth_year", "between 1900 and"),  # a year, not a count
    ],
)
def test_numbers_are_read_as_every_typed_whole_number(
    conn, admin, make_group, locale, bad, field, message
):
    with pytest.raises(DomainError) as refused:
        members.add_member(admin, make_group(), bad, locale)
    error = refused.value
    assert error.field == field
    assert message in error.message % error.params


def test_a_french_facilitator_may_group_a_number_as_french_groups_thousands(
    conn, admin, make_group
):
    group = make_group()
    assert members.add_member(admin, group, details(number="1 000"), "fr").number == 1000
    assert members.add_member(admin, group, details(number="1,001"), "en").number == 1001


def test_a_number_is_unique_in_its_group_only_and_the_next_free_one_is_proposed(
    conn, admin, make_group
):
    group, other = make_group(), make_group()
    assert members.next_number(group) == 1
    members.add_member(admin, group, details(1, "Awa"))
    members.add_member(admin, group, details(4, "Binta"))
    assert members.next_number(group) == 5
    with pytest.raises(DomainError) as refused:
        members.add_member(admin, group, details(4, "Coumba"))
    assert refused.value.field == "number"
    assert refused.value.params == {"number": 4, "name": "Binta", "free": 5}
    assert Member.select().where(Member.full_name == "Coumba").count() == 0
    assert members.add_member(admin, other, details(4, "Coumba")).number == 4


def test_an_archived_group_takes_no_new_member(conn, admin, make_group):
    group = make_group()
    SavingsGroup.update(archived_at=utcnow()).where(SavingsGroup.id == group.id).execute()
    group = SavingsGroup.get_by_id(group.id)
    with pytest.raises(DomainError, match="archived"):
        members.add_member(admin, group, details())
    assert Member.select().count() == 0


def test_an_edit_records_exactly_what_changed(conn, admin, make_group):
    group = make_group()
    member = members.add_member(admin, group, details(1, "Fanta Camara"))
    members.add_member(admin, group, details(2, "Kadiatou"))
    changed = members.update_member(
        admin, member, details(3, "Fanta Camara", "other", phone="620 00 00 00")
    )
    assert changed == {
        "number": [1, 3],
        "member_type": ["returnee", "other"],
        "phone": ["", "620 00 00 00"],
    }
    entry = AuditEntry.get(AuditEntry.action == "member.update")
    assert json.loads(entry.details) == changed
    assert Member.get_by_id(member.id).number == 3
    # The same details again: nothing changed, nothing recorded.
    assert (
        members.update_member(
            admin, member, details(3, "Fanta Camara", "other", phone="620 00 00 00")
        )
        == {}
    )
    assert AuditEntry.select().where(AuditEntry.action == "member.update").count() == 1


def test_an_edit_to_a_number_already_taken_is_refused_and_changes_nothing(conn, admin, make_group):
    group = make_group()
    member = members.add_member(admin, group, details(1, "Fanta"))
    members.add_member(admin, group, details(2, "Kadiatou"))
    with pytest.raises(DomainError) as refused:
        members.update_member(admin, member, details(2, "Fanta Keïta"))
    assert refused.value.field == "number"
    fresh = Member.get_by_id(member.id)
    assert (fresh.number, fresh.full_name) == (1, "Fanta")
    assert AuditEntry.select().where(AuditEntry.action == "member.update").count() == 0


def test_a_departure_keeps_the_member_in_history(conn, admin, make_group):
    group = make_group()
    awa = members.add_member(admin, group, details(1, "Awa", joined_on=date(2026, 1, 10)))
    binta = members.add_member(admin, group, details(2, "Binta", joined_on=date(2026, 3, 1)))
    members.record_departure(admin, awa, date(2026, 6, 30), "  moved to  Conakry ")
    awa = Member.get_by_id(awa.id)
    assert (awa.left_on, awa.left_reason) == (date(2026, 6, 30), "moved to Conakry")
    assert [m.id for m in members.current_members(group)] == [binta.id]
    assert [m.id for m in members.current_members(group, on=date(2026, 2, 1))] == [awa.id]
    on_the_eve = members.current_members(group, on=date(2026, 6, 29))
    assert [m.id for m in on_the_eve] == [awa.id, binta.id]
    assert [m.id for m in members.current_members(group, on=date(2026, 6, 30))] == [binta.id]
    current, left = members.members_of(group)
    assert ([m.id for m in current], [m.id for m in left]) == ([binta.id], [awa.id])
    entry = AuditEntry.get(AuditEntry.action == "member.leave")
    assert json.loads(entry.details) == {
        "left_on": [None, "2026-06-30"],
        "left_reason": ["", "moved to Conakry"],
    }


@pytest.mark.parametrize(
    "left_on, reason, field",
    [
        (None, "moved", "left_on"),
        (date(2026, 1, 9), "moved", "left_on"),
        (date(2026, 5, 1), " ", "reason"),
    ],
)
def test_a_bad_departure_is_refused_and_changes_nothing(
    conn, admin, make_group, left_on, reason, field
):
    group = make_group()
    awa = members.add_member(admin, group, details(1, "Awa", joined_on=date(2026, 1, 10)))
    with pytest.raises(DomainError) as refused:
        members.record_departure(admin, awa, left_on, reason)
    assert refused.value.field == field
    assert Member.get_by_id(awa.id).left_on is None
    assert AuditEntry.select().where(AuditEntry.action == "member.leave").count() == 0


def test_the_date_joined_cannot_move_after_the_departure(conn, admin, make_group):
    group = make_group()
    awa = members.add_member(admin, group, details(1, "Awa", joined_on=date(2026, 1, 10)))
    members.record_departure(admin, awa, date(2026, 3, 1), "moved")
    with pytest.raises(DomainError) as refused:
        members.update_member(admin, awa, details(1, "Awa", joined_on=date(2026, 4, 1)))
    assert refused.value.field == "joined_on"


# Pages


@pytest.fixture
def fatou(make_user, make_group):
    group = make_group("Femmes de Kankan")
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    return group


def test_the_list_shows_current_members_first_and_those_who_left_apart(
    web, admin, fatou, make_member
):
    make_member(fatou, "Zeinab", left_on=date(2026, 5, 1), left_reason="moved away")
    make_member(fatou, "Awa")
    make_member(fatou, "عائشة", member_type="community")
    web.login("fatou")
    page = web.client.get(f"/groups/{fatou.id}/members").get_data(as_text=True)
    assert page.index("Awa") < page.index("عائشة") < page.index("Members who have left")
    assert page.index("Members who have left") < page.index("Zeinab") < page.index("moved away")
    assert "Community member" in page and "Returnee" in page and "Woman" in page


def test_the_list_issues_a_bounded_number_of_queries(web, admin, fatou, make_member):
    for _ in range(40):
        make_member(fatou)
    web.login("fatou")
    with db.connection_context(), count_queries() as counter:
        assert web.client.get(f"/groups/{fatou.id}/members").status_code == 200
    assert 0 < counter.count <= 8, counter.count


def test_a_facilitator_adds_a_member_through_the_form(web, admin, fatou, make_member):
    make_member(fatou, "Awa")
    web.login("fatou")
    path = f"/groups/{fatou.id}/members/new"
    form = web.client.get(path).get_data(as_text=True)
    assert re.search(r'name="number"[^>]*value="2"', form)
    response = web.post(
        path,
        {
            "number": "2",
            "full_name": "Mariama Bâ",
            "member_type": "returnee",
            "gender": "female",
            "birth_year": "",
            "phone": "",
            "group_role": "key_holder",
            "joined_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    with db.connection_context():
        member = Member.get(Member.full_name == "Mariama Bâ")
    assert (member.number, member.group_role, member.birth_year) == (2, "key_holder", None)


def test_a_number_already_taken_comes_back_with_a_message_next_to_it(
    web, admin, fatou, make_member
):
    make_member(fatou, "Awa")
    web.login("fatou")
    path = f"/groups/{fatou.id}/members/new"
    response = web.post(
        path,
        {
            "number": "1",
            "full_name": "Binta",
            "member_type": "returnee",
            "gender": "female",
            "group_role": "member",
            "joined_on": "2026-03-02",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="number-error"' in page and "already taken by Awa" in page
    response = web.post(
        path,
        {
            "number": "2",
            "full_name": "Binta",
            "member_type": "",
            "gender": "female",
            "group_role": "member",
            "joined_on": "2026-03-02",
        },
    )
    assert response.status_code == 422
    assert 'id="member_type-error"' in response.get_data(as_text=True)
    with db.connection_context():
        assert Member.select().where(Member.group == fatou).count() == 1


def test_a_member_of_another_group_is_not_found(web, admin, fatou, make_group, make_member):
    stranger = make_member(make_group("Other"), "Stranger")
    web.login("fatou")
    for action in ("edit", "leave"):
        path = f"/groups/{fatou.id}/members/{stranger.id}/{action}"
        assert web.client.get(path).status_code == 404


def test_a_member_is_edited_and_leaves_through_the_pages(web, admin, fatou, make_member):
    awa = make_member(fatou, "Awa", joined_on=date(2026, 1, 10))
    web.login("fatou")
    edit = f"/groups/{fatou.id}/members/{awa.id}/edit"
    assert "Awa" in web.client.get(edit).get_data(as_text=True)
    data = {
        "number": "1",
        "full_name": "Awa Sylla",
        "member_type": "returnee",
        "gender": "female",
        "group_role": "chair",
        "joined_on": "2026-01-10",
    }
    assert web.post(edit, data).status_code == 302
    leave = f"/groups/{fatou.id}/members/{awa.id}/leave"
    bad = web.post(leave, {"left_on": "2025-12-31", "reason": "moved"})
    assert bad.status_code == 422
    assert web.post(leave, {"left_on": "2026-06-01", "reason": "moved"}).status_code == 302
    with db.connection_context():
        awa = Member.get_by_id(awa.id)
    assert (awa.full_name, awa.group_role, awa.left_on) == ("Awa Sylla", "chair", date(2026, 6, 1))


def test_an_archived_group_says_it_takes_no_new_member(web, admin, fatou):
    with db.connection_context():
        SavingsGroup.update(archived_at=utcnow()).where(SavingsGroup.id == fatou.id).execute()
    web.login("fatou")
    response = web.client.get(f"/groups/{fatou.id}/members/new", follow_redirects=True)
    assert "archived: it takes no new members" in response.get_data(as_text=True)
    response = web.post(
        f"/groups/{fatou.id}/members/new",
        {
            "number": "1",
            "full_name": "Binta",
            "member_type": "returnee",
            "gender": "female",
            "group_role": "member",
            "joined_on": "2026-03-02",
        },
        form_path="/account",
    )
    assert response.status_code == 302
    with db.connection_context():
        assert Member.select().count() == 0
