"""The entry querysets on their own: scoping, visibility, search, filters and orderings."""

import pytest

from apps.favorites.managers import ENTRY_ORDERINGS, FAVORITE_ORDERINGS
from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import GenreFactory, MovieFactory

from .factories import FavoriteFactory, UserFactory, WatchlistItemFactory

pytestmark = pytest.mark.django_db


def test_of_is_the_users_current_entries(user, other_user):
    mine = FavoriteFactory(user=user)
    FavoriteFactory(user=user, is_active=False)
    FavoriteFactory(user=other_user)
    assert list(Favorite.objects.of(user)) == [mine]


def test_visible_hides_adult_titles_unless_the_owner_opted_in(user, prefer):
    # given
    adult = FavoriteFactory(user=user, movie=MovieFactory(adult=True))
    plain = FavoriteFactory(user=user)
    opted_in = UserFactory()
    prefer(opted_in, include_adult=True)
    theirs = FavoriteFactory(user=opted_in, movie=adult.movie)
    # when
    visible = set(Favorite.objects.visible())
    # then
    assert visible == {plain, theirs}
    prefer(user, include_adult=False)  # a profile saying no is the same as no profile
    assert adult not in set(Favorite.objects.visible())


def test_in_genres_matches_any_without_duplicates(user):
    # given
    a, b = GenreFactory(), GenreFactory()
    both = WatchlistItemFactory(user=user, movie=MovieFactory(genres=[a, b]))
    only_b = WatchlistItemFactory(user=user, movie=MovieFactory(genres=[b]))
    WatchlistItemFactory(user=user, movie=MovieFactory(genres=[]))
    # when
    found = list(WatchlistItem.objects.in_genres([a.tmdb_id, b.tmdb_id]))
    # then
    assert sorted(entry.pk for entry in found) == sorted([both.pk, only_b.pk])


def test_released_between_is_inclusive_of_whole_years(user):
    first_day = FavoriteFactory(user=user, movie=MovieFactory(release_date="1990-01-01"))
    last_day = FavoriteFactory(user=user, movie=MovieFactory(release_date="1999-12-31"))
    FavoriteFactory(user=user, movie=MovieFactory(release_date="2000-01-01"))
    FavoriteFactory(user=user, movie=MovieFactory(release_date=None))
    found = set(Favorite.objects.released_between(year_from=1990, year_to=1999))
    assert found == {first_day, last_day}


def test_search_is_case_insensitive_and_literal(user):
    percent = FavoriteFactory(user=user, notes="100% worth it")
    FavoriteFactory(user=user, notes="1000 times")
    assert list(Favorite.objects.search("0%")) == [percent]
    assert list(Favorite.objects.search("WORTH")) == [percent]


def test_rated_between(user):
    three = FavoriteFactory(user=user, user_rating=3)
    seven = FavoriteFactory(user=user, user_rating=7)
    FavoriteFactory(user=user, user_rating=None)
    assert list(Favorite.objects.rated_between(min_rating=5)) == [seven]
    assert set(Favorite.objects.rated_between(max_rating=7)) == {three, seven}


@pytest.mark.parametrize("ordering", sorted(FAVORITE_ORDERINGS))
def test_every_ordering_runs_and_is_total(user, ordering):
    for _ in range(3):
        FavoriteFactory(user=user)
    queryset = Favorite.objects.ordered(ordering)
    assert len(list(queryset)) == 3
    assert queryset.query.order_by[-1].expression.name == "id"  # a unique tie-breaker: stable pages


def test_watchlist_orderings_have_no_rating():
    assert "rating" not in ENTRY_ORDERINGS
    with pytest.raises(KeyError):
        WatchlistItem.objects.ordered("rating")


def test_movie_ids(user):
    favorite = FavoriteFactory(user=user)
    assert list(Favorite.objects.of(user).movie_ids()) == [favorite.movie_id]
