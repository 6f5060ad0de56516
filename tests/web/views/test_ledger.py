"""The ledger's pages: the money history, the correction screen, passbooks, the group page."""

import re
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.store.db import db
from savings_groups.store.models import Attendance, AuditEntry, Entry, Meeting


@pytest.fixture
def group_with_money(app, admin, make_group, make_member, make_cycle):
    """A group in XOF with a cycle, two members, a closed meeting and a few entries."""
    group = make_group("Kankan", currency="XOF")
    cycle = make_cycle(group)
    ada = make_member(group, "Ada Diallo")
    bea = make_member(group, "Béatrice Camara", member_type="community")
    with db.connection_context():
        meeting = Meeting.create(
            group=group, cycle=cycle, held_on=date(2026, 1, 12), status="closed"
        )
        Attendance.create(meeting=meeting, member=ada, status="present")
        Attendance.create(meeting=meeting, member=bea, status="absent")
        ledger.post(
            admin,
            group,
            Fund.LOAN_FUND,
            EntryKind.OPENING_BALANCE,
            5_000,
            cycle=cycle,
            member=ada,
            shares=5,
            note="paper book",
        )
        shares = ledger.post(
            admin,
            group,
            Fund.LOAN_FUND,
            EntryKind.SHARE_PURCHASE,
            3_000,
            cycle=cycle,
            meeting=meeting,
            member=ada,
            shares=3,
        )
        grant = ledger.post(
            admin,
            group,
            Fund.SOCIAL_FUND,
            EntryKind.WELFARE_GRANT,
            -1_500,
            cycle=cycle,
            meeting=meeting,
            member=bea,
        )
    return {
        "group": group,
        "cycle": cycle,
        "ada": ada,
        "bea": bea,
        "meeting": meeting,
        "shares": shares,
        "grant": grant,
    }


def text(response):
    return response.get_data(as_text=True)


def test_the_history_shows_entries_newest_first(web, admin, group_with_money):
    g = group_with_money
    assert web.login("admin").status_code == 302
    page = text(web.client.get(f"/groups/{g['group'].id}/ledger"))
    assert page.index("Welfare grant") < page.index("Shares bought") < page.index("Opening balance")
    assert "Opening (paper books)" in page and "paper book" in page
    assert re.search(r"-F\W*CFA1,500", page)
    assert "Awa Admin" in page
    assert f"/ledger/{g['grant'].id}/correct" in page


def test_the_history_filters_by_member(web, admin, group_with_money):
    g = group_with_money
    web.login("admin")
    page = text(
        web.client.get(f"/groups/{g['group'].id}/ledger?member={g['bea'].id}&cycle={g['cycle'].id}")
    )
    assert "Welfare grant" in page and "Shares bought" not in page


def test_a_viewer_sees_the_history_without_correction_links(web, make_user, group_with_money):
    g = group_with_money
    make_user("vera", role=Role.VIEWER, groups=[g["group"]])
    web.login("vera")
    page = text(web.client.get(f"/groups/{g['group'].id}/ledger"))
    assert "Welfare grant" in page and "/correct" not in page


def test_a_correction_posts_a_reversal_and_the_right_entry(web, admin, group_with_money):
    g = group_with_money
    web.login("admin")
    path = f"/groups/{g['group'].id}/ledger/{g['grant'].id}/correct"
    response = web.post(path, {"amount": "1,000", "reason": "the grant was 1,000"})
    assert response.status_code == 302
    with db.connection_context():
        reversal = Entry.get(Entry.reverses == g["grant"])
        corrected = Entry.select().order_by(Entry.id.desc()).first()
        assert reversal.amount == 1_500 and corrected.amount == -1_000
        assert ledger.balances(g["group"], g["cycle"])[Fund.SOCIAL_FUND] == -1_000
    page = text(web.client.get(f"/groups/{g['group'].id}/ledger"))
    assert f"Reversal of no. {g['grant'].id}" in page and f"Reversed by no. {reversal.id}" in page
    again = text(web.client.get(path))
    assert "already been reversed" in again and 'name="reason"' not in again


