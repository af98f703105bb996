"""Concurrent first reads of a movie the mirror has not stored share one upstream call."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from apps.tmdbcompat.apikeys import ApiKeyService

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_first_reads_share_one_upstream_call(live_server, tmdb_double):
    # given an unstored movie, slow on TMDb, and eight clients with their own keys
    tmdb_double.add_movie(550, title="Fight Club")
    tmdb_double.fail("movie/550", status=200, delay=0.3, times=None)
    keys = [ApiKeyService.create(name=f"client-{n}")[1] for n in range(8)]
    url = f"{live_server.url}/tmdb/3/movie/550"

    # when they all ask at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda key: requests.get(url, params={"api_key": key}, timeout=30), keys))

    # then every one gets the movie, and TMDb was asked once
    assert [answer.status_code for answer in answers] == [200] * 8
    assert {answer.json()["title"] for answer in answers} == {"Fight Club"}
    assert tmdb_double.count("movie/550") == 1
