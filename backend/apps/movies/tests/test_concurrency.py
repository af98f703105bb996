"""Concurrent first reads of one unknown movie store exactly one row (PostgreSQL, real threads)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.movies.models import Movie, MovieGenre
from apps.movies.services import MovieService


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_fetches_of_an_unknown_movie_upsert_one_row(tmdb_double):
    # given
    assert connection.vendor == "postgresql"
    tmdb_double.add_movie(4321, title="Race", genre_ids=[18, 53])

    def fetch(_):
        from django.db import connections

        try:
            return MovieService().sync_movie_from_tmdb(tmdb_id=4321).pk
        finally:
            connections.close_all()

    # when
    with ThreadPoolExecutor(max_workers=4) as pool:
        pks = list(pool.map(fetch, range(8)))
    # then
    assert len(set(pks)) == 1
    assert Movie.objects.filter(tmdb_id=4321).count() == 1
    assert MovieGenre.objects.filter(movie__tmdb_id=4321).count() == 2
