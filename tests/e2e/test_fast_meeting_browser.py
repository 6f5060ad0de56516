"""A meeting in a minute: a 20-member meeting recorded and closed from the group page with the
keyboard, in French, in under 60 key presses, with the one-key fills; the ledger then holds
exactly what the grid showed. And the grid a treasurer can read (totals, headers, rows, format).
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.store.db import db
from savings_groups.store.models import Entry, FineType, Meeting
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# Shares each member bought at the last meeting.
LAST = [2, 1, 3, 2, 5, 1, 2, 4, 1, 3, 2, 5, 1, 1, 2, 3, 4, 2, 1, 2]
SHARE_VALUE, SOCIAL, FINE, SAVED = 500, 100, 100, 2_000
LOAN, PERIODS = 3_000, 3  # to the first member, flat 10 % a week: 1,000 + 300 due today
DUE = 1_300
ABSENT, FEWER, LATE = 4, 7, 11  # the three members who differ from last time
EVERY = ["arrears", "repay_debt", "debt_ratio", "third_consecutive"]


def setup_group(admin, make_group, make_member, make_cycle, make_user, username, locale):
    """A weekly group of 20 whose last meeting (a week ago) is closed, with one loan due."""
    today = dates.today()
    group = make_group("Benkadi", currency="XOF", meeting_frequency="weekly")
    people = [make_member(group, full_name=f"Membre {i + 1:02d}") for i in range(20)]
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=30),
        planned_end=today + timedelta(days=200),
        share_value=SHARE_VALUE,
        social_fund_contribution=SOCIAL,
        min_shares=0,
        max_shares=5,
        loan_rate=Decimal("0.10"),
        loan_method="flat",
        loan_max_multiple=Decimal(3),
        loan_max_periods=4,
    )
    with db.connection_context():
        late = FineType.create(cycle=cycle, name="Retard", amount=FINE)
        for member in people:
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                SAVED,
                cycle=cycle,
                member=member,
                shares=4,
                effective_on=cycle.start_date,
            )
        last = meetings.open_meeting(admin, group, today - timedelta(days=7))
        meetings.grant_loan_at(
            admin, last, LoanRequest(people[0], LOAN, PERIODS, "business", ()), acknowledged=EVERY
        )
        last = Meeting.get_by_id(last.id)
        sheet = MeetingSheet(
            [
                MemberLine(p.id, shares=s, social_fund=SOCIAL)
                for p, s in zip(people, LAST, strict=True)
            ]
        )
        meetings.close_meeting(
            admin, last, sheet, dict(meetings.preview(last, sheet)), "", last.version
        )
    make_user(username, role=Role.RECORDER, groups=[group], locale=locale)
    return group, people, late


def xof(amount: int, locale: str = "fr") -> str:
    return format_amount(amount, "XOF", locale)


def test_a_twenty_member_meeting_in_under_sixty_key_presses(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    group, people, late = setup_group(
        admin, make_group, make_member, make_cycle, make_user, "mariam", "fr"
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "mariam")
    presses = []

    def press(*keys: str) -> None:
        for key in keys:
            page.keyboard.press(key)
            presses.append(key)

    def type_(text: str) -> None:
        for char in text:
            press(char)

    def ids(index: int, column: str) -> str:
        return f"#m{people[index].id}-{column}"

    # From the group page: the skip link, then the first thing in the page opens today's meeting.
    page.goto(f"/groups/{group.id}")
    press("Tab", "Enter", "Tab")
    expect(page.locator(f"#today-meeting-{group.id}")).to_be_focused()
    expect(page.locator(f"#today-meeting-{group.id}")).to_have_text(
        "Enregistrer la réunion d’aujourd’hui"
    )
    press("Enter")
    expect(page).to_have_url(re.compile(r"/meetings/\d+(#main)?$"))
    expect(page.locator(ids(0, "attendance"))).to_be_focused()
    expect(page.locator("#fill-hint")).to_contain_text("Alt+Maj+1")

    # Everyone is present already: the fill says so and marks nothing.
    press("Alt+Shift+Digit1")
    expect(page.locator("#fill-status")).to_have_text(
        "Rien à remplir\u202f: la grille l’indique déjà."
    )
    # The down arrow moves along the attendance column (it does not change the choice).
    press(*["ArrowDown"] * ABSENT)
    expect(page.locator(ids(ABSENT, "attendance"))).to_be_focused()
    expect(page.locator(ids(0, "attendance"))).to_have_value("present")
    press("a")
    expect(page.locator(ids(ABSENT, "attendance"))).to_have_value("absent")

    # The same shares as last time, and everyone paid on time: 19 cells each, marked.
    press("Alt+Shift+Digit2")
    expect(page.locator("#fill-status")).to_have_text(
        "Cellules remplies\u202f: 19, surlignées en jaune."
    )
    press("Alt+Shift+Digit3")
    expect(page.locator("#fill-status")).to_have_text(
        "Cellules remplies\u202f: 20, surlignées en jaune."
    )
    expect(page.locator(".meeting-grid .filled")).to_have_count(19 + 19 + 1)
    expect(page.locator(ids(0, "repayment"))).to_have_value(
        format_amount(DUE, "XOF", "fr", with_symbol=False)
    )
    expect(page.locator(ids(ABSENT, "shares"))).to_have_value("")
    expect(page.locator(ids(ABSENT, "social_fund"))).to_have_value("")

    # One member buys fewer shares than last time; another came late.
    press(*["ArrowDown"] * (FEWER - ABSENT), "Tab", "Tab")
    expect(page.locator(ids(FEWER, "shares"))).to_be_focused()
    type_("1")
    expect(page.locator(ids(FEWER, "shares"))).not_to_have_class(re.compile("filled"))
    press(*["ArrowDown"] * (LATE - FEWER), "Tab")
    expect(page.locator(f"#m{people[LATE].id}-fine-{late.id}")).to_be_focused()
    press("Space")

    shares = [0 if i == ABSENT else 1 if i == FEWER else s for i, s in enumerate(LAST)]
    social = 19 * SOCIAL
    expect(page.locator("#total-shares")).to_have_text(
        f"{sum(shares)} · {xof(sum(shares) * SHARE_VALUE)}"
    )
    expect(page.locator("#total-social_fund")).to_have_text(xof(social))
    expect(page.locator("#total-repayment")).to_have_text(xof(DUE))
    expect(page.locator("#total-fines")).to_have_text(xof(FINE))
    expect(page.locator("#total-present")).to_have_text("19 / 20")

    # Straight to the cash count, the boxes as the page computes them.
    loan_fund = int(page.locator("#preview-loan_fund").get_attribute("data-before")) + (
        sum(shares) * SHARE_VALUE + FINE + DUE
    )
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(loan_fund))
    press("Alt+Shift+Digit9")
    expect(page.locator("#counted-loan_fund")).to_be_focused()
    type_(str(loan_fund))
    press("Tab")
    social_before = int(page.locator("#preview-social_fund").get_attribute("data-before"))
    type_(str(social_before + social))
    press("Tab", "Tab", "Tab")
    expect(page.locator("#close-meeting")).to_be_focused()
    press("Enter")
    # The close first lists every row a fill touched: 19 rows (the absent member's is not).
    expect(page.locator("#fill-confirm")).to_be_focused()
    expect(page.locator("#fill-review-list li")).to_have_count(19)
    expect(page.locator("#fill-review-list li").first).to_contain_text("Membre 01")
    press("Enter")
    expect(page.locator("#box-loan_fund")).to_be_visible()

    assert len(presses) < 60, presses
    print(f"key presses from the group page to the closed meeting: {len(presses)}")

    # The ledger holds exactly what the grid showed, member by member.
    with db.connection_context():
        meeting = Meeting.get((Meeting.group == group) & (Meeting.held_on == dates.today()))
        assert meeting.status == "closed"
        posted: dict[tuple[str, int], int] = {}
        for entry in Entry.select().where(Entry.meeting == meeting):
            key = (entry.kind, entry.member_id)
            posted[key] = posted.get(key, 0) + entry.amount
    expected = {}
    for index, member in enumerate(people):
        if shares[index]:
            expected[(EntryKind.SHARE_PURCHASE.value, member.id)] = shares[index] * SHARE_VALUE
        if index != ABSENT:
            expected[(EntryKind.SOCIAL_FUND_CONTRIBUTION.value, member.id)] = SOCIAL
    expected[(EntryKind.FINE.value, people[LATE].id)] = FINE
    expected[(EntryKind.LOAN_INTEREST.value, people[0].id)] = 300
    expected[(EntryKind.LOAN_PRINCIPAL.value, people[0].id)] = 1_000
    assert posted == expected
    assert (
        sum(v for (k, _), v in posted.items() if k == EntryKind.SHARE_PURCHASE.value)
        == sum(shares) * SHARE_VALUE
    )


def test_the_grid_reads_in_english_fills_undo_and_totals_follow(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    group, people, _late = setup_group(
        admin, make_group, make_member, make_cycle, make_user, "grace", "en"
    )
    with db.connection_context():
        meeting = meetings.open_meeting(admin, group, dates.today())
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "grace")
    # The home page leads to the open meeting.
    page.goto("/")
    page.locator(f"#today-meeting-{group.id}").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.id}$"))
    # The shortcuts work once the grid's script has run: it shows the fill buttons.
    expect(page.locator("#fill-actions")).to_be_visible()

    # Babel's English writes the amounts; the live preview writes them the same way.
    before = int(page.locator("#preview-loan_fund").get_attribute("data-before"))
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(before, "en"))
    page.keyboard.press("Alt+Shift+Digit2")
    total = sum(LAST) * SHARE_VALUE
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(before + total, "en"))
    expect(page.locator("#total-shares")).to_have_text(f"{sum(LAST)} · {xof(total, 'en')}")
    assert xof(before + total, "en").startswith("F\u202fCFA")
    expect(page.locator("#fill-status")).to_have_text("Cells filled: 20, marked in yellow.")
    # Undo puts the grid back as it was.
    page.keyboard.press("Alt+Shift+Digit0")
    expect(page.locator("#fill-status")).to_have_text("Undone: 20 cells are back as they were.")
    expect(page.locator(".meeting-grid .filled")).to_have_count(0)
    expect(page.locator(f"#m{people[1].id}-shares")).to_have_value("")
    expect(page.locator("#preview-loan_fund")).to_have_text(xof(before, "en"))

    # Up and down move between rows in every column, the attendance included.
    page.focus(f"#m{people[0].id}-attendance")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#m{people[1].id}-attendance")).to_be_focused()
    expect(page.locator(f"#m{people[0].id}-attendance")).to_have_value("present")
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#m{people[0].id}-attendance")).to_be_focused()

    # The header stays on screen while the grid scrolls, and ten rows or more show at once.
    scroller = page.locator(".meeting-grid-scroll")
    scroller.evaluate(
        'e => { window.scrollTo({top: e.getBoundingClientRect().top + window.scrollY, behavior: "instant"}); e.scrollTop = 400; }'
    )
    offset = page.evaluate(
        """() => document.querySelector('.meeting-grid thead th').getBoundingClientRect().top
                 - document.querySelector('.meeting-grid-scroll').getBoundingClientRect().top"""
    )
    assert abs(offset) < 2, offset
    shown = page.evaluate(
        """() => {
          const area = document.querySelector('.meeting-grid-scroll').getBoundingClientRect();
          const head = document.querySelector('.meeting-grid thead').getBoundingClientRect();
          const foot = document.querySelector('.meeting-grid tfoot').getBoundingClientRect();
          const top = Math.max(area.top, 0) + head.height, bottom = Math.min(area.bottom, innerHeight) - foot.height;
          return [...document.querySelectorAll('.meeting-grid tbody tr')].filter(row => {
            const r = row.getBoundingClientRect(); return r.top >= top - 1 && r.bottom <= bottom + 1;
          }).length;
        }"""
    )
    assert shown >= 10, shown
    # Scrolled in the grid and in the page, the column headers are still in view at the top
    # (within the few pixels the page may shift when its date field gets its example line).
    offset = page.evaluate(
        """() => document.querySelector('.meeting-grid thead th').getBoundingClientRect().top
                 - Math.max(document.querySelector('.meeting-grid-scroll').getBoundingClientRect().top, 0)"""
    )
    assert abs(offset) < 16, offset
    # The header is one line high.
    assert page.locator(".meeting-grid thead tr").bounding_box()["height"] < 50

    # The focus ring on a field: 3 px of #1f4e5f (9.1:1 against white).
    page.focus(f"#m{people[0].id}-shares")
    ring = page.locator(f"#m{people[0].id}-shares").evaluate(
        "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth, getComputedStyle(e).outlineColor]"
    )
    assert ring == ["solid", "3px", "rgb(31, 78, 95)"]
