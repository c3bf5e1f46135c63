"""Regression from the QA walk-through: anonymous visitors are not told an event has no entries."""


def test_anonymous_visitor_is_invited_to_sign_in_instead_of_told_there_are_no_entries(client, make, login):
    event = make.event("Study visit to Europol")

    anonymous = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "No entries yet." not in anonymous
    assert f'/login?next=/events/{event.id}' in anonymous and "entries shared with the network" in anonymous

    member = login(make.user()).get(f"/events/{event.id}").get_data(as_text=True)
    assert "No entries yet." in member
