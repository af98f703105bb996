"""GET movies/discover/: TMDb's own parameter spellings beside this API's, OR/AND genres, new sorts,
unknown parameters refused, and the local fallback honouring all of it."""

from datetime import date

import pytest

from apps.movies.params import MAX_LIST_IDS

from .factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/movies/discover/"


def _field_errors(response) -> dict:
    body = response.json()
    assert response.status_code == 400, body
    assert body["success"] is False and body["errors"]["code"] == "validation_error"
    return body["errors"]["fields"]


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [movie["id"] for movie in response.json()["data"]]


@pytest.fixture
def tmdb_discover(seeded_tmdb, monkeypatch):
    """The double, answering discover with an empty page whatever the filters (it reads only the first
    comma-separated genre itself, and no `|`), so a test sees exactly the query TMDb was sent."""
    original = seeded_tmdb.respond

    def respond(path, query):
        if path == "discover/movie":
            return 200, {"page": 1, "results": [], "total_pages": 1, "total_results": 0}
        return original(path, query)

    monkeypatch.setattr(seeded_tmdb, "respond", respond)
    return seeded_tmdb


# --- what reaches TMDb -------------------------------------------------------------------------
# Every TMDb discover parameter this API honours, as TMDb spells its values.
TMDB_QUERY = {
    "vote_average.gte": "6.5",
    "vote_average.lte": "9.0",
    "vote_count.gte": "100",
    "vote_count.lte": "5000",
    "primary_release_date.gte": "2000-01-01",
    "primary_release_date.lte": "2009-12-31",
    "release_date.gte": "2001-01-01",
    "release_date.lte": "2008-12-31",
    "with_genres": "28|12",
    "without_genres": "27,53",
    "sort_by": "revenue.desc",
    "with_original_language": "en",
    "primary_release_year": "2005",
    "year": "2005",
    "with_runtime.gte": "90",
    "with_runtime.lte": "150",
    "include_adult": "false",
}


def test_tmdb_spellings_reach_tmdb_unchanged(api_client, tmdb_discover):
    # when
    response = api_client.get(URL, TMDB_QUERY)

    # then
    assert response.status_code == 200, response.json()
    query = tmdb_discover.last("discover/movie").query
    assert query == {**query, **TMDB_QUERY}


@pytest.mark.parametrize(
    ("ours", "tmdbs", "value", "sent"),
    [
        ("release_date_gte", "primary_release_date.gte", "1979-01-01", "1979-01-01"),
        ("release_date_lte", "primary_release_date.lte", "1999-12-31", "1999-12-31"),
        ("vote_average_gte", "vote_average.gte", "7", "7.0"),
        ("vote_count_gte", "vote_count.gte", "250", "250"),
    ],
)
def test_our_first_spellings_mean_the_same_as_tmdbs(api_client, tmdb_discover, ours, tmdbs, value, sent):
    # when
    api_client.get(URL, {ours: value})
    first = tmdb_discover.last("discover/movie").query
    api_client.get(URL, {tmdbs: value, "page": 2})  # another page: not the cached answer
    second = tmdb_discover.last("discover/movie").query

    # then
    assert first[tmdbs] == second[tmdbs] == sent
    assert ours not in first


def test_genres_keep_their_separator_and_lose_spaces_and_repeats(api_client, tmdb_discover):
    # when
    api_client.get(URL, {"with_genres": "28| 12|28"})

    # then
    assert tmdb_discover.last("discover/movie").query["with_genres"] == "28|12"


