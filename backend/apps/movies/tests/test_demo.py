"""The bundled demo catalog loads, is self-consistent, and reloads idempotently."""

import json

import pytest
from django.core.management import call_command

from apps.movies.demo import DEMO_CATALOG_PATH
from apps.movies.models import Genre, Movie, MovieGenre, MovieRecommendation

pytestmark = pytest.mark.django_db


def test_demo_catalog_loads_every_movie_with_genres_and_relations(capsys):
    payload = json.loads(DEMO_CATALOG_PATH.read_text())
    # when
    call_command("load_demo_catalog")
    # then
    assert Genre.objects.count() == 19
    assert Movie.objects.count() == len(payload["movies"]) >= 90
    fight_club = Movie.objects.get(tmdb_id=550)
    assert fight_club.title == "Fight Club"
    assert fight_club.release_date.year == 1999
    assert MovieGenre.objects.filter(movie=fight_club, is_primary=True).count() == 1
    assert MovieRecommendation.objects.filter(source_movie=fight_club).exists()
    assert "created=" in capsys.readouterr().out


def test_demo_catalog_reload_changes_nothing():
    call_command("load_demo_catalog")
    counts = (Movie.objects.count(), MovieGenre.objects.count(), MovieRecommendation.objects.count())
    snapshot = list(Movie.objects.order_by("tmdb_id").values_list("tmdb_id", "title", "popularity"))
    # when
    call_command("load_demo_catalog")
    # then
    assert (Movie.objects.count(), MovieGenre.objects.count(), MovieRecommendation.objects.count()) == counts
    assert list(Movie.objects.order_by("tmdb_id").values_list("tmdb_id", "title", "popularity")) == snapshot
