"""The audit log page: who sees what, the filters, keyset paging, corrections linked to the
entries they reversed, readable details, a bounded number of queries; the check of the books."""

import html
import json
import re
from datetime import datetime

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, CashCount, Entry, Meeting


def plain(markup: str) -> str:
    """What a reader sees of some HTML: no tags, spaces squashed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", markup)))


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return plain(response.get_data(as_text=True))


def table(response) -> str:
    """The text of the log's table alone (the filters name every kind of change)."""
    assert response.status_code == 200, response.status_code
    return plain(response.get_data(as_text=True).split('id="audit"')[1].split("</table>")[0])


def money(amount: int, currency: str = "XOF") -> str:
    """An amount as the English page shows it, spaces squashed as text() does."""
    return re.sub(r"\s+", " ", format_amount(amount, currency, "en"))


def rows(response) -> list[int]:
    """The ids of the audit entries a page shows, top to bottom."""
    return [int(n) for n in re.findall(r'id="audit-(\d+)"', response.get_data(as_text=True))]


@pytest.fixture
def log(app, admin, make_group, make_user, make_cycle, make_member):
    """Two groups: Kankan, assigned to the facilitator Fatou, and Other; a correction in Kankan
    and a closed meeting's audit entry with its counts."""
    kankan, other = make_group("Kankan", currency="XOF"), make_group("Other", currency="NGN")
    fatou = make_user("fatou", role=Role.FACILITATOR, groups=[kankan])
    make_user("victor", role=Role.VIEWER, groups=[kankan])
    make_user("rita", role=Role.RECORDER, groups=[kankan])
    cycle = make_cycle(kankan)
    ada = make_member(kankan, "Ada")
    with db.connection_context():
        fine = ledger.post(
            fatou, kankan, Fund.LOAN_FUND, EntryKind.FINE, 2_500, cycle=cycle, member=ada
        )
        reversal, corrected = ledger.correct(fatou, fine, 500, 0, "Late, not absent")
        meeting = Meeting.create(group=kankan, cycle=cycle, held_on=cycle.start_date)
        audit.record(
            fatou,
            "meeting.close",
            meeting,
            group=kankan,
            counted={"loan_fund": 12_000, "social_fund": 600},
            difference_note="",
        )
        audit.record(admin, "group.update", other, group=other, name=["Autre", "Other"])
    return {
        "kankan": kankan,
        "other": other,
        "fatou": fatou,
        "fine": fine,
        "reversal": reversal,
        "corrected": corrected,
    }


def test_the_administrator_sees_every_action(web, log):
    web.login("admin")
    page = text(web.client.get("/audit"))
    assert "Group changed" in page and "Account created" in page
    assert "Kankan" in page and "Other" in page


def test_a_facilitator_sees_only_the_actions_in_their_groups(web, log):
    web.login("fatou")
    page = web.client.get("/audit")
    shown = table(page)
    assert "Entry corrected" in shown and "Meeting closed" in shown
    assert "Group changed" not in shown and "Account created" not in shown  # Other, no group
    with db.connection_context():
        theirs = {e.id for e in AuditEntry.select().where(AuditEntry.group == log["kankan"])}
    assert set(rows(page)) == theirs
    # Asking for the other group shows nothing of it: the filter is ignored, with a message.
    asked = web.client.get(f"/audit?group={log['other'].id}")
    assert set(rows(asked)) == theirs
    assert "This group does not exist or is not assigned to you." in text(asked)


@pytest.mark.parametrize("role", ["victor", "rita"])
def test_viewers_and_recorders_may_not_read_the_log(web, log, role):
    web.login(role)
    assert web.client.get("/audit").status_code == 403
    assert web.client.get("/audit/check").status_code == 403


def test_the_menu_offers_the_log_to_facilitators(web, log):
    web.login("fatou")
    assert 'href="/audit"' in web.client.get("/").get_data(as_text=True)
    web.post("/logout", {}, form_path="/")
    web.login("victor")
    assert 'href="/audit"' not in web.client.get("/").get_data(as_text=True)


