"""The translation catalogs (app/translations): compile, fill English, statistics and checks.

    python -m tools.i18n compile     # every .po → .mo (make does this on install, run and test)
    python -m tools.i18n fill-en     # English catalog: msgstr = msgid, so it is complete
    python -m tools.i18n stats       # messages and translated per language
    python -m tools.i18n check       # exit 1 on an untranslated, fuzzy, missing or obsolete entry

The .mo files are built, not committed (.gitignore): the .po files are the source.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


def catalogs() -> dict[str, Path]:
    return {path.parent.parent.name: path for path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))}


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def compile_all(quiet: bool = True) -> list[Path]:
    """Write each catalog's .mo when it is missing or older than its .po."""
    written = []
    for locale, po_path in catalogs().items():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalog = _read(po_path, locale)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
        if not quiet:
            print(f"compiled {mo_path.relative_to(ROOT)}")
    return written


def fill_english() -> None:
    path = catalogs()["en"]
    catalog = _read(path, "en")
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)


def problems(locale: str, path: Path, template_ids: set) -> list[str]:
    """Untranslated, fuzzy, missing (in the template, not the catalog) and obsolete entries."""
    catalog = _read(path, locale)
    found, ids = [], set()
    for message in catalog:
        if not message.id:
            continue
        ids.add(message.id)
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if "fuzzy" in message.flags:
            found.append(f"{locale}: fuzzy: {message.id!r}")
        elif not all(strings) or len(strings) < (catalog.num_plurals if message.pluralizable else 1):
            found.append(f"{locale}: untranslated: {message.id!r}")
    found += [f"{locale}: missing: {msgid!r}" for msgid in sorted(template_ids - ids, key=str)]
    found += [f"{locale}: obsolete: {msgid!r}" for msgid in sorted(ids - template_ids, key=str)]
    return found


def template_ids() -> set:
    return {message.id for message in _read(TEMPLATE) if message.id}


def stats() -> dict[str, tuple[int, int]]:
    result = {}
    for locale, path in catalogs().items():
        catalog = _read(path, locale)
        messages = [m for m in catalog if m.id]
        done = [m for m in messages if "fuzzy" not in m.flags and all(
            m.string if isinstance(m.string, (list, tuple)) else [m.string])]
        result[locale] = (len(messages), len(done))
    return result


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "compile":
        compile_all(quiet=False)
    elif command == "fill-en":
        fill_english()
    elif command == "stats":
        for locale, (total, done) in stats().items():
            print(f"{locale:8} {done:5}/{total:<5} translated")
    elif command == "check":
        ids = template_ids()
        found = [line for locale, path in catalogs().items() for line in problems(locale, path, ids)]
        print("\n".join(found[:200]) or "every catalog is complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
