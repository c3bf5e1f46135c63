"""Accessibility in a real browser (issue 23): axe-core (node_modules/axe-core) on every GET page of the
URL map as each role of the authorisation walk (tests/authz_world.py), pages that answer 200 with HTML;
any serious or critical violation fails. And the main navigation stays on one line at 1366 px for
every role.

One browser and one world for the module. Pages that several roles see with the same markup
structure (the same elements, classes and roles; only the text differs) are checked once, which keeps
the walk under two minutes on two cores while every distinct page is still checked."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.timeutil import set_now
from tests.authz_world import ROLES, Clients, build_once, cases, url
from tests.conftest import _clean
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 768}
BLOCKING = ("serious", "critical")

# axe's own report, shortened to what a person needs to find and fix each failure.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n')[1])}));
}"""


@dataclass
class Walk:
    app: object
    base: str
    world: object
    pages: dict = field(default_factory=dict)  # role -> signed-in browser page


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def walk(_app, _browser):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    world, _rows = build_once(_app, _clean)
    server, thread = _serve(_app)
    state = Walk(_app, f"http://127.0.0.1:{server.server_port}", world)
    contexts = []
    for role in ROLES:
        context = _browser.new_context(base_url=state.base, locale="en-GB", timezone_id="Europe/Brussels",
                                       viewport=DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, world.emails[role], PASSWORD)
            page.wait_for_load_state()
        state.pages[role] = page
    yield state
    for context in contexts:
        context.close()
    server.shutdown()
    thread.join(timeout=5)
    _clean(_app)
    set_now(None)


def _structure(html: str) -> str:
    """The main content's markup without its text, ids, links and values: what decides how axe judges
    it. (The navigation and footer are the same on every page of a role: checked on each role's home.)"""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    tags = re.findall(r"<([a-zA-Z][\w-]*)([^>]*)>", main)
    parts = []
    for name, attributes in tags:
        kept = re.findall(r'\s((?:class|role|type|scope|aria-[\w-]+|alt|for|data-bs-[\w-]+)="[^"]*")', attributes)
        parts.append(name + " " + " ".join(re.sub(r'="[^"]*\d[^"]*"', '="#"', k) for k in kept))
    return hashlib.sha1("\n".join(_without_repeats(parts)).encode()).hexdigest()


def _without_repeats(parts: list[str], longest: int = 12) -> list[str]:
    """A list of 3 rows and a list of 30 are the same page to axe: drop a run of up to `longest`
    elements that repeats the run just before it."""
    out: list[str] = []
    for part in parts:
        out.append(part)
        for size in range(1, min(longest, len(out) // 2) + 1):
            if out[-size:] == out[-2 * size:-size]:
                del out[-size:]
                break
    return out


def _pages_to_check(walk: Walk) -> list[tuple[str, str, str]]:
    """(key, role, address) of every GET page that answers 200 with HTML, one per distinct structure;
    and every role's home page (its navigation)."""
    clients = Clients(walk.app, walk.world)
    seen, chosen = set(), [("main.home GET", role, "/") for role in ROLES]
    for case in cases(walk.app):
        if case.method != "GET":
            continue
        address = url(walk.app, case, walk.world)
        for role in ROLES:
            response = clients(role).get(address)
            if (response.status_code != 200 or response.mimetype != "text/html"
                    or "attachment" in response.headers.get("Content-Disposition", "")):
                continue  # a download (an HTML export) is not a page
            signature = _structure(response.get_data(as_text=True))
            if signature not in seen:
                seen.add(signature)
                chosen.append((case.key, role, address))
    return chosen


def test_every_page_as_every_role_has_no_serious_accessibility_violation(walk, capsys):
    started = time.monotonic()
    axe_source = AXE.read_text()
    found, checked = [], 0
    chosen = _pages_to_check(walk)
    listed = time.monotonic() - started
    for key, role, address in chosen:
        page = walk.pages[role]
        response = page.goto(address)
        if response is None or response.status != 200:
            continue
        if page.locator("#swagger-ui").count():  # the API documentation renders after load
            page.wait_for_selector("#swagger-ui .opblock")
        page.evaluate(axe_source)  # through the DevTools protocol: the page's CSP does not apply
        checked += 1
        for violation in page.evaluate(RUN_AXE):
            if violation["impact"] in BLOCKING:
                found.append(f"{key} as {role}: [{violation['impact']}] {violation['id']} — {violation['help']}\n"
                             + "\n".join(f"      {node}" for node in violation["nodes"]))
    with capsys.disabled():
        print(f"\naxe-core: {checked} distinct pages checked in {time.monotonic() - started:.0f} s "
              f"({listed:.0f} s to list them)")
    assert checked > 50
    assert not found, f"{len(found)} serious or critical accessibility violations:\n" + "\n".join(found)


def test_main_navigation_is_one_line_at_1366_px_for_every_role(walk):
    for role in ROLES:
        page = walk.pages[role]
        page.set_viewport_size(DESKTOP)
        page.goto("/")
        navbar = page.locator("nav.navbar")
        brand = navbar.locator(".navbar-brand").bounding_box()
        links = navbar.locator(".navbar-nav .nav-link")
        assert links.count() >= 2, role
        widths = page.evaluate("() => [...document.querySelectorAll('nav .navbar-brand, nav .navbar-nav > li')]"
                               ".map(e => e.innerText.trim() + ': ' + Math.round(e.getBoundingClientRect().width))")
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box["height"] < 2 * brand["height"], f"{role}: a navigation label wraps"
            # Every item on the brand's line: one row.
            assert abs((box["y"] + box["height"] / 2) - (brand["y"] + brand["height"] / 2)) < 8, (
                f"{role}: '{links.nth(index).inner_text()}' is on a second line of the navigation {widths}")
        assert navbar.bounding_box()["height"] < 80, f"{role}: the navigation is {navbar.bounding_box()['height']} px high"
