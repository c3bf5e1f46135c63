"""The session cookie slides its expiry with activity, but is re-sent at most every
SESSION_REFRESH_SECONDS, not on every request."""

from datetime import timedelta

from app.timeutil import now, set_now


def _sets_cookie(response) -> bool:
    return any(header.startswith("session=") for header in response.headers.getlist("Set-Cookie"))


def test_the_cookie_is_resent_only_when_due_or_changed(app, login, make):
    start = now()
    set_now(start)
    web = login(make.user())
    assert _sets_cookie(web.get("/"))  # the welcome message is shown and dropped: the session changed
    assert not _sets_cookie(web.get("/events"))  # nothing changed, not due: no cookie

    set_now(start + timedelta(seconds=app.config["SESSION_REFRESH_SECONDS"] + 1))
    slid = web.get("/events")
    assert _sets_cookie(slid)
    cookie = next(h for h in slid.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Expires=" in cookie and "HttpOnly" in cookie
    assert not _sets_cookie(web.get("/events"))
    # Still signed in with the re-sent cookie.
    assert "Sign out" in web.get("/events").get_data(as_text=True)
    set_now(None)


def test_signing_out_still_clears_the_cookie(login, make):
    web = login(make.user())
    web.get("/")
    response = web.post("/logout")
    assert _sets_cookie(response)
    assert "Sign out" not in web.get("/events").get_data(as_text=True)
