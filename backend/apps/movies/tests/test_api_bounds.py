"""Every list query has a bounded cost whatever its parameters: query count and query shape, not time.

An anonymous `?genre=1,2,…,80` once added a join per id and ran into the statement timeout.
Each documented parameter is swept at its maximum; the SQL (and, on PostgreSQL, the plan) of the
largest allowed request must be the same size as the smallest one.
"""

import json
from datetime import date

import pytest
from conftest import clear_cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.movies.models import Movie, MovieGenre
from apps.movies.params import MAX_LIST_IDS
from apps.movies.serializers import MovieListSerializer
from apps.movies.tests.factories import GenreFactory, MovieFactory
from core.constants import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db

GENRE_IDS = list(range(1, MAX_LIST_IDS + 1))
LONGEST_QUERY = ("movie " * MAX_QUERY_LENGTH)[: MAX_QUERY_LENGTH - 1]
ALL_FIELDS = ",".join(MovieListSerializer.selectable_fields())
# Each list endpoint with every documented parameter at its largest accepted value.
AT_MAXIMUM = [
    "/api/v1/movies/?q={q}&genre={genres}&year_from=1870&year_to=2100&min_rating=0&min_votes=0"
    "&original_language=en&ordering=-vote_average&fields={fields}&page_size={page_size}",
    "/api/v1/movies/?genre={genres}&ordering=title&fields={fields}&page_size={page_size}",
    "/api/v1/movies/discover/?with_genres={genres}&primary_release_year=2000&vote_average_gte=0"
    "&vote_count_gte=0&with_original_language=en&sort_by=title.desc&page_size={page_size}",
    "/api/v1/movies/search/?q={q}&year=2000&fields={fields}&page_size={page_size}",
    "/api/v1/genres/1/movies/?ordering=-release_date&fields={fields}&page_size={page_size}",
]


@pytest.fixture
def catalog():
    genres = [GenreFactory(tmdb_id=tmdb_id) for tmdb_id in GENRE_IDS]
    movies = Movie.objects.bulk_create(
        MovieFactory.build_batch(
            30, title="movie title", original_language="en", vote_count=10, release_date=date(2000, 6, 1)
        )
    )
    MovieGenre.objects.bulk_create(MovieGenre(movie=m, genre=g) for m in movies for g in genres)
    return movies


def _url(template: str, *, genres: list[int], q: str = "movie") -> str:
    return template.format(q=q, genres=",".join(map(str, genres)), fields=ALL_FIELDS, page_size=MAX_PAGE_SIZE)


def _selects(client, url: str) -> tuple[list[str], dict]:
    clear_cache()  # the response cache would answer a repeated request without SQL
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return [query["sql"] for query in queries.captured_queries], response.json()


def _plan_nodes(sql: str) -> int:
    """How many nodes PostgreSQL's plan for `sql` has (a join or a scan per genre id would add some)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    stack, count = [plan[0]["Plan"]], 0
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node.get("Plans", []))
    return count


@pytest.mark.parametrize("template", AT_MAXIMUM)
def test_the_largest_request_costs_what_the_smallest_does(api_client, catalog, template):
    # given: the smallest and the largest genre list the API accepts (genre-less endpoints repeat)
    # when
    small, _ = _selects(api_client, _url(template, genres=GENRE_IDS[:1], q="m"))
    large, large_body = _selects(api_client, _url(template, genres=GENRE_IDS, q=LONGEST_QUERY))
    # then: as many queries, each with as many joins, and every movie matched every genre
    assert len(large) == len(small) <= 4
    assert [sql.upper().count(" JOIN ") for sql in large] == [sql.upper().count(" JOIN ") for sql in small]
    assert large_body["meta"]["pagination"]["total_results"] == 30
    if connection.vendor == "postgresql":
        # the planner may group by hashing or by sorting (a node either way), never a join per id
        for large_nodes, small_nodes in zip(map(_plan_nodes, large), map(_plan_nodes, small), strict=True):
            assert large_nodes <= small_nodes + 2


def test_all_genres_must_match_with_one_subquery(api_client, catalog):
    # given: one movie lacks the last genre
    MovieGenre.objects.filter(movie=catalog[0], genre__tmdb_id=GENRE_IDS[-1]).delete()
    # when
    sqls, body = _selects(api_client, _url(AT_MAXIMUM[1], genres=GENRE_IDS))
    # then
    assert catalog[0].tmdb_id not in {movie["id"] for movie in body["data"]}
    assert body["meta"]["pagination"]["total_results"] == 29
    assert [sql.upper().count("MOVIES_MOVIE_GENRE") for sql in sqls[:2]] == [1, 1]  # the count, the page


def test_the_deepest_page_is_bounded_too(api_client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = api_client.get(_url(AT_MAXIMUM[0], genres=GENRE_IDS) + f"&page={MAX_PAGE}")
    assert response.status_code == 200
    assert response.json()["data"] == []
