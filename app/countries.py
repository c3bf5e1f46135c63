"""Country names in the page's language: Babel's (CLDR) territory names for the countries the network
works with, sorted by their name in that language. English keeps "Bosnia and Herzegovina" written out."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Sequence

from babel import Locale

from app.i18n import formatting_locale

# The countries offered in the forms and filters (ISO 3166 alpha-2; XK is Kosovo's user-assigned code).
COUNTRY_CODES = (
    "AL", "AM", "AT", "AZ", "BA", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
    "GE", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT",
    "RO", "RS", "SE", "SI", "SK", "TR", "UA", "US", "XK",
)
# CLDR's short English forms that read less well on a form.
_ENGLISH = {"BA": "Bosnia and Herzegovina", "XK": "Kosovo", "TR": "Türkiye"}


def country_name(code: str | None) -> str:
    """The name of a country in the current language ("UA" → "Ukraine", "Україна", "უკრაინა")."""
    if not code:
        return ""
    return _name_in(formatting_locale(), code.upper())


def country_namer() -> Callable[[str | None], str]:
    """`country_name` for many codes in the current language, the language looked up once (a
    calendar feed names a country on each of a thousand entries)."""
    locale = formatting_locale()
    return lambda code: _name_in(locale, code.upper()) if code else ""


def _name_in(locale: Locale, code: str) -> str:
    if locale.language == "en" and code in _ENGLISH:
        return _ENGLISH[code]
    return locale.territories.get(code, code)


def english_names() -> dict[str, str]:
    """English name → code, for every territory CLDR names (how a report built in English stores
    its country rows: app.reports.localise turns them back into codes to show them)."""
    names = {name: code for code, name in Locale.parse("en_GB").territories.items() if len(code) == 2}
    names.update({name: code for code, name in _ENGLISH.items()})
    return names


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_choices_now() -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by the name in the current language."""
    return list(_choices_in(formatting_locale()))


@functools.lru_cache(maxsize=32)
def _choices_in(locale: Locale) -> tuple[tuple[str, str], ...]:
    # Every form and filter lists the countries: named and sorted once per language.
    pairs = [(code, _name_in(locale, code)) for code in COUNTRY_CODES]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


class _LocalisedChoices(Sequence):
    """COUNTRY_CHOICES: reads like the list it was, but is made anew in the language of each use."""

    def __getitem__(self, index):
        return country_choices_now()[index]

    def __len__(self) -> int:
        return len(COUNTRY_CODES)

    def __iter__(self):
        return iter(country_choices_now())

    def __repr__(self) -> str:
        return "COUNTRY_CHOICES(per locale)"


COUNTRY_CHOICES: Sequence[tuple[str, str]] = _LocalisedChoices()
