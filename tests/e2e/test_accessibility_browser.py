"""The main pages in French pass axe-core (vendored in tests/e2e/vendor, no network) with no
serious or critical violation; screenshots at 1366×768 and 1280×720; the wide tables fit a
1366-px screen or scroll in a region the keyboard can reach."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.e2e.practice_books import practice_pages

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""
SIZES = [(1366, 768), (1280, 720)]
# A table wider than its box must sit in a scroll box the keyboard can reach: one focusable
# region with a name. Returns the tables that do not (by a description).
UNREACHABLE_SCROLL = """() => {
  const bad = [];
  for (const table of document.querySelectorAll("main table")) {
    let box = table.parentElement, scrolls = false;
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      if (el.scrollWidth > el.clientWidth + 1 &&
          ["auto", "scroll"].includes(getComputedStyle(el).overflowX)) { box = el; scrolls = true; break; }
    }
    const pageScrolls = document.documentElement.scrollWidth > window.innerWidth + 1;
    if (scrolls && !(box.tabIndex >= 0 && box.getAttribute("role") === "region"
                     && box.getAttribute("aria-label"))) {
      bad.push(`${table.id || table.className}: scrolls in a box the keyboard cannot reach`);
    } else if (!scrolls && pageScrolls) {
      bad.push(`${table.id || table.className}: the page is wider than the screen`);
    }
  }
  return bad;
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    """In French; and axe's script is let in past the app's Content-Security-Policy (the test
    injects it, the app never serves it)."""
    return {**browser_context_args, "locale": "fr-FR", "bypass_csp": True}


def violations(page: Page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.fixture
def books(admin, make_user, make_group, make_member):
    """A practice group in French (six members, two closed meetings), a loan, a meeting being
    recorded today, and a tontine that has run a round."""
    names = ("Groupe d’entraînement Benkadi", "Tontine Espoir", "Awa", "Binta", "Coumba", "Fanta")
    pages = practice_pages(
        admin,
        make_user,
        make_group,
        make_member,
        names=names,
        currency="XOF",
        username="mariam",
        locale="fr",
    )
    return {
        "accueil": "/",
        "groupe": pages["group"],
        "réunion": pages["meeting-grid"],
        "résumé de réunion": pages["meeting-summary"],
        "livret": pages["passbook"],
        "prêt": pages["loan"],
        "partage (aperçu)": pages["share-out-preview"],
        "tontine": pages["rosca-round"],
    }


def test_main_pages_in_french_have_no_serious_or_critical_violation(page: Page, books):
    page.set_viewport_size({"width": 1366, "height": 768})
    found = {}
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    found["connexion"] = violations(page)
    log_in(page, "mariam")
    for name, path in books.items():
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        found[name] = violations(page)
    found = {name: v for name, v in found.items() if v}
    assert found == {}, found


def test_screenshots_at_1366_and_1280(page: Page, books, tmp_path):
    folder = Path(os.environ.get("SAVINGS_GROUPS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    log_in(page, "mariam")
    saved = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, key in (("meeting-grid", "réunion"), ("passbook", "livret"), ("group", "groupe")):
            page.goto(books[key])
            path = folder / f"{name}-{width}x{height}.png"
            page.screenshot(path=str(path))
            saved.append(path)
    for path in saved:
        print(path)
        assert path.stat().st_size > 10_000


def test_wide_tables_fit_1366_or_scroll_in_a_reachable_region(page: Page, books):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "mariam")
    found = {}
    for name in ("livret", "résumé de réunion", "réunion", "groupe", "prêt"):
        page.goto(books[name])
        found[name] = page.evaluate(UNREACHABLE_SCROLL)
    found = {name: bad for name, bad in found.items() if bad}
    assert found == {}, found
