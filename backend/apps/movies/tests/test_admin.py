"""Admin pages for the catalog: changelists (constant queries), change and add pages, search, filters."""

from datetime import date

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.movies import admin_filters
from apps.movies.models import Genre, Movie, MovieGenre, MovieRecommendation
from apps.movies.tests.factories import GenreFactory, MovieFactory
from core import cache
from core.adminsite.testing import changelist_queries, client_for, make_staff
from core.cache import keys as cache_keys
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db

MOVIES_URL = reverse("admin:movies_movie_changelist")
GENRES_URL = reverse("admin:movies_genre_changelist")
RECOMMENDATIONS_URL = reverse("admin:movies_movierecommendation_changelist")


# Pages ----------------------------------------------------------------------------------


def test_movie_changelist_lists_the_columns_that_matter(admin_client):
    # given
    movie = MovieFactory(title="Fight Club", tmdb_id=550, release_date=date(1999, 10, 15))
    # when
    response = admin_client.get(MOVIES_URL)
    # then
    assert response.status_code == 200
    body = response.content.decode()
    for column in ("year", "TMDb id", "popularity", "vote average", "sync status", "last synced at"):
        assert column.lower() in body.lower()
    assert "Fight Club" in body
    assert "1999" in body
    assert list(response.context["cl"].result_list) == [movie]


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        (Movie, lambda: MovieFactory.create_batch(30, genres=GenreFactory.create_batch(2))),
        (Genre, lambda: [MovieFactory(genres=[GenreFactory()]) for _ in range(30)]),
        (
            MovieRecommendation,
            lambda: [
                MovieRecommendation.objects.create(
                    source_movie=MovieFactory(),
                    recommended_movie=MovieFactory(),
                    recommendation_type="similar",
                )
                for _ in range(30)
            ],
        ),
    ],
    ids=["movies", "genres", "recommendations"],
)
def test_changelists_run_a_constant_number_of_queries(
    model, factory, monkeypatch, django_assert_max_num_queries
):
    # given: 30 rows, and a non-superuser staff member (permission checks cost queries too)
    factory()
    staff = make_staff(perms=("movies.view_movie", "movies.view_genre", "movies.view_movierecommendation"))
    client = client_for(staff)
    admin_url = reverse(f"admin:movies_{model._meta.model_name}_changelist")
    client.get(admin_url)  # warms the cached filter choices
    counts = []
    # when
    for page_size in (5, 25):
        monkeypatch.setattr(type(admin.site._registry[model]), "list_per_page", page_size)
        with django_assert_max_num_queries(8):
            queries, rows = changelist_queries(client, admin_url)
        assert rows == page_size
        counts.append(queries)
    # then
    assert counts[0] == counts[1]


def test_movie_change_page_shows_poster_api_link_and_read_only_sync_fields(admin_client, settings):
    # given
    settings.TMDB_IMAGE_BASE_URL = "https://images.example/t/p/"
    settings.ADMIN_POSTER_SIZE = "w185"
    movie = MovieFactory(tmdb_id=550, poster_path="/abc.jpg", sync_status=SyncStatus.FAILED)
    # when
    response = admin_client.get(reverse("admin:movies_movie_change", args=[movie.pk]))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert 'src="https://images.example/t/p/w185/abc.jpg"' in body
    assert 'href="/api/v1/movies/550/"' in body
    form_fields = response.context["adminform"].form.fields
    for read_only in ("sync_status", "last_synced_at", "sync_retries", "last_sync_error", "tmdb_id"):
        assert read_only not in form_fields
    assert "title" in form_fields


def test_movie_change_page_lists_related_movies_in_constant_queries(admin_client):
    # given
    source, first, second = MovieFactory(), MovieFactory(title="First"), MovieFactory(title="Second")
    MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=first, recommendation_type="similar"
    )
    url = reverse("admin:movies_movie_change", args=[source.pk])
    with CaptureQueriesContext(connection) as one:
        admin_client.get(url)
    MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=second, recommendation_type="similar"
    )
    # when
    with CaptureQueriesContext(connection) as two:
        response = admin_client.get(url)
    # then
    body = response.content.decode()
    assert "First" in body
    assert "Second" in body
    assert len(two) == len(one)


