"""Which language a page speaks (app/i18n.py): ?lang, profile, session (the footer's switcher),
Accept-Language, English; <html lang> and hreflang follow it; dates take the locale's names."""

from datetime import UTC, datetime

from app.accounts.models import Role
from app.extensions import db
from app.i18n import cldr_pattern, format_pattern, supported


def _lang(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_signed_in_person_reads_pages_in_their_profile_language(login, make):
    user = make.user(role=Role.MEMBER, name="Mariam Tsiklauri")
    user.language = "ka"
    db.session.commit()

    assert _lang(login(user).get("/profile")) == "ka"


def test_a_visitor_gets_the_browser_language_then_english(client):
    assert _lang(client.get("/", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})) == "uk"
    assert _lang(client.get("/", headers={"Accept-Language": "sr-Latn-RS,sr;q=0.8"})) == "sr-Latn"
    assert _lang(client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.8"})) == "en"


def test_the_footer_switcher_is_remembered_for_visitors(client):
    page = client.get("/events", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'hreflang="uk"' not in client.get("/profile").get_data(as_text=True)
    assert 'data-testid="language-switcher"' in page
    assert 'hreflang="ka"' in page and 'hreflang="sr-Latn"' in page

    back = client.post("/language", data={"language": "ro"}, headers={"Referer": "http://localhost/events?q=x"})
    assert back.headers["Location"] == "/events?q=x"
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "ro"


def test_the_switcher_saves_a_signed_in_persons_profile_language(login, make):
    user = make.user(role=Role.MEMBER)
    client = login(user)
    response = client.post("/language", data={"language": "mk"}, headers={"Referer": "https://evil.example/x"})

    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]
    db.session.refresh(user)
    assert user.language == "mk"
    assert _lang(client.get("/profile")) == "mk"


def test_an_unknown_language_changes_nothing(client):
    client.post("/language", data={"language": "xx"})
    assert _lang(client.get("/?lang=zz", headers={"Accept-Language": "en"})) == "en"


def test_lang_in_the_address_wins_for_that_page(client):
    assert _lang(client.get("/?lang=sr", headers={"Accept-Language": "uk"})) == "sr"


def test_language_codes_are_normalised():
    assert supported("uk_UA") == "uk"
    assert supported("SR-latn") == "sr_Latn"
    assert supported("sr-Cyrl-RS") == "sr"
    assert supported("hu") is None


def test_dates_take_the_locales_month_names_and_a_24_hour_clock(app):
    instant = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        assert format_pattern(instant, "%d %B %Y", "uk") == "5 березня 2026\u202fр."
        assert format_pattern(instant, "%a %d %b %Y, %H:%M", "en") == "Thu 05 Mar 2026, 14:30"
        assert format_pattern(instant, "%a %d %b %Y, %H:%M", "sr_Latn") == "čet, 5. mar 2026. 14:30"
        assert format_pattern(instant, "%B %Y", "uk").startswith("березень 2026")  # stand-alone month
        assert format_pattern(instant, "%A", "ka") == "ხუთშაბათი"


def test_strftime_patterns_become_cldr_patterns():
    assert cldr_pattern("%a %d %b %Y, %H:%M") == "EEE dd MMM y, HH:mm"
    assert cldr_pattern("%d %B %Y at %H:%M") == "dd MMMM y' at 'HH:mm"


def test_a_date_and_its_clock_read_as_babel_writes_them_whole():
    """app.i18n writes a date's part once per day and each clock once per hour and minute (and a
    pattern of a date alone once per day): the same text Babel gives for the whole pattern, in every
    language, zone and pattern, across DST changes."""
    import random
    from datetime import timedelta

    from app import i18n
    from app.timeutil import to_local

    patterns = [*i18n._SKELETONS, "%H:%M", "%d %b %Y at %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y, %H:%M", "%d %b %Y, %H:%M %Z",
                "%a", "%A %d %B %Y", "%B %Y", "%d %b", "%Y-%m-%d", "day %-d of %B"]
    locales = {i18n._formatting_locale(code, None) for code in i18n.SUPPORTED} | {i18n._formatting_locale("xx", "xx")}
    zones = ["UTC", "Europe/Kyiv", "Asia/Tbilisi", "America/New_York", "Pacific/Chatham", "Asia/Kolkata"]
    rng = random.Random(19)
    for _ in range(300):
        instant = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 366 * 8))
        local = to_local(instant, rng.choice(zones))
        for fmt in patterns:
            for locale in locales:
                assert i18n._format_in(local, fmt, locale) == i18n._format_by_babel(local, fmt, locale), (local, fmt, locale)
                if i18n._day_only(fmt):  # a date's patterns, once per day: for a date and a datetime on it
                    day = local.date()
                    assert i18n._format_in(day, fmt, locale) == i18n._format_by_babel(day, fmt, locale), (day, fmt)
    for locale in locales:  # the lists' pattern takes the day's part and the clock in every language
        assert i18n._around_clock(local.date(), "%a %d %b %Y, %H:%M", locale) is not None, locale

