"""Starting a language and measuring each catalog: what a translator relies on."""

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from savings_groups import cli
from savings_groups.core import catalogs
from savings_groups.core.errors import DomainError

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@pytest.fixture
def translations(tmp_path):
    """A copy of the template and the French catalog only: the languages these tests start
    (es, pt, ar) must not be there yet, whichever languages the app ships."""
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder)
    for shipped in folder.iterdir():
        if shipped.is_dir() and shipped.name != "fr":
            shutil.rmtree(shipped)
    return folder


def test_french_is_complete_and_ships():
    french = catalogs.status(TRANSLATIONS, "fr")
    assert french.name == "Français" and french.total > 1000
    assert french.translated == french.total and french.ships


def test_a_new_language_starts_empty_with_its_plural_rule_and_is_offered(translations):
    path = catalogs.new_language(translations, "ar")
    assert path == translations / "ar" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 6  # Arabic: zero, one, two, few, many, other
    entry = catalogs.status(translations, "ar")
    assert (entry.name, entry.translated, entry.ships) == ("العربية", 0, False)
    assert path.with_suffix(".mo").is_file()
    assert "ar" in catalogs.locales(translations)


def test_translating_raises_the_count_and_98_percent_ships(translations):
    path = catalogs.new_language(translations, "es")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    messages = [m for m in catalog if m.id]
    needed = -(-98 * len(messages) // 100)  # 98 %, rounded up
    for message in messages[:needed]:
        message.string = ("x",) * catalog.num_plurals if message.pluralizable else "x"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    entry = catalogs.status(translations, "es")
    assert entry.translated == needed and entry.ships
    messages[0].flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    assert not catalogs.status(translations, "es").ships


@pytest.mark.parametrize("code", ["xx_YY_ZZ", "", "en", "fr"])
def test_a_code_babel_does_not_know_english_or_an_existing_language_is_refused(translations, code):
    before = sorted(p.name for p in translations.iterdir())
    with pytest.raises(DomainError):
        catalogs.new_language(translations, code)
    assert sorted(p.name for p in translations.iterdir()) == before


def test_a_catalog_with_a_wrong_placeholder_is_not_compiled(translations):
    path = catalogs.new_language(translations, "pt")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="pt")
    message = next(m for m in catalog if m.id and not m.pluralizable and "%(name)s" in m.id)
    message.string = "%(nome)s"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    mo = path.with_suffix(".mo")
    compiled = mo.read_bytes()
    with pytest.raises(DomainError) as refused:
        catalogs.compile_catalog(translations, "pt")
    assert "nothing was compiled" in str(refused.value)
    assert mo.read_bytes() == compiled


def test_the_command_starts_a_language_and_reports_completeness(translations, monkeypatch):
    monkeypatch.setattr(cli, "_translations", lambda: translations)
    runner = CliRunner()
    made = runner.invoke(cli.main, ["language", "new", "es"])
    assert made.exit_code == 0, made.output
    assert "translate each msgstr" in made.output
    report = runner.invoke(cli.main, ["language", "status"])
    assert report.exit_code == 1  # Spanish is not ready to ship
    lines = report.output.splitlines()
    assert lines[0].startswith("es ") and "needs 98 %" in lines[0]
    assert lines[1].startswith("fr ") and lines[1].endswith("ok")
    again = runner.invoke(cli.main, ["language", "new", "es"])
    assert again.exit_code == 1 and "already has a catalog" in again.output
    compiled = runner.invoke(cli.main, ["language", "compile"])
    assert compiled.exit_code == 0 and compiled.output.count("Compiled") == 2


def test_the_languages_page_shows_each_catalog_and_how_complete_it_is(web, admin):
    web.login(admin.username)
    page = web.client.get("/admin/languages")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Français" in text and "100.0%" in text
