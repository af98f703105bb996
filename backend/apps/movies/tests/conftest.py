"""Catalog test fixtures: users with profiles, a staff client, a TMDb double seeded with a small catalog."""

import pytest
from conftest import access_token_for
from rest_framework.test import APIClient

from apps.movies.services import MovieService


@pytest.fixture
def make_user(db, django_user_model):
    def make(email="reader@example.com", *, staff=False, **profile):
        from apps.users.models import Profile

        user = django_user_model.objects.create_user(
            email=email, password="a-long-password-1", is_staff=staff
        )
        Profile.objects.update_or_create(user=user, defaults=profile)
        return user

    return make


@pytest.fixture
def user_client(make_user):
    def client_for(user=None, **profile):
        user = user or make_user(**profile)
        # A fresh instance, as authentication would load it (nothing cached on it, e.g. the profile).
        user = type(user).objects.get(pk=user.pk)
        # A real bearer token, as the frontend sends it (the HTTP cache keys on Authorization).
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
        client.user = user
        return client

    return client_for


@pytest.fixture
def seeded_tmdb(tmdb_double):
    """Five TMDb movies (ids 101..105, 101 most popular) and relations for 101."""
    for offset, title in enumerate(["Alien", "Aliens", "Blade Runner", "Heat", "Up"]):
        tmdb_double.add_movie(101 + offset, title=title, popularity=50.0 - offset, genre_ids=[878, 18])
    tmdb_double.relate(101, recommendations=[102, 103], similar=[103])
    return tmdb_double


@pytest.fixture
def movie_service():
    return MovieService()


@pytest.fixture
def namespace_bumps(monkeypatch):
    """The cache namespaces bumped by catalog writes, in order. The test's transaction never commits,
    so the writer's after-commit invalidation runs at once (transaction=True tests run it for real)."""
    from apps.movies.services import writer
    from core import cache

    bumped: list[str] = []
    original = cache.bump_namespace

    def record(name: str) -> int:
        bumped.append(name)
        return original(name)

    monkeypatch.setattr(cache, "bump_namespace", record)
    monkeypatch.setattr(writer, "after_commit", lambda callback: callback())
    return bumped
