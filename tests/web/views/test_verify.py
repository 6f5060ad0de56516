"""Printed statements carry a signed token of exactly their figures; the public verification
page says whether a token is authentic, checks it against the books, and shows nothing else."""

import html
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from savings_groups.core.dates import today
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import corrections
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.qr import keys
from savings_groups.qr.svg import svg
from savings_groups.qr.tokens import FIELDS, verify
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db
from savings_groups.store.models import Entry, Meeting
from tests.conftest import P, buy
from tests.rosca.test_rounds import run_round
from tests.web.views.test_loans import lend, text  # noqa: F401  (lend: a fixture)
from tests.web.views.test_rosca_rounds import tontine
from tests.web.views.test_rosca_rounds import url as rosca_url
from tests.web.views.test_shareout import ON
from tests.web.views.test_shareout import world as shareout_world  # noqa: F401


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "en")


def tokens(response) -> list[str]:
    return re.findall(r'data-token="([A-Z2-7]+)"', response.get_data(as_text=True))


def sections(response, css_class: str) -> list[str]:
    """The HTML of each element of the page with this class (slips, receipts)."""
    page = response.get_data(as_text=True)
    return re.split(rf'<section class="{css_class}"', page)[1:]


def decoded(app, token: str):
    known = {key.id: key.secret for key in keys.all_keys(app.instance_path).values()}
    return verify(token, known).statement


def check(app, token: str) -> str:
    """The verification page as someone without an account sees it."""
    response = app.test_client().get(f"/verify/{token}")
    assert response.status_code == 200
    return text(response)


def amounts_printed(statement, printed: str, skip=()) -> None:
    """Every amount of the statement is printed, in the document's currency."""
    page = text_of(printed)
    for name, kind in FIELDS[statement.kind]:
        value = statement.figures[name]
        if kind == "int" and name not in skip and not name.endswith("number"):
            if "shares" in name or name == "periods":
                assert str(value) in page, (name, value)
            else:
                assert xof(value) in page, (name, value)


@pytest.fixture
def meeting_world(world):
    """A closed meeting: members 1 and 2 bought 3 and 2 shares, member 1 paid a fine."""
    w = world()
    meeting = w.meeting(date(2026, 2, 2), attendance=(P, P, P))
    buy(w, w.members[0], meeting, 3)
    buy(w, w.members[1], meeting, 2)
    w.post(Fund.LOAN_FUND, EntryKind.FINE, 150, w.members[0], meeting)
    w.meeting_row = meeting
    return w


def test_meeting_receipts_carry_the_printed_figures_and_verify_without_login(
    app, web, meeting_world
):
    w = meeting_world
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts")
    slips = sections(page, "receipt")
    assert len(slips) == len(tokens(page)) == 3
    for member, slip in zip(w.members, slips, strict=True):
        (token,) = tokens_of(slip)
        statement = decoded(app, token)
        assert statement.kind == "receipt" and statement.on == date(2026, 2, 2)
        assert statement.figures["member_number"] == member.number
        assert statement.figures["initials"] == "M" + str(member.number)
        assert f"{member.number}. {member.full_name}" in slip
        amounts_printed(statement, slip, skip={"repaid", "loan_received", "welfare"})
        assert re.sub(" ", "", text_of(slip)).count(token) == 1  # the code to type is printed
    first = decoded(app, tokens_of(slips[0])[0])
    assert first.figures["savings"] == 3_000 and first.figures["fines"] == 150
    assert first.figures["paid"] == 3_000 + 150
    shown = check(app, tokens_of(slips[0])[0])
    assert "Authentic" in shown and "Not authentic" not in shown
    assert xof(3_000) in shown and xof(150) in shown
    assert w.group.name in shown  # printed on the receipt
    for other in ("Member 1", "Member 2", "Member 3"):  # not even the member's own full name
        assert other not in shown
    assert f"/groups/{w.group.id}" not in app.test_client().get(
        f"/verify/{tokens_of(slips[0])[0]}"
    ).get_data(as_text=True)


def tokens_of(html: str) -> list[str]:
    return re.findall(r'data-token="([A-Z2-7]+)"', html)