def test_movie_change_page_has_a_genres_inline_and_saves_it(admin_client):
    # given
    drama = GenreFactory(name="Drama")
    movie = MovieFactory(title="Old title")
    url = reverse("admin:movies_movie_change", args=[movie.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "metadata"}
    data.update(
        {
            "title": "New title",
            "metadata": "{}",
            "movie_genres-TOTAL_FORMS": "1",
            "movie_genres-INITIAL_FORMS": "0",
            "movie_genres-0-genre": drama.pk,
            "movie_genres-0-is_primary": "on",
            "movie_genres-0-position": "0",
            "outgoing_recommendations-TOTAL_FORMS": "0",
            "outgoing_recommendations-INITIAL_FORMS": "0",
        }
    )
    data["release_date"] = movie.release_date.isoformat()
    # when
    response = admin_client.post(url, data)
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    movie.refresh_from_db()
    assert movie.title == "New title"
    assert MovieGenre.objects.get(movie=movie).genre == drama


def test_saving_a_movie_invalidates_its_cached_responses(admin_client, namespace_bumps):
    # given
    movie = MovieFactory(tmdb_id=777)
    response = admin_client.get(reverse("admin:movies_movie_change", args=[movie.pk]))
    data = {k: v for k, v in response.context["adminform"].form.initial.items() if v is not None}
    data.update({"metadata": "{}", "release_date": movie.release_date.isoformat(), "title": "Renamed"})
    data.update({"movie_genres-TOTAL_FORMS": "0", "movie_genres-INITIAL_FORMS": "0"})
    data.update({"outgoing_recommendations-TOTAL_FORMS": "0", "outgoing_recommendations-INITIAL_FORMS": "0"})
    # when
    admin_client.post(reverse("admin:movies_movie_change", args=[movie.pk]), data)
    # then
    assert cache_keys.movie_namespace(777) in namespace_bumps
    assert cache_keys.NS_CATALOG_LISTS in namespace_bumps


def test_movie_add_page_creates_a_pending_movie(admin_client):
    # given
    assert admin_client.get(reverse("admin:movies_movie_add")).status_code == 200
    data = {
        "tmdb_id": "4242",
        "title": "Hand made",
        "budget": "0",
        "revenue": "0",
        "popularity": "0",
        "vote_average": "0",
        "vote_count": "0",
        "is_active": "on",
        "metadata": "{}",
        "movie_genres-TOTAL_FORMS": "0",
        "movie_genres-INITIAL_FORMS": "0",
        "outgoing_recommendations-TOTAL_FORMS": "0",
        "outgoing_recommendations-INITIAL_FORMS": "0",
    }
    # when
    response = admin_client.post(reverse("admin:movies_movie_add"), data)
    # then
    assert response.status_code == 302
    assert Movie.objects.get(tmdb_id=4242).sync_status == SyncStatus.PENDING


def test_only_superusers_may_erase_a_movie(admin_client):
    # given
    movie = MovieFactory()
    staff = client_for(make_staff(perms=("movies.view_movie", "movies.change_movie", "movies.delete_movie")))
    url = reverse("admin:movies_movie_delete", args=[movie.pk])
    # when
    staff_response = staff.get(url)
    # then
    assert staff_response.status_code == 403
    assert admin_client.get(url).status_code == 200
    assert (
        "delete_selected"
        not in admin_client.get(MOVIES_URL).context["action_form"].fields["action"].choices[1:]
    )


def test_genre_pages(admin_client):
    # given
    genre = GenreFactory(name="Science Fiction")
    MovieFactory.create_batch(3, genres=[genre])
    # when
    changelist = admin_client.get(GENRES_URL)
    change = admin_client.get(reverse("admin:movies_genre_change", args=[genre.pk]))
    add = admin_client.post(
        reverse("admin:movies_genre_add"),
        {"tmdb_id": "99", "name": "Noir", "slug": "noir", "is_active": "on"},
    )
    # then
    assert changelist.status_code == 200
    assert changelist.context["cl"].model_admin.movie_count(genre) == 3
    assert change.status_code == 200
    assert add.status_code == 302
    assert Genre.objects.filter(slug="noir").exists()


def test_recommendation_pages(admin_client):
    # given
    source, target = MovieFactory(tmdb_id=10), MovieFactory(tmdb_id=20)
    recommendation = MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=target, recommendation_type="recommendation", score=0.5
    )
    # when
    changelist = admin_client.get(RECOMMENDATIONS_URL, {"q": "20"})
    change = admin_client.get(reverse("admin:movies_movierecommendation_change", args=[recommendation.pk]))
    add = admin_client.post(
        reverse("admin:movies_movierecommendation_add"),
        {
            "source_movie": target.pk,
            "recommended_movie": source.pk,
            "recommendation_type": "similar",
            "score": "1",
        },
    )
    # then
    assert list(changelist.context["cl"].result_list) == [recommendation]
    assert change.status_code == 200
    assert add.status_code == 302
    assert MovieRecommendation.objects.count() == 2


