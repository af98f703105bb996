"""A database that cannot answer (down, restarting) is a 503 in the envelope with Retry-After."""

import pytest
from django.db import InterfaceError, OperationalError

from apps.movies.services import MovieService

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_errors_are_503_service_unavailable(client, monkeypatch, error):
    # given a database that drops the connection
    def unavailable(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(MovieService, "local_page", unavailable)
    # when
    response = client.get("/api/v1/movies/")
    # then
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["success"] is False
    assert body["errors"]["code"] == "service_unavailable"
    assert body["errors"]["retry_after"] == int(response["Retry-After"])