# --- refused -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"with_genre": "28"}, "with_genre"),  # a typo is not ignored
        ({"vote_average.gt": "7"}, "vote_average.gt"),
        ({"certification": "R"}, "certification"),  # TMDb's, not honoured here
        ({"include_video": "false"}, "include_video"),
        ({"with_genres": "28,12|16"}, "with_genres"),
        ({"with_genres": "28|action"}, "with_genres"),
        ({"with_genres": ",".join(str(n) for n in range(1, MAX_LIST_IDS + 2))}, "with_genres"),
        ({"without_genres": "|".join(str(n) for n in range(1, MAX_LIST_IDS + 2))}, "without_genres"),
        ({"vote_average.gte": "8", "vote_average.lte": "5"}, "vote_average.lte"),
        (
            {"primary_release_date.gte": "2010-01-01", "primary_release_date.lte": "2000-01-01"},
            "primary_release_date.lte",
        ),
        ({"release_date_gte": "2000-01-01", "primary_release_date.gte": "2000-01-01"}, "release_date_gte"),
        ({"vote_count.lte": "-1"}, "vote_count.lte"),
        ({"sort_by": "budget.desc"}, "sort_by"),
        ({"include_adult": "maybe"}, "include_adult"),
    ],
)
def test_bad_or_unknown_parameters_are_a_400_naming_them(api_client, query, field):
    # when
    response = api_client.get(URL, query)

    # then
    assert field in _field_errors(response)


def test_an_unknown_parameter_is_reported_beside_bad_values(api_client):
    # when
    fields = _field_errors(api_client.get(URL, {"sort_by": "nope", "colour": "red"}))

    # then
    assert set(fields) == {"sort_by", "colour"}


def test_a_parameter_given_twice_is_a_400(api_client):
    # when
    response = api_client.get(URL + "?with_genres=28&with_genres=12")

    # then
    assert _field_errors(response)["with_genres"] == ["Give this parameter once."]


def test_the_most_genre_ids_are_accepted(api_client):
    # given
    ids = ",".join(str(n) for n in range(1, MAX_LIST_IDS + 1))

    # when
    response = api_client.get(URL, {"with_genres": ids, "without_genres": ids.replace(",", "|")})

    # then
    assert response.status_code == 200, response.json()


def test_pagination_language_fields_and_format_are_not_unknown(api_client):
    # when
    response = api_client.get(
        URL,
        {"page": 1, "page_size": 5, "language": "en-US", "region": "US", "fields": "title", "format": "json"},
    )

    # then
    assert response.status_code == 200, response.json()


def test_browse_genre_lists_are_capped_too(api_client):
    # when
    response = api_client.get(
        "/api/v1/movies/", {"genre": ",".join(str(n) for n in range(1, MAX_LIST_IDS + 2))}
    )

    # then
    assert "genre" in _field_errors(response)


# --- adult titles ------------------------------------------------------------------------------
def test_include_adult_true_needs_a_reader_who_opted_in(api_client, user_client, make_user):
    # given
    MovieFactory(title="Adult", adult=True)

    # when
    anonymous = api_client.get(URL, {"include_adult": "true"})
    not_opted_in = user_client(include_adult=False).get(URL, {"include_adult": "true"})
    opted_in = user_client(make_user("adult@example.com", include_adult=True)).get(
        URL, {"include_adult": "true"}
    )

    # then
    assert "include_adult" in _field_errors(anonymous)
    assert "include_adult" in _field_errors(not_opted_in)
    assert [movie["title"] for movie in opted_in.json()["data"]] == ["Adult"]


def test_include_adult_false_hides_them_from_a_reader_who_opted_in(user_client):
    # given
    MovieFactory(title="Adult", adult=True, popularity=9)
    MovieFactory(title="Family", adult=False, popularity=1)
    client = user_client(include_adult=True)

    # when
    default = client.get(URL).json()["data"]
    narrowed = client.get(URL, {"include_adult": "false"}).json()["data"]

    # then
    assert [movie["title"] for movie in default] == ["Adult", "Family"]
    assert [movie["title"] for movie in narrowed] == ["Family"]


