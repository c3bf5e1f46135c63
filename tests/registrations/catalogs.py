"""A temporary catalog for a test: the project's catalogs are filled by the translators, so tests
that check a page, a PDF or a message really speaks a language bring the few entries they need."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from flask_babel import get_domain


@contextmanager
def temporary_catalog(folder: Path, locale: str, entries: dict):
    """Within the block, `locale` speaks `entries` (msgid → msgstr; a (singular, plural) msgid →
    a tuple of the locale's plural forms) instead of its real catalog. Needs an app context."""
    catalog = Catalog(locale=locale)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    domain = get_domain()
    saved = dict(domain.cache)
    domain.cache[(locale, domain.domain[0])] = Translations.load(str(folder), [locale])
    try:
        yield
    finally:
        domain.cache.clear()
        domain.cache.update(saved)
