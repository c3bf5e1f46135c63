"""Regression from the QA walk-through: the page language matches the (English-only) interface."""

from app.accounts.models import Role


def test_pages_declare_english_even_when_the_user_prefers_another_language(login, make):
    user = make.user(role=Role.MEMBER, name="Mariam Tsiklauri")
    user.language = "ka"
    from app.extensions import db
    db.session.commit()

    html = login(user).get("/profile").get_data(as_text=True)

    assert "Your profile" in html
    assert '<html lang="en">' in html
