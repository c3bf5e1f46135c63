"""The events list's rows written as HTML directly (templates/events/_list.html prints them): the same
bytes its loop wrote, without Jinja's lookup and escape call per value (about 300 a page, a seventh of
a cold list's Python). Texts are translated once a page and printed as a template prints them
(app.i18n.markup_text: the translation is markup, its values are escaped)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.db import N_
from app.escaping import escaped
from app.events.list_rows import CANCELLED, DRAFT, PAST
from app.i18n import catalog, markup_text

# A row's badge kind (ListRow.badge) and the badge it prints.
_BADGES = {CANCELLED: ("danger", N_("Cancelled")), DRAFT: ("secondary", N_("Draft")),
           PAST: ("light border", N_("Past event"))}


def row_writer(viewer_tz: str | None) -> Callable:
    """A function writing a ListRow (app.events.list_rows) as the list's HTML for this page's language
    and the viewer's zone `viewer_tz` (the "your time" line's)."""
    badges = {kind: f'<span class="badge text-bg-{style}">{markup_text(text)}</span>'
              for kind, (style, text) in _BADGES.items()}
    badges[None] = ""
    online = markup_text(N_("Online"))
    # Markup(text) % values escapes each %s value: the same text as `text % escaped values`.
    hosted_by = catalog().ugettext(N_("hosted by %(organisation)s"))
    your_time = catalog().ugettext(N_("Your time (%(zone)s): %(start)s – %(end)s"))
    zone = escaped(viewer_tz)

    def write(row) -> str:
        viewer = (f'<small class="text-muted d-block" data-testid="your-time">'
                  f'{your_time % {"zone": zone, "start": escaped(row.viewer_starts), "end": escaped(row.viewer_ends)}}'
                  '</small>') if row.viewer_starts else ""
        host = f" · {hosted_by % {'organisation': escaped(row.host)}}" if row.host else ""
        themes = "".join(f' · <span class="badge text-bg-info text-wrap text-start">{escaped(theme)}</span>'
                         for theme in row.themes)
        summary = f'<p class="mb-0 small">{escaped(row.summary)}</p>' if row.summary else ""
        return (f'\n  <a class="list-group-item list-group-item-action" href="{escaped(row.href)}">\n'
                '    <div class="d-flex justify-content-between flex-wrap gap-2">\n'
                f'      <h2 class="h5 mb-1">{escaped(row.title)} {badges[row.badge]}</h2>\n'
                f'      <span class="text-muted">{escaped(row.kind_label)} · {escaped(row.format_label)}</span>\n'
                '    </div>\n'
                f'    <div>{escaped(row.starts)} – {escaped(row.ends)}\n'
                f'      {viewer}</div>\n'
                '    <div class="small text-muted">\n'
                f'      {escaped(row.place) if row.place else online}\n'
                f'      {host}\n'
                f'      {themes}\n'
                '    </div>\n'
                f'    {summary}\n'
                '  </a>\n  ')

    return write


def written(rows: list, viewer_tz: str | None) -> list[Markup]:
    """Each row of a page, as the list prints it."""
    write = row_writer(viewer_tz)
    return [Markup(write(row)) for row in rows]
