"""A French treasurer at 1366×768: the meeting grid and the loan check read right."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.vocabulary import Role
from savings_groups.store.db import db
from savings_groups.store.models import FineType
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# The widest option of the attendance list, with the room its text and arrow need.
OVERFLOW = """select => {
  const style = getComputedStyle(select);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const widest = Math.max(...[...select.options].map(o => ctx.measureText(o.text).width));
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return widest - room;
}"""


def test_attendance_reads_whole_and_loan_warnings_read_in_french(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    today = dates.today()
    group = make_group("Espoir", currency="XOF")
    fatou = make_member(group, full_name="Fatou Diop", gender="female")
    others = [
        make_member(group, full_name=name)
        for name in ("Khady Ba", "Awa Sow", "Moussa Ndiaye", "Ibrahima Fall", "Ousmane Sarr")
    ]
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=30),
        planned_end=today + timedelta(days=200),
        share_value=500,
        loan_rate="0.10",
        loan_rate_period="month",
    )
    with db.connection_context():
        FineType.create(cycle=cycle, name="Retard", amount=100)
    make_user("aminata", role=Role.RECORDER, groups=[group], locale="fr")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "aminata")

    page.goto(f"/groups/{group.id}/meetings/new")
    page.locator("main form button[type=submit]").first.click()
    attendance = page.locator(f"#m{fatou.id}-attendance")
    attendance.select_option("represented")
    # « Représentée » is read whole, not cut to « Représente ».
    assert attendance.evaluate(OVERFLOW) <= 0

    page.fill(f"#m{fatou.id}-shares", "4")
    for other in others[:2]:  # enough cash in the box for the loan
        page.fill(f"#m{other.id}-shares", "5")
    page.click("button[name=action][value=loan]")
    page.select_option("#member", str(fatou.id))
    page.fill("#principal", "5000")
    page.fill("#periods", "3")
    page.get_by_role("button", name="Vérifier le prêt").click()
    # The French colon, after a narrow no-break space, between the warning and its text.
    expect(page.locator("label[for=acknowledged-debt_ratio]")).to_contain_text(
        "Dette élevée par rapport à l’épargne\u202f: Après ce prêt"
    )
