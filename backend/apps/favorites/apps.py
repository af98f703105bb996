"""App config for favorites."""

from django.apps import AppConfig


class FavoritesConfig(AppConfig):
    name = "apps.favorites"
    label = "favorites"
    default_auto_field = "django.db.models.BigAutoField"
