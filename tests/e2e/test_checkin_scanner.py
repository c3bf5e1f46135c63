"""Real browser on a phone viewport: the desk's scanner reads a badge's QR code from the camera
(Chromium's fake camera playing a Y4M file made here from the badge's QR code), the person shows as
checked in and the counter moves; the manual search stays on the same page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.registrations import badges
from app.timeutil import set_now
from tests.e2e.conftest import chromium_path, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 640, 480


def _y4m_of_qr(text: str, path) -> None:
    """A few frames of a white picture with the QR code in the middle: segno → PNG → Pillow → Y4M
    4:2:0 (grey: the chroma planes are neutral)."""
    import segno
    from PIL import Image

    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=8, border=4)
    png.seek(0)
    code = Image.open(png).convert("L")
    side = min(WIDTH, HEIGHT) - 60
    code = code.resize((side, side), Image.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_scanner_checks_in_the_person_on_the_badge_on_a_phone(browser, live_server, make, db, tmp_path):
    at = datetime.now(UTC).replace(microsecond=0)  # the server's clock is frozen here for the whole test
    set_now(at)
    organiser = make.user(role="organiser", email="desk@police.example", name="Desk Organiser")
    event = make.event("Cross-border cybercrime workshop", starts_at=at - timedelta(hours=1), days=1,
                       organisers=[organiser])
    olena = make.registration(event, make.user(name="Олена Коваленко"), consented_at=at)
    make.registration(event, make.user(name="Ion Rusu"), consented_at=at)
    badges.single(olena)  # prints her badge: its token is made
    db.session.commit()
    video = tmp_path / "badge.y4m"
    _y4m_of_qr(badges.badge_url(olena.badge_token), video)
    event_id = event.id

    camera_browser = browser.browser_type.launch(executable_path=chromium_path(), headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/Brussels",
                                             viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        context.grant_permissions(["camera"], origin=live_server)
        context.set_default_timeout(20_000)
        phone = context.new_page()
        errors: list[str] = []
        phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(phone, "desk@police.example", PASSWORD)
        phone.goto(f"/events/{event_id}/check-in")
        counter = phone.locator("[data-counter=day]")
        expect(counter).to_have_text("0 of 2 checked in")
        # The fallback is on the same page: the search and the list.
        expect(phone.get_by_label("Search by name or organisation")).to_be_visible()
        phone.get_by_role("button", name="Scan badges").click()
        result = phone.get_by_test_id("scan-result")
        expect(result).to_have_text("Олена Коваленко is checked in.")
        expect(counter).to_have_text("1 of 2 checked in")
        row = phone.locator("li.checkin-row", has_text="Олена Коваленко")
        expect(row.locator("[data-checked-badge]")).to_be_visible()
        expect(row.get_by_role("button", name="Undo")).to_be_visible()
        # Held in front of the camera a little longer, the badge is read again: already checked in.
        expect(result).to_have_text("Олена Коваленко is already checked in.", timeout=20_000)
        phone.screenshot(path=str(tmp_path / "scanner-phone.png"))
        phone.get_by_role("button", name="Stop scanning").click()
        # A reload shows the stored state and the counter.
        phone.reload()
        expect(phone.locator("[data-counter=day]")).to_have_text("1 of 2 checked in")
        context.close()
        csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
        assert not csp, f"CSP violations in the browser: {csp}"
    finally:
        camera_browser.close()
        set_now(None)
