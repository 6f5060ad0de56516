"""Member-level exports: refused without the group's MEMBER_EXPORTS consent; the member list's
figures and the full ledger (reversals included) in major units; French column titles in
French; a practice group marked."""

import io
from datetime import date
from decimal import Decimal

import pytest
from babel.support import Translations
from openpyxl import load_workbook

from savings_groups import resource_dir
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import ConsentScope, EntryKind, Fund
from savings_groups.exports import files, ledger, members
from savings_groups.groups import consent
from savings_groups.ledger import corrections
from tests.conftest import P, buy


def english(message):
    return message


french = Translations.load(str(resource_dir("translations")), ["fr"]).gettext


@pytest.fixture
def books(world, admin):
    w = world(currency="NGN")
    meeting = w.meeting(date(2026, 2, 2), attendance=(P, P, P))
    buy(w, w.members[0], meeting, 3, value=150_050)  # 1 500.50 naira a share
    fine = w.post(Fund.LOAN_FUND, EntryKind.FINE, 20_000, w.members[1], meeting)
    corrections.correct_entry(admin, fine, "typed twice")
    return w


def test_refused_without_the_groups_consent(books, admin):
    for make in (members.member_table, ledger.ledger_table):
        with pytest.raises(DomainError, match="has not agreed"):
            make(books.group, english)
    consent.record_consent(admin, books.group, {ConsentScope.API}, date(2026, 1, 5), "All")
    with pytest.raises(DomainError):
        members.member_table(books.group, english)


def test_the_member_list_and_the_ledger(books, admin):
    consent.record_consent(
        admin, books.group, {ConsentScope.MEMBER_EXPORTS}, date(2026, 1, 5), "All"
    )
    table = members.member_table(books.group, english)
    assert table.headers[:3] == ["Number", "Name", "Gender"]
    first = table.rows[0]
    assert first[7] == 3 and first[8] == Decimal("4501.50") and first[9] == Decimal("0.00")
    entries = ledger.ledger_table(books.group, english)
    kinds = [row[6] for row in entries.rows]
    assert kinds.count("Fine") == 2  # the fine and its reversal
    fine, reversal = [row for row in entries.rows if row[6] == "Fine"]
    assert (fine[9], reversal[9], reversal[11]) == (Decimal("200.00"), Decimal("-200.00"), fine[0])
    sheet = load_workbook(io.BytesIO(files.to_xlsx([entries]))).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:2] == ["Entry", "Date"]


def test_french_titles_and_a_practice_group_marked(books, admin):
    consent.record_consent(
        admin, books.group, {ConsentScope.MEMBER_EXPORTS}, date(2026, 1, 5), "All"
    )
    books.group.is_practice = True
    books.group.save()
    table = members.member_table(books.group, french)
    assert table.headers[:4] == ["Numéro", "Nom", "Sexe", "Type de membre"]
    assert "GROUPE D’EXERCICE" in table.title and "GROUPE D’EXERCICE" in table.rows[-1][0]
    text = files.to_csv(ledger.ledger_table(books.group, french)).decode("utf-8-sig")
    assert text.startswith("Écriture,Date,Cycle")
    assert "Amende" in text
