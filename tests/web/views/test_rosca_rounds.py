"""The ROSCA round pages through the client: the rotation page, recording a round (fixed,
lottery, bidding), refusals shown next to their field with nothing saved, paper, query counts."""

import re

from playhouse.test_utils import count_queries

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.rosca import compute as rosca
from savings_groups.rosca import rotations
from savings_groups.store.models import Contribution, Entry, Hand, Round
from tests.rosca.test_rounds import run_round, set_up_rotation
from tests.web.views.test_loans import part, text


def xof(amount):
    return format_amount(amount, "XOF", "en")


def url(rotation, *rest):
    base = f"/groups/{rotation.group_id}/rotations/{rotation.id}"
    return "/".join([base, *map(str, rest)])


def statuses(rotation, status="on_time", overrides=None):
    """The round form's per-holder fields: status-<hand>-<member>, paid_by-<hand>-<member>."""
    data = {}
    for hand in rotations.hands_of(rotation):
        for holder in hand.holders:
            key = f"{hand.number}-{holder.member.id}"
            this, payer = (overrides or {}).get(holder.member.id, (status, None))
            data[f"status-{key}"] = this
            data[f"paid_by-{key}"] = str(payer or "")
    return data


def part_tag(response, element_id):
    """The opening tag of the element with this id."""
    found = re.search(rf'<[^>]*id="{element_id}"[^>]*>', response.get_data(as_text=True))
    assert found, element_id
    return found.group(0)


def counts():
    return [m.select().count() for m in (Entry, Contribution, Round)]


def tontine(admin, make_group, make_member, members=6, **terms):
    group = make_group("Tontine", kind="rosca")
    people = [make_member(group, f"Person {n}") for n in range(1, members + 1)]
    return set_up_rotation(admin, group, people, **terms), people


