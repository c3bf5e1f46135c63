"""The catalogs (app/translations) are complete and match the code (issue 20): extraction finds exactly
the template's messages; no catalog has an untranslated, fuzzy, missing or obsolete entry or a broken
placeholder; every enum label is marked; plural forms follow each language's rules."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_translations

import app as app_package
from app.db import LabelledEnum
from tools.i18n import ROOT, as_list, catalogs, html_tags, problems, template_ids

LANGUAGES = {"en", "uk", "ro", "ka", "mk", "sr", "sr_Latn"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    """What `make i18n-extract` would write today, read back."""
    target = tmp_path_factory.mktemp("extract") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
               "-k", "_l", "-k", "N_", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "ngettext:1,2",
               "-k", "_n:1,2", "--no-location", "-o", str(target), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with target.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_the_template_holds_exactly_what_the_code_marks(extracted):
    current = template_ids()
    assert extracted - current == set(), "messages not in app/translations/messages.pot: run `make i18n-update`"
    assert current - extracted == set(), "messages no longer in the code: run `make i18n-update`"


def test_every_language_has_a_catalog():
    assert set(catalogs()) == LANGUAGES


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_every_catalog_is_complete(locale):
    found = problems(locale, catalogs()[locale], template_ids())
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:50])


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_placeholders_and_markup_survive_translation(locale):
    with catalogs()[locale].open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    broken = [f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in catalog.check()]
    for message in catalog:
        if not message.id:
            continue
        ids, strings = as_list(message.id), as_list(message.string)
        broken += [f"{ids[0]!r}: HTML tags differ in {text!r}" for text in strings
                   if text and html_tags(text) != html_tags(ids[0])]
    assert not broken, "\n".join(broken[:50])


def _enums() -> list[type[LabelledEnum]]:
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    found, queue = [], list(LabelledEnum.__subclasses__())
    while queue:
        cls = queue.pop()
        found.append(cls)
        queue += cls.__subclasses__()
    return found


# Labels that are names, the same in every language: TLP 2.0 markings are never translated.
NAMES_NOT_LABELS = {"TLP"}


def test_every_enum_label_is_marked_for_translation():
    missing = [f"{cls.__module__}.{cls.__name__}.{member.value}" for cls in _enums() for member in cls
               if cls.__name__ not in NAMES_NOT_LABELS
               and (member.value not in cls.__labels__ or isinstance(cls.__labels__[member.value], str))]
    assert not missing, "labels without _l(...): " + ", ".join(missing)


@pytest.mark.parametrize("locale", ["uk", "sr", "mk"])
def test_plural_forms_follow_the_language(app, locale):
    """Ukrainian and Serbian: 1 and 21 take the first form, 2 the second, 5 the third; Macedonian:
    1 and 21 the first, 2 and 5 the other. Every plural message of the catalog is asked."""
    with catalogs()[locale].open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    plurals = [message for message in catalog if message.id and message.pluralizable]
    assert plurals, "no plural message in the catalog"
    expected_forms = 3 if locale in {"uk", "sr"} else catalog.num_plurals
    assert catalog.num_plurals == expected_forms
    with app.test_request_context("/"), force_locale(locale):
        translations = get_translations()
        for message in plurals:
            forms = list(message.string)
            said = {n: translations.ungettext(message.id[0], message.id[1], n) for n in (1, 2, 5, 21)}
            if locale in {"uk", "sr"}:
                assert said == {1: forms[0], 2: forms[1], 5: forms[2], 21: forms[0]}, message.id
            else:  # Macedonian: 1 and 21 take "one", 2 and 5 "other"
                assert said == {1: forms[0], 2: forms[1], 5: forms[1], 21: forms[0]}, message.id


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_the_invalid_choices_message_quotes_as_wtforms_joins(locale):
    """WTForms writes several refused choices as "', '".join(values) into this message's %(value)s,
    so every form of it quotes the placeholder with the same apostrophes ('a', 'b'), never „a', 'b“."""
    with catalogs()[locale].open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    message = catalog.get(("'%(value)s' is not a valid choice for this field.",
                           "'%(value)s' are not valid choices for this field."))
    assert message is not None and all("'%(value)s'" in form for form in as_list(message.string))
