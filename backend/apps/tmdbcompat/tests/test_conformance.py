"""Conformance: each path answers what the TMDb double answers, key for key and type for type, in
TMDb's order — after a full sync, and on a cold mirror (everything fetched through the client)."""

from __future__ import annotations

from unittest import mock

import pytest

from .shapes import result_ids, shape_mismatches

APPENDS = "credits,videos,keywords,external_ids,recommendations,similar"


def requests_for(catalog) -> list[tuple[str, dict]]:
    """One request per supported path, on movies of the generated catalog."""
    top, other = catalog.popular(2)
    return [
        ("configuration", {}),
        ("genre/movie/list", {}),
        (f"movie/{top}", {}),
        (f"movie/{top}", {"append_to_response": APPENDS}),
        (f"movie/{other}", {"append_to_response": "credits,unknown_part,videos"}),
        (f"movie/{top}/credits", {}),
        (f"movie/{top}/videos", {}),
        (f"movie/{top}/keywords", {}),
        (f"movie/{top}/external_ids", {}),
        (f"movie/{top}/recommendations", {}),
        (f"movie/{top}/similar", {}),
        ("movie/popular", {}),
        ("movie/popular", {"page": "2"}),
        ("movie/top_rated", {}),
        ("movie/now_playing", {}),
        ("movie/upcoming", {}),
        ("trending/movie/day", {}),
        ("trending/movie/week", {}),
        ("search/movie", {"query": "Movie 1"}),
        ("discover/movie", {"with_genres": "18", "sort_by": "vote_average.desc"}),
        ("discover/movie", {"with_genres": "28|35", "vote_count.gte": "100"}),
        ("movie/changes", {}),
        (f"find/tt{top:07d}", {"external_source": "imdb_id"}),
    ]


ORDERED = (
    "movie/popular",
    "movie/top_rated",
    "trending",
    "search",
    "discover",
    "recommendations",
    "similar",
    "find",
)


def assert_conforms(tmdb3, upstream, path: str, params: dict) -> None:
    # given the double's own answer to the same request
    status, theirs = upstream(path, **params)
    # when the mirror is asked
    response = tmdb3.get(path, **params)
    # then it answers the same status, keys, types and (for lists) the same movies in the same order
    assert (response.status_code, status) == (200, 200), response.content[:300]
    mine = response.json()
    # the changes feed lists what changed here (the double: 20 a page; TMDb and the mirror: 100)
    assert shape_mismatches(mine, theirs, lengths=path != "movie/changes") == [], path
    if any(part in path for part in ORDERED):
        assert result_ids(mine) == result_ids(theirs), path
        assert result_ids(mine), path


@pytest.mark.django_db
def test_every_path_conforms_after_a_full_sync(tmdb3, synced, upstream):
    for path, params in requests_for(synced):
        assert_conforms(tmdb3, upstream, path, params)


@pytest.mark.django_db
def test_every_path_conforms_on_a_cold_mirror(tmdb3, seeded, upstream, tmdb_double):
    # given a mirror that has stored nothing
    from apps.movies.models import Movie

    assert not Movie.objects.exists()
    # then every path still conforms, fetched once through the shared client and stored
    for path, params in requests_for(seeded):
        assert_conforms(tmdb3, upstream, path, params)
    assert Movie.objects.filter(tmdb_id=seeded.popular(1)[0], sync_status="complete").exists()


@pytest.mark.django_db
def test_an_unknown_movie_is_fetched_once_then_served_from_the_mirror(tmdb3, seeded, tmdb_double):
    # given a movie the mirror has not stored
    tmdb_id = seeded.popular(5)[-1]
    # when it is read twice, once with appends
    first = tmdb3.get(f"movie/{tmdb_id}", append_to_response="credits")
    second = tmdb3.get(f"movie/{tmdb_id}/credits")
    # then TMDb was asked once, and both answers carry the stored credits
    assert first.status_code == second.status_code == 200
    assert tmdb_double.count(f"movie/{tmdb_id}") == 1
    assert first.json()["credits"]["cast"] == second.json()["cast"]


