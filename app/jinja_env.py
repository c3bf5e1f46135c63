"""The application's Jinja environment: Flask's, with the environment's globals handed to a template
as they are (issue 19).

Jinja gives each template a ChainMap of its own globals over the environment's, then copies it into
every render's context (`dict(ChainMap)` of the ~50 globals: ~14 µs) and compares its keys on every
`{% import %}`/`{% from %}` (~20 µs); an event page paid that on each of its templates, ~0.1 ms a
request (~5% of its CPU). A template with no globals of its own reads the environment's dict
itself, the same names and values, where both are done at C speed. Nothing in the application gives
a template globals of its own (`get_template(name, globals=...)`): Jinja would write those into the
template's globals, here the environment's."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask.templating import Environment


class GlobalsEnvironment(Environment):
    """Flask's Environment whose templates without globals of their own share `self.globals`."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        if not d:
            return self.globals
        return super().make_globals(d)
