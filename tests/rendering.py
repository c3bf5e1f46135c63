"""Which templates a request rendered (Flask's template_rendered signal), for tests that check a
part is rendered once and then kept; and pages compared without the seconds their tokens carry."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import template_rendered


@contextmanager
def rendered_templates(app):
    """The names of the templates rendered inside the block, in order."""
    names: list[str] = []

    def note(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(note, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(note, app)


# A form's CSRF token as Flask-WTF signs it (itsdangerous: payload.timestamp.signature): the
# timestamp is the second it was signed, so the same page asked twice a second apart differs there.
_SIGNED_TOKEN = re.compile(r'(name="csrf_token" value="[^".]+)\.[^"]*"')


def without_token_times(page: str) -> str:
    """`page` with each CSRF token reduced to the session's own token (its payload)."""
    return _SIGNED_TOKEN.sub(r'\1"', page)
