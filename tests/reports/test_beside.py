"""The dashboard's lessons and actions statements read beside its participant cells on PostgreSQL
(app.reports.beside): the same figures as when every statement runs on the request's connection."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.reports import builders
from tests.querycount import QueryCounter
from tests.reports import dataset


@pytest.fixture
def data(app):
    return dataset.build()


def _get(client, url: str):
    """(the answer's body, the connections its statements ran on)."""
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return response.data, counter.connections


@pytest.mark.parametrize("who", ["coordinator", "organiser"])
@pytest.mark.parametrize("query", ["", "?kind=training", "?theme={theme}"])
def test_dashboard_figures_are_the_same_read_beside_or_not(data, login, monkeypatch, who, query):
    client = login(getattr(data, who))
    url = "/reports/dashboard.csv" + query.format(theme=data.cyber.id)
    beside, connections = _get(client, url)
    monkeypatch.setattr(builders, "read_beside", lambda scope, jobs: None)
    alone, one_connection = _get(client, url)
    assert beside == alone
    assert len(one_connection) == 1
    assert len(connections) == (2 if db.engine.dialect.name == "postgresql" else 1)
