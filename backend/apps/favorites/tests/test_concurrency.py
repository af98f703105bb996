"""Concurrent adds against PostgreSQL: the unique constraint keeps exactly one row, and nobody gets a 5xx."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.favorites import views
from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import MovieFactory

from .factories import FavoriteFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
THREADS = 50


class KnownMovie:
    """The catalog collaborator for one movie already synced."""

    def __init__(self, movie):
        self.movie = movie

    def get_movie(self, *, tmdb_id: int):
        return self.movie


def add_concurrently(view_class, user, movie, monkeypatch) -> Counter:
    """THREADS simultaneous POSTs of one movie by one user, each on its own database connection."""
    monkeypatch.setattr(views.EntryApi, "movie_service_class", staticmethod(lambda: KnownMovie(movie)))
    view, factory = view_class.as_view(), APIRequestFactory()
    start = threading.Barrier(THREADS)

    def add(_) -> int:
        try:
            request = factory.post("/api/v1/x/", {"movie_id": movie.tmdb_id, "notes": "race"}, format="json")
            force_authenticate(request, user=user)
            start.wait(timeout=30)
            return view(request).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return Counter(pool.map(add, range(THREADS)))


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_fifty_concurrent_adds_leave_one_favorite(user, monkeypatch):
    # given
    movie = MovieFactory()
    # when
    statuses = add_concurrently(views.FavoriteCollectionApi, user, movie, monkeypatch)
    # then
    assert statuses == Counter({201: 1, 200: THREADS - 1})
    assert Favorite.objects.filter(user=user, movie=movie).count() == 1


def test_fifty_concurrent_adds_leave_one_watchlist_item(user, monkeypatch):
    movie = MovieFactory()
    statuses = add_concurrently(views.WatchlistCollectionApi, user, movie, monkeypatch)
    assert statuses == Counter({201: 1, 200: THREADS - 1})
    assert WatchlistItem.objects.filter(user=user, movie=movie).count() == 1


def test_fifty_concurrent_re_adds_restore_once(user, monkeypatch):
    # given
    removed = FavoriteFactory(user=user, is_active=False, notes="history")
    # when
    statuses = add_concurrently(views.FavoriteCollectionApi, user, removed.movie, monkeypatch)
    # then
    assert statuses == Counter({201: 1, 200: THREADS - 1})
    removed.refresh_from_db()
    assert removed.is_active is True
    assert Favorite.objects.filter(user=user).count() == 1
