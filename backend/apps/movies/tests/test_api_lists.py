"""The movie and genre list endpoints: sources, params, adult and language handling, field selection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.favorites.models import Favorite, WatchlistItem
from apps.movies.tests.factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.django_db

TMDB_LISTS = [
    "/api/v1/movies/popular/",
    "/api/v1/movies/top-rated/",
    "/api/v1/movies/now-playing/",
    "/api/v1/movies/upcoming/",
    "/api/v1/movies/trending/",
    "/api/v1/movies/trending/?window=week",
    "/api/v1/movies/search/?q=alien",
    "/api/v1/movies/discover/?with_genres=878",
]


@pytest.mark.parametrize("url", TMDB_LISTS)
def test_tmdb_lists_follow_tmdb_with_credentials(api_client, seeded_tmdb, url):
    # when
    response = api_client.get(url)
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["meta"]["source"] == "tmdb"
    assert body["data"], body
    assert body["meta"]["pagination"]["page"] == 1
    assert body["meta"]["pagination"]["total_results"] >= len(body["data"])
    item = body["data"][0]
    assert item["poster_url"].startswith("https://image.tmdb.org/t/p/w342/poster")
    assert {"id", "title", "genres", "vote_average", "release_date"} <= set(item)
    assert "credits" not in item  # lists are compact


@pytest.mark.parametrize("url", TMDB_LISTS)
def test_tmdb_lists_without_credentials_come_from_the_local_catalog(api_client, url):
    # given
    today = timezone.localdate()
    sci_fi = GenreFactory(tmdb_id=878)
    MovieFactory(title="Alien", popularity=50, genres=[sci_fi], release_date=today - timedelta(days=3))
    MovieFactory(
        title="Aliens Later", popularity=40, genres=[sci_fi], release_date=today + timedelta(days=30)
    )
    # when
    response = api_client.get(url)
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["meta"]["source"] == "local"
    assert len(body["data"]) >= 1


def test_local_lists_use_their_windows_and_orders(api_client, settings):
    # given
    settings.CATALOG_TOP_RATED_MIN_VOTES = 100
    today = timezone.localdate()
    old_classic = MovieFactory(vote_average=9.5, vote_count=5000, release_date=today - timedelta(days=9000))
    obscure = MovieFactory(vote_average=10, vote_count=3, release_date=today - timedelta(days=9000))
    in_cinemas = MovieFactory(vote_average=6, release_date=today - timedelta(days=10))
    soon, later = (MovieFactory(release_date=today + timedelta(days=d)) for d in (5, 50))

    def ids(url):
        return [item["id"] for item in api_client.get(url).json()["data"]]

    # then
    assert ids("/api/v1/movies/top-rated/")[0] == old_classic.tmdb_id
    assert obscure.tmdb_id not in ids("/api/v1/movies/top-rated/")
    assert ids("/api/v1/movies/now-playing/") == [in_cinemas.tmdb_id]
    assert ids("/api/v1/movies/upcoming/") == [soon.tmdb_id, later.tmdb_id]


def test_local_search_ranks_and_paginates(api_client):
    MovieFactory(title="Alien", popularity=1)
    MovieFactory(title="Aliens", popularity=50)
    MovieFactory(title="Heat")
    body = api_client.get("/api/v1/movies/search/?q=alien").json()
    assert [item["title"] for item in body["data"]] == ["Alien", "Aliens"]
    assert body["meta"]["pagination"]["total_results"] == 2


def test_catalog_filters_and_ordering(api_client):
    # given
    drama, crime = GenreFactory(tmdb_id=18), GenreFactory(tmdb_id=80)
    from datetime import date

    a = MovieFactory(
        genres=[drama, crime], release_date=date(1994, 1, 1), vote_average=8.9, original_language="en"
    )
    b = MovieFactory(genres=[drama], release_date=date(2001, 1, 1), vote_average=8.0, original_language="fr")
    MovieFactory(genres=[crime], release_date=date(2010, 1, 1), vote_average=5.0)

    def ids(query):
        response = api_client.get(f"/api/v1/movies/?{query}")
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["data"]]

    # then
    assert ids("genre=18&ordering=release_date") == [a.tmdb_id, b.tmdb_id]
    assert ids("genre=18,80") == [a.tmdb_id]
    assert ids("year_from=1990&year_to=2005&ordering=-vote_average") == [a.tmdb_id, b.tmdb_id]
    assert ids("min_rating=8.5") == [a.tmdb_id]
    assert ids("original_language=fr") == [b.tmdb_id]
    by_title = sorted([a, b], key=lambda movie: movie.title)
    assert ids("q=movie&genre=18&ordering=title") == [movie.tmdb_id for movie in by_title]


def test_adult_titles_follow_the_profile(api_client, user_client):
    MovieFactory(title="Adult", adult=True, popularity=9)
    MovieFactory(title="Family", popularity=1)
    anonymous = api_client.get("/api/v1/movies/popular/").json()["data"]
    opted_in = user_client(include_adult=True).get("/api/v1/movies/popular/").json()["data"]
    opted_out = user_client(email="no@example.com").get("/api/v1/movies/popular/").json()["data"]
    assert [m["title"] for m in anonymous] == [m["title"] for m in opted_out] == ["Family"]
    assert [m["title"] for m in opted_in] == ["Adult", "Family"]


def test_language_param_then_profile_then_default(seeded_tmdb, user_client, api_client, settings):
    # given
    settings.TMDB_DEFAULT_LANGUAGE = "en-US"
    french = user_client(language="fr-FR")
    # when
    french.get("/api/v1/movies/popular/")
    profile_language = seeded_tmdb.last("movie/popular").query["language"]
    french.get("/api/v1/movies/popular/?language=de-DE")
    param_language = seeded_tmdb.last("movie/popular").query["language"]
    body = api_client.get("/api/v1/movies/top-rated/").json()
    default_language = seeded_tmdb.last("movie/top_rated").query["language"]
    # then
    assert (profile_language, param_language, default_language) == ("fr-FR", "de-DE", "en-US")
    assert body["meta"]["language"] == "en-US"


def test_flags_for_a_signed_in_user(user_client):
    client = user_client()
    liked, watched = MovieFactory(popularity=2), MovieFactory(popularity=1)
    Favorite.objects.create(user=client.user, movie=liked)
    WatchlistItem.objects.create(user=client.user, movie=watched)
    data = client.get("/api/v1/movies/").json()["data"]
    assert [(m["is_favorite"], m["in_watchlist"]) for m in data] == [(True, False), (False, True)]


def test_fields_selection(api_client):
    MovieFactory(tmdb_id=550, title="Fight Club")
    item = api_client.get("/api/v1/movies/?fields=title,poster_url").json()["data"][0]
    assert set(item) == {"id", "title", "poster_url"}
    detail = api_client.get("/api/v1/movies/550/?fields=title,credits").json()["data"]
    assert set(detail) == {"id", "title", "credits"}


def test_genres_list_and_genre_movies(api_client):
    drama = GenreFactory(tmdb_id=18, name="Drama")
    GenreFactory(tmdb_id=35, name="Comedy")
    movie = MovieFactory(genres=[drama])
    MovieFactory()
    genres = api_client.get("/api/v1/genres/").json()
    assert [g["name"] for g in genres["data"]] == ["Comedy", "Drama"]
    body = api_client.get("/api/v1/genres/18/movies/").json()
    assert [m["id"] for m in body["data"]] == [movie.tmdb_id]
    assert body["meta"]["source"] == "local"
    assert api_client.get("/api/v1/genres/999/movies/").status_code == 404


def test_genres_are_synced_from_tmdb_once(api_client, tmdb_double):
    first = api_client.get("/api/v1/genres/?page_size=100").json()
    api_client.get("/api/v1/genres/")
    assert first["meta"]["pagination"]["total_results"] == 19
    assert tmdb_double.count("genre/movie/list") == 1


def test_genre_movies_from_tmdb_discover(api_client, seeded_tmdb):
    GenreFactory(tmdb_id=878, name="Science Fiction")
    body = api_client.get("/api/v1/genres/878/movies/?ordering=-vote_average").json()
    assert body["meta"]["source"] == "tmdb"
    assert seeded_tmdb.last("discover/movie").query["sort_by"] == "vote_average.desc"
    assert len(body["data"]) == 5


BAD_PARAMS = [
    ("/api/v1/movies/?page=0", "page"),
    ("/api/v1/movies/?page=1000000", "page"),
    ("/api/v1/movies/popular/?page=0", "page"),
    ("/api/v1/movies/popular/?page=1000000", "page"),
    ("/api/v1/movies/?page_size=1000", "page_size"),
    ("/api/v1/movies/?ordering=secret_field", "ordering"),
    ("/api/v1/genres/18/movies/?ordering=password", "ordering"),
    ("/api/v1/movies/?q=" + "x" * 10240, "q"),
    ("/api/v1/movies/search/?q=" + "x" * 10240, "q"),
    ("/api/v1/movies/search/", "q"),
    ("/api/v1/movies/?genre=abc", "genre"),
    ("/api/v1/movies/?genre=99999999999999999999", "genre"),
    ("/api/v1/movies/discover/?with_genres=1;drop", "with_genres"),
    ("/api/v1/movies/?genre=" + ",".join(map(str, range(1, 12))), "genre"),
    ("/api/v1/movies/?genre=" + ",".join(map(str, range(1, 81))), "genre"),
    ("/api/v1/movies/discover/?with_genres=" + ",".join(map(str, range(1, 12))), "with_genres"),
    ("/api/v1/movies/?year_from=2000&year_to=1990", "year_to"),
    ("/api/v1/movies/?min_rating=11", "min_rating"),
    ("/api/v1/movies/trending/?window=year", "window"),
    ("/api/v1/movies/popular/?language=english", "language"),
    ("/api/v1/movies/popular/?region=usa", "region"),
    ("/api/v1/movies/?fields=title,password", "fields"),
    ("/api/v1/movies/discover/?sort_by=evil", "sort_by"),
    ("/api/v1/movies/550/?language=xx_YY", "language"),
]


@pytest.mark.parametrize(("url", "field"), BAD_PARAMS)
def test_bad_params_are_400_with_field_errors(api_client, url, field):
    GenreFactory(tmdb_id=18)
    MovieFactory(tmdb_id=550)
    response = api_client.get(url)
    body = response.json()
    assert response.status_code == 400, body
    assert body["errors"]["code"] == "validation_error"
    assert field in body["errors"]["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/movies/abc/",
        "/api/v1/movies/99999999999999999999999999/",
        "/api/v1/movies/4294967296/recommendations/",
        "/api/v1/genres/99999999999999999999/movies/",
    ],
)
def test_bad_ids_are_not_a_500(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_discover_params_reach_tmdb_under_its_names(api_client, seeded_tmdb):
    api_client.get(
        "/api/v1/movies/discover/?with_genres=878,18&release_date_gte=1979-01-01"
        "&vote_average_gte=7&sort_by=vote_average.desc"
    )
    query = seeded_tmdb.last("discover/movie").query
    assert query["with_genres"] == "878,18"
    assert query["primary_release_date.gte"] == "1979-01-01"
    assert query["vote_average.gte"] == "7.0"
    assert query["sort_by"] == "vote_average.desc"
    assert query["include_adult"] == "false"


def test_local_discover_applies_the_same_filters(api_client):
    from datetime import date

    keep = MovieFactory(vote_average=8, release_date=date(2001, 1, 1), original_language="ja")
    MovieFactory(vote_average=8, release_date=date(1970, 1, 1), original_language="ja")
    MovieFactory(vote_average=3, release_date=date(2001, 1, 1), original_language="ja")
    body = api_client.get(
        "/api/v1/movies/discover/?release_date_gte=2000-01-01&vote_average_gte=7&with_original_language=ja"
    ).json()
    assert [m["id"] for m in body["data"]] == [keep.tmdb_id]


def test_a_cold_list_learns_the_genres_and_keeps_tmdb_order(api_client, tmdb_double):
    # given an empty genre table and a movie whose TMDb genres are Thriller, then Drama
    tmdb_double.add_movie(4400, title="Ordered", genre_ids=[53, 18])
    # when the first list read stores it
    response = api_client.get("/api/v1/movies/popular/")
    # then its genres are there, primary first, fetched from TMDb's genre list once
    item = response.json()["data"][0]
    assert [genre["name"] for genre in item["genres"]] == ["Thriller", "Drama"]
    assert tmdb_double.count("genre/movie/list") == 1


def test_a_list_whose_genres_could_not_be_learned_is_cached_for_seconds(api_client, tmdb_double, settings):
    # given TMDb's genre list failing while the popular list works
    tmdb_double.fail("genre/movie/list", status=503, times=None)
    tmdb_double.add_movie(4401, title="No genres yet", genre_ids=[53])
    # when
    response = api_client.get("/api/v1/movies/popular/")
    # then the answer says so and is not kept for the page TTL
    assert response.json()["meta"]["incomplete"] == ["genres"]
    assert f"max-age={settings.CACHE_TTL_DEGRADED}," in response["Cache-Control"]


def test_the_first_read_that_stores_a_movie_is_cached_under_the_key_the_next_read_uses(
    api_client, tmdb_double
):
    # given a movie TMDb has and the catalog does not
    tmdb_double.add_movie(4402, title="Fresh")
    # when it is read three times
    states = [api_client.get("/api/v1/movies/4402/")["X-Cache"] for _ in range(3)]
    # then the read that stored it left its bytes where the second read looks
    assert states[0].startswith("MISS")
    assert states[1].startswith("HIT") and states[2].startswith("HIT")
