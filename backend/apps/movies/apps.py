"""App config for movies."""

from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "apps.movies"
    label = "movies"
    default_auto_field = "django.db.models.BigAutoField"
