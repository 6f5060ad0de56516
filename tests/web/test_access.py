"""Every role against every view: 404 for a group one may not see, 403 for an action one may not do."""

import pytest

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans import requests as loan_requests
from savings_groups.store.db import db
from savings_groups.store.models import Meeting, Member

ROLES = [Role.ADMIN, Role.FACILITATOR, Role.RECORDER, Role.VIEWER]
OK, FORBIDDEN, MISSING = 200, 403, 404

# (method, path, endpoint, expected status for admin, facilitator, recorder, viewer).
# {mine} is a group assigned to the user, {other} one that is not, {user} another account.
MATRIX = [
    ("GET", "/", "groups.index", (OK, OK, OK, OK)),
    ("GET", "/oversight/groups", "oversight.groups", (OK, OK, OK, OK)),
    ("GET", "/oversight/trends", "oversight.trends", (OK, OK, OK, OK)),
    ("GET", "/dashboard", "dashboard.index", (OK, OK, FORBIDDEN, OK)),
    ("GET", "/dashboard/export.csv", "dashboard.export_table", (OK, OK, FORBIDDEN, OK)),
    ("GET", "/dashboard/quarters", "dashboard.quarters", (OK, OK, FORBIDDEN, OK)),
    ("POST", "/dashboard/quarters", "dashboard.quarters", (302, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/new", "groups.new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{mine}", "groups.show", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}", "groups.show", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/edit", "groups.edit", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{other}/edit", "groups.edit", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/999999", "groups.show", (MISSING, MISSING, MISSING, MISSING)),
    ("GET", "/account", "auth.account", (OK, OK, OK, OK)),
    ("GET", "/admin/users", "admin.users", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/admin/users/new", "admin.new_user", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/admin/users/{user}", "admin.edit_user", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    (
        "POST",
        "/admin/users/{user}/password",
        "admin.reset_password",
        (422, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/admin/users/{user}/active",
        "admin.set_active",
        (302, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    ("POST", "/admin/users/{user}/unlock", "admin.unlock", (302, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/admin/organization", "admin.organization", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/admin/languages", "admin.languages", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    # The audit log moved to /audit: the old address sends administrators there.
    ("GET", "/admin/audit", "admin.audit_log", (302, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/audit", "audit.index", (OK, OK, FORBIDDEN, FORBIDDEN)),
    # Another group's actions: the filter is ignored with a message, never a 404 or a leak.
    ("GET", "/audit?group={other}", "audit.index", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/audit/check", "audit.check", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("POST", "/audit/check", "audit.check", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("GET", "/admin/backups/", "backups.index", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("POST", "/admin/backups/", "backups.back_up_now", (302, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    (
        "GET",
        "/admin/backups/x.sqlite3",
        "backups.download",
        (MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    ("POST", "/groups/new", "groups.new", (422, 422, FORBIDDEN, FORBIDDEN)),
    # An edit form posted without fields keeps the group's values (WTForms): saved, redirected.
    ("POST", "/groups/{mine}/edit", "groups.edit", (302, 302, FORBIDDEN, FORBIDDEN)),
    ("POST", "/groups/{other}/edit", "groups.edit", (302, MISSING, MISSING, MISSING)),
    # members: rows for the members pages
    ("GET", "/groups/{mine}/members", "members.index", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/members", "members.index", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/members/new", "members.new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{other}/members/new", "members.new", (OK, MISSING, MISSING, MISSING)),
    ("POST", "/groups/{mine}/members/new", "members.new", (422, 422, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{mine}/members/999999/edit", "members.edit", (404, 404, FORBIDDEN, FORBIDDEN)),
    (
        "GET",
        "/groups/{mine}/members/999999/leave",
        "members.leave",
        (404, 404, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/members/999999/edit",
        "members.edit",
        (404, MISSING, MISSING, MISSING),
    ),
    ("GET", "/groups/{mine}/opening", "members.opening", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{other}/opening", "members.opening", (OK, MISSING, MISSING, MISSING)),
    # {mine} has an open cycle: an empty opening form comes back with its errors.
    ("POST", "/groups/{mine}/opening", "members.opening", (422, 422, FORBIDDEN, FORBIDDEN)),
    # cycles: rows for the cycles and rules pages
    ("GET", "/groups/{mine}/cycles", "cycles.index", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/cycles", "cycles.index", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/cycles/new", "cycles.new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{other}/cycles/new", "cycles.new", (OK, MISSING, MISSING, MISSING)),
    ("POST", "/groups/{mine}/cycles/new", "cycles.new", (422, 422, FORBIDDEN, FORBIDDEN)),
    # Every role that sees the group reads a cycle's rules; only editors change them.
    ("GET", "/groups/{mine}/cycles/999999/rules", "cycles.rules", (404, 404, 404, 404)),
    (
        "POST",
        "/groups/{mine}/cycles/999999/rules",
        "cycles.rules",
        (404, 404, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/cycles/999999/rules",
        "cycles.rules",
        (404, MISSING, MISSING, MISSING),
    ),
    # An archive form posted without fields asks to un-archive a group that is not archived.
    ("POST", "/groups/{mine}/archive", "groups.archive", (302, 302, FORBIDDEN, FORBIDDEN)),
    ("POST", "/groups/{other}/archive", "groups.archive", (302, MISSING, MISSING, MISSING)),
    # cards: member cards, photos and scan to find ({member}: a current member of {mine})
    ("GET", "/groups/{mine}/cards", "cards.sheet", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{other}/cards", "cards.sheet", (OK, MISSING, MISSING, MISSING)),
    (
        "POST",
        "/groups/{mine}/members/{member}/card",
        "cards.reissue",
        (302, 302, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{other}/members/{member}/card",
        "cards.reissue",
        (404, MISSING, MISSING, MISSING),
    ),
    # No photo yet: 404 to whoever may see one.
    (
        "GET",
        "/groups/{mine}/members/{member}/photo",
        "cards.photo",
        (404, 404, FORBIDDEN, FORBIDDEN),
    ),
    # No file sent: told so, back to the member's page.
    (
        "POST",
        "/groups/{mine}/members/{member}/photo",
        "cards.change_photo",
        (302, 302, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{other}/members/{member}/photo",
        "cards.change_photo",
        (404, MISSING, MISSING, MISSING),
    ),
    # No code scanned: told so, back to the page (anyone who sees the group may scan).
    ("GET", "/groups/{mine}/cards/find", "cards.find", (302, 302, 302, 302)),
    (
        "GET",
        "/groups/{mine}/cards/find?to=grid&meeting={meeting}",
        "cards.find",
        (302, 302, 302, 302),
    ),
    ("GET", "/groups/{other}/cards/find", "cards.find", (302, MISSING, MISSING, MISSING)),
    (
        "GET",
        "/groups/{other}/cards/find?to=grid&meeting={meeting}",
        "cards.find",
        (404, MISSING, MISSING, MISSING),
    ),
    # meetings: rows for the meeting pages ({meeting}: a draft meeting of {mine})
    ("GET", "/groups/{mine}/meetings", "meetings.index", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/meetings", "meetings.index", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/meetings/new", "meetings.new", (OK, OK, OK, FORBIDDEN)),
    ("GET", "/groups/{other}/meetings/new", "meetings.new", (OK, MISSING, MISSING, MISSING)),
    ("POST", "/groups/{mine}/meetings/new", "meetings.new", (422, 422, 422, FORBIDDEN)),
    ("GET", "/groups/{mine}/meetings/{meeting}", "meetings.edit", (OK, OK, OK, OK)),
    (
        "GET",
        "/groups/{other}/meetings/{meeting}",
        "meetings.edit",
        (404, MISSING, MISSING, MISSING),
    ),
    ("POST", "/groups/{mine}/meetings/{meeting}", "meetings.edit", (422, 422, 422, FORBIDDEN)),
    # Reopening a meeting that is not closed: refused with a message, back to the meeting.
    (
        "POST",
        "/groups/{mine}/meetings/{meeting}/reopen",
        "meetings.reopen",
        (302, 302, FORBIDDEN, FORBIDDEN),
    ),
    ("GET", "/groups/{mine}/meetings/{meeting}/loan", "meetings.loan", (OK, OK, OK, FORBIDDEN)),
    (
        "GET",
        "/groups/{other}/meetings/{meeting}/loan",
        "meetings.loan",
        (404, MISSING, MISSING, MISSING),
    ),
    ("POST", "/groups/{mine}/meetings/{meeting}/loan", "meetings.loan", (422, 422, 422, FORBIDDEN)),
    ("GET", "/groups/{mine}/meetings/{meeting}/summary", "meetings.summary", (OK, OK, OK, OK)),
    (
        "GET",
        "/groups/{other}/meetings/{meeting}/summary",
        "meetings.summary",
        (404, MISSING, MISSING, MISSING),
    ),
    ("GET", "/groups/{mine}/meetings/{meeting}/receipts", "meetings.receipts", (OK, OK, OK, OK)),
    ("GET", "/groups/{mine}/meetings/999999/receipts", "meetings.receipts", (404, 404, 404, 404)),
    ("GET", "/groups/{mine}/meetings/{meeting}/texts", "receipts.texts", (OK, OK, OK, OK)),
    ("GET", "/groups/{mine}/meetings/999999/texts", "receipts.texts", (404, 404, 404, 404)),
    (
        "GET",
        "/groups/{other}/meetings/{meeting}/texts",
        "receipts.texts",
        (404, MISSING, MISSING, MISSING),
    ),
    # ledger: rows for the history, corrections and passbooks
    ("GET", "/groups/{mine}/ledger", "ledger.history", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/ledger", "ledger.history", (OK, MISSING, MISSING, MISSING)),
    (
        "GET",
        "/groups/{mine}/ledger/999999/correct",
        "ledger.correct",
        (404, 404, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{mine}/ledger/999999/correct",
        "ledger.correct",
        (404, 404, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/ledger/999999/correct",
        "ledger.correct",
        (404, MISSING, MISSING, MISSING),
    ),
    ("GET", "/groups/{mine}/members/999999/passbook", "ledger.passbook", (404, 404, 404, 404)),
    (
        "GET",
        "/groups/{other}/members/999999/passbook",
        "ledger.passbook",
        (404, MISSING, MISSING, MISSING),
    ),
    # loans: rows for the loan pages ({loan}: a loan of {mine}, being repaid)
    ("GET", "/groups/{mine}/loans", "loans.index", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/loans", "loans.index", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/loans/{loan}", "loans.show", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/loans/{loan}", "loans.show", (404, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/loans/999999", "loans.show", (404, 404, 404, 404)),
    ("GET", "/groups/{mine}/loans/{loan}/agreement", "loans.agreement", (OK, OK, OK, OK)),
    (
        "GET",
        "/groups/{other}/loans/{loan}/agreement",
        "loans.agreement",
        (404, MISSING, MISSING, MISSING),
    ),
    ("GET", "/groups/{mine}/loans/due", "loans.due", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/loans/due", "loans.due", (OK, MISSING, MISSING, MISSING)),
    (
        "GET",
        "/groups/{mine}/loans/{loan}/write-off",
        "loans.write_off",
        (OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/loans/{loan}/write-off",
        "loans.write_off",
        (404, MISSING, MISSING, MISSING),
    ),
    # Posted without a reason: refused, nothing written.
    (
        "POST",
        "/groups/{mine}/loans/{loan}/write-off",
        "loans.write_off",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{mine}/loans/{loan}/reschedule",
        "loans.reschedule",
        (OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{mine}/loans/{loan}/reschedule",
        "loans.reschedule",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/loans/{loan}/reschedule",
        "loans.reschedule",
        (404, MISSING, MISSING, MISSING),
    ),
    # shareout: rows for the share-out pages
    ("GET", "/groups/{mine}/share-out", "shareout.preview", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/share-out", "shareout.preview", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/share-out?cycle=999999", "shareout.preview", (404, 404, 404, 404)),
    # Posted without the confirmation: refused, nothing written.
    ("POST", "/groups/{mine}/share-out", "shareout.finalise", (422, 422, 422, FORBIDDEN)),
    ("POST", "/groups/{other}/share-out", "shareout.finalise", (422, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/share-out/sheet", "shareout.sheet", (OK, OK, OK, OK)),
    # {other} has no cycle: no paper to print.
    ("GET", "/groups/{other}/share-out/sheet", "shareout.sheet", (404, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{mine}/share-out/slips", "shareout.slips", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/share-out/slips", "shareout.slips", (404, MISSING, MISSING, MISSING)),
    # exits: rows for member exits and the next cycle ({member}: the borrower of {loan})
    ("GET", "/groups/{mine}/members/{member}/exit", "members.exit_page", (OK, OK, OK, FORBIDDEN)),
    (
        "GET",
        "/groups/{other}/members/{member}/exit",
        "members.exit_page",
        (404, MISSING, MISSING, MISSING),
    ),
    # Posted without a date: refused next to the field, nothing written.
    (
        "POST",
        "/groups/{mine}/members/{member}/exit",
        "members.exit_page",
        (422, 422, 422, FORBIDDEN),
    ),
    # {cycle} is open, not shared out: the page says so; posted, it is refused.
    (
        "GET",
        "/groups/{mine}/cycles/{cycle}/next",
        "cycles.next_cycle_page",
        (OK, OK, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{mine}/cycles/{cycle}/next",
        "cycles.next_cycle_page",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/cycles/{cycle}/next",
        "cycles.next_cycle_page",
        (404, MISSING, MISSING, MISSING),
    ),
    # rotations: rows for the ROSCA setup pages
    ("GET", "/groups/{rosca}/rotations", "rotations.index", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/rotations", "rotations.index", (OK, MISSING, MISSING, MISSING)),
    ("GET", "/groups/{rosca}/rotations/new", "rotations.new", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("POST", "/groups/{rosca}/rotations/new", "rotations.new", (422, 422, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{rosca}/rotations/{rotation}/hands", "rotations.hands", (OK, OK, OK, OK)),
    ("GET", "/groups/{mine}/rotations/{rotation}/hands", "rotations.hands", (404, 404, 404, 404)),
    # {rotation} has started: a change is refused with its message (422)
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/hands",
        "rotations.hands",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    ("GET", "/groups/{rosca}/rotations/{rotation}/order", "rotations.order", (OK, OK, OK, OK)),
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/order",
        "rotations.order",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/start",
        "rotations.start",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    # rotation changes: a turn swapped, the rule for what stays in the pot, the end
    ("GET", "/groups/{rosca}/rotations/{rotation}/swap", "rotations.swap", (OK, OK, OK, OK)),
    ("GET", "/groups/{mine}/rotations/{rotation}/swap", "rotations.swap", (404, 404, 404, 404)),
    # Posted without hands: refused with its message (422).
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/swap",
        "rotations.swap",
        (422, 422, 422, FORBIDDEN),
    ),
    # {rotation} has started: its rule is fixed (422).
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/end-rule",
        "rotations.end_rule",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    ("GET", "/groups/{rosca}/rotations/{rotation}/end", "rotations.end", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/rotations/{rotation}/end", "rotations.end", (404, 404, 404, 404)),
    # {rotation} is not finished: refused with its message (422).
    ("POST", "/groups/{rosca}/rotations/{rotation}/end", "rotations.end", (422, 422, 422, 403)),
    # a tontine member's passbook
    (
        "GET",
        "/groups/{rosca}/members/{holder}/passbook",
        "ledger.passbook",
        (OK, OK, OK, OK),
    ),
    # rounds: rows for the ROSCA round pages
    ("GET", "/groups/{rosca}/rotations/{rotation}", "rosca_rounds.show", (OK, OK, OK, OK)),
    ("GET", "/groups/{mine}/rotations/{rotation}", "rosca_rounds.show", (404, 404, 404, 404)),
    (
        "GET",
        "/groups/{other}/rotations/{rotation}",
        "rosca_rounds.show",
        (404, MISSING, MISSING, MISSING),
    ),
    (
        "GET",
        "/groups/{rosca}/rotations/{rotation}/schedule",
        "rosca_rounds.schedule",
        (OK, OK, OK, OK),
    ),
    (
        "GET",
        "/groups/{rosca}/rotations/{rotation}/rounds/1",
        "rosca_rounds.round",
        (OK, OK, OK, OK),
    ),
    (
        "GET",
        "/groups/{rosca}/rotations/{rotation}/rounds/99",
        "rosca_rounds.round",
        (404, 404, 404, 404),
    ),
    # Posted without any line: nothing to record, back to the round.
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/rounds/1",
        "rosca_rounds.round",
        (302, 302, 302, FORBIDDEN),
    ),
    # {rotation} is not a rotation of {mine}: not found.
    (
        "POST",
        "/groups/{mine}/rotations/{rotation}/rounds/1",
        "rosca_rounds.round",
        (404, 404, 404, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{rosca}/rotations/{rotation}/rounds/1/receipt",
        "rosca_rounds.receipt",
        (OK, OK, OK, OK),
    ),
    (
        "GET",
        "/groups/{other}/rotations/{rotation}/rounds/1/receipt",
        "rosca_rounds.receipt",
        (404, MISSING, MISSING, MISSING),
    ),
    # Round 1 of {rotation} is not paid out: nothing to undo (422).
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/rounds/1/undo",
        "rosca_rounds.undo",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    # No debt chosen: refused next to the field (422).
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/repayments",
        "rosca_rounds.repay",
        (422, 422, 422, FORBIDDEN),
    ),
    # No repayment chosen: refused next to the field (422).
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/repayments/undo",
        "rosca_rounds.undo_repayment",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    (
        "POST",
        "/groups/{other}/rotations/{rotation}/repayments/undo",
        "rosca_rounds.undo_repayment",
        (404, MISSING, MISSING, MISSING),
    ),
    # Nothing given: no commission, saved (302).
    (
        "POST",
        "/groups/{rosca}/rotations/{rotation}/commission",
        "rosca_rounds.commission",
        (302, 302, FORBIDDEN, FORBIDDEN),
    ),
    # bundles: moving books between laptops, for those who manage groups (nothing posted: 422)
    ("GET", "/bundles/", "bundles.index", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("POST", "/bundles/export", "bundles.export", (422, 422, FORBIDDEN, FORBIDDEN)),
    ("POST", "/bundles/import", "bundles.import_bundle", (422, 422, FORBIDDEN, FORBIDDEN)),
    # practice groups: reset only a practice group (the world's groups are real ones: 404)
    ("GET", "/groups/{mine}/practice/reset", "practice.reset", (404, 404, FORBIDDEN, FORBIDDEN)),
    ("POST", "/groups/{mine}/practice/reset", "practice.reset", (404, 404, FORBIDDEN, FORBIDDEN)),
    ("GET", "/groups/{other}/practice/reset", "practice.reset", (404, 404, 404, 404)),
    ("POST", "/practice-groups/new", "practice.create", (302, 302, FORBIDDEN, FORBIDDEN)),
    # the group's decision on members' data: read by all who see the group, recorded by those
    # who manage it (nothing posted: 422)
    ("GET", "/groups/{mine}/consent", "consent.group_consent", (OK, OK, OK, OK)),
    ("GET", "/groups/{other}/consent", "consent.group_consent", (OK, MISSING, MISSING, MISSING)),
    ("POST", "/groups/{mine}/consent", "consent.group_consent", (422, 422, FORBIDDEN, FORBIDDEN)),
    # member exports: no consent recorded, so sent back to the decision's page (303)
    (
        "GET",
        "/groups/{mine}/export/members.csv",
        "consent.export_members",
        (303, 303, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{other}/export/ledger.xlsx",
        "consent.export_ledger",
        (303, MISSING, MISSING, MISSING),
    ),
    # a member's record for a lender: refused (403) without the member's own consent
    (
        "GET",
        "/groups/{mine}/members/{member}/lender-consent",
        "lender.member_consent",
        (OK, OK, OK, OK),
    ),
    (
        "POST",
        "/groups/{mine}/members/{member}/lender-consent",
        "lender.member_consent",
        (422, 422, FORBIDDEN, FORBIDDEN),
    ),
    (
        "GET",
        "/groups/{mine}/members/{member}/lender-record",
        "lender.record",
        (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    ("GET", "/admin/api-tokens/", "api_tokens.index", (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("POST", "/admin/api-tokens/", "api_tokens.index", (422, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    (
        "POST",
        "/admin/api-tokens/999/revoke",
        "api_tokens.revoke",
        (302, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
]
PUBLIC = {"auth.login", "auth.setup", "auth.language", "auth.logout", "auth.lock", "static"}
# Statements anyone can verify: public on purpose (tests/web/views/test_verify.py).
PUBLIC |= {"verify.form", "verify.show"}
# The JSON API answers to a bearer token, not a session (tests/api).
PUBLIC |= {
    "api.openapi",
    "api.groups",
    "api.group",
    "api.members",
    "api.indicators",
    "api.unknown",
}


# rotations: {rosca}, a ROSCA group assigned like {mine}, with {rotation}, a started rotation of
# 3 members (one whole hand each) in a fixed order.
def rosca_world(make_group, people) -> dict:
    from savings_groups.rosca import rotations
    from savings_groups.store.models import GroupAssignment

    rosca = make_group("Tontine", kind="rosca")
    with db.connection_context():
        for user in people.values():
            GroupAssignment.create(user=user, group=rosca)
        members = [
            Member.create(
                group=rosca,
                number=n,
                full_name=f"Holder {n}",
                member_type="community",
                joined_on=rosca.created_at.date(),
            )
            for n in (1, 2, 3)
        ]
        actor = people[Role.FACILITATOR]
        rotation = rotations.create_rotation(
            actor, rosca, rotations.RotationTerms(10_000, "weekly", "2026-03-02", "fixed")
        )
        rotations.set_hands(actor, rotation, [rotations.HandChoice(m.id, 1) for m in members])
        rotations.set_order(actor, rotation, {1: 2, 2: 3, 3: 1})
        rotations.start_rotation(actor, rotation)
    return {"rosca": rosca.id, "rotation": rotation.id, "holder": members[0].id}


@pytest.fixture
def world(make_user, make_group, make_cycle):
    mine, other = make_group("Mine"), make_group("Other")
    bystander = make_user("bystander", role=Role.VIEWER)
    people = {role: make_user(f"the-{role.value}", role=role, groups=[mine]) for role in ROLES[1:]}
    cycle = make_cycle(mine)  # meetings: a draft meeting of {mine}, in its open cycle
    with db.connection_context():
        meeting = Meeting.create(group=mine, cycle=cycle, held_on=cycle.start_date)
        # loans: {loan}, a loan of {mine} to a member who saved
        borrower = Member.create(
            group=mine,
            number=1,
            full_name="Borrower",
            member_type="returnee",
            joined_on=cycle.start_date,
        )
        ledger.post(
            people[Role.FACILITATOR],
            mine,
            Fund.LOAN_FUND,
            EntryKind.SHARE_PURCHASE,
            10_000,
            cycle=cycle,
            member=borrower,
            shares=10,
        )
        loan = lending.grant_loan(
            people[Role.FACILITATOR],
            mine,
            cycle,
            loan_requests.LoanRequest(borrower, 5_000, 2, "business"),
            cycle.start_date,
        )
    return {
        "mine": mine.id,
        "other": other.id,
        "user": bystander.id,
        "people": people,
        "meeting": meeting.id,
        "loan": loan.id,
        "member": borrower.id,
        "cycle": cycle.id,
        # rotations: ids of ROSCA objects for the matrix
        **rosca_world(make_group, people),
    }


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_access_matrix(web, admin, world, role):
    username = "admin" if role is Role.ADMIN else f"the-{role.value}"
    assert web.login(username).status_code == 302
    failures = []
    for method, template, _endpoint, expected in MATRIX:
        path = template.format(**world)
        want = expected[ROLES.index(role)]
        if method == "GET":
            got = web.client.get(path).status_code
        else:
            got = web.post(path, {}, form_path="/account").status_code
        if got != want:
            failures.append(f"{method} {path}: {got}, expected {want}")
    assert not failures, failures


def test_every_view_is_in_the_matrix(app):
    covered = {endpoint for _m, _p, endpoint, _e in MATRIX} | PUBLIC
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - covered == set()


def test_anonymous_visitors_are_sent_to_the_login_page(client, admin, world):
    for method, template, _endpoint, _expected in MATRIX:
        path = template.format(**world)
        response = client.open(path, method=method)
        if method == "GET":
            assert response.status_code == 302, path
            assert response.location.startswith("/login"), path
        else:
            assert response.status_code in (302, 400), path  # no session: CSRF or login


def test_a_deactivated_user_is_logged_out_at_the_next_request(web, app, admin, make_user):
    from savings_groups.org import accounts
    from savings_groups.store.db import db

    bob = make_user("bob", role=Role.VIEWER)
    assert web.login("bob").status_code == 302
    assert web.client.get("/").status_code == 200
    with db.connection_context():
        accounts.set_active(admin, bob, False)
    assert web.client.get("/").status_code == 302
