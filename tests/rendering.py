"""Which templates a request rendered (Flask's template_rendered signal), for tests that check a
part is rendered once and then kept."""

from __future__ import annotations

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