@pytest.mark.django_db
def test_the_page_total_is_capped_at_500_pages(tmdb3, tmdb_double):
    # given TMDb reporting more pages than its own cap
    big = {"page": 1, "results": [{"id": 7, "title": "Seven"}], "total_pages": 40000, "total_results": 800000}
    with mock.patch.object(tmdb_double, "respond", return_value=(200, big)):
        body = tmdb3.get("movie/popular").json()
    # then the mirror says 500, as TMDb does
    assert body["total_pages"] == 500
    assert body["total_results"] == 800000


@pytest.mark.django_db
def test_find_completes_a_movie_stored_only_from_a_list(tmdb3, tmdb_double):
    # given a movie the mirror holds only as a list row (no IMDb id yet)
    tmdb_double.add_movie(680, title="Pulp Fiction", imdb_id="tt0110912")
    assert tmdb3.get("movie/popular").json()["results"][0]["id"] == 680
    # when it is looked up by its IMDb id, twice
    first = tmdb3.get("find/tt0110912", external_source="imdb_id").json()
    second = tmdb3.get("find/tt0110912", external_source="imdb_id", language="en-US").json()
    # then it is found, and TMDb's /find was asked once
    assert [m["id"] for m in first["movie_results"]] == [m["id"] for m in second["movie_results"]] == [680]
    assert tmdb_double.count("find/") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "fr-FR", "de-DE"])
@pytest.mark.parametrize("cold", [False, True])
def test_genre_names_are_tmdbs_in_the_asked_language(tmdb3, seeded, upstream, request, language, cold):
    # given a mirror after a full sync (its genres stored in English), or one that stored nothing
    if not cold:
        request.getfixturevalue("synced")
    top = seeded.popular(1)[0]
    for path in ("genre/movie/list", f"movie/{top}"):
        # when the mirror and TMDb are asked in another language
        status, theirs = upstream(path, language=language)
        mine = tmdb3.get(path, language=language).json()
        # then the genres are TMDb's, name for name and in TMDb's order
        assert status == 200
        assert mine["genres"] == theirs["genres"], path
    assert tmdb3.get("genre/movie/list", language=language).json()["genres"][1]["name"] in (
        "Aventure",
        "Abenteuer",
    )


@pytest.mark.django_db
def test_genre_names_fall_back_to_the_stored_ones_while_tmdb_cannot_say(tmdb3, synced, tmdb_double, settings):
    # given a synced mirror, then TMDb failing on its genre list
    settings.CACHE_TTL_DEGRADED = 0  # a degraded answer is not kept: the next read asks again
    tmdb_double.fail("genre/movie/list", status=503, times=None)
    # when the list is asked in French
    response = tmdb3.get("genre/movie/list", language="fr-FR")
    # then the stored (English) names, not an error
    assert response.status_code == 200
    assert response.json()["genres"][1] == {"id": 12, "name": "Adventure"}
    # and once TMDb answers again, French
    tmdb_double.clear_faults()
    assert tmdb3.get("genre/movie/list", language="fr-FR").json()["genres"][1] == {
        "id": 12,
        "name": "Aventure",
    }


@pytest.mark.django_db
def test_a_genre_list_in_a_new_language_is_charged_to_the_key(tmdb3, tmdb_double, settings):
    # given a key allowed one TMDb call a minute (the genre sync is not charged)
    settings.TMDB_CLIENT_BUDGET_USER = 1
    assert tmdb3.get("genre/movie/list").json()["genres"][1]["name"] == "Adventure"
    # when it asks for the genres in German, in German again, then in French
    german = tmdb3.get("genre/movie/list", language="de-DE").json()["genres"][1]
    again = tmdb3.get("genre/movie/list", language="de-DE", page="1").json()["genres"][1]
    french = tmdb3.get("genre/movie/list", language="fr-FR")
    # then German cost its one call (the second read was cached), and French, past the budget,
    # has the stored names rather than a 429 or another TMDb call
    assert german == again == {"id": 12, "name": "Abenteuer"}
    assert french.status_code == 200
    assert french.json()["genres"][1] == {"id": 12, "name": "Adventure"}
    assert tmdb_double.count("genre/movie/list") == 2
