"""A treasurer who reads Arabic: the pages run right to left in the browser.

The meeting page says dir="rtl", its grid starts at the right edge (the first column, the
member's number, is the rightmost one) and its amounts are aligned at the end of their cells (on
the left); the group page's chart is mirrored (the value axis on the right). Screenshots of the
main pages are saved under SAVINGS_GROUPS_SCREENSHOTS (default: the test's tmp_path).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.e2e.practice_books import practice_pages

pytestmark = pytest.mark.e2e

# The boxes of the grid's first row: its cells from the first column on, and the table's.
GRID_BOXES = """() => {
  const table = document.querySelector("table.meeting-grid");
  const row = table.querySelector("tbody tr");
  const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  return {table: box(table), cells: [...row.children].map(box),
          viewport: document.documentElement.clientWidth};
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ar"}


@pytest.fixture
def books(admin, make_user, make_group, make_member):
    """A practice group, a loan, a meeting being recorded today, and a tontine (dārat) that has
    run a round, for a facilitator who reads Arabic."""
    names = ("مجموعة تدريب الأمل", "دارت الخير", "فاطمة", "خديجة", "مريم", "زينب")
    return practice_pages(
        admin,
        make_user,
        make_group,
        make_member,
        names=names,
        currency="MAD",
        username="amina",
        locale="ar",
    )


# Paper pages, as they print (A4): the share-out sheet and slips, the loan agreement, the
# rotation's schedule and a round's receipt.
PRINTED = {
    "share-out-sheet": "{group}/share-out/sheet",
    "share-out-slips": "{group}/share-out/slips",
    "loan-agreement": "{loan}/agreement",
    "rosca-schedule": "{rotation}/schedule",
    "rosca-receipt": "{rotation}/rounds/1/receipt",
}


def test_the_meeting_page_runs_right_to_left(page: Page, books):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "amina")
    page.goto(books["meeting-grid"])
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("table.meeting-grid thead th").first).to_have_text("رقم")
    boxes = page.evaluate(GRID_BOXES)
    table, cells = boxes["table"], boxes["cells"]
    first, second = cells[0], cells[1]
    # The first column (the member's number) is at the right edge of the grid and of the page's
    # right half; each next column is to its left.
    assert abs(first["right"] - table["right"]) <= 1, boxes
    assert first["left"] > boxes["viewport"] / 2, boxes
    assert second["right"] <= first["left"] + 1, boxes
    pairs = zip(cells, cells[1:], strict=False)
    assert all(b["right"] <= a["left"] + 1 for a, b in pairs), boxes
    # Bootstrap's RTL sheet is the one loaded, and the numbers of the box preview are at the
    # end of their cells: on the left.
    assert page.locator("link[href*='bootstrap.rtl']").count() == 1
    align = page.locator("table.box-preview td.text-end").first.evaluate(
        "td => getComputedStyle(td).textAlign"
    )
    assert align in ("left", "end"), align


def test_the_group_chart_is_mirrored(page: Page, books):
    log_in(page, "amina")
    page.goto(books["group"])
    chart = page.locator("svg.chart-svg")
    expect(chart).to_have_count(1)
    # The value axis is drawn on the right, its labels anchored at their start beside it, and
    # time runs from right to left: the first point is right of the last.
    view = chart.evaluate("svg => svg.viewBox.baseVal.width")
    axis = chart.locator("g > line").nth(0)
    labels = chart.locator("text[text-anchor=start]")
    assert labels.count() >= 2
    points = chart.locator("circle")
    assert points.count() >= 2
    xs = [float(points.nth(i).get_attribute("cx")) for i in range(points.count())]
    assert xs == sorted(xs, reverse=True), xs
    assert float(labels.first.get_attribute("x")) > view / 2
    assert axis.count() == 1
    # The dates under the time axis are laid out right to left, as on the rest of the page, so
    # that 28/11/2026 does not come out as 282026/11/.
    dates_drawn = chart.locator("text[text-anchor=middle]")
    assert dates_drawn.count() >= 2
    assert all(
        dates_drawn.nth(i).get_attribute("direction") == "rtl" for i in range(dates_drawn.count())
    )


def test_screenshots_of_the_main_pages_in_arabic(page: Page, books, tmp_path):
    folder = Path(os.environ.get("SAVINGS_GROUPS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "amina")
    saved = []
    for name, path in books.items():
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        shot = folder / f"ar-{name}-1366x768.png"
        page.screenshot(path=str(shot), full_page=True)
        saved.append(shot)
    page.emulate_media(media="print")
    where = {"group": books["group"], "loan": books["loan"], "rotation": books["rosca-round"]}
    for name, path in PRINTED.items():
        page.goto(path.format(**where))
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        shot = folder / f"ar-{name}-print.png"
        page.screenshot(path=str(shot), full_page=True)
        saved.append(shot)
    for shot in saved:
        print(shot)
        assert shot.stat().st_size > 10_000
