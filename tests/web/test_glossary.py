"""The French catalog says the words of the trade as translations/GLOSSARY.md does, and templates
leave punctuation to the translations (French puts a no-break space before : ; ! ?)."""

import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "translations" / "GLOSSARY.md"  # a copy of the team's shared glossary
CATALOG = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[diouxXeEfFgGcrsa%]")

# Where the English word is a verb or an idiom, not the word of the trade.
NOT_THE_TERM = {
    # "share a half hand", "share it now", "too small to share"
    "share": re.compile(r"\bshares?\s+(?:a|out|the|it)\b|\bto share\b", re.I),
    "bid": re.compile(r"\bbid\s+(?:the|for)\b", re.I),  # "hands bid the same discount"
    "box": re.compile(r"\btick the box\b", re.I),
    "hand": re.compile(r"\bchanged hands\b", re.I),
}
# Messages where the glossary's word would be wrong, and why.
EXCEPTIONS = {
    # What a leaving member is paid is a settlement, not a share-out payout nor a ROSCA pot.
    "There is only %(cash)s in the loan fund: the payout of %(payout)s cannot be paid until "
    "more loans are repaid.",
}
# Other French words the glossary itself uses for the same thing.
ALSO = {
    "outstanding": ["restant dû"],  # "capital restant dû" (the glossary's declining balance)
    "bid": ["enchérir"],  # the verb of "enchère"
}


def plain(text: str) -> str:
    return text.lower().replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").strip()


def glossary() -> dict[str, list[str]]:
    """English term (lower case) -> its French words, from the glossary's table."""
    table: dict[str, list[str]] = defaultdict(list)
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] == "English" or not cells[0].strip("- "):
            continue
        words = re.split(r"[,/]", re.sub(r"\(.*?\)", "", cells[1]))
        for term in re.sub(r"\(.*?\)", "", cells[0]).split(","):
            if term.strip():
                table[term.strip().lower()] += [plain(w) for w in words if w.strip()]
    for term, words in ALSO.items():
        table[term] += words
    return table


def english(term: str) -> re.Pattern:
    """The term as a word (or its plural); "share" is not found inside "share-out"."""
    body = re.escape(term).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![\w-]){body}s?(?![\w-])", re.I)


def french(word: str) -> re.Pattern:
    """The French word, feminine or plural too (« migrante de retour », « demi-main »)."""
    body = r"\s+".join(re.escape(w) + r"(?:e|s|es|x)?" for w in word.split())
    return re.compile(rf"(?<!\w){body}(?![\w-])")


def pairs(message):
    ids = (message.id,) if isinstance(message.id, str) else message.id
    strings = (message.string,) if isinstance(message.string, str) else message.string
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    return [(ids[1], text) for text in strings]  # every plural form against the plural


def glossary_problems(catalog, table) -> list[str]:
    """Each msgid holding a glossary term (longest terms first, so "loan fund" is not read as
    "loan"), whose translation has none of the term's French words."""
    terms = sorted(table, key=len, reverse=True)
    problems = []
    for message in catalog:
        if not message.id or message.id in EXCEPTIONS:
            continue
        for msgid, translation in pairs(message):
            text = PLACEHOLDER.sub(" ", msgid)
            for term in terms:
                if term in NOT_THE_TERM:
                    text = NOT_THE_TERM[term].sub(" ", text)
                found = english(term)
                if not found.search(text):
                    continue
                text = found.sub(" ", text)
                if not any(french(word).search(plain(translation)) for word in table[term]):
                    problems.append(
                        f"{msgid!r}: {term!r} should read {' or '.join(table[term])!r}, "
                        f"not {translation!r}"
                    )
    return problems


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="fr")


def test_the_french_catalog_uses_the_glossary_s_words(catalog):
    table = glossary()
    assert {"loan", "returnee", "share-out", "hand"} <= set(table)
    problems = glossary_problems(catalog, table)
    assert not problems, "\n".join(problems)


def test_the_glossary_check_finds_a_wrong_word():
    """The check itself: a loan called « crédit », a share-out called « distribution » and a
    « demi-main » read as a hand."""
    from babel.messages.catalog import Catalog

    table = {"loan": ["prêt"], "loan fund": ["caisse de crédit"], "share-out": ["partage"]}
    table["hand"] = ["main"]
    wrong = Catalog(locale="fr")
    wrong.add("Loan repaid", "Crédit remboursé")
    wrong.add("Share-out of the loan fund", "Distribution de la caisse de crédit")
    wrong.add("Half a hand", "Une demi-main")
    wrong.add("Loans", "Prêts")
    assert [p.split(":")[0] for p in glossary_problems(wrong, table)] == [
        "'Loan repaid'",
        "'Share-out of the loan fund'",
    ]


# Punctuation in templates: "{{ _("Member") }}: Awa" shows « Membre: Awa » in French; the colon
# belongs inside the message, where each language spaces it its own way.
OUTSIDE = re.compile(r"\}\}\s?[:;!?](?=[\s<&]|$)", re.M)


def test_templates_leave_punctuation_after_a_message_to_the_translation():
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not problems, "put the punctuation inside the message:\n" + "\n".join(problems)
