"""Real-browser fixtures: Playwright driving Debian's Chromium against `live_server` (tests/conftest.py).

Without Chromium (or Playwright) these tests are skipped with a reason; in CI
(LIAISON_STRICT_SKIPS=1) that skip becomes a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.conftest import require

CHROMIUM_CANDIDATES = [
    os.environ.get("CHROMIUM_PATH", ""),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
]


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def _browser():
    path = chromium_path()
    require(path is not None, "Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "Playwright is not installed (pip install playwright)")
    user_data = tempfile.mkdtemp(prefix="liaison-chromium-")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture
def browser(_browser):
    return _browser


@pytest.fixture
def page(_browser, live_server):
    """A fresh browser context and page; console errors (e.g. CSP violations) fail the test."""
    context = _browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/Brussels")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"CSP violations in the browser: {csp}"


@pytest.fixture
def new_page(_browser, live_server):
    """new_page() -> another independent browser context (a second person)."""
    contexts = []

    def _new():
        context = _browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/Brussels")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
