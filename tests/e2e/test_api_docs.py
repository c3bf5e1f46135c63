"""The API in a real browser: make a token on the profile's token page (shown once), read the API
documentation page (Swagger UI, vendored) under the site's CSP, and use the token."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import sign_in


def test_make_a_token_and_read_the_api_docs_under_the_csp(page, live_server, make):
    user = make.user(email="reader@example.org")
    make.event("Documented workshop")
    sign_in(page, user.email, factories.PASSWORD)
    page.goto("/profile")
    page.click("text=Manage your API tokens")
    page.fill("input[name=name]", "Website")
    page.check("input[value='events:read']")
    page.click("text=Make the token")
    secret = page.get_by_test_id("new-token").locator("code").inner_text()
    assert re.fullmatch(r"lsn_[A-Za-z0-9_\-]{40,}", secret)
    expect(page.get_by_test_id("token-row")).to_contain_text("events:read")

    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .information-container")).to_contain_text("Liaison API")
    expect(page.locator(".swagger-ui").get_by_text("/api/v1/events", exact=True).first).to_be_visible()
    # The page's own fetch of the API, as a script on this origin would make it.
    answer = page.evaluate("""async (secret) => {
        const response = await fetch('/api/v1/events', {headers: {Authorization: 'Bearer ' + secret}});
        return [response.status, (await response.json()).items.map(e => e.title)];
    }""", secret)
    assert answer == [200, ["Documented workshop"]]
