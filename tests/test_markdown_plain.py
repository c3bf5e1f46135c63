"""Markdown as plain text (app.markdown.plain_text): what calendar clients show in a description."""

from app.markdown import plain_text


def test_formatting_goes_and_structure_stays():
    text = plain_text("# Agenda\n\n**Day 1**: *arrival*, `code`.\n\n- one\n- two\n  - nested\n\n3. third\n4. fourth\n")
    assert text == "Agenda\n\nDay 1: arrival, code.\n\n- one\n- two\n  - nested\n\n3. third\n4. fourth"


def test_links_keep_their_address_and_tables_their_rows():
    assert plain_text("See [the site](https://x.example) or <https://y.example>.") == (
        "See the site (https://x.example) or https://y.example.")
    assert plain_text("| Day | Place |\n|---|---|\n| 1 | Kyiv |\n") == "Day | Place\n1 | Kyiv"


def test_empty_and_raw_html_are_safe_text():
    assert plain_text("") == ""
    assert plain_text("<script>alert(1)</script>") == "<script>alert(1)</script>"  # text, never markup