def text_of(page: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_a_receipt_of_a_meeting_changed_since_is_not_authentic_and_says_what_changed(
    app, web, admin, meeting_world
):
    w = meeting_world
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts")
    token = tokens(page)[0]
    fine = Entry.get(Entry.kind == EntryKind.FINE.value)
    corrections.correct_entry(admin, fine, "typed twice")
    shown = check(app, token)
    assert "Not authentic" in shown
    assert "The books were corrected since this document was printed" in shown
    assert "Fines" in shown and "Total paid" not in shown
    assert xof(150) in shown  # the figures as printed, to compare with the paper
    untouched = check(app, tokens(page)[1])
    assert "Authentic" in untouched and "Not authentic" not in untouched
    Meeting.update(status="draft").where(Meeting.id == w.meeting_row.id).execute()
    assert "The meeting was reopened since this receipt was printed" in check(app, token)


def test_an_altered_truncated_or_rubbish_code_is_not_authentic(app, web, meeting_world):
    w = meeting_world
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts")
    token = tokens(page)[0]
    changed = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    altered = check(app, changed)
    assert "Not authentic" in altered
    assert "a figure, the date or the member was changed" in altered or "incomplete" in altered
    assert xof(3_000) not in altered  # nothing of an untrusted token is shown
    assert "incomplete" in check(app, token[:-9])
    assert "not a code of a document" in check(app, "not-a-code!")


def test_the_form_takes_a_typed_code_with_spaces_and_dashes(app, web, meeting_world):
    w = meeting_world
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts")
    token = tokens(page)[0]
    anonymous = app.test_client()
    form = anonymous.get("/verify")
    assert form.status_code == 200 and "Check a document" in text(form)
    typed = " ".join(token[i : i + 4] for i in range(0, len(token), 4)).lower()
    result = anonymous.get("/verify", query_string={"code": typed}, follow_redirects=True)
    assert "Authentic" in text(result)


def test_share_out_slips_sign_only_the_final_share_out_and_a_reversed_payout_shows(
    app,
    web,
    shareout_world,  # noqa: F811
):
    w = shareout_world()
    web.login("admin")
    preview = web.client.get(w.url("slips", cycle=w.cycle.id, on=ON.isoformat()))
    assert tokens(preview) == []  # a preview is no document yet
    with db.connection_context():
        closing.finalise(w.admin, w.group, w.cycle, ON)
    page = web.client.get(w.url("slips", cycle=w.cycle.id))
    slips = sections(page, "slip")
    assert len(slips) == 3
    for member, slip in zip(w.people, slips, strict=True):
        (token,) = tokens_of(slip)
        statement = decoded(app, token)
        assert statement.kind == "slip" and statement.on == ON
        assert statement.figures["member_number"] == member.number
        amounts_printed(statement, slip, skip={"social_fund"})
    token = tokens_of(slips[0])[0]
    assert "Authentic" in check(app, token)
    with db.connection_context():
        payout = Entry.get(Entry.kind == EntryKind.SHARE_OUT.value, Entry.member == w.people[0].id)
        ledger.reverse(w.admin, payout, "paid to the wrong member")
    shown = check(app, token)
    assert "Not authentic" in shown and "was reversed" in shown
    assert "Authentic" in check(app, tokens_of(slips[1])[0])


def test_a_loan_agreement_carries_its_terms_and_a_reversed_or_written_off_loan_shows(
    app,
    web,
    lend,  # noqa: F811
):
    w = lend(savings=(50_000, 20_000))
    loan = w.grant(w.members[0], 30_000)
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/loans/{loan.id}/agreement")
    (token,) = tokens(page)
    statement = decoded(app, token)
    assert statement.kind == "loan" and statement.on == date(2026, 2, 2)
    assert statement.figures["principal"] == 30_000 and statement.figures["periods"] == 3
    assert xof(30_000) in text(page) and "10%" in text(page)
    shown = check(app, token)
    assert "Authentic" in shown and xof(30_000) in shown and "10% a week" in shown
    with db.connection_context():
        lending.write_off(w.admin, loan, "left the village", date(2026, 3, 2))
    assert "The loan was written off since" in check(app, token)
    other = w.grant(w.members[1], 10_000)
    (second,) = tokens(web.client.get(f"/groups/{w.group.id}/loans/{other.id}/agreement"))
    with db.connection_context():
        disbursement = Entry.get(
            Entry.loan == other.id, Entry.kind == EntryKind.LOAN_DISBURSEMENT.value
        )
        ledger.reverse(w.admin, disbursement, "never paid out")
    assert "was reversed in the books" in check(app, second)


def test_a_paid_out_rosca_round_receipt_is_signed(app, web, conn, admin, make_group, make_member):
    rotation, people = tontine(admin, make_group, make_member, members=3)
    web.login("admin")
    assert tokens(web.client.get(rosca_url(rotation, "rounds", 1, "receipt"))) == []
    run_round(admin, rotation, 1)
    page = web.client.get(rosca_url(rotation, "rounds", 1, "receipt"))
    (token,) = tokens(page)
    statement = decoded(app, token)
    assert statement.kind == "rosca_receipt"
    assert statement.figures["collected"] == 30_000 and statement.figures["recipients"] == "1"
    amounts_printed(statement, page.get_data(as_text=True))
    shown = check(app, token)
    assert "Authentic" in shown and xof(30_000) in shown
    assert "Person 2" not in shown and "Person 1" not in shown


def test_passbooks_carry_their_totals(app, web, meeting_world, make_group, make_member, admin):
    w = meeting_world
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/members/{w.members[0].id}/passbook")
    (token,) = tokens(page)
    statement = decoded(app, token)
    assert statement.kind == "passbook" and statement.on == today()
    assert (statement.figures["shares"], statement.figures["savings"]) == (3, 3_000)
    amounts_printed(statement, page.get_data(as_text=True))
    assert "Authentic" in check(app, token)
    rotation, people = tontine(admin, make_group, make_member, members=3)
    run_round(admin, rotation, 1)
    page = web.client.get(f"/groups/{rotation.group_id}/members/{people[1].id}/passbook")
    (token,) = tokens(page)
    statement = decoded(app, token)
    assert statement.kind == "tontine_passbook"
    assert (statement.figures["paid"], statement.figures["balance"]) == (10_000, 10_000)
    assert "Authentic" in check(app, token)


def test_a_rotated_key_still_verifies_and_says_so_and_a_retired_one_does_not(
    app, web, meeting_world
):
    w = meeting_world
    web.login("admin")
    receipts = f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts"
    old = tokens(web.client.get(receipts))[0]
    (first,) = keys.all_keys(app.instance_path).values()
    folder = Path(app.instance_path) / "statement_keys"
    assert [path.name for path in folder.iterdir()] == [f"{first.id}.json"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # owner only
    assert stat.S_IMODE((folder / f"{first.id}.json").stat().st_mode) == 0o600
    keys.rotate(app.instance_path, date(2026, 3, 1))
    new = tokens(web.client.get(receipts))[0]
    assert new != old
    shown = check(app, old)
    assert "Authentic" in shown and "Not authentic" not in shown
    assert "Signed with a previous key (rotated on Mar 1, 2026)" in shown
    assert "previous key" not in check(app, new)
    keys.retire(app.instance_path, first.id, date(2026, 3, 5))
    shown = check(app, old)
    assert "Not authentic" in shown and "withdrawn on Mar 5, 2026" in shown
    assert "Authentic" in check(app, new)


def test_the_qr_code_links_to_the_public_address_when_one_is_set(app, web, meeting_world):
    w = meeting_world
    app.config["PUBLIC_URL"] = "https://books.example.org/"
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts")
    html = page.get_data(as_text=True)
    token = tokens(page)[0]
    drawn = svg(
        f"https://books.example.org/verify/{token}",
        size="24mm",
        label="Code to check this document",
    )
    assert drawn in html
    assert "https://books.example.org/verify and type" in text(page)


def test_the_page_is_in_french_when_the_reader_asks(app, web, meeting_world):
    w = meeting_world
    web.login("admin")
    token = tokens(web.client.get(f"/groups/{w.group.id}/meetings/{w.meeting_row.id}/receipts"))[0]
    french = app.test_client().get(f"/verify/{token}", headers={"Accept-Language": "fr"})
    shown = text(french)
    assert "Authentique" in shown
    assert format_amount(3_000, "XOF", "fr") in shown


def test_too_many_checks_from_one_address_are_refused_for_a_minute(app, admin):
    anonymous = app.test_client()
    for _ in range(30):
        assert anonymous.get("/verify/AAAA").status_code == 200
    refused = anonymous.get("/verify/AAAA")
    assert refused.status_code == 429
    assert "Too many checks from this computer" in text(refused)
    other = app.test_client().get("/verify/AAAA", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200


def test_a_code_of_only_dashes_or_far_too_long_is_refused_plainly(app, admin):
    anonymous = app.test_client()
    dashes = anonymous.get("/verify", query_string={"code": " - - "})
    assert dashes.status_code == 422
    assert "This is not a code of a document of this application." in text(dashes)
    assert "not a code of a document" in check(app, "A" * 5_000)
