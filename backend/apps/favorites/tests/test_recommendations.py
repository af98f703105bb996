"""GET recommendations/for-you/ and RecommendationService: ranking, exclusions, fallbacks, no TMDb calls."""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from apps.favorites.recommendations import RecommendationService, Strategy, rating_weight, recency_weight
from apps.movies.models import MovieRecommendation, RecommendationType
from apps.movies.tests.factories import GenreFactory, MovieFactory

from .conftest import SyncingMovies
from .factories import FavoriteFactory, WatchlistItemFactory, bulk_movies

pytestmark = pytest.mark.django_db
URL = "/api/v1/recommendations/for-you/"


def relate(source, target, *, score=1.0, kind=RecommendationType.RECOMMENDATION):
    return MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=target, recommendation_type=kind, score=score
    )


def ranked_titles(user, include_adult: bool = False) -> list[str]:
    from apps.movies.models import Movie

    ids = RecommendationService(user=user).rank_related(include_adult=include_adult)
    titles = dict(Movie.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [titles[pk] for pk in ids]


def test_weights():
    now = timezone.now()
    assert rating_weight(10) > rating_weight(None) > rating_weight(1)
    assert recency_weight(now, now) == 1.0
    assert recency_weight(now - timedelta(days=180), now) == pytest.approx(0.5)


def test_higher_rated_favorites_count_more(user):
    # given
    loved, meh = FavoriteFactory(user=user, user_rating=10), FavoriteFactory(user=user, user_rating=2)
    relate(meh.movie, MovieFactory(title="from meh"))
    relate(loved.movie, MovieFactory(title="from loved"))
    # when / then
    assert ranked_titles(user) == ["from loved", "from meh"]


def test_recent_favorites_count_more(user):
    # given
    old = FavoriteFactory(user=user, user_rating=8, added_at=timezone.now() - timedelta(days=720))
    new = FavoriteFactory(user=user, user_rating=8)
    relate(old.movie, MovieFactory(title="from old"))
    relate(new.movie, MovieFactory(title="from new"))
    # when / then
    assert ranked_titles(user) == ["from new", "from old"]


def test_movies_related_to_several_favorites_rank_first(user):
    # given
    first, second = FavoriteFactory(user=user, user_rating=10), FavoriteFactory(user=user, user_rating=5)
    shared = MovieFactory(title="shared")
    relate(first.movie, MovieFactory(title="first only"))
    relate(first.movie, shared, score=0.1)
    relate(second.movie, shared, score=0.1)
    # when / then
    assert ranked_titles(user) == ["shared", "first only"]


def test_stored_scores_and_relation_types_order_within_one_favorite(user):
    # given
    favorite = FavoriteFactory(user=user)
    relate(favorite.movie, MovieFactory(title="low score"), score=0.2)
    relate(favorite.movie, MovieFactory(title="high score"), score=0.9)
    relate(favorite.movie, MovieFactory(title="similar"), score=0.9, kind=RecommendationType.SIMILAR)
    # when / then
    assert ranked_titles(user) == ["high score", "similar", "low score"]


def test_excludes_my_favorites_watchlist_and_hidden_titles(user, other_user):
    # given
    favorite, also_favorite = FavoriteFactory(user=user), FavoriteFactory(user=user)
    queued = WatchlistItemFactory(user=user).movie
    wanted = MovieFactory(title="wanted")
    for target in (
        also_favorite.movie,
        queued,
        wanted,
        MovieFactory(adult=True),
        MovieFactory(is_active=False),
    ):
        relate(favorite.movie, target)
    FavoriteFactory(user=other_user, movie=wanted)  # someone else's favorite is still mine to discover
    # when / then
    assert ranked_titles(user) == ["wanted"]


def test_adult_titles_only_for_users_who_opted_in(user):
    favorite = FavoriteFactory(user=user)
    relate(favorite.movie, MovieFactory(title="adult", adult=True))
    assert ranked_titles(user, include_adult=False) == []
    assert ranked_titles(user, include_adult=True) == ["adult"]


def test_other_users_favorites_do_not_drive_my_recommendations(user, other_user):
    theirs = FavoriteFactory(user=other_user)
    relate(theirs.movie, MovieFactory())
    assert ranked_titles(user) == []


# The endpoint -----------------------------------------------------------------------------------
def test_for_you_from_favorites(client, user):
    # given
    favorite = FavoriteFactory(user=user)
    target = MovieFactory(title="Next")
    relate(favorite.movie, target)
    # when
    response = client.get(URL)
    # then
    body = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert body["meta"]["strategy"] == Strategy.FAVORITES
    assert [movie["id"] for movie in body["data"]] == [target.tmdb_id]
    assert body["meta"]["pagination"]["total_results"] == 1


def test_fallback_is_popular_in_preferred_genres(client, user, prefer):
    # given
    horror, comedy = GenreFactory(tmdb_id=27, name="Horror"), GenreFactory(tmdb_id=35, name="Comedy")
    prefer(user, genres=[horror])
    scary = MovieFactory(genres=[horror], popularity=50)
    scarier = MovieFactory(genres=[horror], popularity=90)
    MovieFactory(genres=[comedy], popularity=99)
    MovieFactory(genres=[horror], popularity=95, adult=True)
    WatchlistItemFactory(user=user, movie=MovieFactory(genres=[horror], popularity=80))
    # when
    body = client.get(URL).json()
    # then
    assert body["meta"]["strategy"] == Strategy.PREFERRED_GENRES
    assert [movie["id"] for movie in body["data"]] == [scarier.tmdb_id, scary.tmdb_id]


def test_fallback_uses_the_genres_of_my_favorites_without_preferences(client, user):
    # given: favorites, but no related movies stored yet
    western = GenreFactory(tmdb_id=37, name="Western")
    FavoriteFactory(user=user, movie=MovieFactory(genres=[western]))
    other_western = MovieFactory(genres=[western])
    MovieFactory(genres=[GenreFactory()], popularity=99)
    # when
    body = client.get(URL).json()
    # then
    assert body["meta"]["strategy"] == Strategy.FAVORITE_GENRES
    assert [movie["id"] for movie in body["data"]] == [other_western.tmdb_id]


def test_fallback_for_a_brand_new_user_is_popular_overall(client):
    # given
    less, more = MovieFactory(popularity=10), MovieFactory(popularity=20)
    # when
    body = client.get(URL).json()
    # then
    assert body["meta"]["strategy"] == Strategy.POPULAR
    assert [movie["id"] for movie in body["data"]] == [more.tmdb_id, less.tmdb_id]


def test_no_upstream_call_on_the_request_path(client, user):
    # given
    favorite = FavoriteFactory(user=user)
    relate(favorite.movie, MovieFactory())
    # when: any HTTP call through requests would fail (and be recorded) here
    with responses.RequestsMock(assert_all_requests_are_fired=False) as upstream:
        first = client.get(URL)
        second = client.get(URL)
    # then
    assert first.status_code == second.status_code == 200
    assert len(upstream.calls) == 0


@pytest.mark.parametrize("page_size", [1, 20, 100])
def test_for_you_runs_constant_queries(client, user, django_assert_max_num_queries, page_size):
    # given
    genres = GenreFactory.create_batch(2)
    favorites = [FavoriteFactory(user=user, movie=MovieFactory(genres=genres)) for _ in range(3)]
    MovieRecommendation.objects.bulk_create(
        MovieRecommendation(
            source_movie=favorites[index % 3].movie,
            recommended_movie=target,
            recommendation_type=RecommendationType.RECOMMENDATION,
            score=index / 120,
        )
        for index, target in enumerate(bulk_movies(120, genres=genres))
    )
    # when
    with django_assert_max_num_queries(5):
        body = client.get(f"{URL}?page_size={page_size}").json()
    # then
    assert len(body["data"]) == page_size
    assert len(body["data"][0]["genres"]) == 2


def test_second_page_continues_the_ranking(client, user):
    favorite = FavoriteFactory(user=user)
    for score in range(5):
        relate(favorite.movie, MovieFactory(title=f"s{score}"), score=score / 10)
    first = client.get(f"{URL}?page_size=2").json()["data"]
    second = client.get(f"{URL}?page=2&page_size=2").json()["data"]
    assert [movie["title"] for movie in first + second] == ["s4", "s3", "s2", "s1"]


def test_for_you_follows_my_changes(client, user, use_movies):
    """Cached rankings are invalidated by every change to favorites or watchlist."""
    # given
    use_movies(SyncingMovies())
    favorite = FavoriteFactory(user=user)
    target = MovieFactory()
    relate(favorite.movie, target)
    assert [movie["id"] for movie in client.get(URL).json()["data"]] == [target.tmdb_id]
    # when: the recommended movie goes on my watchlist
    client.post("/api/v1/watchlist/", {"movie_id": target.tmdb_id})
    # then
    assert client.get(URL).json()["meta"]["strategy"] != Strategy.FAVORITES
    # when: a new favorite with relations of its own
    newer = MovieFactory()
    relate(newer, fresh := MovieFactory())
    client.post("/api/v1/favorites/", {"movie_id": newer.tmdb_id})
    # then
    assert [movie["id"] for movie in client.get(URL).json()["data"]] == [fresh.tmdb_id]


def test_for_you_is_cached_between_changes(client, user, django_assert_max_num_queries):
    favorite = FavoriteFactory(user=user)
    relate(favorite.movie, MovieFactory())
    client.get(URL)
    with django_assert_max_num_queries(3):  # profile, one page of movies, their genres
        client.get(URL)


def test_for_you_is_personal(client, other_client, user, other_user):
    # given: only I have a favorite with related movies
    favorite = FavoriteFactory(user=user)
    related = MovieFactory(popularity=1)
    relate(favorite.movie, related)
    # when
    mine, theirs = client.get(URL).json(), other_client.get(URL).json()
    # then
    assert mine["meta"]["strategy"] == Strategy.FAVORITES
    assert theirs["meta"]["strategy"] == Strategy.POPULAR
    assert [movie["id"] for movie in mine["data"]] == [related.tmdb_id]
    assert favorite.movie.tmdb_id in [movie["id"] for movie in theirs["data"]]  # my favorite is not theirs


def test_anonymous_for_you_is_401(api_client):
    assert api_client.get(URL).status_code == 401
