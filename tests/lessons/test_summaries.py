"""Summaries: compile from a filter, include/exclude, frozen snapshots and versions, who may open
them, exports read back by independent readers, and the event wrap-up report."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.lessons import export as exports
from app.lessons.models import (
    TLP,
    Addressee,
    Lesson,
    LessonKind,
    LessonStatus,
    RecommendationType,
    Summary,
    SummaryVersion,
)
from app.registrations.models import Feedback
from tests.factories import lesson as make_lesson
from tests.querycount import QueryCounter


@pytest.fixture
def setup(make):
    coordinator = make.user(role=Role.COORDINATOR, name="Chloe Coordinator")
    organiser = make.user(role=Role.ORGANISER, name="Olena Organiser")
    cyber = make.theme("Cyber-attacks", empact_cycle="2022-2025")
    drugs = make.theme("Drug trafficking")
    event = make.past_event(title="Workshop on cross-border cybercrime", country="UA", organisers=[organiser])
    author = make.user(name="Andrii Author", organisation=make.organisation(country="UA"))
    make.attendee(event, author)
    make.attendee(event, make.user(organisation=make.organisation(country="MD")))
    a = make_lesson(event, author, title="Evidence sharing is slow", themes=[cyber], tlp=TLP.GREEN,
                    recommendation="Set up a single point of contact", addressed_to=Addressee.NATIONAL_AUTHORITIES,
                    recommendation_type=RecommendationType.POLICY)
    b = make_lesson(event, author, title="Joint patrols work", kind=LessonKind.GOOD_PRACTICE, themes=[drugs],
                    tlp=TLP.AMBER, recommendation="Fund joint patrols", addressed_to=Addressee.EU_INSTITUTIONS,
                    problem_addressed="Smuggling", how_it_works="Mixed teams", evidence="Seizures doubled",
                    replication_needs="A bilateral agreement")
    c = make_lesson(event, author, title="Interpreters missing", themes=[cyber, drugs], tlp=TLP.CLEAR,
                    status=LessonStatus.ACTIONED)
    draft = make_lesson(event, author, title="Unfinished draft", status=LessonStatus.DRAFT)
    make.action(organiser, title="Hire interpreters", lesson=c)
    return {"coordinator": coordinator, "organiser": organiser, "event": event, "author": author,
            "a": a, "b": b, "c": c, "draft": draft, "cyber": cyber}


def _save(client, title="Cybercrime lessons 2026", filters=None, ids=(), **extra):
    data = {"title": title, "group_by": "theme", "filters": json.dumps(filters or {}),
            "introduction": "What the network learned.", "conclusions": "Act on evidence sharing.",
            "lesson_ids": [str(i) for i in ids], **extra}
    return client.post("/lessons/summaries/new", data=data)


def test_preview_groups_entries_with_counts_and_figures(login, setup):
    client = login(setup["coordinator"])
    html = client.get("/lessons/summaries/new?group_by=theme&theme=").get_data(as_text=True)
    # Validated, actioned and learned entries only — never drafts.
    assert "Unfinished draft" not in html
    for key in ("a", "b", "c"):
        assert setup[key].title in html
    assert re.search(r"Cyber-attacks \(EMPACT 2022-2025\) <span class=\"badge[^\"]*\">2<", html)
    assert "TLP:AMBER" in html  # the most restrictive marking of what is included
    html = client.get("/lessons/summaries/new?group_by=kind&kind=good_practice").get_data(as_text=True)
    assert setup["b"].title in html and setup["a"].title not in html
    assert client.get("/lessons/summaries/new?group_by=nonsense&from=never").status_code == 200
    for query in (f"theme={setup['cyber'].id}", "empact_cycle=2022-2025", "q=evidence+interpreters"):
        html = client.get(f"/lessons/summaries/new?{query}").get_data(as_text=True)
        shown = {setup[key].id for key in ("a", "b", "c") if setup[key].title in html}
        expected = {setup["a"].id, setup["c"].id} if "q=" not in query else set()
        assert shown == expected, query
    html = client.get("/lessons/summaries/new?q=interpreters&event_kind=workshop&country=UA").get_data(as_text=True)
    assert setup["c"].title in html and setup["a"].title not in html


def test_save_freezes_a_snapshot_and_editing_makes_versions(login, setup):
    client = login(setup["coordinator"])
    a, b, c = setup["a"], setup["b"], setup["c"]
    # Leave entry b out.
    response = _save(client, ids=[a.id, c.id])
    assert response.status_code == 302
    db.session.rollback()
    summary = db.session.scalar(select(Summary))
    version = summary.versions[0]
    assert version.number == 1 and sorted(version.lesson_ids) == sorted([a.id, c.id])
    assert summary.tlp == TLP.GREEN and version.tlp == TLP.GREEN
    figures = version.snapshot["figures"]
    assert figures["events"] == 1 and figures["participants"] == 2 and figures["countries"] == 2
    assert figures["open_actions"] == 1 and figures["entries"] == 2
    # The entry changes later; the saved version does not.
    db.session.get(Lesson, a.id).title = "Renamed afterwards"
    db.session.commit()
    html = client.get(f"/lessons/summaries/{summary.id}").get_data(as_text=True)
    assert "Evidence sharing is slow" in html and "Renamed afterwards" not in html
    assert "Set up a single point of contact" in html and "National authorities" in html
    # Editing makes version 2 (now including b); version 1 stays readable and unchanged.
    response = client.post(f"/lessons/summaries/{summary.id}/edit", data={
        "title": "Cybercrime lessons 2026 (rev.)", "group_by": "event", "filters": "{}",
        "introduction": "Second take.", "lesson_ids": [str(a.id), str(b.id), str(c.id)]})
    assert response.status_code == 302
    db.session.rollback()
    summary = db.session.get(Summary, summary.id)
    db.session.refresh(summary)
    assert summary.current_version == 2 and summary.tlp == TLP.AMBER
    assert [v.number for v in summary.versions] == [1, 2]
    v2 = client.get(f"/lessons/summaries/{summary.id}").get_data(as_text=True)
    assert "Renamed afterwards" in v2 and "Joint patrols work" in v2
    v1 = client.get(f"/lessons/summaries/{summary.id}?version=1").get_data(as_text=True)
    assert "Joint patrols work" not in v1 and "Evidence sharing is slow" in v1
    assert client.get(f"/lessons/summaries/{summary.id}?version=9").status_code == 404
    assert client.get(f"/lessons/summaries/{summary.id}?version=x").status_code == 404


def test_save_rejects_bad_input_without_500(login, setup):
    client = login(setup["coordinator"])
    assert _save(client, ids=[]).status_code == 422
    assert _save(client, title="", ids=[setup["a"].id]).status_code == 422
    assert _save(client, ids=[setup["draft"].id]).status_code == 422  # drafts never go in
    assert _save(client, ids=["abc"], filters="not json").status_code == 422
    response = client.post("/lessons/summaries/new", data={"title": "x", "group_by": "zzz", "filters": "[1]"})
    assert response.status_code == 422
    assert db.session.scalar(select(Summary)) is None


def test_only_coordinators_who_see_every_entry_open_a_summary(login, make, setup):
    # A coordinator who also organised the event sees AMBER+STRICT entries; another coordinator does not.
    insider = make.user(role=Role.COORDINATOR, name="Inside Coordinator")
    setup["event"].organisers = [setup["organiser"], insider]
    db.session.commit()
    strict = make_lesson(setup["event"], setup["author"], title="Informant handling", tlp=TLP.AMBER_STRICT)
    response = _save(login(insider), title="Restricted summary", ids=[setup["a"].id, strict.id])
    assert response.status_code == 302
    db.session.rollback()
    summary = db.session.scalar(select(Summary))
    assert summary.tlp == TLP.AMBER_STRICT
    outsider = login(setup["coordinator"])
    assert outsider.get(f"/lessons/summaries/{summary.id}").status_code == 403
    assert outsider.get(f"/lessons/summaries/{summary.id}/export/pdf").status_code == 403
    assert outsider.get(f"/lessons/summaries/{summary.id}/edit").status_code == 403
    assert "contains entries you may not see" in outsider.get("/lessons/summaries").get_data(as_text=True)
    assert login(setup["organiser"]).get(f"/lessons/summaries/{summary.id}").status_code == 403  # not a coordinator
    assert login(insider).get(f"/lessons/summaries/{summary.id}").status_code == 200
    # Trying to include an entry one cannot see does not smuggle it in.
    assert _save(outsider, ids=[strict.id]).status_code == 422


def _pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def test_exports_carry_the_tlp_banner_everywhere(login, setup):
    client = login(setup["coordinator"])
    _save(client, ids=[setup["a"].id, setup["b"].id, setup["c"].id])
    db.session.rollback()
    summary = db.session.scalar(select(Summary))
    response = client.get(f"/lessons/summaries/{summary.id}/export/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pages = _pdf_pages(response.data)
    assert pages and all("TLP:AMBER" in text for text in pages)
    assert "Joint patrols work" in "".join(pages) and "Seizures doubled" in "".join(pages)

    response = client.get(f"/lessons/summaries/{summary.id}/export/docx")
    document = Document(io.BytesIO(response.data))
    assert all("TLP:AMBER" in s.header.paragraphs[0].text for s in document.sections)
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Evidence sharing is slow" in body and "Key figures" in body

    markdown = client.get(f"/lessons/summaries/{summary.id}/export/md").get_data(as_text=True)
    assert markdown.startswith("**TLP:AMBER") and "Fund joint patrols" in markdown
    html = client.get(f"/lessons/summaries/{summary.id}/export/html").get_data(as_text=True)
    first = html.index("TLP:AMBER")
    assert first < html.index("<h1>") and "Fund joint patrols" in html
    assert client.get(f"/lessons/summaries/{summary.id}/export/exe").status_code == 404


def test_long_pdf_has_the_banner_on_every_page():
    entry = {"type": "entry", "title": "Ковальчук: рація не працює", "meta": "Observation · TLP:RED",
             "fields": [("Observation", "Текст спостереження. " * 60)]}
    document = {"title": "Summary ქართული", "subtitle": "v1", "tlp": "red", "tlp_label": "TLP:RED",
                "blocks": [entry] * 40}
    pages = _pdf_pages(exports.to_pdf(document))
    assert len(pages) > 3 and all("TLP:RED" in text for text in pages)
    assert "Ковальчук" in pages[0]


def test_html_export_escapes_content():
    document = {"title": "<script>x</script>", "subtitle": "", "tlp": "clear", "tlp_label": "TLP:CLEAR",
                "blocks": [{"type": "paragraph", "text": "<img src=x onerror=alert(1)>"}]}
    html = exports.to_html(document)
    assert "<script>x" not in html and "<img" not in html


def test_preview_queries_do_not_grow_with_entries(login, make, setup):
    client = login(setup["coordinator"])
    db.session.rollback()

    def count():
        with QueryCounter(db.engine) as counter:
            assert client.get("/lessons/summaries/new").status_code == 200
        return counter.count

    def add(n):
        for i in range(n):
            event = make.past_event()
            make.attendee(event, make.user())
            make_lesson(event, setup["author"], title=f"Entry {i}", themes=[setup["cyber"]])

    add(5)
    small = count()
    db.session.rollback()
    add(95)
    assert count() == small


def test_wrap_up_report_for_organisers(login, make, setup):
    event = setup["event"]
    make.action(setup["organiser"], title="Circulate the minutes", event=event)
    from app.registrations.models import Registration

    for n, registration_row in enumerate(db.session.scalars(select(Registration)).all()):
        db.session.add(Feedback(event_id=event.id, registration_id=registration_row.id, overall=4 + n % 2,
                                relevance=5, organisation=3, what_worked="The site visit"))
    db.session.commit()
    client = login(setup["organiser"])
    html = client.get(f"/events/{event.id}/wrap-up").get_data(as_text=True)
    assert "4.50 / 5" in html and "Circulate the minutes" in html and "Hire interpreters" in html
    assert "Joint patrols work" in html and "Unfinished draft" not in html
    response = client.get(f"/events/{event.id}/wrap-up/export/pdf")
    pages = _pdf_pages(response.data)
    assert all("TLP:AMBER" in text for text in pages)
    assert "Circulate the minutes" in "".join(pages)
    document = Document(io.BytesIO(client.get(f"/events/{event.id}/wrap-up/export/docx").data))
    assert "TLP:AMBER" in document.sections[0].header.paragraphs[0].text
    assert client.get(f"/events/{event.id}/wrap-up/export/md").get_data(as_text=True).startswith("**TLP:AMBER")
    # Participants and strangers may not open the wrap-up.
    assert login(setup["author"]).get(f"/events/{event.id}/wrap-up").status_code == 403
    assert client.get("/events/99999/wrap-up").status_code == 404


def test_summary_version_rows_are_immutable_snapshots(login, setup):
    client = login(setup["coordinator"])
    _save(client, ids=[setup["a"].id])
    db.session.rollback()
    version = db.session.scalar(select(SummaryVersion))
    assert version.snapshot["entries"][0]["title"] == "Evidence sharing is slow"
    assert version.snapshot["tlp"] == "green"


def test_summary_pages_queries_do_not_grow_with_versions(login, setup):
    client = login(setup["coordinator"])
    db.session.rollback()

    def count():
        with QueryCounter(db.engine) as counter:
            assert client.get("/lessons/summaries").status_code == 200
            assert client.get(f"/lessons/summaries/{summary_id}").status_code == 200
        return counter.count

    _save(client, ids=[setup["a"].id])
    db.session.rollback()
    summary_id = db.session.scalar(select(Summary.id))
    small = count()
    for n in range(5):
        client.post(f"/lessons/summaries/{summary_id}/edit", data={
            "title": f"Take {n}", "group_by": "kind", "filters": "{}", "lesson_ids": [str(setup["a"].id)]})
        _save(client, title=f"Other {n}", ids=[setup["c"].id])
    assert count() == small


def test_summaries_and_wrap_up_give_the_event_dates_in_its_own_time_zone(login, make):
    """An event that opens at 00:30 in Kyiv starts on the previous day in UTC; reports show Kyiv's dates."""
    from datetime import UTC, datetime

    coordinator = make.user(role=Role.COORDINATOR)
    organiser = make.user(role=Role.ORGANISER)
    event = make.event("Night shift exchange", starts_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
                       ends_at=datetime(2026, 3, 3, 21, 0, tzinfo=UTC), timezone="Europe/Kyiv",
                       organisers=[organiser])
    entry = make_lesson(event, organiser, title="Handover notes get lost", tlp=TLP.CLEAR)
    db.session.commit()
    client = login(coordinator)
    html = client.get("/lessons/summaries/new?group_by=event").get_data(as_text=True)
    assert "Night shift exchange (02 Mar 2026)" in html and "01 Mar 2026" not in html
    response = _save(client, title="Night work", filters={}, ids=[entry.id], group_by="event")
    assert response.status_code == 302
    summary = db.session.scalars(select(Summary).where(Summary.title == "Night work")).one()
    markdown = client.get(f"/lessons/summaries/{summary.id}/export/md").get_data(as_text=True)
    assert "Night shift exchange (02 Mar 2026)" in markdown and "01 Mar 2026" not in markdown
    wrap_up = login(organiser).get(f"/events/{event.id}/wrap-up/export/md").get_data(as_text=True)
    assert "02 Mar 2026 – 03 Mar 2026" in wrap_up and "01 Mar 2026" not in wrap_up
