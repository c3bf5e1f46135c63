"""The translation catalogs (app/translations): compile, fill English, statistics and checks.

    python -m tools.i18n compile     # every .po → .mo (make does this on install, run and test)
    python -m tools.i18n fill-en     # English catalog: msgstr = msgid, so it is complete
    python -m tools.i18n stats       # messages and translated per language
    python -m tools.i18n check       # exit 1 on an untranslated, fuzzy, missing or obsolete entry
    python -m tools.i18n pseudo DIR  # a pseudo-locale catalog ("⟦Šéåŕçĥ⟧") under DIR, for tests
    python -m tools.i18n todo LOCALE OUT.json      # the untranslated messages, for a translator
    python -m tools.i18n fill LOCALE IN.json ...   # put a translator's {msgid: text or [forms]} in
    python -m tools.i18n latin                     # sr_Latn from sr, letter by letter

The .mo files are built, not committed (.gitignore): the .po files are the source.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


def catalogs() -> dict[str, Path]:
    return {path.parent.parent.name: path for path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))}


def as_list(value) -> list:
    """A message's id or string as a list (plural messages hold a tuple of forms)."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def html_tags(text: str) -> list[str]:
    """The HTML tags of a text, sorted: a translation must keep the English ones."""
    return sorted(re.findall(r"</?[a-z]+", text))


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
        strings = as_list(message.string)
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
        done = [m for m in messages if "fuzzy" not in m.flags and all(as_list(m.string))]
        result[locale] = (len(messages), len(done))
    return result


_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# What must survive translation untouched: placeholders, HTML tags and entities.
_KEEP = re.compile(r"%\([a-zA-Z_]+\)[sdfr]|%[sdfr%]|<[^>]*>|&[a-zA-Z#0-9]+;")


def pseudo(text: str) -> str:
    """'Register %(name)s' → '⟦Ŕéĝîšţéŕ %(name)s⟧': every letter of our text changed, placeholders kept."""
    parts, last = [], 0
    for match in _KEEP.finditer(text):
        parts.append(text[last:match.start()].translate(_ACCENTED))
        parts.append(match.group())
        last = match.end()
    parts.append(text[last:].translate(_ACCENTED))
    return "⟦" + "".join(parts) + "⟧"


def write_pseudo(directory: Path, locale: str) -> Path:
    """A compiled catalog for `locale` under `directory`, every message of the template pseudo-translated."""
    catalog = _read(TEMPLATE, locale)
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            message.string = tuple(pseudo(message.id[0 if n == 0 else 1]) for n in range(catalog.num_plurals))
        else:
            message.string = pseudo(message.id)
    target = directory / locale / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return target / "messages.mo"


def todo(locale: str, out: Path) -> int:
    """Untranslated messages as a JSON list: id, plural, number of forms, translator comments."""
    catalog = _read(catalogs()[locale], locale)
    items = []
    for message in catalog:
        if not message.id:
            continue
        if all(as_list(message.string)) and "fuzzy" not in message.flags:
            continue
        item = {"id": message.id if not message.pluralizable else list(message.id)}
        if message.pluralizable:
            item["forms"] = catalog.num_plurals
        if message.auto_comments:
            item["comment"] = " ".join(message.auto_comments)
        items.append(item)
    out.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(items)


def fill(locale: str, sources: list[Path]) -> tuple[int, list[str]]:
    """Fill translations from JSON files: {msgid: text} or {singular msgid: [form, form, form]}."""
    path = catalogs()[locale]
    catalog = _read(path, locale)
    given: dict = {}
    for source in sources:
        given.update(json.loads(source.read_text(encoding="utf-8")))
    done, refused = 0, []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if message.pluralizable else message.id
        if key not in given:
            continue
        text = given[key]
        if message.pluralizable:
            forms = list(text) if isinstance(text, list) else [text]
            if len(forms) != catalog.num_plurals or not all(forms):
                refused.append(f"{key!r}: needs {catalog.num_plurals} forms")
                continue
            message.string = tuple(forms)
        else:
            if not isinstance(text, str) or not text:
                refused.append(f"{key!r}: needs one text")
                continue
            message.string = text
        problem = _placeholder_problem(message)
        if problem:
            refused.append(f"{key!r}: {problem}")
            message.string = ("",) * catalog.num_plurals if message.pluralizable else ""
            continue
        message.flags.discard("fuzzy")
        done += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return done, refused


