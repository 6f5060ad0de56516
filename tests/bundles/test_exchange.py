"""Export and import of group bundles between a laptop and the organization's server."""

from datetime import timedelta

import pytest

from savings_groups.bundles import operations, reports
from savings_groups.bundles.tables import NOT_EXPORTED, PARENT
from savings_groups.core.vocabulary import Role
from savings_groups.groups import members as member_ops
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.org import access
from savings_groups.store.models import (
    ALL_MODELS,
    AuditEntry,
    Entry,
    Meeting,
    Member,
    MemberPhoto,
    SavingsGroup,
    User,
)
from tests.bundles.helpers import content, figures, snapshot


def export(laptop, *groups):
    return operations.export_groups([g.id for g in groups], laptop.instance, by="admin")


def close_draft(admin, draft):
    """Close the laptop's draft meeting (with its loans) as the recorder would."""
    draft = Meeting.get_by_id(draft.id)
    people = list(Member.select().where(Member.group == draft.group).order_by(Member.number))
    sheet = MeetingSheet([MemberLine(p.id, shares=2, social_fund=100) for p in people])
    computed = meetings.preview(draft, sheet)
    meetings.close_meeting(admin, draft, sheet, dict(computed), "", draft.version)


def test_every_table_of_a_group_travels():
    """A new table tied to a group must be added to the bundle (or said not to travel)."""
    for model in ALL_MODELS:
        assert model in PARENT or model in NOT_EXPORTED, f"{model.__name__}: in bundles or not?"
    for model in NOT_EXPORTED:
        tied = [f for f in model._meta.refs if f.rel_model in PARENT and f.rel_model is not User]
        assert (
            model
            in {m for m in NOT_EXPORTED if m.__name__ in {"GroupAssignment", "BundleExchange"}}
            or not tied
        ), model.__name__


def test_round_trip_gives_the_same_books(laptop, server, books, admin):
    (group, _cycle, people, *_), (tontine, _rotation) = books
    photo = b"\x89PNG\r\n\x1a\n not really a picture \x00\xff"
    MemberPhoto.create(member=people[0], content_type="image/png", data=photo, uploaded_by=admin)
    first = export(laptop, group, tontine)
    with laptop.active():
        origin = {name: figures(name) for name in ("Benkadi", "Tontine")}
    with server.active():
        result = operations.import_bundle(server.admin, first, server.instance)
        assert [g.name for g in result.groups] == ["Benkadi", "Tontine"]
        assert all(g.new for g in result.groups)
        assert (
            result.groups[0].added["entry"]
            == Entry.select().where(Entry.group == result.groups[0].group_id).count()
            > 0
        )
        again = operations.export_groups(
            [g.group_id for g in result.groups], server.instance, by="boss"
        )
        copied = {name: figures(name) for name in ("Benkadi", "Tontine")}
        assert bytes(MemberPhoto.get().data) == photo
        me = reports_instance()
        # Who recorded what: kept by name, on accounts that cannot log in.
        authors = User.select().where(User.password_hash == "!")
        assert [(u.full_name, u.is_active) for u in authors] == [("Awa Admin", False)]
    assert content(again, leave_out_instance=me) == content(first)
    assert copied == origin
    assert origin["Benkadi"]["balances"]["loan_fund"] > 0


def reports_instance() -> str:
    from savings_groups.bundles.identity import identity

    return identity().instance


def test_importing_the_same_bundle_twice_changes_nothing(laptop, server, books):
    (group, *_), _rosca = books
    data = export(laptop, group)
    with server.active():
        operations.import_bundle(server.admin, data, server.instance)
        before = snapshot()
        result = operations.import_bundle(server.admin, data, server.instance)
        assert snapshot() == before
        assert [g.changed for g in result.groups] == [False]


