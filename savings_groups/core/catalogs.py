"""The shipped languages' catalogs: how complete each is, and a new language started from the
template. Read by the admin's Languages page, the `savings-groups language` command and CI.

French is kept complete; another language ships once it reaches SHIP_PERCENT (a message not yet
translated is shown in English, never as an error).
"""

from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from savings_groups.core.errors import N_, DomainError

SHIP_PERCENT = {"fr": 100}
DEFAULT_SHIP_PERCENT = 98
TEMPLATE = "messages.pot"


def po_path(translations: Path, code: str) -> Path:
    return translations / code / "LC_MESSAGES" / "messages.po"


def language_name(code: str) -> str:
    """A language in its own words, as a speaker looks for it: "Français", "Português (Portugal)"
    (only the first letter raised: the country keeps its capital)."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def locales(translations: Path) -> list[str]:
    """Every language with a catalog, by code (English, the source, has none)."""
    return sorted(p.parent.parent.name for p in translations.glob("*/LC_MESSAGES/messages.po"))


@dataclass(frozen=True)
class CatalogStatus:
    code: str
    name: str  # the language in its own words
    total: int  # messages in the template
    translated: int  # of those, translated and not marked fuzzy

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else 100 * self.translated / self.total

    @property
    def required(self) -> int:
        return SHIP_PERCENT.get(self.code, DEFAULT_SHIP_PERCENT)

    @property
    def ships(self) -> bool:
        return self.translated * 100 >= self.required * self.total


def _ids(catalog) -> set:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def _is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, list | tuple) else [message.string]
    return not message.fuzzy and all(strings)


def status(translations: Path, code: str) -> CatalogStatus:
    with (translations / TEMPLATE).open("rb") as handle:
        wanted = _ids(read_po(handle))
    with po_path(translations, code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    done = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and _is_translated(m)
    }
    return CatalogStatus(code, language_name(code), len(wanted), len(wanted & done))


def all_statuses(translations: Path) -> list[CatalogStatus]:
    return [status(translations, code) for code in locales(translations)]


def new_language(translations: Path, code: str) -> Path:
    """Start a catalog for a language from the template (every message untranslated), with the
    language's plural rule, and compile it so that the app offers the language at once."""
    code = (code or "").strip().replace("-", "_")
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError) as error:
        raise DomainError(
            N_("%(code)s is not a language code Babel knows (e.g. es, pt, ar, pt_BR)."), code=code
        ) from error
    if code == "en" or str(locale) == "en":
        raise DomainError(N_("English is the language the messages are written in."))
    path = po_path(translations, str(locale))
    if path.exists():
        raise DomainError(N_("%(code)s already has a catalog: %(path)s"), code=code, path=str(path))
    with (translations / TEMPLATE).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    catalog.locale = locale
    catalog.fuzzy = False
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76)
    compile_catalog(translations, str(locale))
    return path


def compile_catalog(translations: Path, code: str) -> Path:
    """Write the .mo the app reads (fuzzy entries left out, as `pybabel compile` does)."""
    path = po_path(translations, code)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    errors = [f"{m.id!r}: {e}" for m, errs in catalog.check() for e in errs]
    if errors:
        raise DomainError(
            N_("%(path)s has mistakes; nothing was compiled:\n%(errors)s"),
            path=str(path),
            errors="\n".join(errors),
        )
    mo = path.with_suffix(".mo")
    with mo.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    return mo
