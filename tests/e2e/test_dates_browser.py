"""A date is typed the reader's way, whatever the browser's own language: dd/MM/yyyy on a
French page, M/d/yyyy on an English one, with an example under the field; the server gets ISO."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.loans import reports as loan_reports
from savings_groups.store.db import db
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "locale, typed, shown_today, example",
    [
        ("fr", "02/03/2026", "{d.day:02}/{d.month:02}/{d.year}", "Par exemple 31/12/{year}"),
        ("en", "3/2/2026", "{d.month}/{d.day}/{d.year}", "For example 12/31/{year}"),
    ],
)
def test_a_date_is_typed_in_the_pages_language_and_sent_as_iso(
    page: Page, admin, make_user, make_group, make_cycle, locale, typed, shown_today, example
):
    today = dates.today()
    group = make_group("Benkadi", currency="XOF")
    make_cycle(group, start_date=today - timedelta(days=60))
    make_user("awa", groups=[group], locale=locale)
    log_in(page, "awa")
    page.goto(f"/groups/{group.id}/loans/due")
    field = page.locator("#due-on")
    with db.connection_context():
        default = loan_reports.next_meeting_day(group, today)
    expect(field).to_have_value(shown_today.format(d=default))
    expect(field).to_have_attribute("type", "text")
    expect(page.locator("#due-on-date-hint")).to_have_text(example.format(year=today.year))
    field.fill(typed)
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"on=2026-03-02"))
    assert parse_qs(urlsplit(page.url).query)["on"] == ["2026-03-02"]
    expect(page.locator("#due-on")).to_have_value(shown_today.format(d=date(2026, 3, 2)))


def test_a_date_that_cannot_be_read_is_sent_as_typed_and_refused_in_words(
    page: Page, admin, make_user, make_group, make_cycle
):
    group = make_group("Benkadi", currency="XOF")
    make_cycle(group, start_date=dates.today() - timedelta(days=60))
    make_user("awa", groups=[group], locale="fr")
    log_in(page, "awa")
    page.goto(f"/groups/{group.id}/loans/due")
    page.fill("#due-on", "31/02/2026")
    page.press("#due-on", "Enter")
    expect(page.locator("body")).to_contain_text("Cette date est illisible")
    assert parse_qs(urlsplit(page.url).query)["on"] == ["31/02/2026"]
