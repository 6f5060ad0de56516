"""A treasurer who reads Arabic sees the main pages in Arabic, right to left: no English sentence
is left on the group page, the members list, the meeting page, the passbook, the loans, the
share-out preview and the ROSCA rotation page; <html> says dir="rtl" and Bootstrap's RTL sheet is
loaded; money is written by Babel's ar locale; words about a member agree with her or him; the
catalog has the six plural forms of Arabic and keeps to translations/GLOSSARY.ar.md."""

import re
from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from savings_groups.practice import operations as practice
from savings_groups.store.db import db
from tests.rosca.test_rounds import run_round, set_up_rotation
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

ENGLISH = english_sentences("Fatima Benali") | {
    "share-out": [
        "Preview — not final",
        "Each member",
        "Finalise the share-out",
        "The rules the group chose",
    ],
    "rotation": [
        "Contribution per hand, each round",
        "Where the rotation stands",
        "Every member's position",
        "Organiser's commission",
    ],
}
ARABIC = {
    "group": ["مجموعة ادخار", "تسجيل الخروج", "تعديل المجموعة", "المدخرات حتى الآن"],
    "members": ["إضافة عضو", "مهاجرة عائدة", "مهاجر عائد", "أمينة الصندوق", "الرئيس"],
    "meeting": ["حفظ المسودة", "إغلاق الاجتماع", "الحضور", "الصندوق الاجتماعي"],
    "passbook": ["دفتر العضو", "مجموع المدَّخر", "المدفوع للصندوق الاجتماعي"],
    "loans": ["المحفظة المعرَّضة للخطر (PAR>30)", "القروض قيد السداد"],
    "loan": ["قرض Fatima Benali", "المبلغ المقرَض", "نسبة الفائدة"],
    "share-out": ["معاينة — غير نهائية", "كل عضو", "إتمام التوزيع"],
    "rotation": ["الاشتراك لكل حصة، في كل جولة", "وضع دورة التناوب", "وضع كل عضو"],
}


def ar_money(amount: int, currency: str = "XOF") -> str:  # in major units
    """As visible() shows it: Babel's ar pattern, its (narrow) no-break spaces as spaces."""
    return re.sub(r"\s+", " ", format_currency(amount, currency, locale="ar"))


@pytest.fixture
def books(app, admin, make_group, make_member, make_cycle):
    """A savings group in XOF with three members, their shares, a loan and a meeting being
    recorded; and a dārat (ROSCA) in MAD that has run its first round."""
    names = ("Fatima Benali", "Youssef Amrani", "Khadija Idrissi")
    books = savings_books(admin, make_group, make_member, make_cycle, "جمعية الأمل", names)
    darat = make_group("دارت الخير", kind="rosca", currency="MAD")
    people = [make_member(darat, full_name=n) for n in ("Amina", "Zineb", "Meryem", "Houda")]
    with db.connection_context():
        rotation = set_up_rotation(admin, darat, people)
        run_round(admin, rotation, 1)
    base = books["paths"]["group"]
    books["paths"]["share-out"] = f"{base}/share-out"
    books["paths"]["rotation"] = f"/groups/{darat.id}/rotations/{rotation.id}"
    return books


@pytest.fixture
def readers(app, web, make_user):
    """The same pages read by Salma (Arabic) and by the administrator (English)."""
    return readers_in(app, web, make_user, "salma", "ar")


def test_the_arabic_catalog_is_complete_with_six_plural_forms():
    catalog = load_po("ar")
    assert catalog.num_plurals == 6
    messages = [m for m in catalog if m.id]
    assert all(m.string and (isinstance(m.string, str) or all(m.string)) for m in messages)
    plurals = [m for m in messages if isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == 6 for m in plurals)
    members = catalog.get(("%(num)d current member", "%(num)d current members"))
    assert members.string[2] == "%(num)d عضوان حاليان"  # the dual
    assert members.string[3] == "%(num)d أعضاء حاليين"  # 3 to 10
    assert members.string[4] == "%(num)d عضوًا حاليًا"  # 11 to 99


def test_the_words_of_the_trade_are_those_of_the_glossary():
    assert_catalog_says(
        "ar",
        {
            "Share-out": "التوزيع",
            "Share": "سهم",
            "Social fund": "الصندوق الاجتماعي",
            "Share value": "قيمة السهم",
            "Fine": "غرامة",
            "Pot": "الحصيلة",
            "Hand": "الحصة",
            "ROSCA (tontine)": "دارت (جمعية تناوبية)",
            "Treasurer": "أمين/أمينة الصندوق",
        },
        (
            ("Returnee", "مهاجرة عائدة", "مهاجر عائد"),
            ("Treasurer", "أمينة الصندوق", "أمين الصندوق"),
            ("Chair", "الرئيسة", "الرئيس"),
            ("Present", "حاضرة", "حاضر"),
            ("Excused", "غائبة بعذر", "غائب بعذر"),
            ("served", "تسلّمت", "تسلّم"),
        ),
    )


