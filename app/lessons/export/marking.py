"""The TLP 2.0 marking every export carries: the label's colour and what it means."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# Foreground colours of the TLP 2.0 labels (on black), as RGB.
TLP_COLOURS = {
    "clear": (255, 255, 255),
    "green": (51, 255, 0),
    "amber": (255, 192, 0),
    "amber_strict": (255, 192, 0),
    "red": (255, 43, 43),
}
# What each marking means, in the reader's language (the label itself, "TLP:AMBER", is never translated).
TLP_MEANING = {
    "clear": _l("Disclosure is not limited."),
    "green": _l("Limited disclosure: the network's community."),
    "amber": _l("Limited disclosure: recipients' organisations on a need-to-know basis, and coordinators."),
    "amber_strict": _l("Limited disclosure: recipients' organisations only."),
    "red": _l("For the eyes and ears of individual recipients only, no further disclosure."),
}


def banner(document: dict) -> str:
    """The banner line: the label and what it means."""
    return f"{document['tlp_label']} — {TLP_MEANING.get(document['tlp'], '')}"


def language() -> str:
    """The document's language tag (BCP 47): the reader's locale, English outside a request."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "en"


def colour(document: dict) -> tuple[int, int, int]:
    """The label's colour (drawn on black)."""
    return TLP_COLOURS.get(document["tlp"], (255, 255, 255))
