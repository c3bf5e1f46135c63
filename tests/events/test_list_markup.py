"""The events list's rows written as HTML (app.events.list_markup): the bytes the template's loop wrote,
for every badge, with and without the viewer's time, host, themes and summary, with text to escape, in
English and Ukrainian."""

import pytest
from flask import render_template_string

from app.events.list_markup import written
from app.events.list_rows import CANCELLED, DRAFT, PAST, ListRow

# The loop templates/events/_list.html had before its rows were written in Python.
TEMPLATE_LOOP = """  {% for row in page_items %}
  <a class="list-group-item list-group-item-action" href="{{ row.href }}">
    <div class="d-flex justify-content-between flex-wrap gap-2">
      <h2 class="h5 mb-1">{{ row.title }} {% if row.badge == 'cancelled' %}<span class="badge text-bg-danger">{{ _("Cancelled") }}</span>{% elif row.badge == 'draft' %}<span class="badge text-bg-secondary">{{ _("Draft") }}</span>{% elif row.badge == 'past' %}<span class="badge text-bg-light border">{{ _("Past event") }}</span>{% endif %}</h2>
      <span class="text-muted">{{ row.kind_label }} · {{ row.format_label }}</span>
    </div>
    <div>{{ row.starts }} – {{ row.ends }}
      {% if row.viewer_starts %}<small class="text-muted d-block" data-testid="your-time">{{ _("Your time (%(zone)s): %(start)s – %(end)s", zone=viewer_tz, start=row.viewer_starts, end=row.viewer_ends) }}</small>{% endif %}</div>
    <div class="small text-muted">
      {{ row.place or _("Online") }}
      {% if row.host %} · {{ _("hosted by %(organisation)s", organisation=row.host) }}{% endif %}
      {% for theme in row.themes %} · <span class="badge text-bg-info text-wrap text-start">{{ theme }}</span>{% endfor %}
    </div>
    {% if row.summary %}<p class="mb-0 small">{{ row.summary }}</p>{% endif %}
  </a>
  {% endfor %}"""

ROWS = [
    ListRow("/events/1", 'Cyber & "fraud" <b>workshop</b>', None, "Training & capacity building", "In person",
            "Mon 01 Jun 2026, 10:00 EEST", "Tue 02 Jun 2026, 16:00 EEST", "Mon 01 Jun 2026, 03:00 EDT",
            "Tue 02 Jun 2026, 09:00 EDT", "Kyiv, Ukraine", "Police & Border <Guard>", ["Drugs", "Cyber (EMPACT 2026-2029)"],
            "Bring your 'own' laptop & charger"),
    ListRow("/events/2", "Cancelled visit", CANCELLED, "Study visit", "Online", "a", "b", None, None, "", None, [], None),
    ListRow("/events/3", "Draft plan", DRAFT, "Workshop", "Hybrid", "a", "b", None, None, None, "Europol", ["X"], ""),
    ListRow("/events/4", "Old meeting", PAST, "Conference", "Online", "a & b", "c", "d", "e", "Tbilisi", "", [], "%s %(x)s"),
]


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("viewer_tz", [None, "America/New_York"])
def test_rows_are_written_as_the_template_wrote_them(app, language, viewer_tz):
    with app.test_request_context(f"/events?lang={language}"):
        expected = render_template_string(TEMPLATE_LOOP, page_items=ROWS, viewer_tz=viewer_tz)
        assert "  " + "".join(written(ROWS, viewer_tz)) == expected
        assert ("hosted by" in expected) == (language == "en")  # (the translated texts)
