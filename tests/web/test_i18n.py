"""The catalogs: complete, well-formed, compiled, and French served to the right people.

The catalog checks read translations/ (every language found there); the end-to-end checks
use the app fixtures.
To mend a failure, see "Translations" in the README: extract, update, translate, compile.
"""

import io
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from savings_groups.core import catalogs
from savings_groups.core.errors import N_, DomainError, Number
from savings_groups.groups.operations import GroupDetails
from savings_groups.rosca.rotations import RotationTerms
from savings_groups.web.views import translate

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
# The same keywords as the documented `pybabel extract` (gettext, _, ngettext... are defaults).
KEYWORDS = ["_l", "lazy_gettext", "N_", "NP_:1c,2"]
# Every catalog in translations/, as the app discovers them (i18n.discover_locales).
LOCALES = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))

# A printf-style conversion as Python's % operator reads it, "%%" included.
CONVERSION = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def mo_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo"


def load_po(locale: str):
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def label(message) -> str:
    msgid = as_tuple(message.id)[0]
    return f"{msgid!r}" + (f" (context {message.context!r})" if message.context else "")


def translated(message) -> bool:
    return all(as_tuple(message.string))


def placeholders(text: str):
    """The named fields as a set, the positional ones in order, and any stray '%' left over."""
    named, positional = set(), []
    for match in CONVERSION.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"] is not None:
            named.add((match["name"], match["type"]))
        else:
            positional.append(match["type"])
    stray = CONVERSION.sub("", text).count("%")
    return named, positional, stray


def catalog_dict(catalog) -> dict:
    """What gettext will look up: {(msgid, context): translation} plus the plural rule."""
    messages = {(as_tuple(m.id), m.context): as_tuple(m.string) for m in catalog if m.id}
    return {"messages": messages, "plural_forms": catalog.plural_forms}


