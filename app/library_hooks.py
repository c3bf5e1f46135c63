"""Two libraries' per-request hooks, left out where they have nothing to do.

Flask-Limiter works out every request's limits from scratch (~40 µs, more than the rest of a cached
page's fixed work but the user's row), yet most routes have no limit (only sign-in, sign-up, password
reset, certificate verification and the API have one). A route's limits are counted exactly as
before: whenever a limit could apply to the request — a limit on its view or its blueprint, a hint the
library recorded for its endpoint, or any application, default or meta limit, or an in-memory
fallback — the library's own check runs. When none could, its check would find no limit and count
nothing: it is not called. Its after-request and teardown hooks only read and clear what its checks
noted for the request: they run when something noted anything.

Flask-WTF's CSRF check looks up the view's exemptions before it looks at the method: a GET, which it
never checks, is let through before that, as it lets it through after.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name

# The library's attributes read below (its own before-request check reads them too). If a version of
# Flask-Limiter lacks one, the hooks are left as the library installed them.
_LIMITER_STATE = ("limit_manager", "_marked_for_limiting", "_meta_limits", "_in_memory_fallback_enabled")
_MANAGER_STATE = ("_application_limits", "_default_limits", "_decorated_limits", "_blueprint_limits",
                  "_endpoint_hints")
_CONTEXT = "_limiter_request_context"  # where the library keeps what it noted for the request


def no_limit_can_apply(limiter: Limiter) -> bool:
    """Whether no rate limit could apply to this request, so that the library's before-request check
    would count nothing: asked afresh on every request (a handful of lookups), nothing remembered."""
    endpoint = limiter.identify_request()
    if not endpoint:  # no route matched, or the limiter is off: the library checks nothing either
        return True
    manager = limiter.limit_manager
    if (manager._application_limits or manager._default_limits or limiter._meta_limits
            or limiter._in_memory_fallback_enabled):
        return False
    view = current_app.view_functions.get(endpoint)
    name = get_qualified_name(view) if view else ""
    if (name in limiter._marked_for_limiting or name in manager._decorated_limits
            or endpoint in manager._endpoint_hints):
        return False
    blueprint = request.blueprint
    return not (blueprint and any(part in manager._blueprint_limits for part in blueprint.split(".")))


def install(app: Flask, limiter: Limiter) -> None:
    """Put the hooks Limiter.init_app and CSRFProtect.init_app gave `app` behind the checks above, in
    their places (the order of every hook stays as it was)."""
    _install_limiter(app, limiter)
    _install_csrf(app)


def _install_limiter(app: Flask, limiter: Limiter) -> None:
    if not (all(hasattr(limiter, name) for name in _LIMITER_STATE)
            and all(hasattr(limiter.limit_manager, name) for name in _MANAGER_STATE)):
        return
    check = limiter._check_request_limit
    inject = next((hook for hook in app.after_request_funcs.get(None, ())
                   if getattr(hook, "args", None) == (limiter,)), None)  # partial(Limiter.__inject_headers, limiter)
    release = getattr(limiter, "_Limiter__release_context", None)
    before = app.before_request_funcs.get(None, [])
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    if check not in before or inject is None or release not in teardown:
        return

    def _check_request_limit():
        if no_limit_can_apply(limiter):
            return None
        return check()

    def _inject_headers(response):
        if not hasattr(request_ctx._get_current_object(), _CONTEXT):  # nothing noted: no header to add
            return response
        return inject(response)

    def _release_context(error=None):
        if hasattr(request_ctx._get_current_object(), _CONTEXT):
            release(error)

    before[before.index(check)] = _check_request_limit
    after[after.index(inject)] = _inject_headers
    teardown[teardown.index(release)] = _release_context


def _install_csrf(app: Flask) -> None:
    before = app.before_request_funcs.get(None, [])
    protect = next((hook for hook in before if getattr(hook, "__module__", None) == "flask_wtf.csrf"
                    and getattr(hook, "__name__", None) == "csrf_protect"), None)
    if protect is None:
        return

    def csrf_protect():
        # CSRFProtect.protect returns at this very test, after the exemptions' (which change nothing).
        if request.method not in app.config["WTF_CSRF_METHODS"]:
            return None
        return protect()

    before[before.index(protect)] = csrf_protect
