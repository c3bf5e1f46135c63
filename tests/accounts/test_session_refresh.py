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


def test_an_unchanged_session_adds_vary_as_flask_does(app):
    from flask import Response
    from flask.sessions import SecureCookieSessionInterface

    interface = app.session_interface  # its save_session against Flask's own, with its rule for re-sending
    moment = int(now().timestamp())
    for existing in (None, "Accept-Encoding", "cookie", "Accept-Encoding, Cookie"):
        for data in ({"csrf_token": "x"}, {"csrf_token": "x", "_permanent": True, "_slid": moment},
                     {"csrf_token": "x", "_permanent": True, "_slid": moment - 3600}, {}):
            answers = []
            for save in (interface.save_session, SecureCookieSessionInterface.save_session.__get__(interface)):
                session = interface.session_class(data)
                session.get("csrf_token")  # read (accessed), not changed
                response = Response("x", headers={"Vary": existing} if existing else {})
                response.headers["X-After"] = "1"
                save(app, session, response)
                # (a re-sent cookie's value and expiry hold the second they were made in)
                answers.append([(name, value.split("=", 1)[0] if name == "Set-Cookie" else value)
                                for name, value in response.headers.items()])
            assert answers[0] == answers[1], (existing, data)
