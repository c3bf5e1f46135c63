"""The Ukrainian wording the reminder had before it became one template with gettext (it lived in
reminder.uk.txt/.html), as a small catalog, and a way to install it for one test: the reminder's
Ukrainian test then checks a real translated email whatever app/translations holds today."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import get_domain

DAYS = ("день", "дні", "днів")  # one, few, many (uk: 1, 2–4, 5+ and 11–14)

REMINDER_UK = {
    "Reminder: %(title)s starts tomorrow": "Нагадування: «%(title)s» починається завтра",
    ("Reminder: %(title)s starts in %(num)d day", "Reminder: %(title)s starts in %(num)d days"):
        tuple(f"Нагадування: «%(title)s» починається через %(num)d {word}" for word in DAYS),
    "Hello %(name)s,": "Вітаємо, %(name)s!",
    'A reminder that you are registered for "%(title)s", which starts tomorrow.':
        "Нагадуємо, що ви зареєстровані на захід «%(title)s», який починається завтра.",
    ('A reminder that you are registered for "%(title)s", which starts in %(num)d day.',
     'A reminder that you are registered for "%(title)s", which starts in %(num)d days.'):
        tuple(f"Нагадуємо, що ви зареєстровані на захід «%(title)s», який починається через %(num)d {word}."
              for word in DAYS),
    "A reminder that you are registered for <strong>%(title)s</strong>, which starts tomorrow.":
        "Нагадуємо, що ви зареєстровані на захід <strong>«%(title)s»</strong>, який починається завтра.",
    ("A reminder that you are registered for <strong>%(title)s</strong>, which starts in %(num)d day.",
     "A reminder that you are registered for <strong>%(title)s</strong>, which starts in %(num)d days."):
        tuple("Нагадуємо, що ви зареєстровані на захід <strong>«%(title)s»</strong>, який починається "
              f"через %(num)d {word}." for word in DAYS),
    "When:": "Коли:", "Ends:": "Завершення:", "Your time:": "Ваш час:", "Where:": "Де:", "Online:": "Онлайн:",
    "When": "Коли", "Ends": "Завершення", "Your time": "Ваш час", "Where": "Де", "Online": "Онлайн",
    "Details: %(url)s": "Докладніше: %(url)s",
    "See the event": "Сторінка заходу",
    "The attached calendar file (.ics) adds the event to Outlook, Google, Apple or Thunderbird calendars.":
        "Файл календаря (.ics) у вкладенні додає захід до календаря Outlook, Google, Apple або Thunderbird.",
    "The attached calendar file (.ics) adds the event to your calendar.":
        "Файл календаря (.ics) у вкладенні додає захід до вашого календаря.",
    "If you can no longer attend, please cancel your registration on the event page so that someone on the "
    "waiting list can take your seat.":
        "Якщо ви не зможете взяти участь, скасуйте, будь ласка, реєстрацію на сторінці заходу, щоб ваше місце "
        "отримав хтось зі списку очікування.",
    "Reminder: %(title)s": "Нагадування: %(title)s",
}


@contextmanager
def catalog_installed(app, folder: Path, language: str, messages: dict):
    """Add a compiled catalog of `messages` for `language` after the app's own translation
    directories (so its entries win), for the duration of the block."""
    catalog = Catalog(locale=language)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    config = app.extensions["babel"]
    original = config.translation_directories
    config.translation_directories = [*original, str(folder)]
    get_domain().cache.clear()
    try:
        yield
    finally:
        config.translation_directories = original
        get_domain().cache.clear()
