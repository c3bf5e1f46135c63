"""Email bodies from templates, in the recipient's language where a translation exists.

render_email("registrations/confirmed", language="uk", **context) looks for
templates/email/registrations/confirmed.uk.txt (then .en.txt, then .txt) and the same with .html,
and returns (subject, text, html). The subject is the template's first line "Subject: ...".
"""

from __future__ import annotations

from flask import render_template
from jinja2 import TemplateNotFound


def _render_first(candidates: list[str], **context) -> str | None:
    for name in candidates:
        try:
            return render_template(name, **context)
        except TemplateNotFound:
            continue
    return None


def render_email(name: str, language: str | None = None, **context) -> tuple[str, str, str | None]:
    languages = [lang for lang in (language, "en") if lang]
    text = _render_first([f"email/{name}.{lang}.txt" for lang in languages] + [f"email/{name}.txt"], **context)
    if text is None:
        raise TemplateNotFound(f"email/{name}.txt")
    html = _render_first([f"email/{name}.{lang}.html" for lang in languages] + [f"email/{name}.html"], **context)
    subject = ""
    lines = text.lstrip("\n").split("\n")
    if lines and lines[0].lower().startswith("subject:"):
        subject = lines[0].split(":", 1)[1].strip()
        text = "\n".join(lines[1:]).lstrip("\n")
    return subject, text, html
