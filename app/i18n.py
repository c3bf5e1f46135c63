"""Which language a page or an email speaks (Flask-Babel), and dates and numbers in it.

A page's language is, in order: `?lang=` (the footer's switcher and hreflang links; remembered in the
session), a signed-in person's profile language, the language remembered in the session, the browser's
Accept-Language, English. An email speaks its recipient's language (app.notifications.rendering
renders it inside `force_locale`). User content (titles, descriptions, lessons) is never translated.

Dates: `format_pattern(value, "%d %b %Y")` turns the strftime patterns our templates use into CLDR
patterns, so month and day names come from the locale and clocks stay at 24 hours.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time

import flask_babel
from babel import Locale
from babel.dates import format_date, format_datetime, format_time, match_skeleton, parse_pattern
from flask import Flask, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from app.timeutil import to_local

# The languages with a complete catalog in app/translations (value, name in its own language).
LANGUAGES = [
    ("en", "English"),
    ("uk", "Українська"),
    ("ro", "Română"),
    ("ka", "ქართული"),
    ("mk", "Македонски"),
    ("sr", "Српски"),
    ("sr_Latn", "Srpski (latinica)"),
]
SUPPORTED = tuple(code for code, _name in LANGUAGES)
DEFAULT = "en"
# English dates and numbers in the European way (24-hour clock, day before month).
_FORMAT_LOCALE = {"en": "en_GB"}

babel = Babel()


def supported(code: str | None) -> str | None:
    """The supported language a code names ("sr-Latn", "uk_UA" and "UK" included), or None."""
    if not code:
        return None
    pseudo = _pseudo_locale()
    if pseudo and code == pseudo:
        return pseudo
    wanted = code.replace("-", "_")
    for candidate in SUPPORTED:
        if wanted.lower() == candidate.lower():
            return candidate
    base = wanted.split("_")[0].lower()
    if base == "sr" and "latn" in wanted.lower():
        return "sr_Latn"
    return base if base in SUPPORTED else None


def _pseudo_locale() -> str | None:
    """The test suite's pseudo-locale (tests/test_i18n_pseudo.py), when the app was built with one."""
    app_ctx = _cv_app.get(None)  # (not current_app's proxy: asked for every date and label)
    return app_ctx.app.config.get("I18N_PSEUDO_LOCALE") if app_ctx is not None else None


def select_locale() -> str:
    if not has_request_context():  # the scheduler, the CLI: English unless force_locale says otherwise
        return DEFAULT
    chosen = supported(request.args.get("lang"))
    if chosen:
        session["language"] = chosen
        return chosen
    user = current_user._get_current_object()  # (each look through the proxy finds the user again)
    if user and user.is_authenticated:
        own = supported(getattr(user, "language", None))
        if own:
            return own
    remembered = supported(session.get("language"))
    if remembered:
        return remembered
    for value, _quality in request.accept_languages:  # best first
        if supported(value):
            return supported(value)
    return DEFAULT


def _selected_locale() -> Locale:
    """select_locale's answer as the one Babel Locale of that language: flask_babel parses what the
    selector returns on every request (Locale.parse of a text, ~10 µs), but keeps a Locale as it is."""
    return _locale_of(select_locale())


@functools.lru_cache(maxsize=64)
def _locale_of(code: str) -> Locale:
    return Locale.parse(code)


def select_timezone() -> str | None:
    user = current_user._get_current_object() if has_request_context() else None
    if user and user.is_authenticated:
        return getattr(user, "timezone", None) or None
    return None


def current_language() -> str:
    """The page's (or, under force_locale, the email's) language, remembered with the catalog: asked
    for every date on a page."""
    return _remembered()[3]


def catalog():
    """flask_babel's get_translations(), remembered while the locale is the same object (as
    current_language): a page asks it for every string it prints, and each ask walks the context."""
    return _remembered()[1]


