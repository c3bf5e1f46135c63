"""Finding English that escaped gettext (tests/test_i18n_pseudo.py).

Under the pseudo-locale every message of our catalog reads "⟦Ŕéĝîšţéŕ⟧" and dates are Georgian, so
any plain ASCII word left on a page is either content (an event title, a name: the words of the
database) or a string of ours that is not marked for translation."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from app.timeutil import all_timezones

PSEUDO_LOCALE = "eo"

# Words that are the same in every language: the product's name, TLP markings, file formats,
# time-zone abbreviations.
ALLOWED = {
    "liaison", "tlp", "clear", "green", "amber", "strict", "red", "ics", "ical", "csv", "xlsx", "pdf", "docx",
    "json", "utc", "gmt", "cet", "cest", "eet", "eest", "wet", "west", "bst", "msk", "ist", "api", "openapi",
    "empact", "url", "id", "https", "http", "www", "mailto", "webcal",
    # Products people know by name.
    "md", "html", "utf", "outlook", "com", "apple", "thunderbird", "microsoft", "google", "gmail", "ios", "android",
}
_NOISE = re.compile(
    r"[\w.+-]+@[\w.-]+"  # email addresses
    r"|(?:https?|webcal|mailto)://\S+|/[\w./?=&%-]+"  # addresses and paths
    r"|\b[A-Z][a-z]+/[\w/+-]+"  # time zones (Europe/Kyiv)
    r"|\?[\w=&%+-]+"  # query strings shown as examples (?kind=workshop&country=UA)
    r"|\b\d[\w:.-]*"  # numbers, times, ids
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
# Not seen, or computer text (commands, job ids, JSON, header names) that no language translates.
_HIDDEN = {"script", "style", "template", "code", "kbd", "samp", "pre"}
_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


def zone_words() -> set[str]:
    words = set()
    for name in all_timezones():
        words |= {word.lower() for word in re.split(r"[/_ -]+", name) if word}
    return words


def content_words(rows: dict) -> set[str]:
    """Every word of every text the database holds (what people wrote, not what we wrote)."""
    words = set()
    for saved in rows.values():
        for row in saved:
            for value in row.values():
                words |= _text_words(value)
    return words


def _text_words(value) -> set[str]:
    """The words of a text, or of the texts inside a JSON value (e.g. a questionnaire's answers)."""
    if isinstance(value, str):
        return {word.lower() for word in _WORD.findall(value)}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(_text_words(item) for item in value)) if value else set()
    return set()


class _Visible(HTMLParser):
    """Text a person sees or hears: text nodes outside script/style, labelling attributes, button
    values; text marked with its own `lang` (the language switcher's names) and computer text
    (<code>, <kbd>, <samp>, <pre>) are left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self._stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = tag in _HIDDEN or "lang" in attributes and tag != "html"
        if tag not in {"input", "img", "br", "hr", "meta", "link", "source", "col", "area", "wbr"}:
            self._stack.append((tag, skip))
        if skip or self._skipping():
            return
        self.texts += [value for name, value in attributes.items() if name in _ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipping():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.texts


def english(texts: list[str], allowed: set[str]) -> list[str]:
    """The words of `texts` that are neither content nor allowed: each with the text it stands in."""
    found = []
    for text in texts:
        for segment in re.split(r"⟦|⟧", _NOISE.sub(" ", text)):
            for word in _WORD.findall(segment):
                if word.lower() not in allowed and word.lower() not in ALLOWED:
                    found.append(f"{word!r} in {text.strip()[:80]!r}")
    return found


def document_texts(mimetype: str, body: bytes) -> list[str] | None:
    """The text of an export a person downloads (PDF, spreadsheet, document, CSV), or None."""
    if mimetype == "application/pdf":
        from pypdf import PdfReader

        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]
    if mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        texts = [sheet.title for sheet in book.worksheets]
        for sheet in book.worksheets:
            texts += [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
        return texts
    if mimetype.endswith("wordprocessingml.document"):
        from docx import Document

        document = Document(io.BytesIO(body))
        texts = [paragraph.text for paragraph in document.paragraphs]
        texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return texts
    if mimetype == "text/csv":
        return body.decode("utf-8-sig", errors="replace").splitlines()
    return None
