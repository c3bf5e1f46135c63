def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome to Liaison" in response.get_data(as_text=True)


def test_signed_in_user_sees_their_name(client, auth, make):
    user = make.user(name="Olena Kovalenko")
    response = auth.login(user)
    assert response.status_code == 302
    assert "Welcome, Olena Kovalenko" in client.get("/").get_data(as_text=True)
