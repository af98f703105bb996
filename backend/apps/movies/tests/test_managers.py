"""MovieQuerySet reads: active, popularity, rating, genres, dates, user flags, search."""

from datetime import date

import pytest

from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.models import Movie
from apps.movies.tests.factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.django_db


def test_active_and_get_by_tmdb_id():
    live, gone = MovieFactory(), MovieFactory(is_active=False)
    assert list(Movie.objects.active()) == [live]
    assert Movie.objects.get_by_tmdb_id(live.tmdb_id) == live
    with pytest.raises(Movie.DoesNotExist):
        Movie.objects.get_by_tmdb_id(gone.tmdb_id)


def test_popular_and_top_rated_orderings():
    low = MovieFactory(popularity=1, vote_average=9.0, vote_count=10)
    high = MovieFactory(popularity=9, vote_average=8.0, vote_count=5000)
    assert list(Movie.objects.popular_movies()) == [high, low]
    assert list(Movie.objects.popular_movies(limit=1)) == [high]
    assert list(Movie.objects.top_rated(min_votes=0)) == [low, high]
    assert list(Movie.objects.top_rated(min_votes=100)) == [high]


def test_by_genre_and_released_between():
    drama = GenreFactory(tmdb_id=18)
    old = MovieFactory(genres=[drama], release_date=date(1990, 1, 1))
    new = MovieFactory(genres=[drama], release_date=date(2020, 1, 1))
    MovieFactory(release_date=date(2020, 1, 1))
    assert set(Movie.objects.by_genre(drama)) == {old, new}
    assert set(Movie.objects.by_genre(18)) == {old, new}
    assert list(Movie.objects.by_genre(drama).released_between(date(2000, 1, 1), None)) == [new]
    assert list(Movie.objects.by_genre(drama).released_between(None, date(2000, 1, 1))) == [old]


def test_with_user_flags_for_a_user(make_user, django_assert_num_queries):
    # given
    user, other = make_user("a@example.com"), make_user("b@example.com")
    liked, watched, removed, plain = MovieFactory.create_batch(4)
    Favorite.objects.create(user=user, movie=liked)
    WatchlistItem.objects.create(user=user, movie=watched)
    Favorite.objects.create(user=user, movie=removed, is_active=False)
    Favorite.objects.create(user=other, movie=plain)
    # when
    with django_assert_num_queries(1):
        flags = {m.pk: (m.is_favorite, m.in_watchlist) for m in Movie.objects.with_user_flags(user)}
    # then
    assert flags == {
        liked.pk: (True, False),
        watched.pk: (False, True),
        removed.pk: (False, False),
        plain.pk: (False, False),
    }


def test_with_user_flags_for_anonymous_is_false():
    from django.contrib.auth.models import AnonymousUser

    MovieFactory()
    movie = Movie.objects.with_user_flags(AnonymousUser()).get()
    assert (movie.is_favorite, movie.in_watchlist) == (False, False)
    assert Movie.objects.with_user_flags(None).get().is_favorite is False


def test_search_ranks_title_matches_first():
    # given
    MovieFactory(title="The Matrix Reloaded", popularity=90)
    exact = MovieFactory(title="The Matrix", popularity=10)
    MovieFactory(title="Casablanca", original_title="Casablanca")
    original = MovieFactory(title="Spirited Away", original_title="Sen to Chihiro no Kamikakushi")
    # when
    results = list(Movie.objects.search("the matrix"))
    # then
    assert results[0] == exact
    assert len(results) == 2
    assert list(Movie.objects.search("chihiro")) == [original]
    assert list(Movie.objects.search("   ")) == []


def test_search_tolerates_hostile_input():
    MovieFactory(title="100% Wolf")
    assert [m.title for m in Movie.objects.search("100%")] == ["100% Wolf"]
    assert list(Movie.objects.search("'); drop table movies_movie; --")) == []
    assert list(Movie.objects.search("x" * 200)) == []


def test_search_is_fuzzy_on_postgres(using_real_services):
    from django.db import connection

    MovieFactory(title="Terminator")
    results = [m.title for m in Movie.objects.search("terminatr")]
    assert results == (["Terminator"] if connection.vendor == "postgresql" else [])
