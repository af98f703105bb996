"""Fixtures for the favorites tests: users and clients, and doubles of the catalog collaborator."""

import pytest
from rest_framework.test import APIClient

from apps.movies.tests.factories import MovieFactory
from apps.users.models import Profile
from core.exceptions import NotFound, UpstreamUnavailable

from .factories import UserFactory


class SyncingMovies:
    """Stands in for MovieService: a movie it does not know yet is "synced" (created) on first use."""

    def __init__(self, **movie_fields):
        self.calls: list[int] = []
        self.movie_fields = movie_fields

    def get_movie(self, *, tmdb_id: int):
        from apps.movies.models import Movie

        self.calls.append(tmdb_id)
        movie = Movie.objects.filter(tmdb_id=tmdb_id).first()
        return movie or MovieFactory(tmdb_id=tmdb_id, **self.movie_fields)


class DownMovies:
    """MovieService while TMDb is down: every unknown movie fails with 503."""

    def __init__(self, retry_after: int = 17):
        self.retry_after = retry_after
        self.calls: list[int] = []

    def get_movie(self, *, tmdb_id: int):
        self.calls.append(tmdb_id)
        raise UpstreamUnavailable(retry_after=self.retry_after)


class MissingMovies:
    def get_movie(self, *, tmdb_id: int):
        raise NotFound(f"Movie {tmdb_id} not found.")


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def client_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client(user, client_for) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_client(other_user, client_for) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def prefer():
    """Sets a user's preferences (creating the profile the accounts app would make)."""

    def set_preferences(user, *, include_adult: bool = False, genres=()):
        profile, _ = Profile.objects.update_or_create(user=user, defaults={"include_adult": include_adult})
        profile.favorite_genres.set(genres)
        return profile

    return set_preferences


@pytest.fixture
def use_movies(monkeypatch):
    """Swaps the catalog collaborator the entry views build (MovieService) for a double."""
    from apps.favorites import views

    def install(double):
        monkeypatch.setattr(views.EntryApi, "movie_service_class", staticmethod(lambda: double))
        return double

    return install
