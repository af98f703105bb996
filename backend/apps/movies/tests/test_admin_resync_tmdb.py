"""The admin resync action end to end: real MovieService against the local TMDb double."""

import pytest

from apps.movies.models import Movie
from apps.movies.tests.factories import MovieFactory
from core.mixins.models import SyncStatus

pytestmark = pytest.mark.django_db


def test_admin_action_resyncs_selected_movies(client, make_user, tmdb_double):
    # given
    staff = make_user("admin@example.com", staff=True)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    kept = MovieFactory(tmdb_id=21, title="Stale")
    gone = MovieFactory(tmdb_id=22)
    tmdb_double.add_movie(21, title="Fresh")
    # when
    response = client.post(
        "/admin/movies/movie/",
        {"action": "resync_from_tmdb", "_selected_action": [kept.pk, gone.pk]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    assert Movie.objects.get(tmdb_id=21).title == "Fresh"
    assert Movie.objects.get(tmdb_id=22).sync_status == SyncStatus.GONE
    assert b"Resynced 1 movie(s) from TMDb." in response.content


def test_resync_without_credentials_does_not_claim_the_movie_is_missing(client, make_user, settings):
    # given a movie in the local catalog and no TMDb credentials
    settings.TMDB_API_KEY = settings.TMDB_READ_ACCESS_TOKEN = ""
    staff = make_user("admin@example.com", staff=True)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    movie = MovieFactory(tmdb_id=21, title="Kept")
    # when
    response = client.post(
        "/admin/movies/movie/", {"action": "resync_from_tmdb", "_selected_action": [movie.pk]}, follow=True
    )
    # then the message says why, and does not say the movie is not in the catalog
    assert b"no TMDb credentials are configured" in response.content
    assert b"not in the local catalog" not in response.content


def test_staff_resyncs_are_not_charged_to_the_anonymous_tmdb_budget(client, make_user, tmdb_double, settings):
    # given an anonymous budget of one TMDb call a minute, and three stored movies TMDb has
    settings.TMDB_CLIENT_BUDGET_ANON = 1
    staff = make_user("admin@example.com", staff=True)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    movies = [MovieFactory(tmdb_id=tmdb_id, title="Stale") for tmdb_id in (31, 32, 33)]
    for movie in movies:
        tmdb_double.add_movie(movie.tmdb_id, title="Fresh")
    # when staff resync all three from the admin
    response = client.post(
        "/admin/movies/movie/",
        {"action": "resync_from_tmdb", "_selected_action": [movie.pk for movie in movies]},
        follow=True,
    )
    # then every one was fetched: staff work is not budgeted like an anonymous client
    assert b"Resynced 3 movie(s) from TMDb." in response.content
    assert set(Movie.objects.filter(tmdb_id__in=[31, 32, 33]).values_list("title", flat=True)) == {"Fresh"}
