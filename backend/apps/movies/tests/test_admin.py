"""The staff admin can resync movies from TMDb."""

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
        {"action": "sync_from_tmdb", "_selected_action": [kept.pk, gone.pk]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    assert Movie.objects.get(tmdb_id=21).title == "Fresh"
    assert Movie.objects.get(tmdb_id=22).sync_status == SyncStatus.GONE
    assert b"Synced 1 movie" in response.content
