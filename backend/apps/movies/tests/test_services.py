"""MovieService / GenreService / RecommendationService against the local TMDb double."""

import pytest

from apps.movies.models import Genre, Movie, MovieGenre, MovieRecommendation, RecommendationType
from apps.movies.services import Audience, GenreService, MovieService, RecommendationService
from apps.movies.tests.factories import GenreFactory, MovieFactory
from core.exceptions import NotFound, UpstreamUnavailable
from core.mixins.models import SyncStatus
from core.services.tmdb import TMDbClient

pytestmark = pytest.mark.django_db


def test_known_movie_comes_from_the_database(tmdb_double, movie_service):
    # given
    movie = MovieFactory(tmdb_id=550)
    # when
    found = movie_service.get_movie(tmdb_id=550)
    # then
    assert found.pk == movie.pk
    assert tmdb_double.count() == 0


def test_unknown_movie_is_fetched_once_stored_and_returned(seeded_tmdb, movie_service):
    # when
    movie = movie_service.get_movie(tmdb_id=101)
    again = movie_service.get_movie(tmdb_id=101)
    # then
    assert movie.title == "Alien"
    assert again.pk == movie.pk
    assert movie.sync_status == SyncStatus.COMPLETE
    assert movie.runtime == 120
    assert movie.metadata["credits"]["cast"][0]["name"] == "Lead Actor"
    assert movie.metadata["videos"][0]["type"] == "Trailer"
    assert sorted(movie.genres.values_list("tmdb_id", flat=True)) == [18, 878]
    assert MovieGenre.objects.get(movie=movie, genre__tmdb_id=878).is_primary
    assert seeded_tmdb.count("movie/") == 1  # one upstream call for the full sync (append_to_response)


def test_full_sync_stores_relations_with_scores(seeded_tmdb, movie_service):
    # when
    movie = movie_service.sync_movie_from_tmdb(tmdb_id=101)
    # then
    recommendations = MovieRecommendation.objects.filter(
        source_movie=movie, recommendation_type=RecommendationType.RECOMMENDATION
    ).order_by("-score")
    assert [r.recommended_movie.tmdb_id for r in recommendations] == [102, 103]
    assert [r.score for r in recommendations] == [1.0, 0.5]
    assert Movie.objects.get(tmdb_id=102).sync_status == SyncStatus.PARTIAL


def test_sync_is_idempotent(seeded_tmdb, movie_service):
    movie_service.sync_movie_from_tmdb(tmdb_id=101)
    counts = (Movie.objects.count(), MovieGenre.objects.count(), MovieRecommendation.objects.count())
    movie_service.sync_movie_from_tmdb(tmdb_id=101)
    assert (Movie.objects.count(), MovieGenre.objects.count(), MovieRecommendation.objects.count()) == counts


def test_sync_updates_changed_fields(seeded_tmdb, movie_service):
    movie_service.sync_movie_from_tmdb(tmdb_id=101)
    seeded_tmdb.add_movie(101, title="Alien (Director's Cut)", runtime=0, genre_ids=[27])
    movie = movie_service.sync_movie_from_tmdb(tmdb_id=101)
    assert movie.title == "Alien (Director's Cut)"
    assert movie.runtime is None
    assert list(movie.genres.values_list("tmdb_id", flat=True)) == [27]


def test_movie_tmdb_reports_gone_is_soft_deleted(tmdb_double, movie_service):
    # given a stored movie TMDb no longer has
    MovieFactory(tmdb_id=777)
    # when
    with pytest.raises(NotFound):
        movie_service.sync_movie_from_tmdb(tmdb_id=777)
    # then
    movie = Movie.objects.get(tmdb_id=777)
    assert movie.is_active is False
    assert movie.sync_status == SyncStatus.GONE
    with pytest.raises(NotFound):
        movie_service.get_movie(tmdb_id=777)


def test_unknown_movie_tmdb_does_not_have_is_not_found(tmdb_double, movie_service):
    with pytest.raises(NotFound):
        movie_service.get_movie(tmdb_id=31337)
    assert not Movie.objects.filter(tmdb_id=31337).exists()


