"""Pseudo-localisation (issue 20): every GET page of the URL map, as each role of the authorisation
walk (tests/authz_world.py), every email and every export a page offers, rendered under a pseudo-locale
whose catalog turns each of our messages into "⟦Ŕéĝîšţéŕ⟧" (tools/i18n.py pseudo). A plain English word
that is not content (the database's own words) is a string that escaped gettext: the test names it with
the page and the role, the day it is written."""

from __future__ import annotations

import pytest

from app import create_app
from app.i18n import LANGUAGES
from app.notifications.rendering import render_email
from app.privacy.deletion import FORMER_MEMBER
from app.timeutil import set_now
from config import TestingConfig
from tests import test_email_need_to_know as emails
from tests.authz_world import ROLES, Clients, build_once, cases, url
from tests.conftest import _clean
from tests.i18n_text import (
    PSEUDO_LOCALE,
    content_words,
    document_texts,
    english,
    visible_texts,
    zone_words,
)
from tests.test_email_need_to_know import world  # noqa: F401  (the emails' world, as a fixture)
from tools.i18n import write_pseudo


@pytest.fixture(scope="module")
def pseudo_app(_app, _session_dir, database_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("pseudo-translations")
    write_pseudo(directory, PSEUDO_LOCALE)
    app = create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": database_url, "MAIL_FILE_DIR": str(_session_dir / "mail"),
        "BABEL_TRANSLATION_DIRECTORIES": f"translations;{directory}", "I18N_PSEUDO_LOCALE": PSEUDO_LOCALE,
    })
    app.test_client_class = _app.test_client_class
    yield app
    _clean(app)
    set_now(None)


# The walk asks each route once, with one format: these are the other formats a person downloads.
OTHER_FORMATS = [
    ("lessons.summary_export", {"summary_id": "summary_id", "fmt": "pdf"}, ""),
    ("lessons.summary_export", {"summary_id": "summary_id", "fmt": "docx"}, ""),
    ("lessons.wrap_up_export", {"event_id": "event_id", "fmt": "pdf"}, ""),
    ("lessons.wrap_up_export", {"event_id": "event_id", "fmt": "docx"}, ""),
    ("reports.export", {"name": "participation", "fmt": "xlsx"}, ""),
    ("reports.export", {"name": "dashboard", "fmt": "pdf"}, ""),
    ("registrations.export", {"event_id": "event_id"}, "format=xlsx&columns=name&columns=dietary_needs"),
]


def _other_formats(app, walked) -> list[tuple[str, str]]:
    found = []
    for endpoint, arguments, query in OTHER_FORMATS:
        values = {name: walked.ids.get(value, value) for name, value in arguments.items()}
        path = app.url_map.bind("localhost").build(endpoint, values)
        found.append((f"{endpoint} {values.get('fmt') or 'xlsx'}", f"{path}?{query}" if query else path))
    return found


def _with_lang(address: str) -> str:
    return address + ("&" if "?" in address else "?") + f"lang={PSEUDO_LOCALE}"


def _texts(response) -> list[str] | None:
    if response.mimetype == "text/html":
        return visible_texts(response.get_data(as_text=True))
    return document_texts(response.mimetype, response.get_data())


def test_every_page_and_export_speaks_the_pseudo_locale(pseudo_app, capsys):
    walked, rows = build_once(pseudo_app, _clean)
    allowed = content_words(rows) | zone_words() | {word.lower() for word in pseudo_app.config["SITE_NAME"].split()}
    # The languages' own names (the profile's choice): each is written in its own language on purpose.
    allowed |= {word.lower() for _code, name in LANGUAGES for word in _words(name)}
    allowed |= {word.lower() for word in _words(FORMER_MEMBER)}  # the name stored for an erased account
    clients = Clients(pseudo_app, walked)
    # Signing in flashes "Welcome" in the language of the sign-in page: read it before the walk.
    for role in ROLES:
        clients(role).get(_with_lang("/"))
    found, checked, kinds = {}, 0, set()
    for case in cases(pseudo_app):
        if case.method != "GET":
            continue
        for role in ROLES:
            response = clients(role).get(_with_lang(url(pseudo_app, case, walked)))
            texts = _texts(response)
            if texts is None or 300 <= response.status_code < 400:
                continue
            checked += 1
            kinds.add(response.mimetype)
            for word in english(texts, allowed):
                found.setdefault(f"{case.key} ({response.status_code})", {}).setdefault(word, role)
    for key, address in _other_formats(pseudo_app, walked):
        for role in ("owner", "coordinator"):
            response = clients(role).get(_with_lang(address))
            texts = _texts(response)
            if texts is None or response.status_code != 200:
                continue
            checked += 1
            kinds.add(response.mimetype)
            for word in english(texts, allowed):
                found.setdefault(f"{key} ({response.status_code})", {}).setdefault(word, role)
    with capsys.disabled():
        print(f"\npseudo-locale walk: {checked} responses checked ({', '.join(sorted(kinds))})")
    report = [f"{key}: {word} (as {role})" for key, words in sorted(found.items()) for word, role in words.items()]
    assert not report, f"{len(report)} English strings escaped gettext:\n" + "\n".join(report[:300])


def test_every_email_speaks_the_pseudo_locale(pseudo_app, world, make):  # noqa: F811
    """Every email kind, rendered as tests/test_email_need_to_know.py renders it, in the pseudo-locale."""
    context = emails._no_entry_context(world, make)
    allowed = {word.lower() for value in context.values() for word in _words(value)}
    allowed |= {word.lower() for value in (world["event"].title, world["red"].title) for word in _words(value)}
    found = []
    with pseudo_app.app_context():
        for name in sorted(emails.NO_ENTRY):
            subject, text, html = render_email(name, language=PSEUDO_LOCALE, **context)
            found += [f"{name}: {word}" for word in english([subject, text], allowed | zone_words())]
            found += [f"{name} (html): {word}" for word in english(visible_texts(html or ""), allowed | zone_words())]
    assert not found, f"{len(found)} English strings escaped gettext:\n" + "\n".join(found[:200])


def _words(value) -> list[str]:
    import re

    return re.findall(r"[A-Za-z]+", str(value)) if isinstance(value, str) else re.findall(
        r"[A-Za-z]+", " ".join(str(getattr(value, name, "")) for name in ("name", "title", "email", "reason")))
