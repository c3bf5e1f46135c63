"""Plain documents for export: a saved summary version (and any snapshot entry) as the
{"title", "subtitle", "tlp", "tlp_label", "blocks"} structure app.lessons.export renders."""

from __future__ import annotations

from flask_babel import gettext as _

from app.lessons.models import TLP, LessonKind
from app.lessons.summaries.compile import (
    GROUPED_BY,
    day_label,
    group_entries,
    localised,
    localised_figures,
    recommendations_by_addressee,
)


def entry_block(entry: dict) -> dict:
    """One snapshot entry as an "entry" block (title, meta line, labelled fields), in the reader's language."""
    entry = localised(entry)
    meta = [entry["kind_label"], entry["status_label"], entry["tlp_label"],
            f"{entry['event']['title']} ({day_label(entry['event']['starts_on'])})"]
    if entry.get("session"):
        meta.append(_("Session: %(session)s", session=entry["session"]))
    if entry.get("themes"):
        meta.append(_("Themes: %(themes)s", themes=", ".join(entry["themes"])))
    fields = [
        (_("Observation"), entry.get("observation")),
        (_("Analysis"), entry.get("analysis")),
        (_("Recommendation"), entry.get("recommendation")),
    ]
    if entry.get("recommendation_type_label") or entry.get("addressed_to_label"):
        fields.append((_("Recommendation type / addressed to"),
                       " / ".join(x for x in (entry.get("recommendation_type_label"),
                                              entry.get("addressed_to_label")) if x)))
    if entry["kind"] == LessonKind.GOOD_PRACTICE.value:
        fields += [
            (_("Problem addressed"), entry.get("problem_addressed")),
            (_("How and why it works"), entry.get("how_it_works")),
            (_("Evidence it works"), entry.get("evidence")),
            (_("What another unit needs to replicate it"), entry.get("replication_needs")),
        ]
    return {"type": "entry", "title": entry["title"], "meta": " · ".join(meta),
            "fields": [(label, text) for label, text in fields if text]}


def _figures_table(figures: dict, entries: list[dict]) -> dict:
    figures = localised_figures(figures)
    return {"type": "table", "headers": [_("Figure"), _("Value")], "rows": [
        [_("Events"), str(figures.get("events", 0))],
        [_("Participants"), str(figures.get("participants", 0))],
        [_("Countries"), str(figures.get("countries", 0))],
        [_("Entries"), str(figures.get("entries", len(entries)))],
        *[[_("Entries: %(kind)s", kind=label), str(count)] for label, count in figures["by_kind"].items()],
        *[[_("Status: %(status)s", status=label), str(count)] for label, count in figures["by_status"].items()],
        [_("Open follow-up actions"), str(figures.get("open_actions", 0))],
    ]}


def _recommendation_blocks(entries: list[dict]) -> list[dict]:
    recommendations = recommendations_by_addressee(entries)
    if not recommendations:
        return []
    blocks = [{"type": "heading", "level": 1, "text": _("Recommendations by addressee")}]
    for group in recommendations:
        blocks.append({"type": "heading", "level": 2, "text": group["label"]})
        blocks.append({"type": "list", "items": [
            _("%(title)s: %(recommendation)s", title=e["title"], recommendation=e["recommendation"])
            for e in group["entries"]
        ]})
    return blocks


def summary_document(summary_title: str, version: dict) -> dict:
    """A plain document from a version (a dict: number, saved_on, author, group_by, introduction,
    conclusions, snapshot — see store.version_as_dict)."""
    snapshot = version["snapshot"]
    entries = snapshot.get("entries", [])
    tlp = TLP(snapshot.get("tlp", "clear"))
    blocks: list[dict] = []
    if version.get("introduction"):
        blocks += [{"type": "heading", "level": 1, "text": _("Introduction")},
                   {"type": "paragraph", "text": version["introduction"]}]
    blocks.append({"type": "heading", "level": 1, "text": _("Key figures")})
    blocks.append(_figures_table(snapshot.get("figures", {}), entries))
    blocks += _recommendation_blocks(entries)
    group_by = version.get("group_by", "theme")
    blocks.append({"type": "heading", "level": 1, "text": str(GROUPED_BY.get(group_by, GROUPED_BY["theme"]))})
    for group in group_entries(entries, group_by):
        blocks.append({"type": "heading", "level": 2, "text": f"{group['label']} ({group['count']})"})
        blocks += [entry_block(entry) for entry in group["entries"]]
    if version.get("conclusions"):
        blocks += [{"type": "heading", "level": 1, "text": _("Conclusions")},
                   {"type": "paragraph", "text": version["conclusions"]}]
    if version.get("author"):
        subtitle = _("Version %(number)s, saved %(date)s by %(author)s", number=version["number"],
                     date=day_label(version.get("saved_on")), author=version["author"])
    else:
        subtitle = _("Version %(number)s, saved %(date)s", number=version["number"],
                     date=day_label(version.get("saved_on")))
    return {"title": summary_title, "subtitle": subtitle, "tlp": tlp.value, "tlp_label": tlp.label,
            "blocks": blocks}
