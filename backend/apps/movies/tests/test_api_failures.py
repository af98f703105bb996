"""Failure behaviour: TMDb down, slow or rate limiting; TMDb's not found; staff-only sync."""

import time

import pytest

from apps.movies.models import Movie, MovieRecommendation
from apps.movies.tests.factories import MovieFactory
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db

FAULTS = {
    "down": {"status": 503},
    "error_body": {"status": 500, "tmdb_code": 43},
    "rate_limited": {"status": 429, "retry_after": 9, "tmdb_code": 25},
    "rate_limited_without_retry_after": {"status": 429, "tmdb_code": 25},
    "slow": {"status": 200, "delay": 1.0},
    "dropped": {"drop": True},
    "malformed": {"raw": b'{"page": 1, "resu', "status": 200},
}


@pytest.fixture(params=list(FAULTS))
def sick_tmdb(request, tmdb_double, settings):
    settings.TMDB_READ_TIMEOUT = 0.2
    settings.TMDB_TIME_BUDGET = 0.6
    tmdb_double.fail(None, times=None, **FAULTS[request.param])
    return tmdb_double


def test_stored_movie_is_still_served(api_client, sick_tmdb):
    # given a movie already stored in full
    MovieFactory(tmdb_id=550, title="Fight Club", sync_status=SyncStatus.COMPLETE)
    # when
    response = api_client.get("/api/v1/movies/550/")
    # then
    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Fight Club"
    assert sick_tmdb.count() == 0


def test_partially_stored_movie_is_served_when_completion_fails(api_client, sick_tmdb):
    MovieFactory(tmdb_id=550, title="Fight Club", sync_status=SyncStatus.PARTIAL)
    started = time.monotonic()
    response = api_client.get("/api/v1/movies/550/")
    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Fight Club"
    assert time.monotonic() - started < 1.5


def test_unknown_movie_is_503_with_retry_after_within_the_budget(api_client, sick_tmdb):
    # when
    started = time.monotonic()
    response = api_client.get("/api/v1/movies/4242/")
    elapsed = time.monotonic() - started
    # then
    body = response.json()
    assert response.status_code == 503
    assert body["errors"]["code"] == "upstream_unavailable"
    assert int(response["Retry-After"]) == body["errors"]["retry_after"] >= 1
    assert elapsed < 1.5  # the client's time budget (0.6 s) plus overhead, never a hang


def test_rate_limit_retry_after_reaches_the_client(api_client, tmdb_double, settings):
    settings.TMDB_TIME_BUDGET = 0.5
    tmdb_double.fail(None, status=429, retry_after=42, tmdb_code=25, times=None)
    response = api_client.get("/api/v1/movies/4242/")
    assert response.status_code == 503
    assert response["Retry-After"] == "42"


def test_lists_fall_back_to_stored_movies(api_client, sick_tmdb):
    MovieFactory(title="Stored")
    response = api_client.get("/api/v1/movies/popular/")
    body = response.json()
    assert response.status_code == 200
    assert body["meta"]["source"] == "local"
    assert body["meta"]["upstream"] == "unavailable"
    assert [m["title"] for m in body["data"]] == ["Stored"]


def test_tmdb_not_found_is_404(api_client, tmdb_double):
    response = api_client.get("/api/v1/movies/4242/")
    assert response.status_code == 404
    assert response.json()["errors"]["code"] == "not_found"


def test_unknown_movie_is_fetched_with_full_details(api_client, seeded_tmdb):
    # when
    body = api_client.get("/api/v1/movies/101/").json()
    # then
    data = body["data"]
    assert data["title"] == "Alien"
    assert data["credits"]["cast"][0]["name"] == "Lead Actor"
    assert data["credits"]["cast"][0]["profile_url"].endswith("/w185/a.jpg")
    assert data["videos"][0]["key"] == "trailer101"
    assert data["keywords"] == [{"id": 825, "name": "support group"}]
    assert data["external_ids"]["imdb_id"] == "tt0000101"
    assert {g["id"] for g in data["genres"]} == {18, 878}
    assert data["backdrop_url"].endswith("/w1280/backdrop101.jpg")
    assert set(data["poster_urls"]) >= {"w92", "w500", "original"}
    assert data["is_favorite"] is False
    # and the second read is local
    api_client.get("/api/v1/movies/101/")
    assert seeded_tmdb.count("movie/101") == 1


def test_recommendations_and_similar_endpoints(api_client, seeded_tmdb):
    recommendations = api_client.get("/api/v1/movies/101/recommendations/").json()
    similar = api_client.get("/api/v1/movies/101/similar/").json()
    assert [m["id"] for m in recommendations["data"]] == [102, 103]
    assert [m["id"] for m in similar["data"]] == [103]
    assert recommendations["meta"]["pagination"]["total_results"] == 2
    assert seeded_tmdb.count("movie/") == 1  # the details sync brought both lists


