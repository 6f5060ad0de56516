"""A treasurer who reads Portuguese sees the main pages in European Portuguese: no English sentence
is left on the group page, the meeting page, the passbook, the loans and the members list; money and
dates are written by Babel's pt_PT locale (1 250 000 F CFA, 02/02/2026), which Guinea-Bissau,
Cabo Verde, Angola and Mozambique follow; words about a member agree with her or him; the catalog
keeps to translations/GLOSSARY.pt.md. The books are test_spanish's."""

import re

import pytest
from babel.numbers import format_currency

from savings_groups.core.vocabulary import Role
from tests.conftest import Browser
from tests.web.test_i18n import load_po
from tests.web.test_spanish import ENGLISH, books, visible  # noqa: F401 (books is a fixture)

CODE = "pt_PT"
PORTUGUESE = {
    "group": ["Grupo de poupança", "Terminar sessão"],
    "members": ["Adicionar um membro", "Migrante retornada", "Migrante retornado", "Tesoureira"],
    "meeting": ["Guardar rascunho", "Encerrar a reunião", "Presenças", "Fundo social"],
    "passbook": ["Total poupado", "Pago ao fundo social"],
    "loans": ["Carteira em risco (PAR>30)", "Empréstimos em reembolso"],
    "loan": ["Empréstimo de Rosa Quispe", "Montante emprestado", "Taxa de juro"],
}


def pt_money(amount: int) -> str:
    """XOF has no minor unit: the amount is whole francs, written by Babel's pt_PT locale."""
    return format_currency(amount, "XOF", locale=CODE)


@pytest.fixture
def readers(app, web, make_user):
    """The same pages read by Fatumata (Portuguese) and by the administrator (English)."""
    make_user("fatumata", role=Role.ADMIN, locale=CODE)
    web.login("fatumata")
    english = Browser(app.test_client())
    english.login("admin")

    def read(browser, path):
        response = browser.client.get(path)
        assert response.status_code == 200, path
        return response.get_data(as_text=True)

    return lambda path: read(web, path), lambda path: read(english, path)


def test_the_portuguese_catalog_is_complete_enough_and_agrees_with_the_glossary():
    catalog = load_po(CODE)
    assert catalog.num_plurals == 3
    assert catalog.get("Share-out").string == "Distribuição"
    assert catalog.get("Social fund").string == "Fundo social"
    assert catalog.get("Share value").string == "Valor da ação"
    assert catalog.get("Fine").string == "Multa"
    assert catalog.get("Hand").string == "Quota"
    assert catalog.get("Pot").string == "Bolo"
    assert catalog.get("ROSCA (tontine)").string == "Tontina (ROSCA)"
    for word, female, male in (
        ("Returnee", "Migrante retornada", "Migrante retornado"),
        ("Treasurer", "Tesoureira", "Tesoureiro"),
        ("Present", "Presente", "Presente"),
        ("Excused", "Justificada", "Justificado"),
        ("served", "contemplada", "contemplado"),
    ):
        assert catalog.get(word, "female").string == female
        assert catalog.get(word, "male").string == male


def test_a_browser_asking_for_portuguese_gets_the_european_catalog(client, admin):
    for header in ("pt", "pt-PT", "pt-BR,pt;q=0.9"):
        page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert 'lang="pt-PT"' in page or 'lang="pt_PT"' in page, header
        assert "Nome de utilizador" in page, header


@pytest.mark.parametrize("page", sorted(ENGLISH))
def test_no_english_is_left_on_the_main_pages(books, readers, page):  # noqa: F811
    portuguese, english = readers
    path = books["paths"][page]
    source, shown = visible(english(path)), visible(portuguese(path))
    for sentence in ENGLISH[page]:
        assert sentence in source, f"{sentence!r} is no longer on the English {page} page"
        assert sentence not in shown, f"{sentence!r} is left in English on the {page} page"
    for sentence in PORTUGUESE[page]:
        assert sentence in shown, f"{sentence!r} is missing from the Portuguese {page} page"


def test_money_and_dates_are_written_by_the_pt_pt_locale(books, readers):  # noqa: F811
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


def test_words_about_a_member_agree_in_portuguese(books, readers):  # noqa: F811
    portuguese, _ = readers
    members = portuguese(books["paths"]["members"])
    rosa = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Rosa Quispe(?:(?!</tr>).)*</tr>", members, re.S)
    jorge = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Jorge Mamani(?:(?!</tr>).)*</tr>", members, re.S)
    assert "Migrante retornada" in rosa.group(0) and "Tesoureira" in rosa.group(0)
    assert "Migrante retornado" in jorge.group(0) and "Presidente" in jorge.group(0)
    meeting = portuguese(books["paths"]["meeting"])
    assert re.search(rf'id="m{books["jorge"].id}-attendance".*?selected>Ausente<', meeting, re.S)


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
    wrong = []
    for message in load_po(CODE):
        if not message.id or not message.string:
            continue
        english = message.id if isinstance(message.id, str) else message.id[1]
        portuguese = message.string if isinstance(message.string, str) else message.string[-1]
        if not portuguese:
            continue
        for term, word in TERMS.items():
            if re.search(term, english, re.I) and word not in portuguese.lower():
                wrong.append(f"{english!r} -> {portuguese!r}: expected {word!r}")
    assert not wrong, "\n".join(wrong)
