"""Malformed requests on every lessons route answer 4xx or a page with errors, never a 500."""

from __future__ import annotations

from app.accounts.models import Role
from app.lessons.models import LessonStatus
from tests.factories import lesson as make_lesson


def test_bad_input_on_every_route(login, make):
    coordinator = make.user(role=Role.COORDINATOR)
    member = make.user()
    event = make.past_event(organisers=[coordinator])
    make.attendee(event, member)
    item = make_lesson(event, member, status=LessonStatus.VALIDATED)
    action = make.action(member, title="Do it", lesson=item)
    for client in (login(coordinator), login(member)):
        gets = [
            "/lessons/?page=abc&from=2020-13-45&to=x&theme=-1&project=99999999999&country=%00&q=%27%22%5C",
            "/lessons/?q=" + "x" * 5000,
            "/lessons/my-actions?page=-1&show=%3Cscript%3E",
            "/lessons/actions?status=zzz&overdue=maybe&page=0",
            "/lessons/summaries/new?group_by=%00&event=abc&tlp=purple",
            "/lessons/summaries/abc",
            "/lessons/summaries/1/export/pdf",
            f"/lessons/{item.id}/actions/new",
            f"/events/{event.id}/wrap-up/export/exe",
            "/lessons/actions/999999",
        ]
        for url in gets:
            status = client.get(url).status_code
            assert status < 500, (url, status)
        posts = [
            (f"/lessons/{item.id}/transition", {"step": "explode"}),
            (f"/lessons/{item.id}/transition", {}),
            (f"/lessons/{item.id}/transition", {"step": "reject", "comment": "x" * 6000}),
            (f"/lessons/{item.id}/marking", {"tlp": "purple"}),
            (f"/lessons/{item.id}/marking", {}),
            (f"/lessons/actions/{action.id}", {"status": "finished"}),
            (f"/lessons/actions/{action.id}", {"status": "open"}),  # no change and no note
            (f"/lessons/{item.id}/actions/new", {"title": "", "owner_user_id": "abc", "due_on": "31/02/2026"}),
            (f"/lessons/{item.id}/actions/new", {"title": "x", "owner_user_id": "999999"}),
            (f"/events/{event.id}/actions/new", {"title": "x", "owner_organisation_id": "-5"}),
            ("/lessons/summaries/new", {"title": "t", "lesson_ids": ["1" * 40, "-1", "x"], "filters": "{{"}),
            (f"/events/{event.id}/lessons/new", {"title": "t", "kind": "lesson", "tlp": "red",
                                                 "themes": ["1", "2"], "session_id": "abc"}),
        ]
        for url, data in posts:
            status = client.post(url, data=data).status_code
            assert status < 500, (url, data, status)
