"""What the organiser's participant list and the member's "my events" show, now that both pages are
built from plain rows (issue 9): every column, waiting-list places, seats, facets, search and pages."""

from __future__ import annotations

import re
from datetime import timedelta

from app.registrations.models import Invitation, ParticipantRole, Registration, RegistrationStatus
from app.registrations.views import participants as views
from app.templating import format_local
from app.timeutil import now


def _row_of(page: str, name: str) -> str:
    return next(row for row in page.split("<tr>") if name in row)


def test_participant_list_shows_each_person_seats_facets_and_waitlist_places(db, make, login, organiser):
    event = make.event(capacity=2, organisers=[organiser])
    centre = make.organisation("Europol Cyber Centre", country="NL")
    people = {name: make.user(name=name, organisation=centre if name != "Eva" else None, country=country)
              for name, country in (("Ana", None), ("Bogdan", "RO"), ("Chloe", None), ("Dario", None), ("Eva", None))}
    start = now()
    rows = [
        Registration(event_id=event.id, user_id=people["Ana"].id, status=RegistrationStatus.CONFIRMED,
                     dietary_needs="Vegan", needs_visa_letter=True, checked_in_at=start),
        Registration(event_id=event.id, user_id=people["Bogdan"].id, status=RegistrationStatus.CONFIRMED,
                     role=ParticipantRole.SPEAKER, accessibility_needs="Step-free access"),
        # Dario joined the waiting list before Chloe.
        Registration(event_id=event.id, user_id=people["Chloe"].id, status=RegistrationStatus.WAITLISTED,
                     waitlisted_at=start + timedelta(minutes=5)),
        Registration(event_id=event.id, user_id=people["Dario"].id, status=RegistrationStatus.WAITLISTED,
                     waitlisted_at=start),
        Registration(event_id=event.id, user_id=people["Eva"].id, status=RegistrationStatus.CANCELLED),
    ]
    db.session.add_all(rows)
    db.session.commit()
    client = login(organiser)

    page = client.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "1 of 2 participant seats taken." in page  # the speaker takes no seat
    assert ">Confirmed (2)<" in page and ">On the waiting list (2)<" in page and ">Cancelled (1)<" in page
    ana = _row_of(page, "Ana")
    assert f'href="/events/{event.id}/participants/{rows[0].id}"' in ana
    assert people["Ana"].email in ana and "Europol Cyber Centre" in ana and "Netherlands" in ana
    assert "attended" in ana and "Diet: Vegan" in ana and "Visa letter" in ana
    bogdan = _row_of(page, "Bogdan")
    assert "Romania" in bogdan and "Speaker" in bogdan and "Access: Step-free access" in bogdan
    assert "On the waiting list #1" in _row_of(page, "Dario")
    assert "On the waiting list #2" in _row_of(page, "Chloe")
    assert "attended" not in _row_of(page, "Chloe")

    # The places stay the same when the list is filtered or searched.
    waiting = client.get(f"/events/{event.id}/participants?status=waitlisted&q=chloe").get_data(as_text=True)
    assert "On the waiting list #2" in _row_of(waiting, "Chloe") and "Dario" not in waiting
    cancelled = client.get(f"/events/{event.id}/participants?status=cancelled").get_data(as_text=True)
    assert "Eva" in cancelled and "Ana" not in cancelled
    assert "Nobody matches." in client.get(f"/events/{event.id}/participants?q=nobody-like-this").get_data(as_text=True)