def test_a_fixed_round_recorded_and_paid_out_through_the_page(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(
        admin, make_group, make_member, positions={1: 2, 2: 1, 3: 3, 4: 4, 5: 5, 6: 6}
    )
    web.login("admin")
    page = web.client.get(url(rotation))
    assert page.status_code == 200
    assert "Person 2" in part(page, "next-recipient")
    assert xof(60_000) in part(page, "round-1")
    form = url(rotation, "rounds", 1)
    assert "Person 2" in part(web.client.get(form), "recipient")
    saved = web.post(form, {**statuses(rotation), "on": "2026-03-02", "pay": "1"})
    assert saved.status_code == 302
    assert Hand.get_by_id(Round.get().recipient_id).number == 2
    done = web.client.get(form)
    assert "Round 1 is paid out." in text(done)
    assert xof(60_000) in part(done, "payout-amount")
    assert "Person 2" in part(done, "received")
    page = web.client.get(url(rotation))
    assert "Person 1" in part(page, "next-recipient")
    assert xof(-50_000) in part(page, "position-2")
    assert "net debtor" in part(page, "position-2")


def test_the_pot_not_complete_is_refused_and_nothing_is_saved(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member)
    web.login("admin")
    form = url(rotation, "rounds", 1)
    data = statuses(rotation, overrides={people[3].id: ("missing", None)})
    before = counts()
    refused = web.post(form, {**data, "on": "2026-03-02", "pay": "1"})
    assert refused.status_code == 422
    missing = part(refused, f"status-4-{people[3].id}-error")  # next to Person 4's line
    assert "The pot is not complete" in missing and "Person 4" in missing
    assert counts() == before
    # the choices made stay on the page
    assert 'value="missing" selected' in refused.get_data(as_text=True)
    # saved without paying out, then covered by another member: paid out
    assert web.post(form, {**data, "save": "1"}).status_code == 302
    flagged = web.client.get(url(rotation))
    # Round 1 is held up by Person 4's 10 000; rounds 2 to 6 are past their dates too (weekly
    # from March), so their 60 000 each are due as well: the calendar does not wait.
    assert xof(10_000 + 5 * 60_000) in part(flagged, "arrears")
    covered = statuses(rotation, overrides={people[3].id: ("covered", people[5].id)})
    assert web.post(form, {**covered, "on": "2026-03-02", "pay": "1"}).status_code == 302
    assert Round.get().paid_out_on is not None


def test_a_change_without_a_reason_is_refused_next_to_the_reason(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    form = url(rotation, "rounds", 1)
    assert web.post(form, {**statuses(rotation), "save": "1"}).status_code == 302
    late = statuses(rotation, overrides={people[0].id: ("late", None)})
    refused = web.post(form, {**late, "save": "1"})
    assert refused.status_code == 422
    assert "Say why the contribution of Person 1" in part(refused, "reason-error")
    assert (
        web.post(form, {**late, "save": "1", "reason": "came after the count"}).status_code == 302
    )
    assert [c.status for c in Contribution.select().order_by(Contribution.id)][-1] == "late"


def test_a_lottery_round_needs_a_seed_and_prints_it(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, order="lottery")
    web.login("admin")
    form = url(rotation, "rounds", 1)
    refused = web.post(form, {**statuses(rotation), "on": "2026-03-02", "pay": "1"})
    assert refused.status_code == 422
    assert "Enter the seed of the draw" in part(refused, "seed-error")
    assert counts() == [0, 0, 0]
    paid = web.post(form, {**statuses(rotation), "on": "2026-03-02", "pay": "1", "seed": "3 14 15"})
    assert paid.status_code == 302
    winner = rosca.draw("3 14 15", 1, [1, 2, 3, 4, 5, 6])
    assert f"Person {winner}" in part(web.client.get(form), "recipient")
    schedule = web.client.get(url(rotation, "schedule"))
    assert "3 14 15" in part(schedule, "schedule")
    assert "to be drawn" in part(schedule, "schedule")


def test_a_bidding_round_through_the_page(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, order="bidding")
    web.login("admin")
    form = url(rotation, "rounds", 1)
    bids = {"bid-1": "3,000", "bid-2": "5,000", "bid-3": "5,000", "bid-4": ""}
    data = {**statuses(rotation), "on": "2026-03-02", "pay": "1", **bids}
    tie = web.post(form, data)
    assert tie.status_code == 422
    assert "2 hands bid the same discount" in part(tie, "seed-error")
    too_much = web.post(form, {**data, "bid-5": "60,000", "seed": "x"})
    assert too_much.status_code == 422
    assert "is not below the pot" in text(too_much)
    assert counts() == [0, 0, 0]
    assert web.post(form, {**data, "seed": "7 7"}).status_code == 302
    winner = rosca.draw("7 7", 1, [2, 3])
    done = web.client.get(form)
    assert xof(55_000) in part(done, "payout-amount")
    assert xof(5_000) in part(done, "discount")
    assert f"Person {winner}" in part(done, "recipient")
    others = [p for n, p in enumerate(people, start=1) if n != winner]
    assert all(f"{p.full_name}: {xof(1_000)}" in part(done, "received") for p in others)
    receipt = web.client.get(url(rotation, "rounds", 1, "receipt"))
    assert receipt.status_code == 200
    assert xof(60_000) in part(receipt, "receipt-total")
    assert "7 7" in part(receipt, "receipt-payout")


def test_every_wrong_field_is_shown_next_to_it_at_once_and_nothing_is_saved(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member, members=3, order="bidding")
    web.login("admin")
    form = url(rotation, "rounds", 1)
    data = statuses(rotation, overrides={people[1].id: ("covered", None)})
    key = f"2-{people[1].id}"
    refused = web.post(
        form, {**data, "on": "2026-03-02", "pay": "1", "bid-1": "abc", "bid-3": "5,000,000"}
    )
    assert refused.status_code == 422
    assert counts() == [0, 0, 0]
    assert "Nothing was saved: correct the entries marked below." in text(refused)
    assert "Choose the member of the rotation who paid for Person 2" in part(
        refused, f"paid_by-{key}-error"
    )
    assert "bid-1-error" in part_tag(refused, "bid-1")
    assert part(refused, "bid-1-error")
    assert "is not below the pot" in part(refused, "bid-3-error")
    for name in (f"paid_by-{key}", "bid-1", "bid-3"):
        tag = part_tag(refused, name)
        assert 'aria-invalid="true"' in tag and "is-invalid" in tag, tag
        assert f"{name}-error" in tag, tag
    assert "is-invalid" not in part_tag(refused, "bid-2")
    assert 'value="abc"' in part_tag(refused, "bid-1")  # what was typed stays
    # no offer at all: what to do, next to the offers and under them
    page = web.client.get(form)
    assert "0 is an offer" in part(page, "bids-help")
    none = web.post(form, {**statuses(rotation), "on": "2026-03-02", "pay": "1"})
    assert none.status_code == 422
    assert "enter an offer (0 is an offer) for each hand" in part(none, "bids-error")
    assert "bids-error" in part_tag(none, "bid-1") and "bids-help" in part_tag(none, "bid-1")
    assert counts() == [0, 0, 0]
    paid = web.post(form, {**statuses(rotation), "on": "2026-03-02", "pay": "1", "bid-2": "0"})
    assert paid.status_code == 302


def test_a_viewer_sees_the_round_without_a_form(
    web, conn, admin, make_group, make_member, make_user
):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    group = rotation.group
    make_user("watcher", role="viewer", groups=[group])
    run_round(admin, rotation, 1)
    web.login("watcher")
    page = web.client.get(url(rotation, "rounds", 1))
    assert page.status_code == 200
    assert 'id="round-form"' not in page.get_data(as_text=True)
    assert 'name="status-' not in page.get_data(as_text=True)
    assert "Paid on time" in part(page, "contributions")
    assert web.post(url(rotation, "rounds", 2), {"save": "1"}).status_code == 403


def test_paper_on_a4_and_a5(web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    run_round(admin, rotation, 1)
    web.login("admin")
    for path in (url(rotation, "schedule"), url(rotation, "rounds", 1, "receipt")):
        a4 = web.client.get(path).get_data(as_text=True)
        a5 = web.client.get(path + "?size=a5").get_data(as_text=True)
        assert "rosca-print.css" in a4 and "print-a5.css" not in a4
        assert "print-a5.css" in a5
    receipt = web.client.get(url(rotation, "rounds", 1, "receipt"))
    assert "Signature or thumbprint" in text(receipt)
    assert web.client.get(url(rotation, "rounds", 2, "receipt")).status_code == 200  # a blank
    assert web.client.get(url(rotation, "rounds", 4, "receipt")).status_code == 404


def test_the_rotation_page_reads_the_same_number_of_queries_at_6_and_30_hands(
    web, conn, admin, make_group, make_member
):
    web.login("admin")

    def queries(members):
        rotation, people = tontine(admin, make_group, make_member, members=members, late_fine=100)
        run_round(admin, rotation, 1)
        run_round(admin, rotation, 2, overrides={people[0].id: ("covered", people[1].id)})
        result = []
        for path in (url(rotation), url(rotation, "rounds", 2), url(rotation, "schedule")):
            web.client.get(path)  # the first request after a change may read a little more
            with count_queries() as counter:
                assert web.client.get(path).status_code == 200
            result.append(counter.count)
        return result

    assert queries(6) == queries(30)


def test_a_rotation_not_started_shows_its_terms_and_records_nothing(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member, members=3, start=False)
    web.login("admin")
    page = web.client.get(url(rotation))
    assert page.status_code == 200
    assert "This rotation has not started" in text(page)
    form = url(rotation, "rounds", 1)
    assert "The rotation has not started." in part(web.client.get(form), "round-status")
    refused = web.post(form, {**statuses(rotation), "save": "1"}, form_path=url(rotation))
    assert refused.status_code == 422
    assert "has not started" in text(refused)
    assert counts() == [0, 0, 0]


def test_the_payout_date_shows_the_due_date_and_refuses_the_future(
    web, conn, admin, make_group, make_member
):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    paid = {**statuses(rotation), "on": "2026-03-05", "pay": "1"}
    assert web.post(url(rotation, "rounds", 1), paid).status_code == 302
    form = url(rotation, "rounds", 2)
    page = web.client.get(form)
    assert "Round 2 is due on Mar 9, 2026." in part(page, "on-help")
    assert f'value="{dates.today().isoformat()}"' in part_tag(page, "on")  # today by default
    for on, message in (
        ("2030-01-01", "This date is in the future"),
        ("2026-03-04", "Round 1 was paid out on Mar 5, 2026"),
    ):
        refused = web.post(form, {**statuses(rotation), "on": on, "pay": "1"})
        assert refused.status_code == 422
        assert message in part(refused, "on-error")
    assert counts() == [4, 3, 1]  # round 1: three contributions and the payout


def test_the_money_history_says_the_round_and_for_whom_in_the_readers_language(
    web, conn, admin, make_group, make_member, make_user
):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    make_user("awa", role="recorder", groups=[rotation.group], locale="fr")
    web.login("awa")
    covered = statuses(rotation, overrides={people[1].id: ("covered", people[0].id)})
    assert (
        web.post(
            url(rotation, "rounds", 1), {**covered, "on": "2026-03-02", "pay": "1"}
        ).status_code
        == 302
    )
    notes = [e.note for e in Entry.select().order_by(Entry.id)]
    # Person 1, Person 2 paid by Person 1, Person 3, the pot (new words: French to come)
    assert len(notes) == 4 and notes[0] == notes[2] == "Tour 1"
    assert "Person 2" in notes[1] and notes[1] != notes[0]
    history = text(web.client.get(f"/groups/{rotation.group_id}/ledger"))
    assert "Person 2" in history and "Tour 1" in history