# --- the local catalog (no TMDb) ---------------------------------------------------------------
@pytest.fixture
def genre_catalog():
    """Four movies: action only, adventure only, both, horror; most popular first in that order."""
    action, adventure, horror = GenreFactory(tmdb_id=28), GenreFactory(tmdb_id=12), GenreFactory(tmdb_id=27)
    return {
        "action": MovieFactory(popularity=40, genres=[action], revenue=10).tmdb_id,
        "adventure": MovieFactory(popularity=30, genres=[adventure], revenue=30).tmdb_id,
        "both": MovieFactory(popularity=20, genres=[action, adventure, horror], revenue=20).tmdb_id,
        "horror": MovieFactory(popularity=10, genres=[horror], revenue=0).tmdb_id,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"with_genres": "28|12"}, ["action", "adventure", "both"]),
        ({"with_genres": "28,12"}, ["both"]),
        ({"with_genres": "28"}, ["action", "both"]),
        ({"without_genres": "27"}, ["action", "adventure"]),
        ({"without_genres": "28|12"}, ["horror"]),
        ({"with_genres": "28|12", "without_genres": "27"}, ["action", "adventure"]),
        ({"sort_by": "revenue.desc"}, ["adventure", "both", "action", "horror"]),
        ({"sort_by": "revenue.asc"}, ["horror", "action", "both", "adventure"]),
    ],
)
def test_local_discover_honours_or_and_genres_and_the_new_sorts(api_client, genre_catalog, query, expected):
    # when
    ids = _ids(api_client.get(URL, query))

    # then
    assert ids == [genre_catalog[name] for name in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"vote_average.lte": "6"}, ["low"]),
        ({"vote_average.gte": "7"}, ["old", "new"]),
        ({"vote_count.lte": "100"}, ["low"]),
        ({"vote_count.gte": "1000"}, ["old", "new"]),
        ({"with_runtime.gte": "150"}, ["new"]),
        ({"with_runtime.lte": "100"}, ["old"]),
        ({"year": "1995"}, ["old"]),
        ({"primary_release_year": "2015"}, ["new", "low"]),
        ({"release_date.gte": "2010-01-01"}, ["new", "low"]),
        ({"release_date.lte": "2000-01-01"}, ["old"]),
        ({"primary_release_date.gte": "2015-06-01", "primary_release_date.lte": "2015-12-31"}, ["low"]),
        ({"with_original_language": "fr"}, ["low"]),
        ({"sort_by": "original_title.asc"}, ["low", "new", "old"]),
        ({"sort_by": "original_title.desc"}, ["old", "new", "low"]),
    ],
)
def test_local_discover_applies_every_tmdb_filter(api_client, query, expected):
    # given
    movies = {
        "old": MovieFactory(
            original_title="Zulu",
            popularity=30,
            vote_average=8,
            vote_count=5000,
            runtime=95,
            release_date=date(1995, 5, 5),
        ),
        "new": MovieFactory(
            original_title="Mike",
            popularity=20,
            vote_average=7.5,
            vote_count=2000,
            runtime=160,
            release_date=date(2015, 3, 3),
        ),
        "low": MovieFactory(
            original_title="Alpha",
            popularity=10,
            vote_average=5,
            vote_count=50,
            runtime=120,
            release_date=date(2015, 9, 9),
            original_language="fr",
        ),
    }

    # when
    ids = _ids(api_client.get(URL, query))

    # then
    assert ids == [movies[name].tmdb_id for name in expected]


def test_the_genre_page_still_uses_discover_for_one_genre(api_client, genre_catalog):
    # when
    ids = _ids(api_client.get("/api/v1/genres/12/movies/"))

    # then
    assert ids == [genre_catalog["adventure"], genre_catalog["both"]]


# --- the schema --------------------------------------------------------------------------------
def test_the_schema_lists_tmdbs_spellings():
    # given
    from drf_spectacular.generators import SchemaGenerator

    # when
    schema = SchemaGenerator().get_schema(request=None, public=True)

    # then
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/movies/discover/"]["get"]["parameters"]}
    assert {
        "vote_average.gte",
        "vote_count.lte",
        "release_date.gte",
        "with_runtime.lte",
        "without_genres",
    } <= set(parameters)
    assert "revenue.desc" in parameters["sort_by"]["schema"]["enum"]
