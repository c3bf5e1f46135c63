"""Many people signing in at once never see an error (SQLite's write lock is taken up front)."""

from __future__ import annotations

import threading

from tests.factories import PASSWORD


def test_simultaneous_sign_ins_all_succeed(app, make):
    users = [make.user(email=f"officer{i}@police.example") for i in range(24)]
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []
    lock = threading.Lock()

    def sign_in(email: str) -> None:
        client = app.test_client()
        barrier.wait()
        for _ in range(3):
            response = client.post("/login", data={"email": email, "password": PASSWORD})
            with lock:
                statuses.append(response.status_code)
            client.post("/logout")

    threads = [threading.Thread(target=sign_in, args=(user.email,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 3 * len(users)
    assert set(statuses) == {302}, sorted(statuses)
