"""A realistic mix: anonymous browsing, search, and signed-in users reading and keeping favorites.

Run by `make loadtest` (tests/hardening/support/loadtest.py), which starts the app and hands in
LOADTEST_TOKENS (comma-separated JWTs of verified users) and LOADTEST_MOVIE_IDS.
"""

import itertools
import os
import random

from locust import HttpUser, between, task

MOVIE_IDS = [int(i) for i in os.environ.get("LOADTEST_MOVIE_IDS", "550").split(",")]
TOKENS = itertools.cycle([t for t in os.environ.get("LOADTEST_TOKENS", "").split(",") if t] or [""])
SEARCHES = ["fight", "the", "star", "love", "war", "night", "dark", "city"]


class AnonymousBrowser(HttpUser):
    weight = 6
    wait_time = between(0.1, 0.5)

    @task(4)
    def browse_list(self):
        self.client.get(f"/api/v1/movies/?page={random.randint(1, 3)}", name="/movies/?page")

    @task(3)
    def movie_detail(self):
        self.client.get(f"/api/v1/movies/{random.choice(MOVIE_IDS)}/", name="/movies/{id}/")

    @task(1)
    def genres(self):
        self.client.get("/api/v1/genres/", name="/genres/")

    @task(1)
    def popular(self):
        self.client.get("/api/v1/movies/popular/", name="/movies/popular/")


class Searcher(HttpUser):
    weight = 2
    wait_time = between(0.2, 0.8)

    @task
    def search(self):
        self.client.get(f"/api/v1/movies/?q={random.choice(SEARCHES)}", name="/movies/?q")


class SignedInUser(HttpUser):
    weight = 2
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {next(TOKENS)}"
        with self.client.get("/api/v1/favorites/", name="/favorites/ (probe)", catch_response=True) as probe:
            # before the favorites API lands (404) signed-in users only browse
            self.has_favorites = probe.status_code == 200
            if probe.status_code in (200, 404):
                probe.success()

    @task(3)
    def browse_signed_in(self):
        self.client.get(f"/api/v1/movies/{random.choice(MOVIE_IDS)}/", name="/movies/{id}/ (signed in)")

    @task(2)
    def favorites(self):
        if self.has_favorites:
            self.client.get("/api/v1/favorites/", name="/favorites/")

    @task(1)
    def add_and_remove_favorite(self):
        if not self.has_favorites:
            return
        movie_id = random.choice(MOVIE_IDS)
        with self.client.post(
            "/api/v1/favorites/", json={"movie_id": movie_id}, name="/favorites/ POST", catch_response=True
        ) as response:
            if response.status_code in (200, 201, 409):
                response.success()