@pytest.mark.parametrize(
    "fault", [{"status": 503}, {"status": 429, "retry_after": 7}, {"drop": True}, {"raw": b"<html>"}]
)
def test_unknown_movie_while_tmdb_fails_is_upstream_unavailable(tmdb_double, movie_service, fault):
    tmdb_double.fail(None, times=None, **fault)
    with pytest.raises(UpstreamUnavailable) as caught:
        movie_service.get_movie(tmdb_id=101)
    assert caught.value.retry_after >= 1


def test_failed_sync_is_recorded_on_the_stored_movie(tmdb_double, movie_service):
    MovieFactory(tmdb_id=101)
    tmdb_double.fail(None, status=500, times=None)
    with pytest.raises(UpstreamUnavailable):
        movie_service.sync_movie_from_tmdb(tmdb_id=101)
    movie = Movie.objects.get(tmdb_id=101)
    assert movie.sync_retries == 1
    assert "http_status=500" in movie.last_sync_error


def test_without_credentials_unknown_movie_is_not_found():
    with pytest.raises(NotFound, match="TMDb is not configured"):
        MovieService().get_movie(tmdb_id=101)


def test_without_credentials_an_explicit_sync_is_upstream_unavailable():
    with pytest.raises(UpstreamUnavailable):
        MovieService().sync_movie_from_tmdb(tmdb_id=101)


@pytest.mark.parametrize("tmdb_id", [0, -1, 2**31, 10**20])
def test_out_of_range_ids_are_not_found(movie_service, tmdb_id):
    with pytest.raises(NotFound):
        movie_service.get_movie(tmdb_id=tmdb_id)


def test_list_results_are_stored_in_one_bulk_upsert(
    seeded_tmdb, movie_service, django_assert_max_num_queries
):
    # given genres the catalog knows
    GenreFactory(tmdb_id=878, name="Science Fiction")
    GenreFactory(tmdb_id=18, name="Drama")
    # when: genres known (1); in one transaction (a savepoint here: 2) rows known, the sorted upsert,
    # stored links, link insert (4); the read with its genres (2)
    with django_assert_max_num_queries(9):
        page = movie_service.get_popular_movies(page=1)
    # then
    assert page.source == "tmdb"
    assert [m.tmdb_id for m in page.movies] == [101, 102, 103, 104, 105]
    assert page.total_results == 5
    assert Movie.objects.filter(sync_status=SyncStatus.PARTIAL).count() == 5
    assert MovieGenre.objects.filter(genre__tmdb_id=878).count() == 5


def test_list_upsert_keeps_full_details(seeded_tmdb, movie_service):
    # given a fully synced movie
    movie_service.sync_movie_from_tmdb(tmdb_id=101)
    seeded_tmdb.add_movie(101, title="Alien", popularity=99.0, runtime=1)
    # when a list mentions it again
    movie_service.get_popular_movies(page=1)
    # then list fields update, details stay
    movie = Movie.objects.get(tmdb_id=101)
    assert movie.popularity == 99.0
    assert movie.runtime == 120
    assert movie.sync_status == SyncStatus.COMPLETE


def test_other_languages_do_not_overwrite_stored_titles(seeded_tmdb, movie_service):
    # given
    movie_service.get_popular_movies(page=1)
    seeded_tmdb.add_movie(101, title="Alien, le huitième passager", popularity=50.0)
    # when
    page = movie_service.get_popular_movies(page=1, audience=Audience(language="fr-FR"))
    # then the page shows TMDb's French title; the stored row keeps the default language
    assert page.movies[0].title == "Alien, le huitième passager"
    assert Movie.objects.get(tmdb_id=101).title == "Alien"


def test_adult_titles_are_excluded_unless_opted_in(tmdb_double, movie_service):
    tmdb_double.add_movie(1, title="Adult", adult=True, popularity=10)
    tmdb_double.add_movie(2, title="Family", popularity=5)
    assert [m.title for m in movie_service.get_popular_movies(page=1).movies] == ["Family"]
    opted_in = movie_service.get_popular_movies(page=1, audience=Audience(include_adult=True))
    assert [m.title for m in opted_in.movies] == ["Adult", "Family"]


def test_without_credentials_lists_come_from_the_local_catalog():
    MovieFactory(title="Local", popularity=5)
    page = MovieService().get_popular_movies(page=1)
    assert page.source == "local"
    assert [m.title for m in page.movies] == ["Local"]


