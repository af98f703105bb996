"""Django app configuration of the watched history."""

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.history"
    label = "history"
    verbose_name = "Watched history"
