"""Every list endpoint runs a constant number of SQL queries whatever the page size."""

import pytest

from apps.favorites.models import Favorite
from apps.movies.models import Movie, MovieGenre, MovieRecommendation
from apps.movies.tests.factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.django_db

LOCAL_LISTS = [
    "/api/v1/movies/",
    "/api/v1/movies/?q=movie&genre=18&ordering=-vote_average",
    "/api/v1/movies/popular/",
    "/api/v1/movies/top-rated/",
    "/api/v1/movies/trending/",
    "/api/v1/movies/search/?q=movie",
    "/api/v1/movies/discover/?with_genres=18",
    "/api/v1/genres/18/movies/",
    "/api/v1/movies/{first}/recommendations/",
    "/api/v1/movies/{first}/similar/",
    "/api/v1/genres/",
]


@pytest.fixture
def catalog():
    genres = [*GenreFactory.create_batch(2), GenreFactory(tmdb_id=18, name="Drama")]
    movies = Movie.objects.bulk_create(MovieFactory.build_batch(51, vote_count=5000))
    MovieGenre.objects.bulk_create(MovieGenre(movie=m, genre=g) for m in movies for g in genres)
    for kind in ("recommendation", "similar"):
        MovieRecommendation.objects.bulk_create(
            MovieRecommendation(
                source_movie=movies[0], recommended_movie=m, recommendation_type=kind, score=1
            )
            for m in movies[1:]
        )
    return movies


@pytest.mark.parametrize("url", LOCAL_LISTS)
@pytest.mark.parametrize("page_size", [1, 50])
def test_local_lists_anonymous(api_client, catalog, django_assert_max_num_queries, url, page_size):
    url = url.format(first=catalog[0].tmdb_id)
    separator = "&" if "?" in url else "?"
    with django_assert_max_num_queries(4):
        response = api_client.get(f"{url}{separator}page_size={page_size}")
    assert response.status_code == 200
    expected = min(page_size, 3) if url.endswith("/genres/") else page_size  # three genres exist
    assert len(response.json()["data"]) == expected


@pytest.mark.parametrize("url", LOCAL_LISTS[:10])
def test_local_lists_signed_in_share_the_cached_page(user_client, catalog, django_assert_num_queries, url):
    # given a signed-in user with favorites, whose token, session and flags are cached by a first read
    client = user_client()
    url = url.format(first=catalog[0].tmdb_id)
    for movie in catalog[:30]:
        Favorite.objects.create(user=client.user, movie=movie)
    separator = "&" if "?" in url else "?"
    client.get(f"{url}{separator}page_size=1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # when a page is not cached yet, it costs what an anonymous render costs (count, page, genres)
    # and no more, whatever its size: flags are never read per item
    with CaptureQueriesContext(connection) as small:
        client.get(f"{url}{separator}page_size=2")
    with django_assert_num_queries(len(small.captured_queries)):
        data = client.get(f"{url}{separator}page_size=50").json()["data"]
    assert len(small.captured_queries) <= 3
    # then a warm signed-in read costs no SQL at all, and carries the reader's flags
    with django_assert_num_queries(0):
        again = client.get(f"{url}{separator}page_size=50")
    assert again["X-Cache"] == "HIT"
    assert again.json()["data"] == data
    assert sum(item["is_favorite"] for item in data) >= 1


def test_tmdb_list_from_cache_is_at_most_4_queries(api_client, tmdb_double, django_assert_max_num_queries):
    # given a TMDb list already fetched and stored
    tmdb_double.add_movies(20, start=5000)
    api_client.get("/api/v1/movies/popular/")
    # when
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/v1/movies/popular/")
    # then
    assert len(response.json()["data"]) == 20
    assert tmdb_double.count("movie/popular") == 1


@pytest.mark.parametrize("count", [1, 20])
def test_tmdb_list_miss_is_constant_in_the_page_size(
    api_client, tmdb_double, django_assert_max_num_queries, count
):
    # given TMDb lists `count` movies with genres the catalog knows
    GenreFactory(tmdb_id=18, name="Drama")
    tmdb_double.add_movies(count, start=7000, genre_ids=[18])
    # when: the catalog writer's fixed set (genres known?, rows known?, one sorted upsert, genre
    # pks, stored links, link insert, in one transaction), then the read
    with django_assert_max_num_queries(11):
        response = api_client.get("/api/v1/movies/popular/")
    assert len(response.json()["data"]) == count


def test_detail_is_constant(api_client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = api_client.get(f"/api/v1/movies/{catalog[0].tmdb_id}/")
    assert response.status_code == 200