def test_filters_by_group_person_kind_and_dates(web, log, admin):
    web.login("admin")
    with db.connection_context():
        everything = {e.id: e for e in AuditEntry.select()}
        AuditEntry.update(at=datetime(2026, 3, 1, 10, 0)).where(  # noqa: DTZ001 naive UTC, stored
            AuditEntry.action == "group.update"
        ).execute()

    def ids(query):
        return set(rows(web.client.get(f"/audit?{query}")))

    kankan = {i for i, e in everything.items() if e.group_id == log["kankan"].id}
    assert ids(f"group={log['kankan'].id}") == kankan
    by_fatou = {i for i, e in everything.items() if e.actor_id == log["fatou"].id}
    assert ids(f"user={log['fatou'].id}") == by_fatou
    corrected = {i for i, e in everything.items() if e.action == "entry.correct"}
    assert ids("action=entry.correct") == corrected and len(corrected) == 1
    changed = {i for i, e in everything.items() if e.action == "group.update"}
    assert ids("since=2026-03-01&until=2026-03-01") == changed
    assert ids("since=2026-03-02&until=2026-03-31") == set()
    both = ids(f"group={log['kankan'].id}&user={log['fatou'].id}&action=entry.reverse")
    assert both == {i for i, e in everything.items() if e.action == "entry.reverse"}
    # The kinds of change offered are every action, by their names.
    page = web.client.get("/audit").get_data(as_text=True)
    assert '<option value="entry.correct">Entry corrected</option>' in page
    assert '<option value="cycle.share_out">Share-out finalised and cycle closed</option>' in page


@pytest.mark.parametrize(
    "query, words",
    [
        ("group=" + "9" * 30, "is not a valid choice for “Group”"),
        ("group=abc", "is not a valid choice for “Group”"),
        ("group=999999", "This group does not exist or is not assigned to you."),
        ("user=" + "1" * 30, "is not a valid choice for “Who”"),
        ("user=999999", "is not a valid choice for “Who”"),
        ("action=entry.explode", "is not a valid choice for “What”"),
        ("since=2026-13-45", "is not a valid choice for “From”"),
        ("until=yesterday", "is not a valid choice for “To”"),
        ("before=" + "9" * 30, "is not a valid choice for “Older”"),
        ("after=-3", "is not a valid choice for “Newer”"),
    ],
)
def test_bad_filters_are_ignored_with_a_message(web, log, query, words):
    web.login("admin")
    everything = rows(web.client.get("/audit"))
    response = web.client.get(f"/audit?{query}")
    assert words in text(response)
    assert rows(response) == everything


def test_the_french_page_says_an_ignored_filter_in_french(web, log, make_user):
    make_user("amadou", role=Role.ADMIN, locale="fr")
    web.login("amadou")
    page = text(web.client.get("/audit?group=abc"))
    assert "« abc » n’est pas un choix valable pour « Groupe » : il est ignoré." in page


def many(admin, group, count):
    with db.connection_context():
        AuditEntry.insert_many(
            [
                {
                    "actor": admin.id,
                    "action": "group.update",
                    "object_type": "SavingsGroup",
                    "object_id": group.id,
                    "group": group.id,
                    "details": json.dumps({"notes": ["", f"visit {n}"]}),
                }
                for n in range(count)
            ]
        ).execute()


def test_keyset_paging_goes_older_and_back_newer_without_duplicates(web, log, admin):
    many(admin, log["kankan"], 120)
    web.login("fatou")
    with db.connection_context():
        theirs = [
            e.id
            for e in AuditEntry.select()
            .where(AuditEntry.group == log["kankan"])
            .order_by(AuditEntry.id.desc())
        ]
    first = web.client.get("/audit")
    assert rows(first) == theirs[:50]
    page = first.get_data(as_text=True)
    assert f'href="/audit?before={theirs[49]}"' in page and "after=" not in page
    second = web.client.get(f"/audit?before={theirs[49]}")
    assert rows(second) == theirs[50:100]
    third = web.client.get(f"/audit?before={theirs[99]}")
    assert rows(third) == theirs[100:]
    assert "before=" not in third.get_data(as_text=True).split('aria-label="Pages"')[1]
    back = web.client.get(f"/audit?after={theirs[100]}")
    assert rows(back) == theirs[50:100]
    assert rows(web.client.get(f"/audit?after={theirs[50]}")) == theirs[:50]
    # The filters go along with the page links.
    filtered = web.client.get("/audit?action=group.update").get_data(as_text=True)
    older = re.search(r'href="(/audit\?[^"]*before=\d+[^"]*)"', filtered).group(1)
    assert "action=group.update" in html.unescape(older)


