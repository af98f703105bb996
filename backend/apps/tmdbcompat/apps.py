"""App config of the TMDb-compatible API."""

from django.apps import AppConfig


class TmdbCompatConfig(AppConfig):
    name = "apps.tmdbcompat"
    label = "tmdbcompat"
    verbose_name = "TMDb-compatible API"
    default_auto_field = "django.db.models.BigAutoField"
