"""The languages a facility's staff work in: ISO 639-1 codes, named by CLDR in the page's language."""

from __future__ import annotations

from app.i18n import formatting_locale

# The network's working languages and its neighbours'.
LANGUAGE_CODES = (
    "en", "uk", "ro", "ka", "mk", "sr", "hu", "ru", "bg", "de", "fr", "el", "hr", "bs", "sq", "pl", "sk",
    "cs", "sl", "it", "es", "tr", "az", "hy", "nl",
)


def language_name(code: str) -> str:
    """"uk" → "Ukrainian", "українська", "უკრაინული"…"""
    name = formatting_locale().languages.get(code, code)
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in LANGUAGE_CODES), key=lambda pair: pair[1].casefold())


def language_names(codes) -> list[str]:
    return [language_name(code) for code in codes]
