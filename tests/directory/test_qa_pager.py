"""Regression from the QA walk-through: the pager never links to page 0 or past the last page."""

import re


def test_pager_links_only_to_pages_that_exist(make, login):
    for n in range(30):
        make.organisation(name=f"Border Police unit {n:02d}", country="MD")
    client = login(make.user(role="coordinator"))

    first = client.get("/directory/organisations").get_data(as_text=True)
    assert "Page 1 of 2" in first
    pages_linked = {int(p) for p in re.findall(r'href="[^"]*[?&]page=(-?\d+)', first)}
    assert pages_linked == {2}

    last = client.get("/directory/organisations?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in last
    pages_linked = {int(p) for p in re.findall(r'href="[^"]*[?&]page=(-?\d+)', last)}
    assert pages_linked == {1}
