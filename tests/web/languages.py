"""What the tests of each shipped language share: the English known to be on the main pages, the
text a reader meets on a page, the same pages read in a language and in English, and the check
that no English is left and that the catalog keeps to its glossary's words."""

import html
import re
from datetime import date
from decimal import Decimal

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.store.db import db
from tests.conftest import Browser
from tests.web.test_i18n import load_po

ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt)="([^"]*)"')


def english_sentences(borrower: str) -> dict[str, list[str]]:
    """Sentences and labels known to be on the main pages in English (the loan is `borrower`'s):
    none may be left in another language."""
    return {
        "group": [
            "Edit the group",
            "Cycles and rules",
            "Money history",
            "Savings to date",
            "Savings group",
            "Main menu",
            "Log out",
            "Change language",
        ],
        "members": [
            "Add a member",
            "Role in the group",
            "Record a departure",
            "Community member",
            "Settle and leave",
            "Returnee",
            "Treasurer",
        ],
        "meeting": [
            "Save draft",
            "Close the meeting",
            "Attendance",
            "Shares bought",
            "Social fund",
            "Cash counted",
            "Save the draft and grant a loan",
        ],
        "passbook": [
            "Another member's passbook",
            "Total saved",
            "Social fund paid",
            "Every figure comes from the ledger: corrections are included.",
        ],
        "loans": [
            "Portfolio at risk (PAR>30)",
            "Loans being repaid",
            "Principal outstanding",
            "Interest due",
            "Repayment rate",
        ],
        "loan": [
            f"Loan of {borrower}",
            "Amount lent",
            "Interest rate",
            "Where the loan stands on",
            "No rescheduling or write-off.",
        ],
    }


def visible(page: str) -> str:
    """What a reader meets on the page: its text and its labels, scripts and styles left out."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    labels = " ".join(ATTRIBUTES.findall(body))
    text = re.sub(r"<[^>]+>", " ", body) + " " + labels
    return re.sub(r"\s+", " ", html.unescape(text).replace("\xa0", " "))


def readers_in(app, web, make_user, username: str, code: str):
    """The same pages read by an administrator who reads `code` and by one who reads English:
    two functions from a path to the page's HTML."""
    make_user(username, role=Role.ADMIN, locale=code)
    web.login(username)
    english = Browser(app.test_client())
    english.login("admin")

    def read(browser, path):
        response = browser.client.get(path)
        assert response.status_code == 200, path
        return response.get_data(as_text=True)

    return lambda path: read(web, path), lambda path: read(english, path)


def assert_no_english_left(code: str, page: str, source: str, shown: str, english, expected):
    """`shown` (the page in `code`) has none of the English sentences of `source` (the English
    page), none of the catalog's several-word messages left untranslated, and the `expected`
    sentences of the language."""
    for sentence in english:
        assert sentence in source, f"{sentence!r} is no longer on the English {page} page"
        assert sentence not in shown, f"{sentence!r} is left in English on the {page} page"
    for sentence in expected:
        assert sentence in shown, f"{sentence!r} is missing from the {code} {page} page"
    for message in load_po(code):
        if not isinstance(message.id, str) or "%" in message.id or " " not in message.id:
            continue
        if message.string == message.id or len(message.id) < 10:
            continue
        if message.id in source:
            assert message.id not in shown, f"{message.id!r} is left in English on the {page} page"


def glossary_mismatches(code: str, terms: dict, not_the_term=None, normalise=str.lower):
    """The messages of `code`'s catalog whose English says a term of `terms` (a regex) and whose
    translation does not say the glossary's word (a regex, searched in the normalised text)."""
    wrong = []
    for message in load_po(code):
        if not message.id or not message.string:
            continue
        english = message.id if isinstance(message.id, str) else message.id[1]
        translated = message.string if isinstance(message.string, str) else message.string[-1]
        if not translated or (not_the_term and not_the_term.search(english)):
            continue
        for term, word in terms.items():
            if re.search(term, english, re.I) and not re.search(word, normalise(translated)):
                wrong.append(f"{english!r} -> {translated!r}: expected {word!r}")
    return wrong


RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
}


def savings_books(admin, make_group, make_member, make_cycle, group_name: str, names):
    """A savings group in XOF with three members (`names`: a woman treasurer, a man chair, a
    community woman), their shares, a 30,000 loan to the treasurer and a meeting being recorded:
    the main pages' paths, and the members by role."""
    group = make_group(group_name, rounding_unit=25, meeting_frequency="weekly")
    cycle = make_cycle(group, **RULES)
    treasurer = make_member(group, names[0], gender="female", group_role="treasurer")
    chair = make_member(group, names[1], gender="male", group_role="chair")
    community = make_member(group, names[2], gender="female", member_type="community")
    with db.connection_context():
        for member, amount in ((treasurer, 1_250_000), (chair, 40_000), (community, 40_000)):
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                amount,
                cycle=cycle,
                member=member,
                shares=amount // 1_000,
            )
        request = LoanRequest(treasurer, 30_000, 3, "business", ())
        loan = lending.grant_loan(admin, group, cycle, request, date(2026, 2, 2))
        meeting = meetings.open_meeting(admin, group, date(2026, 3, 2))
        sheet = MeetingSheet(
            [
                MemberLine(treasurer.id, shares=2),
                MemberLine(chair.id, "absent"),
                MemberLine(community.id, "excused"),
            ]
        )
        meetings.save_draft(admin, meeting, sheet, 0)
    base = f"/groups/{group.id}"
    return {
        "paths": {
            "group": base,
            "members": f"{base}/members",
            "meeting": f"{base}/meetings/{meeting.id}",
            "passbook": f"{base}/members/{treasurer.id}/passbook",
            "loans": f"{base}/loans",
            "loan": f"{base}/loans/{loan.id}",
        },
        "treasurer": treasurer,
        "chair": chair,
        "community": community,
    }


def assert_catalog_says(code: str, words: dict[str, str], gendered) -> None:
    """The catalog of `code` translates each English word of `words` as given, and each of
    `gendered` (English, about a woman, about a man) in both genders."""
    catalog = load_po(code)
    for english, translated in words.items():
        assert catalog.get(english).string == translated, english
    for english, female, male in gendered:
        assert catalog.get(english, "female").string == female, english
        assert catalog.get(english, "male").string == male, english


def member_row(page: str, name: str) -> str:
    """The table row of the member named `name` on a page."""
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(name)}(?:(?!</tr>).)*</tr>", page, re.S)
    assert row, f"no row for {name}"
    return row.group(0)
