"""The catalog and language a request remembers (app.i18n.catalog, current_language) follow
force_locale: an email rendered in its recipient's language inside a request in another language,
and the page's own language again after it."""

from datetime import date

from flask import render_template_string
from flask_babel import force_locale

from app.i18n import current_language, format_pattern
from app.roles import Role

PAGE = '{{ _("Skip to content") }} {{ ngettext("%(num)d event", "%(num)d events", 2) }}'


def test_remembered_catalog_follows_force_locale(app):
    with app.test_request_context("/?lang=en"):
        english = render_template_string(PAGE)
        assert english == "Skip to content 2 events" and current_language() == "en"
        assert Role.MEMBER.label == "Member"
        with force_locale("uk"):
            ukrainian = render_template_string(PAGE)
            assert current_language() == "uk"
            assert Role.MEMBER.label not in ("", "Member")
            assert format_pattern(date(2026, 3, 20), "%d %B %Y") != "20 March 2026"
        assert ukrainian != english and "Skip to content" not in ukrainian
        assert render_template_string(PAGE) == english and current_language() == "en"
        assert Role.MEMBER.label == "Member"
        assert format_pattern(date(2026, 3, 20), "%d %B %Y") == "20 March 2026"