def _remembered() -> tuple:
    """(locale, catalog, {id of a lazy string: its text}, language) of the current context."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        # The fast path (a page asks this for every string it prints): flask_babel keeps the
        # context's locale on its namespace in g (`_flask_babel.babel_locale`; force_locale and
        # refresh() replace or remove it), so one look at g tells whether the remembered catalog
        # still holds, without get_locale()'s walk through the proxies (~1.7 µs a string).
        store = app_ctx.g.__dict__
        known = store.get("_i18n_catalog")
        if known is not None and getattr(store.get("_flask_babel"), "babel_locale", None) is known[0]:
            return known
    locale = get_locale()
    if locale is None:
        return None, get_translations(), {}, DEFAULT
    known = g.get("_i18n_catalog")
    if known is None or known[0] is not locale:
        language = _language_of(str(locale), _pseudo_locale())
        known = g._i18n_catalog = (locale, get_translations(), {}, language)
    return known


def gettext(string: str, /, **variables) -> str:
    """flask_babel's gettext (the same catalog, `%` formatting only with variables) through the
    remembered catalog, without its walk through the context and the locale selector: for code
    that asks for a few texts on every request (a calendar download's wording)."""
    text = _remembered()[1].ugettext(string)
    return text % variables if variables else text


def translated(lazy) -> str:
    """str() of a lazy_gettext string kept for good (an enum's label, app.db.LabelledEnum), remembered
    with the catalog: a list prints the same few labels on every row."""
    remembered = _remembered()
    texts = remembered[2]
    key = id(lazy)  # (a lazy string's own hash translates it)
    text = texts.get(key)
    if text is None:
        if getattr(lazy, "_func", None) is flask_babel.gettext and len(lazy._args) == 1 and not lazy._kwargs:
            # lazy_gettext("…") without variables: what flask_babel's gettext answers (the default
            # domain's catalog for this locale), from the remembered catalog without its walk.
            text = remembered[1].ugettext(lazy._args[0])
        else:
            text = str(lazy)
        texts[key] = text
    return text


@functools.lru_cache(maxsize=64)
def _language_of(locale_name: str, pseudo: str | None) -> str:
    # Asked for every date and label on a page: the answer depends only on these two.
    if pseudo and locale_name == pseudo:
        return pseudo
    return supported(locale_name) or DEFAULT


def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag of a language ("sr-Latn"), for <html lang> and hreflang."""
    return (code or current_language()).replace("_", "-")


def formatting_locale(code: str | None = None) -> Locale:
    return _formatting_locale(code or current_language(), _pseudo_locale())


@functools.lru_cache(maxsize=64)
def _formatting_locale(code: str, pseudo: str | None) -> Locale:
    if code == pseudo:
        return Locale.parse("ka")  # no Latin letters: an English date would stand out
    return Locale.parse(_FORMAT_LOCALE.get(code, code))


_STRFTIME_TO_CLDR = {
    "%a": "EEE", "%A": "EEEE", "%d": "dd", "%-d": "d", "%b": "MMM", "%B": "MMMM", "%m": "MM",
    "%Y": "y", "%y": "yy", "%H": "HH", "%M": "mm", "%S": "ss", "%Z": "zzz", "%%": "%",
}
_TOKEN = re.compile(r"%-?[a-zA-Z%]")


@functools.lru_cache(maxsize=256)
def cldr_pattern(fmt: str) -> str:
    """'%a %d %b %Y, %H:%M' → "EEE dd MMM y, HH:mm" (literal text quoted). A month name standing
    alone with its year ('%B %Y') takes the stand-alone form, as calendars title a month."""
    parts, last = [], 0
    for match in _TOKEN.finditer(fmt):
        literal = fmt[last:match.start()]
        if literal:
            parts.append(_quote(literal))
        parts.append(_STRFTIME_TO_CLDR.get(match.group(), ""))
        last = match.end()
    if fmt[last:]:
        parts.append(_quote(fmt[last:]))
    pattern = "".join(parts)
    if "%d" not in fmt and "%-d" not in fmt:
        pattern = pattern.replace("MMMM", "LLLL").replace("MMM", "LLL")
    return pattern


def _quote(literal: str) -> str:
    if not any(ch.isalpha() for ch in literal):
        return literal
    return "'" + literal.replace("'", "''") + "'"


# The patterns our pages use, as CLDR skeletons: each locale orders and punctuates them its own way
# ("Fri, 20 Mar 2026, 10:00", "пт, 20 бер. 2026 р., 10:00", "pet, 20. mar 2026. 10:00").
# (date skeleton or "full", with the time?)
_SKELETONS = {
    "%a %d %b %Y, %H:%M": ("yMMMEd", True), "%d %b %Y, %H:%M": ("yMMMd", True),
    "%d %b %Y": ("yMMMd", False), "%d %B %Y": ("yMMMMd", False), "%A %d %B %Y": ("full", False),
    "%A %d %B %Y, %H:%M": ("full", True), "%B %Y": ("yMMMM", False), "%b %Y": ("yMMM", False),
    "%a %d %b": ("MMMEd", False), "%d %b": ("MMMd", False), "%a %d %b, %H:%M": ("MMMEd", True),
}


def format_pattern(value: datetime | date | None, fmt: str, language: str | None = None) -> str:
    """A date or a (local) datetime in one of our strftime-like patterns, the locale's way."""
    if value is None:
        return ""
    return _format_in(value, fmt, formatting_locale(language))


def format_instant(instant: datetime, tz_name: str | None, fmt: str, language: str | None = None) -> tuple[str, str]:
    """(format_pattern of `instant` in the zone `tz_name`, the zone's abbreviation then), remembered
    (bounded): an event page formats the same few instants on every view (its registration window),
    each ~20 µs through Babel."""
    return _instant_in(instant, tz_name, fmt, formatting_locale(language))


# ~370 bytes an entry. In an in-process replay of the mix (bench.cache_replay's plan, with writes) 2,048
# entries found 40% against 55% for 4,096, for 0.75 MB less per worker (issue 19: worker RSS < 150 MB).
@functools.lru_cache(maxsize=2048)
def _instant_in(instant: datetime, tz_name: str | None, fmt: str, locale: Locale) -> tuple[str, str]:
    # An aware instant equals (and hashes as) the same instant in any zone: the text depends only on
    # the instant, the zone it is shown in (tz_name) and the locale.
    return instant_parts(instant, tz_name, fmt, locale)


def instant_parts(instant: datetime, tz_name: str | None, fmt: str, locale: Locale) -> tuple[str, str]:
    """format_instant's answer in `locale`, not remembered (each day's part and each clock are:
    _format_in): for callers that remember the texts they write under keys of their own."""
    local = to_local(instant, tz_name)
    return _format_in(local, fmt, locale), local.tzname()


def _format_in(value: datetime | date, fmt: str, locale: Locale) -> str:
    if isinstance(value, datetime):
        # A date and its clock: Babel writes the day's part once per day (_around_clock) and each
        # "HH:mm" once per hour and minute (_clock); a list's dates were most of its Python.
        around = _around_clock(value.date(), fmt, locale)
        if around is not None:
            return around[0] + _clock(value.hour, value.minute, locale) + around[1]
        if value.tzinfo is not None and _day_only(fmt):  # a weekday, a day's title: Babel writes the local date
            return _day_by_babel(value.date(), fmt, locale)
        return _format_by_babel(value, fmt, locale)
    return _day_by_babel(value, fmt, locale)


_day_only = functools.lru_cache(maxsize=256)(re.compile(r"(?:%-?[aAdbBmYy]|[^%])*").fullmatch)  # no clock, no zone


@functools.lru_cache(maxsize=1024)  # ~200 bytes an entry: the days a worker's pages title, per language
def _day_by_babel(day: date, fmt: str, locale: Locale) -> str:
    """A date in a pattern (an agenda day's "%A %d %B %Y"), once per day: ~40 µs through Babel."""
    return _format_by_babel(day, fmt, locale)


def _format_by_babel(value: datetime | date, fmt: str, locale: Locale) -> str:
    kind, pattern, joiner = _plan(locale, fmt)
    if kind == "time":
        return format_time(value, pattern, locale=locale)
    if kind == "as_written":
        if isinstance(value, datetime):
            return format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale)
        return format_date(value, pattern, locale=locale)
    day = value.date() if isinstance(value, datetime) else value
    text = format_date(day, pattern, locale=locale) if kind == "full" else format_datetime(
        day, pattern, locale=locale)
    if joiner is None or not isinstance(value, datetime):
        return text
    clock = format_time(value, _CLOCK, locale=locale)
    return joiner.replace("{1}", text).replace("{0}", clock).replace("'", "")


