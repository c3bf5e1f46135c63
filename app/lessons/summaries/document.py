"""Plain documents for export: a saved summary version (and any snapshot entry) as the
{"title", "subtitle", "tlp", "tlp_label", "blocks"} structure app.lessons.export renders."""

from __future__ import annotations

from app.lessons.models import TLP, LessonKind
from app.lessons.summaries.compile import GROUPINGS, group_entries, recommendations_by_addressee


def entry_block(entry: dict) -> dict:
    """One snapshot entry as an "entry" block (title, meta line, labelled fields)."""
    meta = [entry["kind_label"], entry["status_label"], entry["tlp_label"],
            f"{entry['event']['title']} ({entry['event']['starts_on']})"]
    if entry.get("session"):
        meta.append(f"Session: {entry['session']}")
    if entry.get("themes"):
        meta.append("Themes: " + ", ".join(entry["themes"]))
    fields = [
        ("Observation", entry.get("observation")),
        ("Analysis", entry.get("analysis")),
        ("Recommendation", entry.get("recommendation")),
    ]
    if entry.get("recommendation_type_label") or entry.get("addressed_to_label"):
        fields.append(("Recommendation type / addressed to",
                       " / ".join(x for x in (entry.get("recommendation_type_label"),
                                              entry.get("addressed_to_label")) if x)))
    if entry["kind"] == LessonKind.GOOD_PRACTICE.value:
        fields += [
            ("Problem addressed", entry.get("problem_addressed")),
            ("How and why it works", entry.get("how_it_works")),
            ("Evidence it works", entry.get("evidence")),
            ("What another unit needs to replicate it", entry.get("replication_needs")),
        ]
    return {"type": "entry", "title": entry["title"], "meta": " · ".join(meta),
            "fields": [(label, text) for label, text in fields if text]}


def _figures_table(figures: dict, entries: list[dict]) -> dict:
    return {"type": "table", "headers": ["Figure", "Value"], "rows": [
        ["Events", str(figures.get("events", 0))],
        ["Participants", str(figures.get("participants", 0))],
        ["Countries", str(figures.get("countries", 0))],
        ["Entries", str(figures.get("entries", len(entries)))],
        *[[f"Entries: {label}", str(count)] for label, count in figures.get("by_kind", {}).items()],
        *[[f"Status: {label}", str(count)] for label, count in figures.get("by_status", {}).items()],
        ["Open follow-up actions", str(figures.get("open_actions", 0))],
    ]}


def _recommendation_blocks(entries: list[dict]) -> list[dict]:
    recommendations = recommendations_by_addressee(entries)
    if not recommendations:
        return []
    blocks = [{"type": "heading", "level": 1, "text": "Recommendations by addressee"}]
    for group in recommendations:
        blocks.append({"type": "heading", "level": 2, "text": group["label"]})
        blocks.append({"type": "list", "items": [
            f"{e['title']}: {e['recommendation']}" for e in group["entries"]
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
        blocks += [{"type": "heading", "level": 1, "text": "Introduction"},
                   {"type": "paragraph", "text": version["introduction"]}]
    blocks.append({"type": "heading", "level": 1, "text": "Key figures"})
    blocks.append(_figures_table(snapshot.get("figures", {}), entries))
    blocks += _recommendation_blocks(entries)
    group_by = version.get("group_by", "theme")
    blocks.append({"type": "heading", "level": 1, "text": f"Entries by {GROUPINGS.get(group_by, 'theme').lower()}"})
    for group in group_entries(entries, group_by):
        blocks.append({"type": "heading", "level": 2, "text": f"{group['label']} ({group['count']})"})
        blocks += [entry_block(entry) for entry in group["entries"]]
    if version.get("conclusions"):
        blocks += [{"type": "heading", "level": 1, "text": "Conclusions"},
                   {"type": "paragraph", "text": version["conclusions"]}]
    subtitle = f"Version {version['number']}, saved {version.get('saved_on', '')}"
    if version.get("author"):
        subtitle += f" by {version['author']}"
    return {"title": summary_title, "subtitle": subtitle, "tlp": tlp.value, "tlp_label": tlp.label,
            "blocks": blocks}
