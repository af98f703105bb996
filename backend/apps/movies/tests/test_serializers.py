"""Serializer contracts other apps code against: compact/full shapes, flags only when annotated."""

import pytest

from apps.movies.models import Movie
from apps.movies.serializers import MovieDetailSerializer, MovieListSerializer
from apps.movies.tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def test_flags_are_false_and_null_unless_given():
    movie = MovieFactory()
    data = MovieListSerializer(movie).data
    assert (data["is_favorite"], data["in_watchlist"], data["watched"]) == (False, False, None)
    annotated = Movie.objects.with_user_flags(None).get(pk=movie.pk)
    data = MovieListSerializer(annotated).data
    assert (data["is_favorite"], data["in_watchlist"], data["watched"]) == (False, False, None)


def test_detail_tolerates_empty_metadata_and_images():
    movie = MovieFactory(poster_path="", backdrop_path="", metadata={})
    data = MovieDetailSerializer(movie).data
    assert data["poster_url"] is None
    assert data["backdrop_urls"] is None
    assert data["credits"] == {"cast": [], "crew": []}
    assert data["videos"] == data["keywords"] == []
    assert data["external_ids"] == {}


def test_field_selection_keeps_id():
    data = MovieListSerializer(MovieFactory(), fields=["title"]).data
    assert set(data) == {"id", "title"}