def test_stored_relations_are_served_without_credentials(api_client):
    # given relations as the demo catalog stores them
    source, best, second = MovieFactory(), MovieFactory(), MovieFactory()
    for movie, score in ((second, 0.5), (best, 1.0)):
        MovieRecommendation.objects.create(
            source_movie=source, recommended_movie=movie, recommendation_type="recommendation", score=score
        )
    # when
    body = api_client.get(f"/api/v1/movies/{source.tmdb_id}/recommendations/").json()
    # then
    assert [m["id"] for m in body["data"]] == [best.tmdb_id, second.tmdb_id]
    assert body["meta"]["source"] == "local"


def test_sync_is_staff_only(api_client, user_client, make_user, seeded_tmdb):
    assert api_client.post("/api/v1/movies/101/sync/").status_code == 401
    assert user_client().post("/api/v1/movies/101/sync/").status_code == 403
    staff = user_client(make_user("staff@example.com", staff=True))
    response = staff.post("/api/v1/movies/101/sync/")
    assert response.status_code == 200
    assert response.json()["data"]["sync_status"] == "complete"


def test_staff_sync_refreshes_from_tmdb(user_client, make_user, seeded_tmdb):
    staff = user_client(make_user("staff@example.com", staff=True))
    staff.post("/api/v1/movies/101/sync/")
    seeded_tmdb.add_movie(101, title="Alien (Remastered)")
    staff.post("/api/v1/movies/101/sync/")
    assert Movie.objects.get(tmdb_id=101).title == "Alien (Remastered)"


def test_staff_sync_of_a_gone_movie_soft_deletes_it(user_client, make_user, tmdb_double):
    MovieFactory(tmdb_id=666)
    staff = user_client(make_user("staff@example.com", staff=True))
    response = staff.post("/api/v1/movies/666/sync/")
    assert response.status_code == 404
    assert Movie.objects.get(tmdb_id=666).is_active is False


def test_staff_sync_without_credentials_is_503(user_client, make_user):
    staff = user_client(make_user("staff@example.com", staff=True))
    response = staff.post("/api/v1/movies/101/sync/")
    assert response.status_code == 503
    assert "Retry-After" in response


def test_detail_in_another_language_overlays_tmdb_text(api_client, seeded_tmdb):
    # given a stored movie
    api_client.get("/api/v1/movies/101/")
    seeded_tmdb.add_movie(101, title="Alien, le 8e passager", overview="Un vaisseau…")
    # when
    body = api_client.get("/api/v1/movies/101/?language=fr-FR").json()
    # then
    assert body["data"]["title"] == "Alien, le 8e passager"
    assert body["meta"]["language"] == "fr-FR"
    assert Movie.objects.get(tmdb_id=101).title == "Alien"
    assert seeded_tmdb.last("movie/101").query["language"] == "fr-FR"


def test_related_lists_of_known_unknown_and_gone_movies(api_client):
    lonely = MovieFactory()
    gone = MovieFactory(is_active=False)
    assert api_client.get(f"/api/v1/movies/{lonely.tmdb_id}/similar/").json()["data"] == []
    assert api_client.get(f"/api/v1/movies/{gone.tmdb_id}/similar/").status_code == 404
    assert api_client.get("/api/v1/movies/4242/similar/").status_code == 404  # unknown, no credentials


def test_relations_of_a_gone_source_are_hidden(api_client):
    source, target = MovieFactory(is_active=False), MovieFactory()
    MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=target, recommendation_type="similar", score=1
    )
    assert api_client.get(f"/api/v1/movies/{source.tmdb_id}/similar/").status_code == 404


def test_a_fallback_is_cached_for_seconds_and_ends_with_the_outage(
    api_client, tmdb_double, settings, monkeypatch
):
    # given TMDb down: popular falls back to the one stored movie
    MovieFactory(title="Stored")
    tmdb_double.fail(None, status=503, times=None)
    degraded = api_client.get("/api/v1/movies/popular/")
    assert degraded.json()["meta"]["upstream"] == "unavailable"
    assert f"max-age={settings.CACHE_TTL_DEGRADED}," in degraded["Cache-Control"]
    # when TMDb recovers and a little more than CACHE_TTL_DEGRADED seconds pass
    tmdb_double.clear_faults()
    tmdb_double.add_movie(77, title="Now on TMDb")
    from core import cache
    from core.cache import layers

    later = time.time() + settings.CACHE_TTL_DEGRADED + 1
    monkeypatch.setattr(layers, "now", lambda: later)
    cache.reset_local()
    recovered = api_client.get("/api/v1/movies/popular/")
    # then TMDb's page is served, not the fallback
    assert "upstream" not in recovered.json()["meta"]
    assert [m["title"] for m in recovered.json()["data"]] == ["Now on TMDb"]


def test_a_fallback_with_nothing_to_show_is_503_not_an_empty_page(api_client, tmdb_double):
    # given TMDb down and the local catalog has no second page
    MovieFactory(title="Stored")
    tmdb_double.fail(None, status=503, times=None)
    # when
    response = api_client.get("/api/v1/movies/upcoming/?page=2")
    # then
    assert response.status_code == 503
    assert response.json()["errors"]["code"] == "upstream_unavailable"