_CLOCK = parse_pattern("HH:mm")
_DATE_THEN_CLOCK = re.compile(r"((?:%-?[aAdbBmYy]|[^%A-Za-z'{}])*%-?[aAdbBmYy])([^%A-Za-z'{}]*)%H:%M")


@functools.lru_cache(maxsize=2048)  # ~250 bytes an entry: the days a worker's pages show, per language
def _around_clock(day: date, fmt: str, locale: Locale) -> tuple[str, str] | None:
    """(the text before, the text after) the clock in `fmt` written for a datetime on `day` (Babel's
    output for every hour and minute of that day), or None when `fmt` is not a date and its clock."""
    kind, pattern, joiner = _plan(locale, fmt)
    if kind in ("skeleton", "full") and joiner is not None:
        text = format_date(day, pattern, locale=locale) if kind == "full" else format_datetime(
            day, pattern, locale=locale)
        before, slot, after = joiner.replace("{1}", text).replace("'", "").partition("{0}")
        return (before, after) if slot else None
    written = _DATE_THEN_CLOCK.fullmatch(fmt) if kind == "as_written" else None
    if written is None:  # (the literal between them has no letter: CLDR writes it as it is)
        return None
    return format_date(day, parse_pattern(cldr_pattern(written[1])), locale=locale) + written[2], ""


