"""Signals of the facilities roster, for the packages above it (events) to add to its pages."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

facility_page_context = _signals.signal("facility-page-context", doc="""\
A facility's page (facilities.detail) is being built. Sender: the Facility (visible to the viewer);
`user`: the viewer (maybe anonymous). Each receiver returns a dict of template context to add (None:
nothing): app/events/on_facilities.py adds the events and sessions held there, as the viewer may see
them. Receivers run a bounded number of queries.""")


def values_from_signal(results) -> dict:
    merged: dict = {}
    for _receiver, value in results:
        if value:
            merged.update(value)
    return merged
