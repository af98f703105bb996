""" "For you" with a watched history: watched movies excluded, ratings pull and push, reasons given."""

import datetime

import pytest

from apps.favorites.recommendations import RecommendationService, Strategy, viewing_weight
from apps.favorites.tests.factories import FavoriteFactory
from apps.favorites.tests.test_recommendations import ranked_titles, relate
from apps.movies.tests.factories import MovieFactory

from .factories import ViewingFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/recommendations/for-you/"
RECENTLY = datetime.date.today() - datetime.timedelta(days=3)


def test_viewing_weights_are_signed():
    assert viewing_weight(10) == 1.0
    assert viewing_weight(1) == -1.0
    assert viewing_weight(9) > viewing_weight(6) > 0 > viewing_weight(5) > viewing_weight(2)


def test_a_high_rating_pulls_and_says_why(client, user):
    # given
    alien = MovieFactory(title="Alien")
    ViewingFactory(user=user, movie=alien, rating=9, watched_on=RECENTLY)
    aliens = MovieFactory(title="Aliens")
    relate(alien, aliens)
    # when
    body = client.get(URL).json()
    # then
    assert body["meta"]["strategy"] == Strategy.FAVORITES
    assert [(item["id"], item["reason"]) for item in body["data"]] == [
        (aliens.tmdb_id, "because you rated Alien 9/10")
    ]


def test_a_low_rating_pushes_away(user):
    # given: a liked favorite and a disliked viewing both point at "shared"
    liked = FavoriteFactory(user=user, user_rating=6)
    disliked = MovieFactory(title="Disliked")
    ViewingFactory(user=user, movie=disliked, rating=1, watched_on=RECENTLY)
    shared = MovieFactory(title="shared")
    relate(liked.movie, shared, score=1.0)
    relate(liked.movie, MovieFactory(title="favorite only"), score=0.9)
    relate(disliked, shared, score=1.0)
    relate(disliked, MovieFactory(title="disliked only"), score=1.0)
    # when
    titles = ranked_titles(user)
    # then: the disliked film's own relations are dropped, the shared one falls behind
    assert titles == ["favorite only", "shared"]


def test_only_the_latest_rating_of_a_movie_counts(user):
    # given: loved it once, then rewatched and hated it
    movie = MovieFactory(title="Changed my mind")
    ViewingFactory(user=user, movie=movie, rating=10, watched_on=datetime.date(2020, 1, 1))
    ViewingFactory(user=user, movie=movie, rating=2, watched_on=RECENTLY, rewatch=True)
    relate(movie, MovieFactory(title="related"))
    # when / then
    assert ranked_titles(user) == []


def test_watched_movies_are_excluded(client, user):
    # given
    favorite = FavoriteFactory(user=user)
    seen, unseen = MovieFactory(title="seen"), MovieFactory(title="unseen")
    relate(favorite.movie, seen, score=1.0)
    relate(favorite.movie, unseen, score=0.5)
    ViewingFactory(user=user, movie=seen)
    # when
    data = client.get(URL).json()["data"]
    # then
    assert [item["id"] for item in data] == [unseen.tmdb_id]
    assert data[0]["reason"] == f"because you rated {favorite.movie.title} 7/10"


def test_watched_movies_are_excluded_from_the_fallback(client, user):
    # given
    seen, unseen = MovieFactory(popularity=99), MovieFactory(popularity=1)
    ViewingFactory(user=user, movie=seen)
    # when
    data = client.get(URL).json()["data"]
    # then
    assert [item["id"] for item in data] == [unseen.tmdb_id]
    assert data[0]["reason"] is None


def test_logging_a_viewing_invalidates_for_you(client, user, syncing):
    # given
    favorite = FavoriteFactory(user=user, user_rating=None)
    target = MovieFactory()
    relate(favorite.movie, target)
    assert [item["id"] for item in client.get(URL).json()["data"]] == [target.tmdb_id]
    # when
    client.post("/api/v1/watched/", {"movie_id": target.tmdb_id}, format="json")
    # then
    assert client.get(URL).json()["meta"]["strategy"] != Strategy.FAVORITES


def test_unrated_favorite_reason_names_the_list(user):
    # given
    favorite = FavoriteFactory(user=user, user_rating=None, movie=MovieFactory(title="Heat"))
    relate(favorite.movie, MovieFactory())
    # when
    ranked = RecommendationService(user=user).rank_with_reasons(include_adult=False)
    # then
    assert [reason for _, reason in ranked] == ["because Heat is in your favorites"]