# Search and filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected_title"),
    [
        ("fight", "Fight Club"),
        ("Le Fabuleux", "Amélie"),
        ("550", "Fight Club"),
        ("tt0211915", "Amélie"),
        ("TT0211915", "Amélie"),
    ],
)
def test_movie_search_by_title_original_title_tmdb_id_and_imdb_id(admin_client, term, expected_title):
    # given
    MovieFactory(title="Fight Club", original_title="Fight Club", tmdb_id=550, imdb_id="tt0137523")
    MovieFactory(
        title="Amélie", original_title="Le Fabuleux Destin d'Amélie Poulain", tmdb_id=194, imdb_id="tt0211915"
    )
    # when
    response = admin_client.get(MOVIES_URL, {"q": term})
    # then
    assert [movie.title for movie in response.context["cl"].result_list] == [expected_title]


@pytest.mark.parametrize("term", ["²", "99999999999", "tt", "  ", "%_"])
def test_odd_search_terms_never_fail(admin_client, term):
    # given
    MovieFactory(title="Fight Club")
    # when
    response = admin_client.get(MOVIES_URL, {"q": term})
    # then
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == (1 if not term.strip() else 0)


@pytest.mark.parametrize(
    ("parameter", "value"), [("genre", "²"), ("decade", "¹⁹⁹⁰"), ("decade", "1"), ("genre", "9" * 30)]
)
def test_odd_filter_values_are_ignored(admin_client, parameter, value):
    # given
    MovieFactory()
    # when
    response = admin_client.get(MOVIES_URL, {parameter: value})
    # then
    assert response.status_code == 200


def test_movie_filters(admin_client):
    # given
    drama = GenreFactory(name="Drama")
    old = MovieFactory(
        title="Old",
        genres=[drama],
        status="Released",
        original_language="fr",
        adult=False,
        release_date=date(1968, 5, 1),
        sync_status=SyncStatus.COMPLETE,
    )
    MovieFactory(
        title="New",
        status="Post Production",
        original_language="en",
        adult=True,
        release_date=date(2024, 1, 1),
        sync_status=SyncStatus.FAILED,
        is_active=False,
    )
    undated = MovieFactory(title="Undated", release_date=None)
    cases = {
        "genre": (str(drama.pk), [old]),
        "status": ("Released", None),
        "sync_status__exact": (SyncStatus.COMPLETE, [old]),
        "language": ("fr", [old]),
        "adult__exact": ("0", None),
        "is_active__exact": ("1", None),
        "decade": ("1960", [old]),
    }
    for parameter, (value, expected) in cases.items():
        # when
        response = admin_client.get(MOVIES_URL, {parameter: value})
        # then
        titles = {movie.title for movie in response.context["cl"].result_list}
        assert "New" not in titles, parameter
        if expected is not None:
            assert titles == {movie.title for movie in expected}, parameter
    assert list(admin_client.get(MOVIES_URL, {"decade": "unknown"}).context["cl"].result_list) == [undated]
    assert len(admin_client.get(MOVIES_URL, {"decade": "99999"}).context["cl"].result_list) == 3


def test_language_and_status_filter_choices_come_from_the_cache(admin_client):
    # given
    MovieFactory(original_language="ja", status="Rumored")
    admin_client.get(MOVIES_URL)
    # when
    cached = cache.get(cache_keys.admin_choices("original_language"), level="query")
    # then
    assert cached == ["ja"]
    assert admin_filters.distinct_values("status") == ["Rumored"]


def test_movie_changelist_never_computes_filter_facet_counts(admin_client, django_assert_max_num_queries):
    # given
    MovieFactory.create_batch(3)
    admin_client.get(MOVIES_URL)
    # when
    with django_assert_max_num_queries(6):
        response = admin_client.get(MOVIES_URL, {"_facets": "1"})
    # then
    assert response.status_code == 200
    assert "Show counts" not in response.content.decode()


def test_relation_rows_show_titles_not_internal_keys(admin_client):
    # given a movie with a genre and a related movie
    drama = GenreFactory(name="Drama")
    source = MovieFactory(title="Source", genres=[drama])
    other = MovieFactory(title="Other")
    MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=other, recommendation_type="similar"
    )
    # when
    body = admin_client.get(reverse("admin:movies_movie_change", args=[source.pk])).content.decode()
    # then the inline rows name the movies and the genre, not "10 → 8 (similar)"
    assert f"{source} → {other} (similar)" in body
    assert f"{source}: Drama" in body
    assert f"{source.pk} → {other.pk}" not in body
    assert f"{source.pk} ↔ {drama.pk}" not in body
