"""The ROSCA round pages at their edges (issue 11): a part paid, a stale tab, the last lottery
hand, undoing a payout, the commission and repayments; bad input refused next to its field
with nothing written."""

import re
from datetime import timedelta

from babel.dates import format_date

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.rosca import debts as rosca_debts
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.store.models import Contribution, DebtRepayment, Entry, Rotation, Round
from tests.conftest import Browser
from tests.rosca.test_rounds import START, everyone, run_round, set_up_rotation
from tests.web.views.test_ledger import _refused_here
from tests.web.views.test_loans import part
from tests.web.views.test_rosca_rounds import part_tag, statuses, tontine, url


def xof(amount):
    return format_amount(amount, "XOF", "en")


def counts():
    return [m.select().count() for m in (Entry, Contribution, Round, DebtRepayment)]


def version(page) -> str:
    found = re.search(r'name="version"[^>]*value="([^"]*)"', page.get_data(as_text=True))
    found = found or re.search(r'value="([^"]*)"[^>]*name="version"', page.get_data(as_text=True))
    assert found
    return found.group(1)


def test_a_part_paid_typed_wrong_is_refused_next_to_it(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    form = url(rotation, "rounds", 1)
    key = f"1-{people[0].id}"
    data = {**statuses(rotation), f"status-{key}": "partial", f"paid-{key}": "abc"}
    before = counts()
    refused = web.post(form, {**data, "save": "1"})
    assert refused.status_code == 422
    assert "abc" in part(refused, f"paid-{key}-error")
    refused = web.post(form, {**data, f"paid-{key}": "12,000", "save": "1"})
    assert refused.status_code == 422
    assert "has paid so far" in part(refused, f"paid-{key}-error")
    assert counts() == before
    assert web.post(form, {**data, f"paid-{key}": "4,000", "save": "1"}).status_code == 302
    page = web.client.get(form)
    assert 'value="4,000"' in part(page, f"line-{key}") or "4,000" in page.get_data(as_text=True)
    assert xof(24_000) in part(page, "round-status")


def test_a_stale_tab_is_refused(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    form = url(rotation, "rounds", 1)
    seen = version(web.client.get(form))
    rosca_rounds.record_contributions(admin, rotation, 1, everyone(rotation))
    before = counts()
    refused = web.post(form, {**statuses(rotation, "late"), "version": seen, "save": "1"})
    assert refused.status_code == 422
    assert "Someone else has just recorded this round" in refused.get_data(as_text=True)
    assert counts() == before


def test_the_last_lottery_round_shows_no_seed(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, members=2, order="lottery")
    run_round(admin, rotation, 1, seed="5 6")
    web.login("admin")
    page = web.client.get(url(rotation, "rounds", 2))
    assert 'id="seed"' not in page.get_data(as_text=True)
    paid = web.post(url(rotation, "rounds", 2), {**statuses(rotation), "pay": "1"})
    assert paid.status_code == 302
    assert Rotation.get_by_id(rotation.id).finished_at is not None


def test_a_payout_is_undone_through_the_page(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    run_round(admin, rotation, 1)
    web.login("admin")
    page = web.client.get(url(rotation, "rounds", 1))
    assert 'id="undo-form"' in page.get_data(as_text=True)
    before = counts()
    refused = web.post(url(rotation, "rounds", 1, "undo"), {}, url(rotation, "rounds", 1))
    assert refused.status_code == 422
    assert "Say why the payout is undone" in part(refused, "undo_reason-error")
    assert counts() == before
    done = web.post(
        url(rotation, "rounds", 1, "undo"),
        {"undo_reason": "wrong day"},
        url(rotation, "rounds", 1),
    )
    assert done.status_code == 302
    assert Round.get().paid_out_on is None
    assert Entry.select().where(Entry.note == "wrong day").count() == 1


def test_the_commission_and_a_repayment_through_the_rotation_page(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    page_url = url(rotation)
    refused = web.post(url(rotation, "commission"), {"commission_share": "2.555"}, page_url)
    assert refused.status_code == 422
    assert "two decimals" in part(refused, "commission_share-error")
    saved = web.post(
        url(rotation, "commission"),
        {"commission_amount": "1,500", "organiser": str(people[2].id)},
        page_url,
    )
    assert saved.status_code == 302
    page = web.client.get(page_url)
    assert xof(1_500) in part(page, "commission-rule")
    run_round(admin, rotation, 1, overrides={people[1].id: ("covered", people[0].id)})
    page = web.client.get(url(rotation, "rounds", 1))
    assert xof(1_500) in part(page, "commission")
    assert xof(28_500) in part(page, "payout-amount")
    page = web.client.get(page_url)
    assert 'id="commission-form"' not in page.get_data(as_text=True)  # a round is paid out
    assert f"owes {xof(10_000)} to {people[0].full_name}" in part(page, "position-2")
    debt = f"{people[1].id}-{people[0].id}"
    before = counts()
    refused = web.post(
        url(rotation, "repayments"),
        {"debt": debt, "amount": "20,000", "on": "2026-03-02"},
        page_url,
    )
    assert refused.status_code == 422
    assert "at most" in part(refused, "amount-error")
    assert counts() == before
    repaid = web.post(
        url(rotation, "repayments"),
        {"debt": debt, "amount": "10,000", "on": "2026-03-02"},
        page_url,
    )
    assert repaid.status_code == 302
    page = web.client.get(page_url)
    assert "owes " not in part(page, "position-2")


def test_the_round_page_says_what_of_a_discount_stays_in_the_pot(
    web, conn, admin, make_group, make_member
):
    group = make_group("Tontine", kind="rosca", currency="EUR", rounding_unit=100)
    people = [make_member(group, f"Person {n}") for n in (1, 2, 3)]
    rotation = set_up_rotation(admin, group, people, order="bidding", contribution=10_000)
    web.login("admin")
    page = web.client.get(url(rotation, "rounds", 1))
    assert "€1.00" in part(page, "split-rule")
    paid = web.post(url(rotation, "rounds", 1), {**statuses(rotation), "bid-1": "5.00", "pay": "1"})
    assert paid.status_code == 302
    page = web.client.get(url(rotation, "rounds", 1))
    assert "€1.00" in part(page, "kept")
    assert "€2.00" in part(page, "received")
    assert "€3.00" not in part(page, "received")
    receipt = web.client.get(url(rotation, "rounds", 1, "receipt"))
    assert "Kept in the pot: €1.00." in part(receipt, "receipt-payout")


def test_a_commission_share_is_shown_and_offered_in_the_reader_s_way(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    saved = web.post(url(rotation, "commission"), {"commission_share": "2.5"}, url(rotation))
    assert saved.status_code == 302
    page = web.client.get(url(rotation))
    assert "2.5%" in part(page, "commission-rule")
    assert 'value="2.5"' in part_tag(page, "commission_share")
    run_round(admin, rotation, 1)
    page = web.client.get(url(rotation, "rounds", 1))
    assert xof(750) in part(page, "commission")
    assert 'id="paid-' not in page.get_data(as_text=True)  # paid out: no part to type


def test_a_repayment_recorded_by_mistake_is_undone_on_the_rotation_page(
    app, web, conn, admin, make_group, make_member, make_user
):

    rotation, people = tontine(admin, make_group, make_member, members=3)
    run_round(admin, rotation, 1, overrides={people[1].id: ("covered", people[0].id)})
    repayment = rosca_debts.repay_debt(admin, rotation, people[1].id, people[0].id, 4_000, START)
    make_user("mariam", role="recorder", groups=[rotation.group])
    recorder = Browser(app.test_client())  # records repayments, does not undo them
    recorder.login("mariam")
    page = recorder.client.get(url(rotation))
    assert 'id="undo-repayment-form"' not in page.get_data(as_text=True)
    web.login("admin")
    _refused_here(web, rotation.group, repayment.debtor_entry, "undo the repayment on the")
    page_url = url(rotation)
    page = web.client.get(page_url)
    assert f"repaid {xof(4_000)} to {people[0].full_name}" in part(page, "repayment")
    before = counts()
    refused = web.post(
        url(rotation, "repayments", "undo"), {"repayment": str(repayment.id)}, page_url
    )
    assert refused.status_code == 422
    assert "Say why the repayment is undone" in part(refused, "repayment_reason-error")
    assert counts() == before
    done = web.post(
        url(rotation, "repayments", "undo"),
        {"repayment": str(repayment.id), "repayment_reason": "wrong member"},
        page_url,
    )
    assert done.status_code == 302
    assert Entry.select().where(Entry.note == "wrong member").count() == 2
    page = web.client.get(page_url)
    assert f"owes {xof(10_000)} to {people[0].full_name}" in part(page, "position-2")
    assert 'id="undo-repayment-form"' not in page.get_data(as_text=True)  # none left
    again = web.post(
        url(rotation, "repayments", "undo"),
        {"repayment": str(repayment.id), "repayment_reason": "twice"},
        page_url,
    )
    assert again.status_code == 422
    assert "Choose a repayment to undo" in part(again, "repayment-error")


def test_the_rest_of_a_part_is_dated_on_the_round_page(web, conn, admin, make_group, make_member):

    rotation, people = tontine(admin, make_group, make_member, members=3)
    key = f"1-{people[0].id}"
    form = url(rotation, "rounds", 1)
    web.login("admin")
    assert 'id="parts_on"' not in web.client.get(form).get_data(as_text=True)
    data = {**statuses(rotation), f"status-{key}": "partial", f"paid-{key}": "4,000"}
    assert web.post(form, {**data, "save": "1"}).status_code == 302
    page = web.client.get(form)
    assert f'value="{dates.today().isoformat()}"' in part_tag(page, "parts_on")
    rest = {**statuses(rotation), "save": "1"}
    before = counts()
    for wrong, words in (
        (dates.today() + timedelta(days=1), "in the future"),
        (START - timedelta(days=1), "the rest cannot be dated before it"),
    ):
        refused = web.post(form, {**rest, "parts_on": wrong.isoformat()})
        assert refused.status_code == 422
        assert words in part(refused, "parts_on-error")
        assert counts() == before
    paid_on = START + timedelta(days=10)
    assert web.post(form, {**rest, "parts_on": paid_on.isoformat()}).status_code == 302
    latest = Entry.select().order_by(Entry.id.desc()).get()
    assert (latest.member_id, latest.amount, latest.effective_on) == (people[0].id, 6_000, paid_on)
    history = web.client.get(f"/groups/{rotation.group_id}/ledger")
    assert f"{day(paid_on)}" in part(history, f"entry-{latest.id}")
    passbook = web.client.get(f"/groups/{rotation.group_id}/members/{people[0].id}/passbook")
    assert f"paid on {day(paid_on)}" in part(passbook, "book-1-round-1")


def day(on) -> str:
    return format_date(on, "medium", locale="en")
