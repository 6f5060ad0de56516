"""The audit log reads as sentences in the reader's language: who did what for whom, amounts as
money in the group's currency, names looked up in bulk; an unknown action gets a generic one."""

import re
from datetime import date

import pytest

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import Meeting
from tests.web.views.test_audit import plain
from tests.web.views.test_loans import RULES


def sentences(response) -> list[str]:
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [plain(s.split("</span>")[0]) for s in page.split('class="audit-sentence">')[1:]]


@pytest.fixture
def book(app, admin, make_group, make_user, make_cycle, make_member):
    group = make_group("Kankan", currency="XOF", rounding_unit=25)
    awa = make_user("awa", role=Role.FACILITATOR, groups=[group])
    cycle = make_cycle(group, **RULES)
    fatou = make_member(group, "Fatou")
    with db.connection_context():
        audit.record(awa, "member.create", fatou, group=group, full_name="Fatou")
        ledger.post(
            awa,
            group,
            Fund.LOAN_FUND,
            EntryKind.SHARE_PURCHASE,
            25_000,
            cycle=cycle,
            member=fatou,
            shares=25,
        )
        fine = ledger.post(
            awa, group, Fund.LOAN_FUND, EntryKind.FINE, 2_500, cycle=cycle, member=fatou
        )
        ledger.correct(awa, fine, 500, 0, "Late, not absent")
        loan = lending.grant_loan(
            awa, group, cycle, LoanRequest(fatou, 24_000, 3, "business", ()), date(2026, 2, 2)
        )
        lending.record_repayment(awa, loan, 10_400, date(2026, 2, 9))
        meeting = Meeting.create(group=group, cycle=cycle, held_on=date(2026, 2, 9))
        audit.record(awa, "meeting.close", meeting, group=group, held_on=meeting.held_on)
        audit.record(awa, "something.new", meeting, group=group, x=1)
    return group


def test_the_log_in_english(book, web):
    web.login("admin")
    said = sentences(web.client.get(f"/audit?group={book.id}"))
    money = lambda amount: re.sub(r"\s+", " ", format_amount(amount, "XOF", "en"))  # noqa: E731
    assert said == [
        "Awa: something.new",
        "Awa closed the meeting of Feb 9, 2026",
        f"Awa recorded a repayment of {money(10_400)} by Fatou",
        f"Awa lent {money(24_000)} to Fatou",
        f"Awa corrected an entry (Fine) for Fatou: now {money(500)}",
        f"Awa reversed an entry (Fine, {money(2_500)}) for Fatou",
        "Awa added Fatou to the group",
        "Awa Admin assigned Awa to the group Kankan",
        "Awa Admin created the group Kankan",
    ]
    grant = web.client.get(f"/audit?group={book.id}&action=loan.grant").get_data(as_text=True)
    assert "Member: Fatou" in plain(grant) and "Member: 1 " not in plain(grant)
    assert '<details class="audit-details"><summary>Details</summary>' in grant
    everything = sentences(web.client.get("/audit"))
    assert everything[-3:] == [
        "Awa Admin created the group Kankan",
        "Awa Admin set up the organization Programme Retour",
        "Awa Admin created the account of Awa Admin",
    ]


def test_the_log_in_french(book, web, make_user):
    make_user("lecteur", role=Role.ADMIN, locale="fr")
    web.login("lecteur")
    said = [
        s.replace("\u202f", " ").replace("\u00a0", " ")
        for s in sentences(web.client.get(f"/audit?group={book.id}"))
    ]
    assert said[:7] == [
        "Awa : something.new",
        "Awa a clôturé la réunion du 9 févr. 2026",
        "Awa a enregistré un remboursement de 10 400 F CFA de Fatou",
        "Awa a prêté 24 000 F CFA à Fatou",
        "Awa a corrigé une écriture (Amende) pour Fatou : désormais 500 F CFA",
        "Awa a annulé une écriture (Amende, 2 500 F CFA) pour Fatou",
        "Awa a ajouté Fatou au groupe",
    ]
    assert "{" not in " ".join(said)