def test_a_share_purchase_is_corrected_by_shares(web, admin, group_with_money):
    g = group_with_money
    web.login("admin")
    path = f"/groups/{g['group'].id}/ledger/{g['shares'].id}/correct"
    assert 'name="amount"' not in text(web.client.get(path))
    assert web.post(path, {"shares": "2", "reason": "two"}).status_code == 302
    with db.connection_context():
        assert ledger.member_totals(g["group"], g["cycle"])[g["ada"].id].savings == 7_000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "Enter 0 or more."),  # was "Write the number of shares as a whole number."
        ("1 2", "1 2 is not a whole number: write it in figures only."),
        ("abc", "abc is not a whole number: write it in figures only."),
    ],
)
def test_the_right_number_of_shares_is_read_as_every_typed_whole_number(
    web, admin, group_with_money, typed, message
):
    g = group_with_money
    web.login("admin")
    path = f"/groups/{g['group'].id}/ledger/{g['shares'].id}/correct"
    response = web.post(path, {"shares": typed, "reason": "typo"})
    assert response.status_code == 422
    error = re.search(r'id="shares-error"[^>]*>([^<]+)<', text(response))
    assert error and error.group(1).strip() == message
    with db.connection_context():
        assert Entry.select().count() == 3


def test_the_right_number_of_shares_may_be_grouped_as_the_reader_groups_thousands(
    web, admin, group_with_money
):
    g = group_with_money
    web.login("admin")
    path = f"/groups/{g['group'].id}/ledger/{g['shares'].id}/correct"
    assert web.post(path, {"shares": "1,000", "reason": "a thousand"}).status_code == 302
    with db.connection_context():
        assert ledger.member_totals(g["group"], g["cycle"])[g["ada"].id].shares == 1_005


@pytest.mark.parametrize(
    "data, message",
    [
        ({"amount": "1000", "reason": ""}, "Say why this entry is corrected."),
        ({"amount": "abc", "reason": "typo"}, "is not an amount"),
        ({"amount": "-5", "reason": "typo"}, "cannot be negative"),
    ],
)
def test_a_bad_correction_is_refused_next_to_the_field_and_writes_nothing(
    web, admin, group_with_money, data, message
):
    g = group_with_money
    web.login("admin")
    response = web.post(f"/groups/{g['group'].id}/ledger/{g['grant'].id}/correct", data)
    assert response.status_code == 422
    assert message in text(response) and "invalid-feedback" in text(response)
    with db.connection_context():
        assert Entry.select().count() == 3
        assert not AuditEntry.select().where(AuditEntry.action == "entry.reverse").exists()


def test_correcting_twice_says_so(web, admin, group_with_money):
    g = group_with_money
    with db.connection_context():
        ledger.reverse(admin, g["grant"], "first time")
    web.login("admin")
    response = web.post(
        f"/groups/{g['group'].id}/ledger/{g['grant'].id}/correct", {"reason": "second time"}
    )
    assert response.status_code == 422
    assert "already been reversed" in text(response)
    with db.connection_context():
        assert Entry.select().count() == 4


def test_an_entry_of_another_group_is_not_found(web, admin, make_group, group_with_money):
    g = group_with_money
    other = make_group("Other")
    web.login("admin")
    assert web.client.get(f"/groups/{other.id}/ledger/{g['grant'].id}/correct").status_code == 404
    assert web.client.get(f"/groups/{other.id}/members/{g['ada'].id}/passbook").status_code == 404


def test_a_recorder_may_not_correct(web, make_user, group_with_money):
    g = group_with_money
    make_user("rita", role=Role.RECORDER, groups=[g["group"]])
    web.login("rita")
    assert (
        web.client.get(f"/groups/{g['group'].id}/ledger/{g['grant'].id}/correct").status_code == 403
    )


def test_the_passbook_page(web, admin, group_with_money):
    g = group_with_money
    web.login("admin")
    path = f"/groups/{g['group'].id}/members/{g['ada'].id}/passbook"
    page = text(web.client.get(path))
    assert "Ada Diallo" in page and "Opening (paper books)" in page and "Present" in page
    assert "8,000" in page  # 5,000 from the paper books + 3,000 bought
    assert "print.css" in page and "print-a5.css" not in page
    assert "?size=a5" in page or "size=a5" in page
    a5 = text(web.client.get(path + "?size=a5"))
    assert "print-a5.css" in a5
    assert web.client.get(path + "?cycle=999999").status_code == 404


