"""Times the movie admin changelists on a large synthetic catalog, inside a transaction rolled back."""

import random
import time
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment

from apps.movies.models import Genre, Movie, MovieGenre

LANGUAGES = ("en", "fr", "ja", "de", "es", "it", "ko", "zh", "hi", "ru")
WORDS = ("matrix", "club", "star", "love", "war")


class Rollback(Exception):
    """Raised at the end so nothing the check wrote stays in the database."""


class Command(BaseCommand):
    help = (
        "Builds N synthetic movies (default 50,000) in one transaction, requests the movie admin "
        "changelists as a superuser, prints queries and time per page, then rolls everything back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--movies", type=int, default=50_000)
        parser.add_argument("--repeat", type=int, default=3, help="requests per page; the best time is shown")

    def handle(self, *args, movies: int, repeat: int, **options):
        setup_test_environment()
        try:
            with transaction.atomic():
                self._run(movies, repeat)
                raise Rollback
        except Rollback:
            self.stdout.write("rolled back: the database is as it was")
        finally:
            teardown_test_environment()

    def _run(self, count: int, repeat: int) -> None:
        genre = self._build_catalog(count)
        client = Client()
        client.force_login(get_user_model().objects.create_superuser("scale-check@example.invalid", None))
        base = "/admin/movies/movie/"
        for url in (
            base,
            f"{base}?p=100",
            f"{base}?o=3",
            f"{base}?q=matrix",
            f"{base}?q=550",
            f"{base}?q=tt1000550",
            f"{base}?genre={genre.pk}",
            f"{base}?decade=1990&language=fr",
            f"{base}?sync_status__exact=failed",
            "/admin/movies/genre/",
        ):
            self._time_page(client, url, repeat)

    def _build_catalog(self, count: int) -> Genre:
        rnd = random.Random(8)  # noqa: S311 - synthetic data, not secrets
        genres = Genre.objects.bulk_create(
            [Genre(tmdb_id=900_000 + n, name=f"Scale {n}", slug=f"scale-{n}") for n in range(19)]
        )
        Movie.objects.bulk_create(
            (
                Movie(
                    tmdb_id=10_000_000 + n,
                    title=f"Movie {n} {rnd.choice(WORDS)}",
                    original_title=f"Original {n}",
                    original_language=rnd.choice(LANGUAGES),
                    popularity=rnd.random() * 1000,
                    vote_average=rnd.random() * 10,
                    release_date=date(rnd.randint(1920, 2025), rnd.randint(1, 12), 1),
                    status=rnd.choice(("Released", "Rumored", "Planned")),
                    imdb_id=f"tt{1_000_000 + n}",
                )
                for n in range(count)
            ),
            batch_size=2000,
        )
        movie_ids = Movie.objects.filter(tmdb_id__gte=10_000_000).values_list("pk", flat=True)
        MovieGenre.objects.bulk_create(
            (MovieGenre(movie_id=pk, genre=g) for pk in movie_ids.iterator() for g in rnd.sample(genres, 2)),
            batch_size=5000,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE movies_movie, movies_movie_genre, movies_genre")
        return genres[0]

    def _time_page(self, client: Client, url: str, repeat: int) -> None:
        client.get(url)  # warm caches (filter choices, templates)
        best, queries, response = float("inf"), 0, None
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                best = min(best, time.perf_counter() - started)
            queries = len(captured)
        changelist = response.context["cl"]
        self.stdout.write(
            f"{url:45} status={response.status_code} queries={queries} "
            f"rows={len(changelist.result_list)} count={changelist.result_count} best={best * 1000:.0f}ms"
        )
