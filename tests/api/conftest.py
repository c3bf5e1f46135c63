"""Helpers for the API tests: a token for a person, and a client that sends it."""

from __future__ import annotations

import pytest

from app.accounts.api_tokens import SCOPES, create_token

ALL_SCOPES = SCOPES


def token_for(user, scopes=ALL_SCOPES, name: str = "test") -> str:
    _token, secret = create_token(user, name, scopes)
    return secret


class ApiClient:
    """A test client that sends `Authorization: Bearer <secret>` with every request."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def _headers(self, headers):
        merged = dict(headers or {})
        if self.secret:
            merged.setdefault("Authorization", f"Bearer {self.secret}")
        return merged

    def get(self, path, headers=None, **kw):
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post(path, json=json if json is not None else {}, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch(path, json=json if json is not None else {}, headers=self._headers(headers), **kw)

    def delete(self, path, headers=None, **kw):
        return self.client.delete(path, headers=self._headers(headers), **kw)


@pytest.fixture
def api_as(app):
    """api_as(user, scopes=...) -> an ApiClient with a fresh token of `user` (None: no token)."""

    def _as(user, scopes=ALL_SCOPES):
        return ApiClient(app.test_client(), token_for(user, scopes) if user is not None else None)

    return _as