def test_participant_list_pages_a_search_and_lets_the_organiser_choose_the_page_size(db, make, login, organiser,
                                                                                      monkeypatch):
    monkeypatch.setattr(views, "PARTICIPANTS_PER_PAGE", 2)
    monkeypatch.setattr(views, "PARTICIPANTS_PAGE_SIZES", (2, 50))
    event = make.event(organisers=[organiser])
    centre = make.organisation("Guardia Civil")
    other = make.organisation("Politie")
    for index in range(5):
        person = make.user(name=f"Person {index}", organisation=centre if index < 3 else other)
        db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    client = login(organiser)
    url = f"/events/{event.id}/participants"

    first = client.get(url).get_data(as_text=True)
    assert "Page 1 of 3" in first and first.count('name="ids"') == 2
    # A search: its own total, two pages of two.
    found = client.get(f"{url}?q=guardia").get_data(as_text=True)
    assert "Page 1 of 2" in found and "Person 0" in found and "Person 1" in found and "Person 3" not in found
    second = client.get(f"{url}?q=guardia&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Person 2" in second and second.count('name="ids"') == 1
    beyond = client.get(f"{url}?q=guardia&page=7").get_data(as_text=True)
    assert "Nobody matches." in beyond and "Page 7 of 2" in beyond and 'rel="prev"' in beyond
    # The page size is a choice among a few; anything else falls back to the default.
    everyone = client.get(f"{url}?per_page=50").get_data(as_text=True)
    assert everyone.count('name="ids"') == 5 and "Page 1 of" not in everyone
    assert '<option value="50" selected>' in everyone
    assert client.get(f"{url}?per_page=100000").get_data(as_text=True).count('name="ids"') == 2


def test_my_events_rows_show_the_event_its_local_time_invitations_and_cancellations(db, make, login):
    from app.events.models import EventStatus

    user = make.user()
    starts = (now() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    kept = make.event("Drone detection workshop", starts_at=starts, timezone="Europe/Kyiv", city="Lviv")
    dropped = make.event("Harbour security visit", starts_at=starts + timedelta(days=1))
    dropped.status = EventStatus.CANCELLED
    invited = make.event("Financial investigations training", starts_at=starts + timedelta(days=2))
    db.session.add_all([
        Registration(event_id=kept.id, user_id=user.id, status=RegistrationStatus.CONFIRMED),
        Registration(event_id=dropped.id, user_id=user.id, status=RegistrationStatus.PENDING),
        Invitation(event_id=invited.id, email=user.email, token="invitation-token-for-test"),
    ])
    db.session.commit()

    page = login(user).get("/my/events").get_data(as_text=True)
    row = re.search(rf'data-testid="my-registration-{kept.id}".*?</li>', page, re.S).group(0)
    assert f'href="/events/{kept.id}"' in row and "Drone detection workshop" in row
    assert format_local(starts, "Europe/Kyiv") in row and "Lviv" in row and "Confirmed" in row and "Event cancelled" not in row
    cancelled = re.search(rf'data-testid="my-registration-{dropped.id}".*?</li>', page, re.S).group(0)
    assert "Event cancelled" in cancelled and "Pending approval" in cancelled
    assert "Financial investigations training" in page and 'href="/invitations/invitation-token-for-test"' in page


def test_my_events_lists_each_events_sessions_and_on_the_past_tab_feedback_and_certificates(db, make, login):
    from app.registrations.models import Feedback, SessionSignup, SessionSignupStatus

    user = make.user()
    other = make.user()
    ago = (now() - timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    training = make.event("Crypto tracing training", starts_at=ago, kind="training")
    workshop = make.event("Border data workshop", starts_at=ago - timedelta(days=3))
    coming = make.event("Forensics summit", starts_at=now() + timedelta(days=5))
    later = make.event("Cyber patrol week", starts_at=now() + timedelta(days=9))
    keynote = make.session(coming, "Opening keynote", has_signup=True, capacity=1)
    lab = make.session(coming, "Evidence lab", starts_at=coming.starts_at + timedelta(hours=2), has_signup=True,
                       capacity=1)
    dropped = make.session(later, "Cancelled sign-up", has_signup=True)
    done = Registration(event_id=training.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                        checked_in_at=ago)
    answered = Registration(event_id=workshop.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                            checked_in_at=ago)
    db.session.add_all([done, answered,
                        Registration(event_id=coming.id, user_id=user.id, status=RegistrationStatus.CONFIRMED),
                        Registration(event_id=later.id, user_id=user.id, status=RegistrationStatus.CONFIRMED),
                        SessionSignup(session_id=lab.id, user_id=other.id, status=SessionSignupStatus.CONFIRMED),
                        SessionSignup(session_id=lab.id, user_id=user.id, status=SessionSignupStatus.WAITLISTED,
                                      waitlisted_at=now()),
                        SessionSignup(session_id=keynote.id, user_id=user.id, status=SessionSignupStatus.CONFIRMED),
                        SessionSignup(session_id=dropped.id, user_id=user.id, status=SessionSignupStatus.CANCELLED)])
    db.session.flush()
    db.session.add(Feedback(event_id=workshop.id, registration_id=answered.id, overall=4, relevance=4,
                            organisation=4))
    db.session.commit()
    client = login(user)

    upcoming = client.get("/my/events").get_data(as_text=True)
    assert upcoming.count('data-testid="my-registration-') == 2  # one row per event, not per sign-up
    assert ">Upcoming <span class=\"badge text-bg-light\">2<" in upcoming and ">Past <span class=\"badge text-bg-light\">2<" in upcoming
    row = re.search(rf'data-testid="my-registration-{coming.id}".*?</li>\s*</ul>', upcoming, re.S).group(0)
    assert row.index("Opening keynote") < row.index("Evidence lab")
    assert "Opening keynote — " in row and "signed up" in row and "number 1 on its waiting list" in row
    assert "Cancelled sign-up" not in upcoming and "Give feedback" not in upcoming

    past = client.get("/my/events?show=past").get_data(as_text=True)
    assert past.index("Crypto tracing training") < past.index("Border data workshop")  # latest first
    trained = re.search(rf'data-testid="my-registration-{training.id}".*?</li>', past, re.S).group(0)
    assert f'href="/events/{training.id}/feedback"' in trained
    assert f'href="/events/{training.id}/certificates/{done.id}"' in trained
    workshopped = re.search(rf'data-testid="my-registration-{workshop.id}".*?</li>', past, re.S).group(0)
    assert "Give feedback" not in workshopped and "Certificate" not in workshopped

    # An empty tab still knows the other tab's total.
    db.session.query(Registration).filter(Registration.user_id == user.id,
                                          Registration.event_id.in_([coming.id, later.id])).delete()
    db.session.commit()
    empty = client.get("/my/events").get_data(as_text=True)
    assert "You have no upcoming registrations." in empty and "See your past events" in empty


def test_participant_list_rows_are_remembered_but_every_change_shows_on_the_next_view(db, make, login, organiser,
                                                                                      itip_calls):
    """The rows and the counts are cached per worker until a registration, a person or an
    organisation changes (app.cache stamps)."""
    from app.registrations import register

    event = make.event(capacity=1, organisers=[organiser])
    other_event = make.event(organisers=[organiser])
    police = make.organisation("Policia Judiciaria")
    first = make.user(name="Rui Costa", organisation=police)
    register.register(event, first, consent=True)
    client = login(organiser)
    url = f"/events/{event.id}/participants"

    page = client.get(url).get_data(as_text=True)
    assert "Rui Costa" in page and "1 of 1 participant seat taken." in page
    tbody = re.search(r"<tbody>.*</tbody>", page, re.S).group(0)
    assert tbody in client.get(url).get_data(as_text=True)  # the second view, from the cache
    # Another event's list is its own.
    assert "Rui Costa" not in client.get(f"/events/{other_event.id}/participants").get_data(as_text=True)

    second = make.user(name="Ana Sousa")
    register.register(event, second, consent=True)  # the waiting list
    page = client.get(url).get_data(as_text=True)
    assert "On the waiting list #1" in _row_of(page, "Ana Sousa") and ">On the waiting list (1)<" in page

    first.name = "Rui Costa Silva"
    police.name = "Polícia Judiciária"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Rui Costa Silva" in page and "Polícia Judiciária" in page

    rui = db.session.scalar(select_registration(event.id, first.id))
    rui.checked_in_at = now()  # as the check-in desk does
    db.session.commit()
    assert "attended" in _row_of(client.get(url).get_data(as_text=True), "Rui Costa Silva")

    # A bulk action through the page: the cancelled seat goes to the waiting list.
    client.post(f"/events/{event.id}/participants/bulk", data={"ids": [str(rui.id)], "action": "cancel"})
    page = client.get(url).get_data(as_text=True)
    assert "Cancelled" in _row_of(page, "Rui Costa Silva") and "Confirmed" in _row_of(page, "Ana Sousa")
    assert ">On the waiting list (0)<" in page and "1 of 1 participant seat taken." in page
    confirmed = client.get(f"{url}?status=confirmed").get_data(as_text=True)
    assert "Ana Sousa" in confirmed and "Rui Costa" not in confirmed


def select_registration(event_id, user_id):
    from sqlalchemy import select

    return select(Registration).where(Registration.event_id == event_id, Registration.user_id == user_id)


def test_my_events_is_remembered_but_shows_every_change_and_the_passing_of_time(db, make, login):
    """"My events" keeps what it shows of a person per worker until a table it reads changes; the
    split into upcoming and past is made at each view, so an event that ends moves to the past tab
    (and its open invitation goes) without any write."""
    from app.events.models import EventStatus
    from app.registrations.models import Feedback, SessionSignup
    from app.timeutil import set_now

    start = now()
    user, other = make.user(), make.user()
    soon = make.event("Port security workshop", starts_at=start + timedelta(days=2), days=1)
    invited = make.event("Interpol notices training", starts_at=start + timedelta(days=2, hours=2), days=0.5)
    summit = make.event("Europol summit", starts_at=start + timedelta(days=20))
    registration = Registration(event_id=soon.id, user_id=user.id, status=RegistrationStatus.CONFIRMED)
    db.session.add_all([registration, Invitation(event_id=invited.id, email=user.email, token="token-interpol")])
    db.session.commit()
    client = login(user)

    def page(path="/my/events"):
        return client.get(path).get_data(as_text=True)

    first = page()
    assert "Port security workshop" in first and "Interpol notices training" in first
    listing = re.search(r'<ul class="list-group mb-3" data-testid="my-registrations">.*?</ul>', first, re.S).group(0)
    assert listing in page()  # from the cache
    assert "Port security workshop" not in login(other).get("/my/events").get_data(as_text=True)
    db.session.add(Invitation(event_id=summit.id, email=user.email, token="token-summit"))
    db.session.commit()
    assert 'href="/invitations/token-summit"' in page()

    soon.title = "Port and harbour security workshop"
    soon.status = EventStatus.CANCELLED
    db.session.commit()
    shown = page()
    assert "Port and harbour security workshop" in shown and "Event cancelled" in shown

    later = make.event("Cybercrime conference", starts_at=start + timedelta(days=9))
    db.session.add(Registration(event_id=later.id, user_id=user.id, status=RegistrationStatus.WAITLISTED,
                                waitlisted_at=start))
    db.session.commit()
    panel = make.session(later, "Ransomware panel", has_signup=True)
    shown = page()
    assert "Cybercrime conference" in shown and "On the waiting list — number 1" in shown
    db.session.add(SessionSignup(session_id=panel.id, user_id=user.id))
    db.session.commit()
    assert "Ransomware panel" in page()

    try:
        set_now(start + timedelta(days=5))  # the workshop and the invited training have ended
        shown = page()
        assert "Port and harbour security workshop" not in shown and "Interpol notices training" not in shown
        assert ">Past <span class=\"badge text-bg-light\">1<" in shown
        registration.checked_in_at = start + timedelta(days=2)
        registration.status = RegistrationStatus.CONFIRMED
        db.session.commit()
        assert f'href="/events/{soon.id}/feedback"' in page("/my/events?show=past")
        db.session.add(Feedback(event_id=soon.id, registration_id=registration.id, overall=5, relevance=5,
                                organisation=5))
        db.session.commit()
        assert "Give feedback" not in page("/my/events?show=past")
    finally:
        set_now(None)


def test_needs_are_for_the_event_s_own_organisers_not_for_coordinators_or_admins(db, make, login, itip_calls):
    """Diet, accessibility and visa needs reach the event's creator and co-organisers only, as the
    privacy notice says: in the list, on a participant's page and in exports."""
    from app.registrations import register as register_service

    creator, co_organiser = make.user(role="organiser"), make.user(role="organiser")
    event = make.event(created_by=creator, organisers=[co_organiser])
    person = make.user(name="Nadia Needs")
    registration = register_service.register(event, person, "participant",
                                             register_service.Needs("Halal only", "Step-free access", True),
                                             consent=True).registration
    export = f"/events/{event.id}/participants/export?format=csv&columns=name&columns=dietary_needs" \
             "&columns=accessibility_needs&columns=needs_visa_letter"
    for viewer, sees in [(creator, True), (co_organiser, True), (make.user(role="coordinator"), False),
                         (make.user(role="admin"), False)]:
        client = login(viewer)
        pages = [client.get(f"/events/{event.id}/participants").get_data(as_text=True),
                 client.get(f"/events/{event.id}/participants/{registration.id}").get_data(as_text=True),
                 client.get(export).get_data().decode("utf-8-sig")]
        assert "Nadia Needs" in pages[0] and "Nadia Needs" in pages[2]
        for page in pages:
            assert ("Halal only" in page) is sees and ("Step-free access" in page) is sees
