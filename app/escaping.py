"""Escaping a value to HTML text as Jinja's autoescape would, for markup written in Python (issue 19:
the participant list's and the reports' rows, hundreds of values a page)."""

from __future__ import annotations

from markupsafe import escape

try:  # markupsafe's own escaping of a str to a str, without a Markup made for each value
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe without its C speedups, or another version
    _escape_inner = None


def escaped(value) -> str:
    """str(escape(value)): the same text, faster for plain strings (no Markup made for each)."""
    if _escape_inner is not None and type(value) is str:
        return _escape_inner(value)
    return str(escape(value))
