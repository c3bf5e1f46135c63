"""A public page's hreflang alternates (app.hreflang): its address in every language, remembered per
page and site address, the same as built afresh."""

import re

from app import hreflang
from app.i18n import SUPPORTED


def _alternates(response) -> list[tuple[str, str]]:
    return re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', response.get_data(as_text=True))


def test_alternates_are_the_page_in_every_language_at_its_own_address(client, make):
    event, other = make.event(), make.event()
    hreflang._ALTERNATES.clear()
    for _round in range(2):  # built, then remembered
        page = _alternates(client.get(f"/events/{event.id}?lang=uk"))
        assert [code for code, _href in page] == [code.replace("_", "-") for code in SUPPORTED]
        assert page[1] == ("uk", f"http://localhost/events/{event.id}?lang=uk")
        assert _alternates(client.get(f"/events/{other.id}"))[0] == ("en", f"http://localhost/events/{other.id}?lang=en")
        assert _alternates(client.get("/events?country=UA&page=2&lang=ro"))[2] == (
            "ro", "http://localhost/events?country=UA&amp;page=2&amp;lang=ro")
        elsewhere = _alternates(client.get(f"/events/{event.id}", base_url="https://liaison.example.org"))
        assert elsewhere[3] == ("ka", f"https://liaison.example.org/events/{event.id}?lang=ka")
    assert _alternates(client.get("/events?q=xx0LANG0xx&lang=mk"))[4] == (
        "mk", "http://localhost/events?q=xx0LANG0xx&amp;lang=mk")
    assert not _alternates(client.get("/login"))  # not a public page


def test_remembered_alternates_are_bounded(client, make, monkeypatch):
    monkeypatch.setattr(hreflang, "_ALTERNATES_MAX", 2)
    hreflang._ALTERNATES.clear()
    for page in range(1, 5):
        client.get(f"/events?page={page}")
    assert len(hreflang._ALTERNATES) <= 2