def compile_po(catalog) -> bytes:
    """What `pybabel compile` writes (fuzzy entries left out, as it does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Extract the messages of the code and templates now, as the documented command does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    argv = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot)]
    for keyword in KEYWORDS:
        argv += ["-k", keyword]
    status = CommandLineInterface().run([*argv, str(ROOT)])
    assert not status, "pybabel extract failed"
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    assert len(catalog) > 50, "extraction found almost nothing: is babel.cfg right?"
    return catalog


@pytest.mark.parametrize("locale", LOCALES)
def test_every_extracted_message_is_in_the_catalog_and_enough_are_translated(locale, extracted):
    """French is complete; another language ships at 98 % (the rest shows in English)."""
    catalog = load_po(locale)
    missing, empty, wrong_kind = [], [], []
    total = 0
    for message in extracted:
        if not message.id:
            continue
        total += 1
        entry = catalog.get(message.id, message.context)
        if entry is None:
            missing.append(label(message))
        elif message.pluralizable != entry.pluralizable:
            wrong_kind.append(label(message))
        elif not translated(entry):
            empty.append(label(message))
    required = catalogs.SHIP_PERCENT.get(locale, catalogs.DEFAULT_SHIP_PERCENT)
    problems = []
    if missing:
        problems.append("not in the catalog (run pybabel update):\n  " + "\n  ".join(missing))
    if wrong_kind:
        problems.append("singular/plural differs from the code:\n  " + "\n  ".join(wrong_kind))
    if (total - len(empty)) * 100 < required * total:
        problems.append(
            f"{total - len(empty)} of {total} translated, {required} % needed; without a "
            "translation:\n  " + "\n  ".join(empty)
        )
    assert not problems, f"{po_path(locale).relative_to(ROOT)}: " + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_fuzzy_entries(locale):
    catalog = load_po(locale)
    assert not catalog.fuzzy, "the header is marked fuzzy: pybabel compile would skip the catalog"
    fuzzy = [label(m) for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, "fuzzy entries (check them, then remove '#, fuzzy'):\n  " + "\n  ".join(fuzzy)


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(locale):
    catalog = load_po(locale)
    problems = []
    for message in catalog:
        if not message.id or not translated(message):
            continue
        if message.pluralizable:
            # Every form, the one for 0 and 1 included, may be used with any count.
            source = placeholders(message.id[1])
            forms = [(f"msgstr[{i}]", text) for i, text in enumerate(message.string)]
        else:
            source = placeholders(message.id)
            forms = [("msgstr", message.string)]
        for name, text in forms:
            if placeholders(text) != source:
                problems.append(f"{label(message)} {name}={text!r}")
    assert not problems, "placeholders differ from the English:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_compiles(locale):
    catalog = load_po(locale)
    errors = [
        f"{label(message)}: {error}" for message, errors in catalog.check() for error in errors
    ]
    assert not errors, "pybabel compile would report:\n  " + "\n  ".join(errors)
    assert catalog.num_plurals >= 1 and catalog.plural_expr
    compiled = compile_po(catalog)
    # The standard library reads it as Flask-Babel will, plural rule included.
    translations = GNUTranslations(io.BytesIO(compiled))
    assert translations.info()["language"] == locale
    for count in (0, 1, 2, 5, 1_000_000):
        assert 0 <= int(translations.plural(count)) < catalog.num_plurals


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_mo_is_up_to_date(locale):
    assert mo_path(locale).is_file(), "no compiled catalog: run pybabel compile -d translations"
    with mo_path(locale).open("rb") as handle:
        committed = catalog_dict(read_mo(handle))
    fresh = catalog_dict(read_mo(io.BytesIO(compile_po(load_po(locale)))))
    stale = sorted(
        repr(key[0][0])
        for key in committed["messages"].keys() | fresh["messages"].keys()
        if committed["messages"].get(key) != fresh["messages"].get(key)
    )
    assert not stale and committed["plural_forms"] == fresh["plural_forms"], (
        f"{mo_path(locale).relative_to(ROOT)} is stale (run pybabel compile -d translations); "
        "it differs on:\n  " + "\n  ".join(stale or ["the plural rule"])
    )


def test_french_catalog_exists():
    assert "fr" in LOCALES


def test_french_typography():
    """One convention throughout: ’ for the apostrophe, « » with no-break spaces, no markup.

    Translations in templates are not escaped (Jinja marks them safe) and some sit in HTML
    attributes, so a straight double quote or an angle bracket would break the page.
    """
    problems = []
    for message in load_po("fr"):
        if not message.id:
            continue
        sources = "".join(as_tuple(message.id))
        for text in as_tuple(message.string):
            if "'" in text:
                problems.append(f"{label(message)}: straight apostrophe, use ’")
            if any(mark in text for mark in '“”"'):
                problems.append(f"{label(message)}: use « » for quotes")
            if re.search(r"«(?!\u00a0)|(?<!\u00a0)»", text):
                problems.append(f"{label(message)}: « and » need a no-break space inside")
            if re.search(r"[^\u00a0\u202f][;:?!](\s|$)", text):
                problems.append(f"{label(message)}: no-break space needed before ; : ? !")
            for mark in "<>&":
                if text.count(mark) > sources.count(mark):
                    problems.append(f"{label(message)}: {mark!r} that the English lacks")
    assert not problems, "\n".join(problems)


# End to end: the app picks the language as i18n.select_locale says.

LOGIN_FR = "Se connecter"
LOGIN_EN = "Log in"


def html(response) -> str:
    return response.get_data(as_text=True)


def test_browser_language_is_used(client, admin):
    french = html(client.get("/login", headers={"Accept-Language": "fr-SN,fr;q=0.9,en;q=0.5"}))
    assert '<html lang="fr"' in french
    assert LOGIN_FR in french
    assert "Nom d’utilisateur" in french
    english = html(client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    assert '<html lang="en"' in english
    assert LOGIN_EN in english


def test_login_required_message_is_in_french(client, admin):
    """Flask-Login's lazy message is flashed in the language of the request."""
    page = html(client.get("/", headers={"Accept-Language": "fr"}, follow_redirects=True))
    assert "Veuillez vous connecter pour voir cette page." in page


def test_template_placeholders_are_filled_in_french(client):
    """The setup page (no account yet) formats %(count)d inside a translated template string."""
    page = html(client.get("/setup", headers={"Accept-Language": "fr"}))
    assert "Au moins 10 caractères." in page
    assert "Bienvenue dans l’application Groupes d’épargne" in page


def test_cookie_beats_browser(client, admin):
    client.set_cookie("lang", "fr")
    page = html(client.get("/login", headers={"Accept-Language": "en"}))
    assert '<html lang="fr"' in page
    assert LOGIN_FR in page


def test_unknown_cookie_is_ignored(client, admin):
    client.set_cookie("lang", "xx")
    page = html(client.get("/login", headers={"Accept-Language": "fr"}))
    assert '<html lang="fr"' in page


def test_user_setting_beats_cookie_and_browser(client, web, make_user):
    make_user("fatou", locale="fr")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = web.login("fatou")
    assert response.status_code == 302
    assert "lang=fr" in response.headers.get("Set-Cookie", "")
    client.set_cookie("lang", "en")
    page = html(client.get("/"))
    assert '<html lang="fr"' in page
    assert "Se déconnecter" in page