@functools.lru_cache(maxsize=512)
def _clock(hour: int, minute: int, locale: Locale) -> str:
    return format_time(time(hour, minute), _CLOCK, locale=locale)


@functools.lru_cache(maxsize=512)
def _plan(locale: Locale, fmt: str) -> tuple[str, object, str | None]:
    """How `fmt` is written in `locale`, worked out once (a page formats dozens of dates):
    (kind, Babel pattern, the locale's date-and-time joiner when the time follows)."""
    if fmt == "%H:%M":
        return "time", _CLOCK, None
    # English keeps the patterns as written ("Mon 01 Jun 2026, 12:05"), the other languages their own.
    skeleton, with_time = _SKELETONS.get(fmt.replace("%-d", "%d"), (None, False))
    if skeleton is None or locale.language == "en":
        return "as_written", parse_pattern(cldr_pattern(fmt)), None
    joiner = locale.datetime_formats["medium"] if with_time else None
    if skeleton == "full":
        return "full", locale.date_formats["full"], joiner
    if skeleton not in locale.datetime_skeletons:  # as babel's format_skeleton(fuzzy=True) does
        skeleton = match_skeleton(skeleton, locale.datetime_skeletons) or skeleton
    return "skeleton", locale.datetime_skeletons[skeleton], joiner


def install(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=_selected_locale, timezone_selector=select_timezone)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, current_language=current_language, html_lang=html_lang,
    )
    app.jinja_env.filters["datefmt"] = lambda value, fmt: format_pattern(value, fmt)
    # Templates' _() and ngettext() as flask_babel installs them, through the remembered catalog.
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: catalog().ugettext(text),
        ngettext=lambda singular, plural, n: catalog().ungettext(singular, plural, n),
        pgettext=lambda context, text: catalog().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: catalog().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    # The two a page calls ~100 times, called directly: Jinja's `_` resolves `gettext` and calls it,
    # which calls the function above, each through Context.call (~9 µs a string in all).
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)


# Jinja's "newstyle" gettext (jinja2.ext._make_new_gettext), in one call: the text is marked safe
# when autoescaping and always used as a format string, so "%%" and "%(name)s" read the same.
@pass_context
def _template_gettext(context, string: str, /, **variables) -> str:
    if context.eval_ctx.autoescape:
        return markup_text(string, **variables)
    return _remembered()[1].ugettext(string) % variables


def markup_text(string: str, /, **variables) -> Markup:
    """A text translated as an autoescaping template prints `_(string, **variables)`: the translation
    is markup, the variables are escaped (for HTML written outside a template: app.events.list_markup)."""
    return Markup(_remembered()[1].ugettext(string)) % variables


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    text = _remembered()[1].ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables
