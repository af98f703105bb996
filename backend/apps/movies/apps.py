"""App config for movies."""

from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "apps.movies"
    label = "movies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.metrics import register_scrape_collector

        from .sync.freshness import FreshnessCollector

        register_scrape_collector("movies.freshness", FreshnessCollector())
