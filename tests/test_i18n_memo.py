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


def test_remembered_catalog_follows_refresh(app):
    from flask import session
    from flask_babel import refresh

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(PAGE) == "Skip to content 2 events"
        session["language"] = "uk"  # the language chosen again in this request, then refresh()
        refresh()
        assert current_language() == "uk" and "Skip to content" not in render_template_string(PAGE)


def test_template_gettext_is_jinjas_newstyle_gettext(app):
    """Templates' _(), gettext() and ngettext() are called directly (app.i18n), as Jinja's newstyle
    callables behave: marked safe, always a format string, variables escaped."""
    with app.test_request_context("/?lang=en"):
        assert render_template_string('{{ _("Skip to content") }}|{{ gettext("100%% sure") }}') \
            == "Skip to content|100% sure"
        assert render_template_string('{{ _("Hello %(name)s", name=who) }}', who="<b>") == "Hello &lt;b&gt;"
        assert render_template_string('{{ ngettext("%(num)d event", "%(num)d events", 1) }}') == "1 event"
        assert render_template_string('{% trans n=3 %}{{ n }} event{% pluralize %}{{ n }} events{% endtrans %}') \
            == "3 events"
        assert render_template_string('{{ pgettext("menu", "Events") }}') == "Events"