def test_the_page_reads_a_fixed_number_of_queries(web, log, admin):
    web.login("fatou")

    def queries():
        with count_queries() as counter:
            assert web.client.get("/audit").status_code == 200
        return counter.count

    queries()  # the first request after logging in reads a little more
    few = queries()
    many(admin, log["kankan"], 80)
    with db.connection_context():
        fine = ledger.post(
            log["fatou"], log["kankan"], Fund.LOAN_FUND, EntryKind.FINE, 100, cycle=None
        )
        ledger.reverse(log["fatou"], fine, "typed twice")
    assert queries() == few


def test_a_correction_links_the_entry_it_reversed(web, log):
    web.login("fatou")
    group, fine = log["kankan"], log["fine"]
    page = text(web.client.get("/audit?action=entry.correct"))
    assert f"Entry no. {fine.id} reversed · Fine, {money(2_500)}" in page
    assert f"by entry no. {log['reversal'].id} ({money(-2_500)})" in page
    raw = web.client.get("/audit?action=entry.correct").get_data(as_text=True)
    assert f'href="/groups/{group.id}/ledger/{fine.id}/correct"' in raw
    assert f'href="/groups/{group.id}/ledger?cycle={fine.cycle_id}"' in raw
    reversed_page = text(web.client.get("/audit?action=entry.reverse"))
    assert f"Entry no. {fine.id} reversed" in reversed_page
    assert "Reason: Late, not absent" in reversed_page


def test_details_are_readable_text_in_the_groups_currency(web, log):
    web.login("admin")
    page = text(web.client.get("/audit"))
    loan_fund, social_fund = money(12_000), money(600)
    assert f"Counted: Loan fund: {loan_fund}, Social fund: {social_fund}" in page
    assert "Name: Autre → Other" in page
    assert f"Amount: {money(500)}" in page  # the corrected fine
    assert "{" not in table(web.client.get("/audit"))


def test_the_old_address_sends_administrators_to_the_new_page(web, log):
    web.login("admin")
    response = web.client.get("/admin/audit?action=entry.correct")
    assert response.status_code == 302
    assert response.location == "/audit?action=entry.correct"


def test_check_the_books_from_the_page(web, log):
    web.login("admin")
    assert "Check the books" in text(web.client.get("/audit"))
    assert "The books agree" not in text(web.client.get("/audit/check"))
    with db.connection_context():
        entries = Entry.select().count()
    agree = text(web.post("/audit/check", form_path="/audit/check"))
    assert f"The books agree: 2 groups and {entries} entries checked." in agree
    with db.connection_context():
        meeting = Meeting.get()
        Meeting.update(status="closed").where(Meeting.id == meeting.id).execute()
        CashCount.create(meeting=meeting, fund="loan_fund", counted=1_000, computed=1_000)
        CashCount.create(meeting=meeting, fund="social_fund", counted=0, computed=0)
    found = text(web.post("/audit/check", form_path="/audit/check"))
    assert "1 difference found." in found
    assert (
        f"Meeting of Jan 5, 2026 (cycle 1): Loan fund counted {money(1_000)}"
        f" at closing, but the ledger now says {money(0)}." in found
    )
    assert "Kankan" in found


def test_the_facilitator_is_not_offered_the_check(web, log):
    web.login("fatou")
    assert "Check the books" not in text(web.client.get("/audit"))
