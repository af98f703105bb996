"""Loads the bundled demo catalog (idempotent): `manage.py load_demo_catalog`."""

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.movies.demo import DEMO_CATALOG_PATH, load_demo_catalog


class Command(BaseCommand):
    help = "Load the bundled demo catalog (genres, ~100 movies, their relations). Safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=DEMO_CATALOG_PATH)

    def handle(self, *args, path: Path, **options):
        result = load_demo_catalog(path)
        self.stdout.write(
            f"genres={result.genres} created={result.movies_created} "
            f"updated={result.movies_updated} relations={result.relations}"
        )
