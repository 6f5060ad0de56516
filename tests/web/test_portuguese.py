"""A treasurer who reads Portuguese sees the main pages in European Portuguese: no English sentence
is left on the group page, the meeting page, the passbook, the loans and the members list; money and
dates are written by Babel's pt_PT locale (1 250 000 F CFA, 02/02/2026), which Guinea-Bissau,
Cabo Verde, Angola and Mozambique follow; words about a member agree with her or him; the catalog
keeps to translations/GLOSSARY.pt.md."""

import re

import pytest
from babel.numbers import format_currency

from tests.web.languages import (
    assert_catalog_says,
    assert_no_english_left,
    english_sentences,
    glossary_mismatches,
    member_row,
    readers_in,
    savings_books,
    visible,
)
from tests.web.test_i18n import load_po

CODE = "pt_PT"
ENGLISH = english_sentences("Fatumata Baldé")
PORTUGUESE = {
    "group": ["Grupo de poupança", "Terminar sessão"],
    "members": ["Adicionar um membro", "Migrante retornada", "Migrante retornado", "Tesoureira"],
    "meeting": ["Guardar rascunho", "Encerrar a reunião", "Presenças", "Fundo social"],
    "passbook": ["Total poupado", "Pago ao fundo social"],
    "loans": ["Carteira em risco (PAR>30)", "Empréstimos em reembolso"],
    "loan": ["Empréstimo de Fatumata Baldé", "Montante emprestado", "Taxa de juro"],
}

WORDS = {
    "Share-out": "Distribuição",
    "Social fund": "Fundo social",
    "Share value": "Valor da ação",
    "Fine": "Multa",
    "Hand": "Quota",
    "Pot": "Bolo",
    "ROSCA (tontine)": "Tontina (ROSCA)",
}
GENDERED = (
    ("Returnee", "Migrante retornada", "Migrante retornado"),
    ("Treasurer", "Tesoureira", "Tesoureiro"),
    ("Present", "Presente", "Presente"),
    ("Excused", "Justificada", "Justificado"),
    ("served", "contemplada", "contemplado"),
)


def pt_money(amount: int) -> str:
    """XOF has no minor unit: the amount is whole francs, written by Babel's pt_PT locale."""
    return format_currency(amount, "XOF", locale=CODE)


@pytest.fixture
def books(app, admin, make_group, make_member, make_cycle):
    """A savings group in XOF in Guinea-Bissau with three members, their shares, a loan and a
    meeting."""
    names = ("Fatumata Baldé", "Braima Camará", "Aissatu Djaló")
    return savings_books(admin, make_group, make_member, make_cycle, "Abota Esperança", names)


@pytest.fixture
def readers(app, web, make_user):
    """The same pages read by Quintino (Portuguese) and by the administrator (English)."""
    return readers_in(app, web, make_user, "quintino", CODE)


def test_the_portuguese_catalog_is_complete_enough_and_agrees_with_the_glossary():
    catalog = load_po(CODE)
    assert catalog.num_plurals == 3
    assert_catalog_says(CODE, WORDS, GENDERED)


def test_a_browser_asking_for_portuguese_gets_the_european_catalog(client, admin):
    for header in ("pt", "pt-PT", "pt-BR,pt;q=0.9"):
        page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert 'lang="pt-PT"' in page or 'lang="pt_PT"' in page, header
        assert "Nome de utilizador" in page, header
        assert "Português (Portugal)" in page, header  # the language offered, in its own words


@pytest.mark.parametrize("page", sorted(ENGLISH))
def test_no_english_is_left_on_the_main_pages(books, readers, page):
    portuguese, english = readers
    path = books["paths"][page]
    source, shown = visible(english(path)), visible(portuguese(path))
    assert_no_english_left(CODE, page, source, shown, ENGLISH[page], PORTUGUESE[page])


def test_money_and_dates_are_written_by_the_pt_pt_locale(books, readers):
    portuguese, english = readers
    paths = books["paths"]
    assert pt_money(1_250_000) == "1\xa0250\xa0000\xa0F\u202fCFA"  # groups with spaces, sign after
    passbook = visible(portuguese(paths["passbook"])).replace("\u202f", " ")
    assert "1 250 000 F CFA" in passbook
    assert "1,250,000" not in passbook and "1.250.000" not in passbook
    loan = visible(portuguese(paths["loan"])).replace("\u202f", " ")
    assert "30 000 F CFA" in loan
    assert "10% por semana" in loan
    assert re.search(r"02/02/2026|2 de fev(ereiro|\.)? de 2026", loan)


def test_words_about_a_member_agree_in_portuguese(books, readers):
    portuguese, _ = readers
    members = portuguese(books["paths"]["members"])
    fatumata, braima = member_row(members, "Fatumata Baldé"), member_row(members, "Braima Camará")
    assert "Migrante retornada" in fatumata and "Tesoureira" in fatumata
    assert "Migrante retornado" in braima and "Presidente" in braima
    meeting = portuguese(books["paths"]["meeting"])
    assert re.search(rf'id="m{books["chair"].id}-attendance".*?selected>Ausente<', meeting, re.S)


# The words of translations/GLOSSARY.pt.md: a message that says the English term says the
# Portuguese one.
TERMS = {
    r"\bsocial fund\b": "fundo social",
    r"\bloan fund\b": "fundo de crédito",
    r"\bfines?\b": "multa",
    r"\bpassbooks?\b": "caderneta",
    r"\breturnees?\b": "retornad",
    r"\bcycles?\b": "ciclo",
    r"\bguarantors?\b": "fiador",
}


def test_the_words_of_the_trade_are_the_glossary_s():
    wrong = glossary_mismatches(CODE, TERMS)
    assert not wrong, "\n".join(wrong)
