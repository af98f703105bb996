"""Fixtures for the history tests: the favorites app's users and clients, a catalog double swap."""

import pytest

from apps.favorites.tests.conftest import (  # noqa: F401 - fixtures shared with the favorites tests
    SyncingMovies,
    client,
    client_for,
    other_client,
    other_user,
    prefer,
    user,
)


@pytest.fixture
def use_movies(monkeypatch):
    """Swaps the catalog collaborator the history views build (MovieService) for a double."""
    from apps.history import views

    def install(double):
        monkeypatch.setattr(views.ViewingApi, "movie_service_class", staticmethod(lambda: double))
        return double

    return install


@pytest.fixture
def syncing(use_movies):
    return use_movies(SyncingMovies())