def test_the_group_page_shows_the_figures_and_the_chart(web, admin, group_with_money):
    g = group_with_money
    web.login("admin")
    response = web.client.get(f"/groups/{g['group'].id}")
    page = text(response)
    assert response.status_code == 200
    balance = re.search(r'id="balance-loan_fund".*?fs-4">([^<]*)<', page, re.S).group(1)
    assert "8,000" in balance
    assert "Savings to date" in page
    assert re.search(r'id="meetings-held">\s*1\s*<', page)
    assert "50%" in page  # one present, one absent
    assert "<svg" in page and "<title" in page and "<desc" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "style=" not in svg and "<script" not in page.split("</head>")[1]
    assert "/ledger" in page  # the link to the money history


def test_the_group_page_without_any_meeting(web, admin, make_group):
    group = make_group("Empty")
    web.login("admin")
    page = text(web.client.get(f"/groups/{group.id}"))
    assert "<svg" not in page and "No meeting closed yet" in page


def test_a_right_to_left_group_page_mirrors_the_chart(web, admin, group_with_money, app):
    g = group_with_money
    if "ar" not in app.config["LANGUAGES"]:
        app.config["LANGUAGES"] = [*app.config["LANGUAGES"], "ar"]
    with db.connection_context():
        admin.locale = "ar"
        admin.save()
    web.login("admin")
    page = text(web.client.get(f"/groups/{g['group'].id}"))
    assert 'dir="rtl"' in page and 'text-anchor="start"' in page


@pytest.mark.parametrize(
    "path",
    ["/groups/{group}", "/groups/{group}/ledger", "/groups/{group}/members/{member}/passbook"],
)
def test_pages_read_a_bounded_number_of_queries(
    web, admin, make_group, make_member, make_cycle, path
):
    group = make_group("Big")
    cycle = make_cycle(group)
    members = []

    def grow(count):
        with db.connection_context():
            start = date(2026, 1, 12) + timedelta(weeks=len(members) * 10)
            members.extend(make_member(group) for _ in range(count))
            for week in range(count):
                meeting = Meeting.create(
                    group=group, cycle=cycle, held_on=start + timedelta(weeks=week), status="closed"
                )
                for member in members:
                    Attendance.create(meeting=meeting, member=member, status="present")
                    ledger.post(
                        admin,
                        group,
                        Fund.LOAN_FUND,
                        EntryKind.SHARE_PURCHASE,
                        1_000,
                        cycle=cycle,
                        meeting=meeting,
                        member=member,
                        shares=1,
                    )

    web.login("admin")

    def queries():
        url = path.format(group=group.id, member=members[0].id)
        with count_queries() as counter:
            assert web.client.get(url).status_code == 200
        return counter.count

    grow(2)
    queries()  # the first request after logging in reads a little more
    small = queries()
    grow(12)
    assert queries() == small


def _refused_here(web, group, entry, words):
    """The correction screen explains, offers no form, refuses a post, and writes nothing."""
    with db.connection_context():
        count = Entry.select().count()
    path = f"/groups/{group.id}/ledger/{entry.id}/correct"
    page = web.client.get(path)
    assert words in text(page) and 'name="reason"' not in text(page)
    response = web.post(path, {"reason": "try anyway", "amount": "1000"}, form_path="/account")
    assert response.status_code == 422 and words in text(response)
    assert f"/ledger/{entry.id}/correct" not in text(web.client.get(f"/groups/{group.id}/ledger"))
    with db.connection_context():
        assert Entry.select().count() == count


def test_the_entries_of_a_shared_out_cycle_are_final(web, admin, group_with_money):
    g = group_with_money
    with db.connection_context():
        payout = ledger.post(
            admin,
            g["group"],
            Fund.LOAN_FUND,
            EntryKind.SHARE_OUT,
            -8_000,
            cycle=g["cycle"],
            member=g["ada"],
        )
    web.login("admin")
    _refused_here(web, g["group"], payout, "belongs to a share-out")
    with db.connection_context():
        g["cycle"].closed_at = g["cycle"].created_at
        g["cycle"].save()
    _refused_here(web, g["group"], g["grant"], "shared out and closed")


def test_a_rotation_entry_is_corrected_on_its_round_page_only(web, admin, make_group, make_member):
    tontine = make_group("Tontine", kind="rosca")
    holder = make_member(tontine, "Fanta Keita")
    with db.connection_context():
        paid = ledger.post(admin, tontine, Fund.POT, EntryKind.CONTRIBUTION, 10_000, member=holder)
    web.login("admin")
    _refused_here(web, tontine, paid, "belongs to a round of a rotation")