_PLACEHOLDER = re.compile(r"%\([a-zA-Z_]+\)[sdfr]|%[sdfr]")


def _placeholder_problem(message) -> str | None:
    ids, strings = as_list(message.id), as_list(message.string)
    wanted = set(_PLACEHOLDER.findall(ids[-1])) | set(_PLACEHOLDER.findall(ids[0]))
    for text in strings:
        have = set(_PLACEHOLDER.findall(text))
        # A plural form may leave out %(num)d ("one seat left"), nothing else.
        if have - wanted or (wanted - have) - {"%(num)d"}:
            return f"placeholders {sorted(have)} where the English has {sorted(wanted)}"
        if html_tags(text) != html_tags(ids[0]):
            return "HTML tags differ from the English"
    return None


_CYRILLIC_TO_LATIN = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Ђ": "Đ", "Е": "E", "Ж": "Ž", "З": "Z", "И": "I",
    "Ј": "J", "К": "K", "Л": "L", "Љ": "Lj", "М": "M", "Н": "N", "Њ": "Nj", "О": "O", "П": "P", "Р": "R",
    "С": "S", "Т": "T", "Ћ": "Ć", "У": "U", "Ф": "F", "Х": "H", "Ц": "C", "Ч": "Č", "Џ": "Dž", "Ш": "Š",
}
_CYRILLIC_TO_LATIN.update({key.lower(): value.lower() for key, value in list(_CYRILLIC_TO_LATIN.items())})


def to_latin(text: str) -> str:
    """Serbian Cyrillic → Latin (Gaj's alphabet); 'Љ' before a capital becomes 'LJ'."""
    out = []
    for index, char in enumerate(text):
        latin = _CYRILLIC_TO_LATIN.get(char, char)
        following = text[index + 1] if index + 1 < len(text) else ""
        if len(latin) == 2 and char.isupper() and following.isupper():
            latin = latin.upper()
        out.append(latin)
    return "".join(out)


def latin_from_cyrillic() -> int:
    source = _read(catalogs()["sr"], "sr")
    path = catalogs()["sr_Latn"]
    target = _read(path, "sr_Latn")
    done = 0
    for message in target:
        if not message.id:
            continue
        original = source.get(message.id if not message.pluralizable else message.id[0])
        if original is None:
            continue
        strings = original.string
        message.string = tuple(to_latin(text) for text in strings) if isinstance(strings, (list, tuple)) \
            else to_latin(strings)
        message.flags.discard("fuzzy")
        done += 1
    with path.open("wb") as handle:
        write_po(handle, target, width=100)
    return done


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "compile":
        compile_all(quiet=False)
    elif command == "fill-en":
        fill_english()
    elif command == "stats":
        for locale, (total, done) in stats().items():
            print(f"{locale:8} {done:5}/{total:<5} translated")
    elif command == "pseudo":
        print(write_pseudo(Path(argv[1]), argv[2] if len(argv) > 2 else "eo"))
    elif command == "todo":
        print(f"{todo(argv[1], Path(argv[2]))} messages to translate in {argv[2]}")
    elif command == "fill":
        done, refused = fill(argv[1], [Path(name) for name in argv[2:]])
        print(f"{done} filled; {len(refused)} refused" + "".join(f"\n  {line}" for line in refused))
        return 1 if refused else 0
    elif command == "latin":
        print(f"{latin_from_cyrillic()} messages written to sr_Latn")
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