def test_tmdb_down_serves_the_local_catalog(tmdb_double, movie_service):
    # given
    MovieFactory(title="Stored", popularity=5)
    tmdb_double.fail(None, status=503, times=None)
    # when
    page = movie_service.get_popular_movies(page=1)
    # then
    assert page.source == "local"
    assert page.notes == {"upstream": "unavailable"}
    assert [m.title for m in page.movies] == ["Stored"]


def test_search_with_sync_results_false_stores_nothing(seeded_tmdb, movie_service):
    MovieFactory(tmdb_id=101, title="Alien")
    page = movie_service.search_movies(query="alien", page=1, sync_results=False)
    assert [m.tmdb_id for m in page.movies] == [101]
    assert not Movie.objects.filter(tmdb_id=102).exists()


def test_discover_passes_tmdb_filters(seeded_tmdb, movie_service):
    page = movie_service.discover(filters={"with_genres": "878", "sort_by": "popularity.desc"}, page=1)
    assert len(page.movies) == 5
    assert seeded_tmdb.last("discover/movie").query["with_genres"] == "878"


def test_update_movie_data_refuses_a_payload_for_another_movie(movie_service):
    movie = MovieFactory(tmdb_id=5)
    with pytest.raises(ValueError, match="another movie"):
        movie_service.update_movie_data(movie=movie, data={"id": 6, "title": "x"})


def test_service_takes_an_injected_client(tmdb_double):
    tmdb_double.add_movie(9, title="Injected")
    client = TMDbClient(base_url=tmdb_double.base_url, api_key=tmdb_double.api_key)
    assert MovieService(tmdb=client).get_movie(tmdb_id=9).title == "Injected"


def test_genre_sync_upserts_by_tmdb_id(tmdb_double):
    GenreFactory(tmdb_id=18, name="Old Drama", slug="old-drama")
    count = GenreService().sync_genres()
    assert count == 19
    assert Genre.objects.count() == 19
    assert Genre.objects.get(tmdb_id=18).name == "Drama"
    GenreService().sync_genres()
    assert Genre.objects.count() == 19


def test_recommendations_are_read_back_without_an_upstream_call(seeded_tmdb):
    # given a movie stored from a list (no relations yet)
    MovieService().get_popular_movies(page=1)
    movie = Movie.objects.get(tmdb_id=101)
    service = RecommendationService()
    # when
    first = list(service.related_movies(movie=movie, relation_type=RecommendationType.RECOMMENDATION))
    calls = seeded_tmdb.count()
    movie.refresh_from_db()
    second = list(service.related_movies(movie=movie, relation_type=RecommendationType.RECOMMENDATION))
    # then
    assert [m.tmdb_id for m in first] == [m.tmdb_id for m in second] == [102, 103]
    assert seeded_tmdb.count() == calls


def test_recommendations_keep_stored_rows_when_tmdb_fails(tmdb_double):
    source, target = MovieFactory(), MovieFactory()
    MovieRecommendation.objects.create(
        source_movie=source, recommended_movie=target, recommendation_type="similar", score=1
    )
    tmdb_double.fail(None, status=503, times=None)
    related = RecommendationService().related_movies(movie=source, relation_type="similar")
    assert list(related) == [target]


def test_image_configuration_is_cached_once_tmdb_answers(seeded_tmdb, movie_service):
    from core.services.tmdb.images import image_config

    movie_service.get_movie(tmdb_id=101)
    movie_service.get_movie(tmdb_id=102)
    assert seeded_tmdb.count("configuration") == 1
    assert image_config()["poster_sizes"][-1] == "original"


def test_out_of_range_numbers_from_tmdb_are_clamped_not_fatal(tmdb_double, movie_service):
    # given numbers that overflow the columns, and junk genre ids
    GenreFactory(tmdb_id=18, name="Drama")
    tmdb_double.add_movie(
        11,
        vote_count=2**40,
        runtime=2**40,
        budget=2**70,
        genres=[{"id": 2**40, "name": "Huge"}, {"id": 18, "name": "Drama"}],
    )
    tmdb_double.add_movie(12)
    tmdb_double.set_list("popular", [11, 12])
    # when
    movie = movie_service.get_movie(tmdb_id=11)
    page = movie_service.get_popular_movies(page=1)
    # then
    assert movie.vote_count == 2**31 - 1
    assert movie.budget == 2**63 - 1
    assert list(movie.genres.values_list("tmdb_id", flat=True)) == [18]
    assert [m.tmdb_id for m in page.movies] == [11, 12]