def test_a_newer_bundle_adds_only_what_is_new(laptop, server, books, admin):
    (group, _cycle, people, draft, _times), _rosca = books
    first = export(laptop, group)
    exported_entries = Entry.select().count()
    with server.active():
        operations.import_bundle(server.admin, first, server.instance)
        before = snapshot()
    close_draft(admin, draft)
    member = Member.get_by_id(people[0].id)
    details = member_ops.MemberDetails(
        member.number,
        member.full_name,
        member.member_type,
        member.gender,
        None,
        "77 123 45 67",
        member.group_role,
        member.joined_on,
    )
    member_ops.update_member(admin, member, details)
    new_entries = Entry.select().count() - exported_entries
    second = export(laptop, group)
    with laptop.active():
        origin = figures("Benkadi")
    with server.active():
        result = operations.import_bundle(server.admin, second, server.instance)
        (imported,) = result.groups
        assert not imported.new
        assert imported.added["entry"] == new_entries
        assert imported.updated["meeting"] == 1  # the draft, now closed
        assert imported.updated["member"] == 1
        assert "savings_group" not in imported.added
        after = snapshot()
        assert after["entry"] == before["entry"] + new_entries
        assert after["member"] == before["member"]
        closed = Meeting.get(Meeting.held_on == draft.held_on)
        assert closed.status == "closed"
        assert Member.get(Member.number == member.number).phone == "77 123 45 67"
        assert figures("Benkadi") == origin
        # importing the first bundle now: older, refused
        with pytest.raises(operations.BundleRefused, match="older than the one already imported"):
            operations.import_bundle(server.admin, first, server.instance)
        assert snapshot() == after


def test_a_dry_run_says_what_would_be_added_and_writes_nothing(laptop, server, books):
    (group, *_), _rosca = books
    data = export(laptop, group)
    with server.active():
        before = snapshot()
        result = operations.import_bundle(server.admin, data, server.instance, dry_run=True)
        assert result.dry_run and result.groups[0].new and result.groups[0].added["member"] == 5
        assert snapshot() == before


def test_a_group_changed_on_both_sides_is_refused(laptop, server, books, admin):
    (group, _cycle, people, draft, _t), _rosca = books
    first = export(laptop, group)
    with server.active():
        operations.import_bundle(server.admin, first, server.instance)
        there = Member.get(Member.number == 2)
        details = member_ops.MemberDetails(
            2,
            "Changed On The Server",
            there.member_type,
            there.gender,
            None,
            "",
            there.group_role,
            there.joined_on,
        )
        member_ops.update_member(server.admin, there, details)
    close_draft(admin, draft)
    newer = export(laptop, group)
    with server.active():
        before = snapshot()
        with pytest.raises(operations.BundleRefused, match="changed here and on the laptop"):
            operations.import_bundle(server.admin, newer, server.instance)
        assert snapshot() == before
        assert Meeting.get(Meeting.held_on == draft.held_on).status == "draft"


def test_the_server_records_each_import_and_the_laptop_each_export(laptop, server, books, admin):
    (group, _cycle, _people, draft, _t), _rosca = books
    with laptop.active():
        assert reports.pending([group.id])[group.id].closed_meetings == 3
    data = export(laptop, group)
    with laptop.active():
        status = reports.pending([group.id])[group.id]
        assert (status.closed_meetings, status.entries) == (0, 0)
        assert status.last_export is not None
    close_draft(admin, draft)
    with laptop.active():
        status = reports.pending([group.id])[group.id]
        assert status.closed_meetings == 1 and status.entries > 0
    with server.active():
        operations.import_bundle(server.admin, data, server.instance)
        (brought,) = reports.brought([g.id for g in SavingsGroup.select()])
        assert brought.group_name == "Benkadi" and brought.by == "boss" and brought.sequence == 1
        assert brought.counts == {
            "closed_meetings": 3,
            "entries": brought.counts["entries"],
            "members": 5,
            "last_meeting": (draft.held_on - timedelta(days=7)).isoformat(),
        }
        assert AuditEntry.select().where(AuditEntry.action == "bundle.import").count() == 1