def test_domain_error_is_shown_in_french(client, web, admin):
    """Messages marked with N_ in the domain are translated where they are shown."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = html(web.login("admin", password="not the password"))
    assert "Nom d’utilisateur inconnu ou mot de passe incorrect." in page


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "After this loan the member would owe more than 1.5 times their savings."),
        ("fr", "Après ce prêt, le membre devrait plus de 1,5 fois son épargne."),
    ],
)
def test_numbers_in_domain_messages_are_written_the_readers_way(app, language, shown):
    """errors.Number, like errors.Amount, is formatted where the message is shown."""
    error = DomainError(
        N_("After this loan the member would owe more than %(ratio)s times their savings."),
        ratio=Number("1.50"),
    )
    with app.test_request_context(headers={"Accept-Language": language}):
        assert translate(error) == shown


@pytest.mark.parametrize(
    ("terms", "shown"),
    [
        (RotationTerms(2000, "weekly", "2026-01-05", "fixed", notes="x" * 2001), "2\u202f000"),
        (GroupDetails("G", "savings", "XOF", notes="x" * 4001), "4\u202f000"),
    ],
)
def test_a_limit_of_thousands_is_grouped_for_a_french_reader(app, terms, shown):
    with pytest.raises(DomainError) as refused:
        terms.clean("XOF", "fr") if isinstance(terms, RotationTerms) else terms.clean("fr")
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert shown in translate(refused.value)


def language_form_token(client, path="/login") -> str:
    page = html(client.get(path))
    return re.search(r'name="ui-csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_language_switch_sets_the_cookie(client, admin):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = language_form_token(client)
    response = client.post(
        "/language", data={"ui-csrf_token": token, "ui-language": "fr", "ui-next": "/login"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "fr"
    page = html(client.get("/login"))
    assert '<html lang="fr"' in page
    assert LOGIN_FR in page


def test_language_switch_refuses_an_unknown_language(client, admin):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = language_form_token(client)
    response = client.post(
        "/language", data={"ui-csrf_token": token, "ui-language": "xx", "ui-next": "/login"}
    )
    assert response.status_code == 302
    assert client.get_cookie("lang") is None


def test_the_catalog_kept_for_a_request_follows_a_forced_language(app):
    """web.i18n.translations() looks the catalog up once per request and language: a
    print-out in another language (force_locale) gets its own, and the page its own after."""
    from flask import render_template_string
    from flask_babel import force_locale

    from savings_groups.web import i18n

    template = "{{ _('Groups') }} {{ pgettext('loan', 'Closed') }}"
    with app.test_request_context("/", headers={"Cookie": "lang=fr"}):
        assert i18n.gettext("Groups") == "Groupes"
        page = render_template_string(template)
        with force_locale("ar"):
            assert i18n.gettext("Groups") == "المجموعات"
            assert render_template_string(template).startswith("المجموعات ")
        assert i18n.gettext("Groups") == "Groupes"
        assert render_template_string(template) == page
        assert page.startswith("Groupes ")
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert i18n.gettext("%(n)s groups", n=3) == "3 groups"
        assert render_template_string(template) == "Groups Closed"


def test_a_date_is_written_once_a_request_in_its_language(app):
    """The templates' date filters keep what they wrote for the rest of the request
    (web.i18n.once_a_request), per language: a forced language writes its own."""
    from datetime import UTC, date, datetime, timedelta, timezone

    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ day | date }}|{{ day | date('short') }}|{{ moment | datetime }}"
    day = date(2026, 3, 9)
    moment = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    with app.test_request_context("/", headers={"Cookie": "lang=fr"}):
        first = render_template_string(template, day=day, moment=moment)
        assert first.startswith("9 mars 2026|09/03/2026|")
        assert render_template_string(template, day=day, moment=moment) == first
        with force_locale("en"):
            assert render_template_string(template, day=day, moment=moment).startswith(
                "Mar 9, 2026|3/9/26|"
            )
        assert render_template_string(template, day=day, moment=moment) == first
        # The same instant in another zone, not rebased: written in its own zone.
        shifted = moment.astimezone(timezone(timedelta(hours=3)))
        plain = "{{ moment | datetime('HH:mm', rebase=False) }}"
        assert render_template_string(plain, moment=moment) == "12:00"
        assert render_template_string(plain, moment=shifted) == "15:00"
