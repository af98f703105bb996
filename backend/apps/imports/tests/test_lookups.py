"""How an import asks TMDb: each title and year once, only matched movies stored, hidden movies never
matched."""

import pytest

from apps.history.models import Viewing
from apps.movies.models import Movie
from apps.movies.tests.factories import MovieFactory

from .conftest import URL

pytestmark = pytest.mark.django_db


def test_each_title_and_year_is_searched_once(client, user, films, start_import):
    # given: Alien watched three times, The Thing (1982) twice
    rows = [
        "Alien,1979,2024-01-01",
        "Alien,1979,2024-02-01",
        "Alien,1979,2024-03-01",
        "The Thing,1982,2024-01-05",
        "The Thing,1982,2024-02-05",
    ]
    content = ("title,year,watched_on\n" + "\n".join(rows) + "\n").encode()
    # when
    start_import(client, "csv", "mine.csv", content)
    # then
    assert films.count("search/movie") == 2
    assert Viewing.objects.filter(user=user).count() == 5


def test_only_the_matched_movies_are_stored(client, user, films, start_import):
    # given: searching "The Thing" finds the 1982 film and its 2011 remake
    # when
    start_import(client, "csv", "mine.csv", b"title,year,watched_on\nThe Thing,1982,2024-01-05\n")
    # then: the remake is not written into the catalog as a side effect
    assert list(Movie.objects.values_list("tmdb_id", flat=True)) == [1091]


def test_a_movie_hidden_here_is_never_matched(client, user, films, start_import):
    # given: staff hid Alien
    MovieFactory(tmdb_id=348, title="Alien", is_active=False)
    # when
    response = start_import(client, "csv", "mine.csv", b"title,year,watched_on\nAlien,1979,2024-01-05\n")
    # then
    data = client.get(f"{URL}{response.json()['data']['id']}/").json()["data"]
    assert data["failures"][0]["reason"] == "No match on TMDb."
    assert not Viewing.objects.exists()
