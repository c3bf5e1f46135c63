"""The form of the organisers' own paragraphs in their event's emails (app/registrations/email_texts.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms_base import Form
from app.forms_common import strip_filter
from app.registrations.email_texts import KINDS, MAX_LENGTH, paragraph_of


def _body(label):
    return TextAreaField(label, validators=[Optional(), Length(max=MAX_LENGTH)], filters=[strip_filter],
                         render_kw={"rows": 4})


def _markdown():
    return BooleanField(_l("Format as Markdown (bold, lists, links)"))


class EmailTextsForm(Form):
    confirmation_body = _body(KINDS["confirmation"])
    confirmation_markdown = _markdown()
    waitlist_body = _body(KINDS["waitlist"])
    waitlist_markdown = _markdown()
    reminder_body = _body(KINDS["reminder"])
    reminder_markdown = _markdown()
    invitation_body = _body(KINDS["invitation"])
    invitation_markdown = _markdown()

    def fill(self, rows: dict) -> None:
        for kind, row in rows.items():
            getattr(self, f"{kind}_body").data = row.body
            getattr(self, f"{kind}_markdown").data = row.is_markdown

    def values(self) -> dict:
        return {kind: (getattr(self, f"{kind}_body").data, getattr(self, f"{kind}_markdown").data) for kind in KINDS}

    def paragraphs(self) -> dict:
        return {kind: paragraph_of(body, markdown) for kind, (body, markdown) in self.values().items()}

    def pairs(self) -> list:
        return [(getattr(self, f"{kind}_body"), getattr(self, f"{kind}_markdown")) for kind in KINDS]
