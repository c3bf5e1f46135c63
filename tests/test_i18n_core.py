"""WTForms' and Flask-WTF's own messages come from our catalogs; country names and the navigation
speak the page's language."""

from pathlib import Path

import pytest
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain, refresh
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app import forms_messages
from app.accounts.models import Membership, MembershipStatus
from app.countries import COUNTRY_CHOICES, country_name
from app.forms_base import Form
from app.forms_common import country_choices
from app.notifications.rendering import render_email
from app.roles import Role
from app.templating import NAV


@pytest.fixture
def ukrainian_catalog(app, tmp_path):
    """A small Ukrainian catalog merged over the app's own, for the length of a test."""
    catalog = Catalog(locale="uk")
    catalog.add("This field is required.", "Обов'язкове поле.")
    catalog.add(("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
                ("Щонайменше %(min)d символ.", "Щонайменше %(min)d символи.", "Щонайменше %(min)d символів."))
    catalog.add("The CSRF token is missing.", "Бракує токена захисту форми.")
    catalog.add("Ukraine", "НЕ З КАТАЛОГУ")  # country names come from CLDR, not from here
    catalog.add(("%(num)d organisation", "%(num)d organisations"),
                ("%(num)d організація", "%(num)d організації", "%(num)d організацій"))
    catalog.add("Hello %(name)s,", "Вітаємо, %(name)s!")
    catalog.add("Removed from the organisation", "Вилучено з організації")
    catalog.add("Admin", "Адміністратор")
    folder = tmp_path / "uk" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    directories = app.extensions["babel"].translation_directories
    directories.append(str(tmp_path))
    get_domain().cache.clear()
    yield
    directories.remove(str(tmp_path))
    get_domain().cache.clear()


class _NameForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(min=5)])


def test_wtforms_own_messages_come_from_our_catalog(app, ukrainian_catalog):
    with app.test_request_context("/?lang=uk", method="POST", data={"name": ""}):
        refresh()
        form = _NameForm(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["Обов'язкове поле."]
    with app.test_request_context("/?lang=uk", method="POST", data={"name": "ab"}):
        refresh()
        form = _NameForm(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["Щонайменше 5 символів."]
    with app.test_request_context("/?lang=en", method="POST", data={"name": ""}):
        refresh()
        form = _NameForm(meta={"csrf": False})
        form.validate()
        assert form.name.errors == ["This field is required."]


def test_a_missing_csrf_token_is_reported_in_the_page_language(app, ukrainian_catalog):
    with app.test_request_context("/?lang=uk", method="POST", data={"name": "Olena Kovalenko"}):
        refresh()
        form = _NameForm(meta={"csrf": True})
        assert not form.validate()
        assert form.csrf_token.errors == ["Бракує токена захисту форми."]


def test_every_wtforms_message_is_marked_for_our_catalog_byte_for_byte():
    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with open(pot, "rb") as handle:
        theirs = {message.id for message in read_po(handle) if message.id}
    ours = set(forms_messages.WTFORMS_MESSAGES) | set(forms_messages.WTFORMS_PLURAL_MESSAGES)
    assert ours == theirs


def test_flask_wtf_csrf_messages_are_marked():
    import flask_wtf.csrf

    source = Path(flask_wtf.csrf.__file__).read_text(encoding="utf-8")
    raised = {line.split('ValidationError("', 1)[1].split('")', 1)[0]
              for line in source.splitlines() if 'raise ValidationError("' in line}
    assert raised and raised <= set(forms_messages.CSRF_MESSAGES)


def test_country_names_speak_the_page_language_and_sort_by_it(app, ukrainian_catalog):
    with app.test_request_context("/?lang=uk"):
        refresh()
        assert country_name("UA") == "Україна"
        assert country_name("xk") == "Косово"
        names = [name for _code, name in COUNTRY_CHOICES]
        assert names[0] == "Австрія" and names == sorted(names, key=str.casefold)
        assert country_choices("—")[0] == ("", "—") and ("GE", "Грузія") in country_choices()
    with app.test_request_context("/?lang=ka"):
        refresh()
        assert country_name("GE") == "საქართველო"
    with app.test_request_context("/?lang=en"):
        refresh()
        assert country_name("TR") == "Türkiye" and country_name("XK") == "Kosovo"
        assert country_name("BA") == "Bosnia and Herzegovina"
        assert [name for _code, name in COUNTRY_CHOICES][:2] == ["Albania", "Armenia"]
        assert len(COUNTRY_CHOICES) == len(list(COUNTRY_CHOICES))
        assert country_name("") == "" and country_name("Q1") == "Q1" and country_name("jp") == "Japan"


def test_the_navigation_labels_are_translatable(app, ukrainian_catalog):
    assert all(type(label).__name__ == "LazyString" for _endpoint, label, _who in NAV)


@pytest.mark.parametrize("count, shown", [(1, "1 організація"), (2, "2 організації"), (5, "5 організацій"),
                                          (21, "21 організація")])
def test_the_organisation_count_takes_the_ukrainian_plural_form(app, make, login, ukrainian_catalog, count, shown):
    for number in range(count):
        make.organisation(name=f"Department {number:02d}")
    page = login(make.user(role=Role.ADMIN)).get("/directory/organisations?lang=uk").get_data(as_text=True)
    assert shown in page
    assert "Адміністратор" in page  # the role badge: Role's labels are in the catalog


def test_an_account_email_and_a_reason_liaison_wrote_speak_the_recipients_language(app, make, ukrainian_catalog):
    organisation = make.organisation(name="Patrol Police")
    recipient = make.user(name="Olena Kovalenko")
    actor = make.user(role=Role.ADMIN, name="Admin Person")
    membership = Membership(user=recipient, organisation=organisation, status=MembershipStatus.ENDED,
                            reason="Removed from the organisation")
    subject, text, html = render_email("accounts/membership_ended", language="uk", recipient=recipient,
                                       organisation=organisation, membership=membership, actor=actor,
                                       url="https://liaison.example/profile")
    assert text.startswith("Вітаємо, Olena Kovalenko!") and "(Вилучено з організації)" in text
    assert "Вилучено з організації" in html and "Patrol Police" in subject
    membership.reason = "Moved to the border police"  # a person's own words stay as written
    assert membership.reason_text == "Moved to the border police"
