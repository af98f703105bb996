"""App config for authentication."""

from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "apps.authentication"
    label = "authentication"
    default_auto_field = "django.db.models.BigAutoField"
