"""The report filter's project and theme choices are remembered between views, and follow changes."""

from app.accounts.models import Role


def test_a_new_project_and_theme_are_offered_on_the_next_view(login, make):
    web = login(make.user(Role.COORDINATOR))
    page = web.get("/reports/").get_data(as_text=True)
    assert "SHIELD-EU" not in page and "Firearms trafficking" not in page
    make.project("SHIELD-EU")
    make.theme("Firearms trafficking")
    page = web.get("/reports/").get_data(as_text=True)
    assert "SHIELD-EU" in page and "Firearms trafficking" in page
