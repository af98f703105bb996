"""A 503 can follow a committed write (the database went away between the commit and the answer).

The client-visible contract, stated in docs/api.md: "503 means retry; the write may have
happened". It holds because writes are idempotent: the retried add finds the entry and answers
200 with it, the retried delete finds it gone and answers 404; neither writes a second time.
"""

import pytest
from django.db import OperationalError

from apps.favorites import services
from apps.favorites.models import Favorite
from apps.favorites.views import EntryApi
from apps.movies.tests.factories import MovieFactory

from .conftest import SyncingMovies
from .factories import FavoriteFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/favorites/"
API_DOC = "docs/api.md"


def fail_once(monkeypatch, owner, name: str) -> None:
    """`owner.name` raises OperationalError on its first call (after the write committed), then works."""
    real = getattr(owner, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)


def test_a_retried_add_after_a_503_returns_the_entry_the_first_try_committed(
    client, user, use_movies, monkeypatch
):
    # given: the first answer fails after the entry was committed
    use_movies(SyncingMovies())
    movie = MovieFactory()
    fail_once(monkeypatch, EntryApi, "output")
    first = client.post(URL, {"movie_id": movie.tmdb_id, "user_rating": 8}, format="json")
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "5"
    # when: the client retries, as the contract says
    retry = client.post(URL, {"movie_id": movie.tmdb_id, "user_rating": 8}, format="json")
    # then: one entry, and the retry reports it
    assert retry.status_code == 200
    assert retry.json()["data"]["user_rating"] == 8
    assert Favorite.objects.filter(user=user, movie=movie).count() == 1


def test_a_retried_delete_after_a_503_is_a_404(client, user, monkeypatch):
    # given
    favorite = FavoriteFactory(user=user)
    fail_once(monkeypatch, services.caching, "invalidate_user")
    first = client.delete(f"{URL}{favorite.pk}/")
    assert first.status_code == 503
    # when
    retry = client.delete(f"{URL}{favorite.pk}/")
    # then: the first try had removed it
    assert retry.status_code == 404
    favorite.refresh_from_db()
    assert favorite.is_active is False


def test_api_md_states_the_retry_contract():
    from core.tests.deploy.harness import ROOT

    text = (ROOT / API_DOC).read_text()
    assert "503 means retry; the write may have happened" in text