# A message that says the English term says the Arabic word (short vowels and tatweel left out).
TERMS = {
    r"\bsocial fund\b": "اجتماعي",
    r"\bloan fund\b": "صندوق القروض",
    r"\bpots?\b": "حصيل",
    r"\bhands?\b(?! over| to\b)": "حص",
    r"\bfines?\b": "غرام",
    r"\bpassbooks?\b": "دفتر|دفاتر",
    r"\breturnees?\b": "عائد",
    r"\bshare-outs?\b|\bshared? out\b": "وزع|توزيع",
    r"\bguarantors?\b": "كفيل|كفلاء",
    r"\brotations?\b": "تناوب",
    r"\brounds?\b(?!ed|ing)": "جول",
    r"\bROSCAs?\b": "دارت",
    r"\bcycles?\b": "دور",
    r"\bwr(?:ite|itten|iting) off\b|\bwrite-off\b": "شطب|مشطوب",
    r"\bbid(?:s|ding)?\b": "زايد|عرض",
    r"\bloans?\b": "قرض|قروض",
    r"\bshares?\b(?!-out| out| (?:a|with|of|the|among|equally|it|that)\b)": "سهم|أسهم",
}
# Where the English word is not the term of the trade (a share of something, a placeholder).
NOT_THE_TERM = re.compile(
    r"changed hands|\bby hand\b|a share, not both|their share\b|Social fund share|"
    r"small to share|share its members|%\(shares\)s",
    re.I,
)
VOWELS = re.compile("[\u064b-\u0652\u0640]")


def test_every_message_uses_the_glossary_s_words():
    wrong = glossary_mismatches("ar", TERMS, NOT_THE_TERM, normalise=lambda t: VOWELS.sub("", t))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("page", sorted(ENGLISH))
def test_no_english_is_left_on_the_main_pages(books, readers, page):
    arabic, english = readers
    path = books["paths"][page]
    page_ar = arabic(path)
    source, shown = visible(english(path)), visible(page_ar)
    assert re.search(r'<html lang="ar" dir="rtl"', page_ar)
    assert "bootstrap.rtl.min.css" in page_ar
    assert "bootstrap.rtl.min.css" not in english(path)
    assert_no_english_left("ar", page, source, shown, ENGLISH[page], ARABIC[page])


def test_money_dates_and_rates_are_written_by_the_arabic_locale(books, readers):
    arabic, english = readers
    paths = books["paths"]
    # Babel's ar: a right-to-left mark, the amount, then the symbol (F CFA for XOF).
    assert format_currency(1_250_000, "XOF", locale="ar") == "\u200f1,250,000\xa0F\u202fCFA"
    english_money = re.sub(r"\s+", " ", format_currency(1_250_000, "XOF", locale="en"))
    assert english_money != ar_money(1_250_000)
    passbook = visible(arabic(paths["passbook"]))
    assert ar_money(1_250_000) in passbook
    assert english_money not in passbook
    assert english_money in visible(english(paths["passbook"]))
    loans = visible(arabic(paths["loans"]))
    assert ar_money(30_000) in loans
    loan = visible(arabic(paths["loan"]))
    assert ar_money(30_000) in loan
    assert "10% في الأسبوع" in loan
    assert format_date(date(2026, 2, 2), locale="ar") in loan  # 02‏/02‏/2026, marks included
    # The dārat counts in dirhams: 100.00 د.م. a hand, Babel's ar pattern.
    rotation = visible(arabic(paths["rotation"]))
    assert ar_money(100, "MAD") == "\u200f100.00 د.م.\u200f"  # major units, two decimals
    assert ar_money(100, "MAD") in rotation


def test_words_about_a_member_agree_in_arabic(books, readers):
    arabic, _ = readers
    members = arabic(books["paths"]["members"])

    def row(name):
        return visible(member_row(members, name))

    assert "مهاجرة عائدة" in row("Fatima Benali") and "أمينة الصندوق" in row("Fatima Benali")
    assert "مهاجر عائد" in row("Youssef Amrani") and "الرئيس" in row("Youssef Amrani")
    assert "الرئيسة" not in row("Youssef Amrani")
    meeting = arabic(books["paths"]["meeting"])
    youssef, khadija = books["chair"].id, books["community"].id
    assert re.search(rf'id="m{youssef}-attendance".*?selected>غائب<', meeting, re.S)
    assert re.search(rf'id="m{khadija}-attendance".*?selected>غائبة بعذر<', meeting, re.S)


def test_the_savings_chart_is_mirrored_for_arabic(readers, admin):
    arabic, english = readers
    # A practice group has two closed meetings: its page draws the savings chart.
    with db.connection_context():
        group = practice.create_practice_group(admin, "مجموعة تدريب", on=date(2026, 3, 2))
    shown_ar, shown_en = arabic(f"/groups/{group.id}"), english(f"/groups/{group.id}")
    assert 'class="chart-svg"' in shown_ar
    # The value labels sit right of the value axis, anchored at their start; the dates under
    # the time axis are laid out right to left. In English, neither.
    assert 'text-anchor="start"' in shown_ar and 'text-anchor="end"' not in shown_ar
    assert 'text-anchor="end"' in shown_en
    assert 'direction="rtl"' in shown_ar and 'direction="rtl"' not in shown_en