def test_a_meeting_reopened_and_closed_again_travels_with_its_new_attendance(
    laptop, server, books, admin
):
    """Closing rewrites a meeting's attendance and cash counts: the rows the bundle no longer
    has go, the new ones come; the sheet kept with the meeting names the server's members."""
    (group, _cycle, _people, _draft, _t), _rosca = books
    first_meeting = (
        Meeting.select()
        .where((Meeting.group == group) & (Meeting.status == "closed"))
        .order_by(Meeting.held_on.desc())
        .get()
    )
    first = export(laptop, group)
    with server.active():
        operations.import_bundle(server.admin, first, server.instance)
    meetings.reopen_meeting(admin, first_meeting, "Awa was late, not present")
    reopened = Meeting.get_by_id(first_meeting.id)
    people = list(Member.select().where(Member.group == group).order_by(Member.number))
    lines = [
        MemberLine(
            p.id,
            attendance="late" if p.number == 1 else "present",
            shares=1 + p.number % 5,
            social_fund=100,
        )
        for p in people
    ]
    sheet = MeetingSheet(lines)
    computed = meetings.preview(reopened, sheet)
    meetings.close_meeting(admin, reopened, sheet, dict(computed), "", reopened.version)
    second = export(laptop, group)
    with server.active():
        result = operations.import_bundle(server.admin, second, server.instance)
        (imported,) = result.groups
        # PostgreSQL gives the rewritten rows new ids (5 removed, 5 added); SQLite may give
        # them the ids they had (the row that changed is updated)
        assert imported.removed.get("attendance", 0) == imported.added.get("attendance", 0)
        assert imported.updated["meeting"] == 1
        there = Meeting.get(Meeting.held_on == first_meeting.held_on)
        states = {a.member.number: a.status for a in there.attendance}
        assert states == {1: "late", 2: "present", 3: "present", 4: "present", 5: "present"}
        members_there = {m.id for m in Member.select()}
        from savings_groups.meetings.sheet import stored_sheet

        assert {line.member_id for line in stored_sheet(there).lines} == members_there
        assert figures("Benkadi")["balances"] == laptop_balances(laptop)


def laptop_balances(laptop):
    with laptop.active():
        return figures("Benkadi")["balances"]


def test_a_facilitator_imports_new_groups_and_only_updates_their_own(
    laptop, server, books, admin, policy
):
    from savings_groups.org import accounts
    from tests.conftest import PASSWORD

    (group, _cycle, _people, draft, _t), (tontine, _r) = books
    first = export(laptop, group)
    with server.active():
        fatou = accounts.create_user(
            server.admin, "fatou", "Fatou", Role.FACILITATOR, PASSWORD, "fr", policy
        )
        (imported,) = operations.import_bundle(fatou, first, server.instance).groups
        assert [g.name for g in access.visible_groups(fatou)] == ["Benkadi"]
        awa = accounts.create_user(
            server.admin, "awa", "Awa", Role.FACILITATOR, PASSWORD, "fr", policy
        )
    close_draft(admin, draft)
    newer = export(laptop, group)
    with server.active():
        recorder = accounts.create_user(
            server.admin, "rita", "Rita", Role.RECORDER, PASSWORD, "fr", policy
        )
        before = snapshot()
        with pytest.raises(operations.BundleRefused, match="not assigned to you"):
            operations.import_bundle(awa, newer, server.instance)
        with pytest.raises(operations.BundleRefused, match="may not add groups"):
            operations.import_bundle(recorder, export_of(laptop, tontine), server.instance)
        assert snapshot() == before
        operations.import_bundle(fatou, newer, server.instance)
        assert Meeting.get(Meeting.held_on == draft.held_on).status == "closed"


def export_of(laptop, group):
    with laptop.active():
        return export(laptop, group)
